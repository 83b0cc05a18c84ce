"""The same inputs give the same figures on one thread or many (issue 20).

A parallel DuckDB SUM of floats adds its partial sums in whatever order the threads finish, and a
GROUP BY returns its groups in that order, so the last digits of a total (and every figure built
on it) changed from run to run. ``clvlib.backends.exact_sum`` adds money as integers and
``fetch`` returns rows in a fixed order. ``PRAGMA verify_parallelism`` makes DuckDB split even a
small table between its threads, so these tests see the parallel paths on small data; the
first test shows that this lever does change a plain float sum.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import ibis
import pytest

from clvlib import backends, run_cache
from clvlib.backends import exact_mean, exact_sum, fetch


def _parallel_con(threads: int = 4):
    """A DuckDB connection that splits every scan between ``threads`` threads."""
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET threads = {threads}")
    con.raw_sql("PRAGMA verify_parallelism")
    return con


def _amounts(n: int, seed: int) -> list[str]:
    """Amounts as an export writes them: 0-2 decimals, a few returns (negative)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        cents = rng.randint(-5_000, 500_000)
        texts.append(f"{cents / 100:.{rng.choice((0, 1, 2))}f}")
    return texts


@pytest.fixture(scope="module")
def amounts():
    """20,000 amounts in three shuffled orders, each a table on a parallel connection."""
    texts = _amounts(20_000, seed=20)
    con = _parallel_con()
    orders = []
    for k in range(3):
        order = list(texts)
        random.Random(k).shuffle(order)
        frame = {"g": [i % 13 for i in range(len(order))], "x": [float(t) for t in order]}
        orders.append(con.create_table(f"t{k}", ibis.memtable(frame).to_pyarrow()))
    return texts, con, orders


def test_a_plain_float_sum_changes_with_the_order_of_the_rows(amounts):
    """What the other tests guard against: the same amounts in another order (another
    shuffle, or the same table split between threads differently) give another float total."""
    _, con, tables = amounts
    totals = {con.execute(t.x.sum()) for t in tables for _ in range(20)}
    assert len(totals) > 1


def test_exact_sum_is_the_exact_decimal_total_in_any_order_and_on_any_threads(amounts):
    texts, con, tables = amounts
    exact = float(sum(Decimal(t) for t in texts))  # Python's decimal: no rounding at all
    assert math.isclose(exact, math.fsum(float(t) for t in texts), rel_tol=1e-15)
    for t in tables:
        totals = {con.execute(exact_sum(t.x)) for _ in range(10)}
        assert totals == {exact}
    single = ibis.duckdb.connect()
    single.raw_sql("SET threads = 1")
    one = single.create_table("t", tables[0].to_pyarrow())
    assert single.execute(exact_sum(one.x)) == exact


def test_exact_sum_per_group_with_a_filter_matches_decimal_arithmetic(amounts):
    texts, con, tables = amounts
    order = [float(x) for x in tables[1].x.to_pyarrow().to_pylist()]
    groups = [g for g in tables[1].g.to_pyarrow().to_pylist()]
    expected = {}
    for g, x in zip(groups, order, strict=True):
        if x > 0:  # the filter below
            expected[g] = expected.get(g, Decimal(0)) + Decimal(repr(x))
    t = tables[1]
    for _ in range(5):
        frame = fetch(t.group_by("g").aggregate(s=exact_sum(t.x, where=t.x > 0)), con)
        assert frame["g"].tolist() == sorted(expected)
        assert frame["s"].tolist() == [float(expected[g]) for g in sorted(expected)]


def test_exact_mean_is_the_decimal_mean(amounts):
    texts, con, (t, *_) = amounts
    mean = float(sum(Decimal(x) for x in texts) / len(texts))
    results = {con.execute(exact_mean(t.x)) for _ in range(10)}
    assert len(results) == 1
    assert math.isclose(results.pop(), mean, rel_tol=1e-15)


def test_exact_sum_keeps_sum_semantics_for_nulls_integers_and_odd_values():
    con = _parallel_con()
    con.raw_sql(
        "CREATE TABLE odd AS SELECT * FROM (VALUES (1, 1.25::DOUBLE, 1), (1, NULL, 2), "
        "(2, NULL, 3), (2, NULL, 4), (3, 'nan'::DOUBLE, 5), (3, 2.0, 6), (4, 1e20, 7), "
        "(4, 3.5, 8)) AS v(g, x, n)"
    )
    t = con.table("odd")
    out = fetch(t.group_by("g").aggregate(s=exact_sum(t.x), i=exact_sum(t.n)), con)
    s = dict(zip(out["g"], out["s"], strict=True))
    assert s[1] == 1.25
    assert s[2] is None or math.isnan(s[2])  # no value: NULL, as sum() gives
    assert math.isnan(s[3])  # a NaN makes the total NaN, as in a float sum
    assert s[4] == 1e20 + 3.5  # too large for the integer form: the plain float sum
    assert out["i"].tolist() == [3, 7, 11, 15]
    inf = con.create_table("inf", ibis.memtable({"x": [1.0, float("inf")]}).to_pyarrow())
    assert con.execute(exact_sum(inf.x)) == math.inf


def test_exact_sum_on_other_engines_adds_decimals(amounts, monkeypatch):
    """Engines other than DuckDB get DECIMAL(38, 6) (Spark's BIGINT sum would wrap around);
    DuckDB runs that form too, so it is checked here against the same exact total."""
    texts, con, (t, *_) = amounts
    monkeypatch.setattr(backends, "_engine", lambda expr: "pyspark")
    assert "DECIMAL(38, 6)" in ibis.to_sql(exact_sum(t.x), dialect="duckdb")
    assert {con.execute(exact_sum(t.x)) for _ in range(5)} == {float(sum(map(Decimal, texts)))}


def test_fetch_returns_groups_in_one_order_and_keeps_an_order_by(amounts):
    _, con, (t, *_) = amounts
    grouped = t.group_by("g").aggregate(n=t.count())
    orders = {tuple(fetch(grouped, con)["g"]) for _ in range(10)}
    assert orders == {tuple(range(13))}
    descending = fetch(grouped.order_by(ibis.desc("g")).mutate(m=grouped.n * 2), con)
    assert descending["g"].tolist() == list(range(12, -1, -1))


# -- a whole audit ---------------------------------------------------------------------------------
PARALLEL_HOOK = '''\
"""Test hook: the audit's DuckDB connection splits every scan between its threads."""
import clvlib.audit as _audit

_plain = _audit.deterministic


def _parallel(con):
    _plain(con)
    con.con.execute("PRAGMA verify_parallelism")


_audit.deterministic = _parallel
'''


def _run(config: Path, out: Path, threads: int, hook: Path | None = None) -> tuple[dict, dict]:
    """metrics.json of an audit on ``threads`` DuckDB threads without its ``run`` section, and
    that section."""
    env = {**os.environ, "CLVLIB_THREADS": str(threads)}
    if hook is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "clvlib", "run", str(config), "--quiet", "--no-pdf",
         "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (metrics,) = out.rglob("metrics.json")
    values = json.loads(metrics.read_text(encoding="utf-8"))
    return values, values.pop("run")


@pytest.mark.slow
def test_an_audit_on_four_parallel_threads_writes_the_metrics_of_one_thread(tmp_path):
    """metrics.json (without ``run``) is byte-identical on 1 thread and on 4 threads with every
    scan split between them (``PRAGMA verify_parallelism``: a small client exercises the
    parallel paths the 20,000-customer demo takes on its 140,000 transaction lines).

    Both runs load the exports themselves: the first run's load and query results are deleted
    from the run cache before the second, so loading, validation and every query run on 4
    threads too. The model fits the first
    run kept are reused only where the second run's own tables give the same inputs (the fit
    memo keys each fit by a fingerprint of its input frame), and fits do not depend on the
    DuckDB thread count."""
    from clvlib.data.demo import write_demo

    config = write_demo(tmp_path / "client", customers=1500, seed=20, progress=False)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(PARALLEL_HOOK, encoding="utf-8")
    one, one_run = _run(config, tmp_path / "one", threads=1)
    cache = Path(os.environ["CLVLIB_CACHE_DIR"])
    for kept in [
        *cache.glob(f"*/*/{run_cache.LOAD_DIR}"),
        *cache.glob(f"*/*/{run_cache.QUERIES_DIR}"),
    ]:
        shutil.rmtree(kept)  # safe at any time: the next run loads and queries afresh
    four, four_run = _run(config, tmp_path / "four", threads=4, hook=hook)
    assert one_run["load"] == four_run["load"] == "loaded"
    text = lambda values: json.dumps(values, sort_keys=True)  # noqa: E731
    if text(one) != text(four):
        sys.path.insert(0, str(Path(__file__).parent))
        from metrics_leaves import leaves

        a, b = dict(leaves(one)), dict(leaves(four))
        differ = [k for k in a.keys() | b.keys() if a.get(k) != b.get(k)]
        pytest.fail(f"{len(differ)} metrics differ, e.g. {sorted(map(str, differ))[:5]}")
