"""The run cache (clvlib.run_cache): a re-run reuses the loaded tables and the model fits, and
never when an input byte or a loading setting changed.

The references are independent of the cache: a fresh cold load (or run) into another output
directory, ``load_tables`` itself, and counters of how often ``compute`` was called. The
end-to-end test runs step I twice in one output directory (cold, then with only the margin
changed) and compares the warm run's metrics.json with a cold run of the changed margin.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import types
from pathlib import Path

import duckdb
import ibis
import pandas as pd
import pytest
import yaml

from clvlib import run_cache
from clvlib.audit import CACHE_DB, open_audit, prepare_run_cache, run_state
from clvlib.config import ClientConfig, load_config

SOURCES = ("transactions", "customers", "marketing_spend", "messages", "sessions")


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory) -> Path:
    """A small demo client (40 customers, every table) that tests copy before changing."""
    from clvlib.data.demo import write_demo

    root = tmp_path_factory.mktemp("cache-client")
    write_demo(root / "client", customers=40, seed=3, progress=False)
    return root / "client"


@pytest.fixture
def client(client_dir, tmp_path) -> Path:
    """A private copy of the client: its client.yml."""
    shutil.copytree(client_dir, tmp_path / "client")
    return tmp_path / "client" / "client.yml"


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv(run_cache.NO_CACHE_ENV, raising=False)


def edited(config_path: Path, name: str, change) -> Path:
    """A copy of client.yml beside the original (same relative paths) with ``change(raw)``."""
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    change(raw)
    path = config_path.with_name(name)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def new_run(out: Path, name: str) -> Path:
    run_dir = out / "client" / name
    run_dir.mkdir(parents=True)
    return run_dir


def prepare(config_path: Path, out: Path, name: str, **kwargs) -> tuple[Path, dict]:
    """A run directory prepared like ``clv-audit run`` does (load or reuse), and its state."""
    run_dir = new_run(out, name)
    prepare_run_cache(load_config(config_path), run_dir, progress=False, **kwargs)
    return run_dir, run_state(run_dir)


def contents(run_dir: Path) -> dict[str, list]:
    """Every table of a run's database, rows sorted."""
    con = duckdb.connect(str(run_dir / CACHE_DB), read_only=True)
    try:
        names = [n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}
    finally:
        con.close()


def loaded_part(state: dict) -> dict:
    """A run state without how it was loaded (``load``, ``load_key``)."""
    return {k: v for k, v in state.items() if k not in ("load", "load_key")}


def flip_price_digit(csv: Path) -> None:
    """Change ONE byte of the first order line's unit price (1→9, else →1); mtime kept."""
    info = csv.stat()
    data = bytearray(csv.read_bytes())
    line_start = data.index(b"\n") + 1
    fields = bytes(data[line_start : data.index(b"\n", line_start)]).split(b";")
    at = line_start + sum(len(f) + 1 for f in fields[:6])  # 7th field: Cena jedn. brutto
    data[at] = ord("9") if data[at] == ord("1") else ord("1")
    csv.write_bytes(bytes(data))
    os.utime(csv, ns=(info.st_atime_ns, info.st_mtime_ns))


# -- the load key --------------------------------------------------------------------------------
def test_every_client_yml_key_is_classified_for_the_load_key():
    """A key added to client.yml must be declared as read by loading or not (LOAD_PARTS /
    OTHER_PARTS); otherwise a change to it could reuse a load made without it."""
    from clvlib.config import Funnel

    keys = [n for n in ClientConfig.model_fields if n != "funnel"]
    keys += [f"funnel.{n}" for n in Funnel.model_fields]
    unclassified = [k for k in keys if k not in run_cache.LOAD_PARTS + run_cache.OTHER_PARTS]
    assert unclassified == []
    assert not set(run_cache.LOAD_PARTS) & set(run_cache.OTHER_PARTS)


@pytest.mark.parametrize("table", SOURCES)
def test_one_byte_of_any_source_file_changes_the_load_key(client, table):
    config = load_config(client)
    before = run_cache.load_key(config)
    path = config.source_path(table)
    original = path.read_bytes()
    data = bytearray(original)
    data[len(data) // 2] ^= 0x01
    info = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # same size, same mtime
    assert run_cache.load_key(config) != before
    path.write_bytes(original)
    assert run_cache.load_key(config) == before


LOADING_CHANGES = {
    "column mapping": lambda r: r["sources"]["transactions"]["columns"].pop("coupon_code"),
    # messages hold no amounts: the load succeeds, but the key cannot know that
    "csv decimal": lambda r: r["sources"]["messages"]["csv"].update(decimal="."),
    "csv decimal of amounts": lambda r: r["sources"]["transactions"]["csv"].update(decimal="."),
    "csv date format": lambda r: r["sources"]["customers"]["csv"].update(date_format="%d.%m.%Y"),
    "csv encoding": lambda r: r["sources"]["messages"]["csv"].update(encoding="utf-8"),
    "return flag": lambda r: r["sources"]["transactions"].update(
        returns={"column": "Kod rabatowy", "values": ["ZWROT"]}
    ),
    "a table left out": lambda r: r["sources"].pop("messages"),
    "observation start": lambda r: r.update(observation_start=dt.date(2024, 1, 1)),
    "observation end": lambda r: r.update(observation_end=dt.date(2025, 6, 30)),
    "funnel steps": lambda r: (
        r["funnel"]["steps"].append("review")
        if "funnel" in r
        else r.update(funnel={"steps": ["visit", "product_view", "add_to_cart", "purchase"]})
    ),
}


@pytest.mark.parametrize("change", LOADING_CHANGES, ids=list(LOADING_CHANGES))
def test_a_loading_setting_changes_the_load_key(client, change):
    before = run_cache.load_key(load_config(client))
    after = run_cache.load_key(load_config(edited(client, "changed.yml", LOADING_CHANGES[change])))
    assert after != before


def test_the_same_export_at_another_path_changes_the_load_key(client):
    """The data-quality table names each file, so a moved file is a different load."""
    shutil.copy(client.with_name("customers.csv"), client.with_name("klienci.csv"))
    moved = edited(
        client, "moved.yml", lambda r: r["sources"]["customers"].update(path="klienci.csv")
    )
    assert run_cache.load_key(load_config(moved)) != run_cache.load_key(load_config(client))


def other_changes(raw: dict) -> None:
    """Every client.yml setting outside LOAD_PARTS changed at once."""
    raw["economics"] = {"gross_margin": 0.5, "annual_discount_rate": 0.2, "horizon_months": 24}
    raw.update(client="Another name", currency="EUR", locale="en_GB", prepared_by="someone")
    raw.update(holdout_weeks=13)
    raw.setdefault("funnel", {}).update(cart_recovery_rate=0.3)
    raw["retention"] = {"churn_after_days": 200}
    raw["communication"] = {"contact_cap_per_week": 3.0}
    raw["saturation"] = {"free_delivery_threshold": 150.0}
    raw["scenarios"] = {"retention_pp": 0.1, "aov_pct": 0.1, "frequency_pct": 0.1, "cac_pct": 0.2}
    raw["channels"] = {"min_spend_periods": 4}
    raw["privacy"] = {"pseudonymize_ids": False}


def test_settings_outside_loading_keep_the_key_and_indeed_do_not_change_the_load(client, tmp_path):
    """Economics, texts, locale, retention … are not in the key, and ``load_tables`` (the
    reference) gives the same tables and row accounting with all of them changed."""
    from clvlib.data.load import load_tables

    changed = edited(client, "other.yml", other_changes)
    configs = [load_config(client), load_config(changed)]
    assert configs[1].economics != configs[0].economics and configs[1].locale == "en_GB"
    assert run_cache.load_key(configs[1]) == run_cache.load_key(configs[0])
    results = []
    for config in configs:
        con = ibis.duckdb.connect()
        loaded = load_tables(config, con, progress=False)
        rows = {
            n: con.con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall()
            for n in loaded.tables
        }
        results.append((rows, {n: q.to_dict() for n, q in loaded.quality.items()}))
        con.disconnect()
    assert results[0] == results[1]


def test_a_database_source_is_never_cached(client, tmp_path):
    raw = yaml.safe_load(client.read_text(encoding="utf-8"))
    raw["sources"]["messages"] = {"url": "postgresql://audit@db.example.com/shop", "table": "m"}
    config = ClientConfig.model_validate(raw).model_copy(update={"base_dir": client.parent})
    assert run_cache.load_inputs(config) is None and run_cache.load_key(config) is None


# -- storing and finding loads ---------------------------------------------------------------------
def tiny_database(path: Path, rows: int = 3) -> Path:
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE transactions AS SELECT range AS x FROM range({rows})")
    con.close()
    return path


STATE = {
    "tables": ["transactions"],
    "quality": {"transactions": {"rows_excluded": {"future_date": 0}}},
    "observation_start": "2024-01-01",
    "observation_end": "2024-12-31",
}


def test_a_stored_load_is_found_and_a_cut_or_unreadable_one_is_not(tmp_path):
    root, key = tmp_path / ".cache", "a" * 64
    assert run_cache.store_load(root, key, tiny_database(tmp_path / "db.duckdb"), STATE)
    folder = run_cache.find_load(root, key)
    assert folder is not None and run_cache.read_state(folder)["tables"] == ["transactions"]
    assert run_cache.find_load(root, "b" * 64) is None
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]  # renamed into place
    database = folder / run_cache.DATABASE
    os.chmod(database, 0o644)
    with open(database, "r+b") as fh:  # cut short
        fh.truncate(database.stat().st_size // 2)
    assert run_cache.find_load(root, key) is None
    run_cache.discard(folder)
    assert run_cache.store_load(root, key, tiny_database(tmp_path / "db2.duckdb"), STATE)
    (folder / run_cache.STATE).write_text('{"schema": 1, "key"', encoding="utf-8")
    assert run_cache.find_load(root, key) is None


def test_a_second_store_of_the_same_key_keeps_the_first(tmp_path):
    root, key = tmp_path / ".cache", "a" * 64
    assert run_cache.store_load(root, key, tiny_database(tmp_path / "one.duckdb", 3), STATE)
    assert not run_cache.store_load(root, key, tiny_database(tmp_path / "two.duckdb", 5), STATE)
    con = duckdb.connect(str(root / key / "load" / run_cache.DATABASE), read_only=True)
    assert con.execute("SELECT count(*) FROM transactions").fetchone() == (3,)
    con.close()
    assert sorted(p.name for p in root.iterdir()) == [key]


def _store_in_process(args) -> bool:
    root, key, database = args
    return run_cache.store_load(Path(root), key, Path(database), STATE)


def test_concurrent_stores_leave_one_complete_entry(tmp_path):
    """Four processes store the same key at once: one wins, the entry is whole, no temporary
    folder is left."""
    root, key = tmp_path / ".cache", "c" * 64
    jobs = [(str(root), key, str(tiny_database(tmp_path / f"{i}.duckdb", 10))) for i in range(4)]
    with multiprocessing.get_context("fork").Pool(4) as pool:
        stored = pool.map(_store_in_process, jobs)
    assert sum(stored) == 1
    folder = run_cache.find_load(root, key)
    con = duckdb.connect(str(folder / run_cache.DATABASE), read_only=True)
    assert con.execute("SELECT count(*) FROM transactions").fetchone() == (10,)
    con.close()
    assert sorted(p.name for p in root.iterdir()) == [key]


def test_a_load_with_future_rows_is_not_reused_on_a_later_day(tmp_path):
    """Rows dated after the load day are excluded; the next day some may not be. Without such
    rows the day does not matter (and a clock set back never reuses)."""
    root, day = tmp_path / ".cache", dt.date(2026, 3, 1)
    future = {**STATE, "quality": {"transactions": {"rows_excluded": {"future_date": 2}}}}
    run_cache.store_load(root, "f" * 64, tiny_database(tmp_path / "f.duckdb"), future, today=day)
    run_cache.store_load(root, "n" * 64, tiny_database(tmp_path / "n.duckdb"), STATE, today=day)
    later, earlier = day + dt.timedelta(days=1), day - dt.timedelta(days=1)
    assert run_cache.find_load(root, "f" * 64, today=day) is not None
    assert run_cache.find_load(root, "f" * 64, today=later) is None
    assert run_cache.find_load(root, "n" * 64, today=later) is not None
    assert run_cache.find_load(root, "n" * 64, today=earlier) is None


def test_prune_keeps_the_newest_loads_and_sweeps_dead_runs_temporaries(tmp_path, monkeypatch):
    monkeypatch.setattr(run_cache, "KEEP_LOADS", 2)
    root = tmp_path / ".cache"
    keys = [c * 64 for c in "abc"]
    for age, key in enumerate(keys):  # a oldest, c newest
        run_cache.store_load(root, key, tiny_database(tmp_path / f"{key[0]}.duckdb"), STATE)
        os.utime(root / key, (1_000_000 + age, 1_000_000 + age))
    dead = multiprocessing.get_context("fork").Process(target=int)
    dead.start()
    dead.join()
    (root / f".tmp-{dead.pid}-abcd").mkdir()
    (root / f".tmp-{os.getpid()}-abcd").mkdir()  # this (live) process's: kept
    run_cache.prune(root)
    assert sorted(p.name for p in root.iterdir()) == sorted([f".tmp-{os.getpid()}-abcd", *keys[1:]])


# -- prepare_run_cache: cold, warm, changed --------------------------------------------------------
def test_unchanged_inputs_reuse_the_load_and_say_so(client, tmp_path):
    cold_dir, cold = prepare(client, tmp_path / "out", "1")
    warm_dir, warm = prepare(client, tmp_path / "out", "2")
    assert cold["load"] == "loaded"
    assert warm["load"] == f"reused cache {cold['load_key'][:8]}"
    assert warm["load_key"] == cold["load_key"]
    assert loaded_part(warm) == loaded_part(cold) and contents(warm_dir) == contents(cold_dir)
    audit = open_audit(client, warm_dir)  # what the notebooks open
    assert audit.data_key == cold["load_key"]
    assert audit.transactions.count().execute() == cold["quality"]["transactions"]["rows_used"]


def test_a_changed_byte_loads_afresh_like_a_fresh_cold_load(client, tmp_path):
    """One byte of one order line's price changed (size and mtime kept): the re-run loads (no
    reuse) and gets the tables a cold load into an empty output directory gets."""
    first_dir, first = prepare(client, tmp_path / "out", "1")
    flip_price_digit(client.with_name("transactions.csv"))
    again_dir, again = prepare(client, tmp_path / "out", "2")
    fresh_dir, fresh = prepare(client, tmp_path / "fresh", "1")
    assert again["load"] == "loaded" and again["load_key"] != first["load_key"]
    assert loaded_part(again) == loaded_part(fresh) and contents(again_dir) == contents(fresh_dir)
    assert contents(again_dir)["transactions"] != contents(first_dir)["transactions"]


def test_economics_reuse_the_load_and_loading_settings_do_not(client, tmp_path):
    out = tmp_path / "out"
    _, first = prepare(client, out, "1")
    margin = edited(client, "margin.yml", lambda r: r["economics"].update(gross_margin=0.5))
    _, warm = prepare(margin, out, "2")
    assert warm["load"].startswith("reused cache")
    for name in ("column mapping", "csv decimal"):
        changed = edited(client, "changed.yml", LOADING_CHANGES[name])
        run_dir, state = prepare(changed, out, f"3-{name}")
        _, fresh = prepare(changed, tmp_path / f"fresh-{name}", "1")
        assert state["load"] == "loaded", name
        assert loaded_part(state) == loaded_part(fresh) and state["load_key"] != first["load_key"]


def test_a_spark_run_reuses_the_duckdb_load_and_publishes_it_again(client, tmp_path):
    """With ``backend: pyspark`` the cache keeps the DuckDB database and a warm run writes the
    Parquet files Spark reads afresh (from the linked database, opened read-only)."""
    import pandas as pd

    spark = edited(client, "spark.yml", lambda r: r.update(backend={"name": "pyspark"}))
    _, cold = prepare(spark, tmp_path / "out", "1")
    warm_dir, warm = prepare(spark, tmp_path / "out", "2")
    assert warm["load"].startswith("reused cache") and warm["backend"] == "pyspark"
    assert sorted(warm["where"]) == warm["tables"]
    for name, path in warm["where"].items():
        assert Path(path).is_relative_to(warm_dir)
        frames = [pd.read_parquet(p) for p in (cold["where"][name], path)]
        pd.testing.assert_frame_equal(*frames)


def test_no_cache_neither_reads_nor_writes(client, tmp_path, monkeypatch):
    _, off = prepare(client, tmp_path / "out", "1", cache=False)
    assert off == {**off, "load": "loaded, cache off", "load_key": None}
    assert not (run_cache.cache_root(tmp_path / "out" / "client")).exists()
    prepare(client, tmp_path / "out", "2")  # stores
    monkeypatch.setenv(run_cache.NO_CACHE_ENV, "1")
    _, env_off = prepare(client, tmp_path / "out", "3")
    assert env_off["load"] == "loaded, cache off"


@pytest.mark.parametrize(("value", "on"), [("", True), ("0", True), ("no", True), ("1", False)])
def test_the_environment_switch(monkeypatch, value, on):
    monkeypatch.setenv(run_cache.NO_CACHE_ENV, value)
    assert run_cache.enabled() is on


def test_deleting_the_cache_mid_run_is_harmless(client, tmp_path, monkeypatch):
    """The cache deleted after a run linked its database (the run keeps reading its link),
    and between finding an entry and linking it (the run loads afresh)."""
    out = tmp_path / "out"
    prepare(client, out, "1")
    warm_dir, warm = prepare(client, out, "2")
    shutil.rmtree(run_cache.cache_root(out / "client"))
    audit = open_audit(client, warm_dir)
    assert audit.transactions.count().execute() == warm["quality"]["transactions"]["rows_used"]

    prepare(client, out, "3")  # stored again
    find = run_cache.find_load

    def find_then_delete(root, key, **kwargs):
        folder = find(root, key, **kwargs)
        shutil.rmtree(root)
        return folder

    monkeypatch.setattr(run_cache, "find_load", find_then_delete)
    run_dir, state = prepare(client, out, "4")
    assert state["load"] == "loaded" and loaded_part(state) == loaded_part(warm)
    assert contents(run_dir) == contents(warm_dir)


def test_a_truncated_cached_database_is_ignored_and_replaced(client, tmp_path):
    out = tmp_path / "out"
    _, first = prepare(client, out, "1")
    database = run_cache.cache_root(out / "client") / first["load_key"] / "load" / "audit.duckdb"
    os.chmod(database, 0o644)
    with open(database, "r+b") as fh:
        fh.truncate(4096)
    _, second = prepare(client, out, "2")
    _, third = prepare(client, out, "3")
    assert second["load"] == "loaded" and third["load"].startswith("reused cache")
    assert loaded_part(third) == loaded_part(first)


# -- remembered ------------------------------------------------------------------------------------
class Counter:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def fake_audit(tmp_path: Path, data_key: str | None = "d" * 64):
    run_dir = tmp_path / "out" / "client" / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    return types.SimpleNamespace(run_dir=run_dir, data_key=data_key)


def test_remembered_computes_once_per_data_name_and_settings(tmp_path):
    import numpy as np

    audit = fake_audit(tmp_path)
    value = {"params": np.array([0.25, 4.0, 0.8, 2.5]), "label": "BG/NBD"}
    compute = Counter(value)
    first = run_cache.remembered(audit, "fit", {"horizon": 36, "margin": 0.35}, compute)
    again = run_cache.remembered(audit, "fit", {"margin": 0.35, "horizon": 36}, compute)
    assert compute.calls == 1 and first is value
    assert again["label"] == "BG/NBD" and np.array_equal(again["params"], value["params"])
    run_cache.remembered(audit, "fit", {"horizon": 24, "margin": 0.35}, compute)
    run_cache.remembered(audit, "other fit", {"horizon": 36, "margin": 0.35}, compute)
    run_cache.remembered(fake_audit(tmp_path, "e" * 64), "fit", {"horizon": 36, "margin": 0.35},
                         compute)  # fmt: skip
    assert compute.calls == 4


def test_remembered_never_stores_without_a_run_directory_or_a_data_key(tmp_path, monkeypatch):
    compute = Counter(1.5)
    interactive = types.SimpleNamespace(run_dir=None, data_key="d" * 64)
    uncached = fake_audit(tmp_path, data_key=None)
    for audit in (interactive, interactive, uncached, uncached):
        assert run_cache.remembered(audit, "fit", {}, compute) == 1.5
    monkeypatch.setenv(run_cache.NO_CACHE_ENV, "1")
    for _ in range(2):
        run_cache.remembered(fake_audit(tmp_path), "fit", {}, compute)
    assert compute.calls == 6
    assert not list(tmp_path.rglob("*.pkl"))


def test_remembered_recomputes_an_unreadable_entry_and_skips_unpicklable_values(tmp_path):
    audit = fake_audit(tmp_path)
    compute = Counter([1, 2, 3])
    run_cache.remembered(audit, "fit", {"k": 1}, compute)
    (entry,) = tmp_path.rglob("*.pkl")
    entry.write_bytes(entry.read_bytes()[:-5])  # cut short
    assert run_cache.remembered(audit, "fit", {"k": 1}, compute) == [1, 2, 3]
    entry.write_bytes(b"not a pickle at all")
    assert run_cache.remembered(audit, "fit", {"k": 1}, compute) == [1, 2, 3]
    assert compute.calls == 3
    assert run_cache.remembered(audit, "fit", {"k": 1}, compute) == [1, 2, 3]
    assert compute.calls == 3  # the rewritten entry is read
    shutil.rmtree(run_cache.cache_root(tmp_path / "out" / "client"))  # deleted meanwhile
    assert run_cache.remembered(audit, "fit", {"k": 1}, compute) == [1, 2, 3]
    unpicklable = Counter(lambda: None)
    for _ in range(2):
        run_cache.remembered(audit, "lambda", {}, unpicklable)
    assert unpicklable.calls == 2


def test_remembered_keeps_the_newest_fits(tmp_path, monkeypatch):
    monkeypatch.setattr(run_cache, "KEEP_FITS", 3)
    audit = fake_audit(tmp_path)
    for k in range(5):
        run_cache.remembered(audit, "fit", {"k": k}, Counter(k))
    assert len(list(tmp_path.rglob("*.pkl"))) == 3
    monkeypatch.setattr(run_cache, "KEEP_FIT_BYTES", 150_000)  # room for one big result
    big = Counter(bytes(100_000))
    run_cache.remembered(audit, "big", {}, big)
    sizes = sorted((p.stat().st_size > 100_000 for p in tmp_path.rglob("*.pkl")), reverse=True)
    assert sizes == [True, False, False]
    run_cache.remembered(audit, "big", {}, big)
    assert big.calls == 1
    run_cache.remembered(audit, "big", {"again": True}, big)
    assert len(list(tmp_path.rglob("*.pkl"))) == 1 and big.calls == 2


def test_settings_must_be_json_values(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        run_cache.remembered(fake_audit(tmp_path), "fit", {"x": object()}, Counter(1))


# -- end to end ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_reruns_equal_cold_runs_after_a_margin_change_and_after_a_changed_byte(
    tmp_path, monkeypatch
):
    """Every step cold, then again in the same output directory with only
    economics.gross_margin changed: the load, the fits and the query results over the canonical
    tables are reused (run.load says so) and metrics.json, apart from ``run``, is the one a cold
    run with that margin writes into an empty output directory. Then one byte
    of an order line's price changes: the next re-run loads afresh and equals a cold run on
    the changed file."""
    from clvlib.data.demo import write_demo
    from clvlib.report.run import run_audit

    config = write_demo(tmp_path / "client", customers=200, seed=11, progress=False)

    def run(path: Path, out: Path, steps: list[int] | None = None) -> dict:
        """A run writing into ``out`` with the run cache ``out/run-cache``: a new ``out`` is a
        cold run (the cache is per client, whatever the output directory)."""
        monkeypatch.setenv("CLVLIB_CACHE_DIR", str(out / "run-cache"))
        run_dir = run_audit(path, out=out, steps=steps, pdf=False, progress=False)
        return json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))

    def figures(doc: dict) -> str:
        return json.dumps({k: v for k, v in doc.items() if k != "run"}, sort_keys=True)

    first = run(config, tmp_path / "reports")
    (queries,) = (tmp_path / "reports" / "run-cache").glob(f"*/*/{run_cache.QUERIES_DIR}")
    kept = {p.name for p in queries.glob("*.pkl")}
    assert len(kept) >= 10  # steps II-V's queries over the canonical tables
    margin = edited(config, "margin.yml", lambda r: r["economics"].update(gross_margin=0.5))
    warm = run(margin, tmp_path / "reports")
    assert kept <= {p.name for p in queries.glob("*.pkl")}
    cold = run(margin, tmp_path / "cold")
    assert first["run"]["load"] == cold["run"]["load"] == "loaded"
    assert warm["run"]["load"].startswith("reused cache ")
    assert first["calculation"] != cold["calculation"]  # the margin matters
    assert figures(warm) == figures(cold)

    flip_price_digit(config.with_name("transactions.csv"))
    flipped = run(margin, tmp_path / "reports", steps=[1])  # a new load key: nothing reused
    fresh = run(margin, tmp_path / "fresh", steps=[1])
    assert flipped["run"]["load"] == "loaded"
    assert flipped["calculation"] != cold["calculation"]  # the byte matters
    assert figures(flipped) == figures(fresh)


def test_an_unset_or_relative_xdg_cache_home_means_the_home_cache(tmp_path, monkeypatch):
    """The XDG base-directory spec: a relative $XDG_CACHE_HOME is invalid and is ignored."""
    monkeypatch.delenv(run_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert run_cache.cache_base() == tmp_path / "home" / ".cache" / "clvlib"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert run_cache.cache_base() == tmp_path / "home" / ".cache" / "clvlib"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run_cache.cache_base() == tmp_path / "xdg" / "clvlib"


@pytest.mark.slow
def test_a_relative_cache_dir_is_the_runners_and_the_kernels_find_the_fits_there(
    client, tmp_path, monkeypatch
):
    """CLVLIB_CACHE_DIR=rel-cache, run from tmp_path: the runner keeps the load in
    tmp_path/rel-cache and the step I kernel (which works in notebooks/) keeps its model fits
    there too, not in notebooks/rel-cache; the next run reuses both (seen on the 10 M client:
    the kernels refitted every model, 99 s of step I instead of 31 s)."""
    from clvlib.report.run import notebooks_dir, run_audit

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(run_cache.CACHE_ENV, "rel-cache")
    stray = notebooks_dir() / "rel-cache"
    assert not stray.exists()
    try:
        run_dir = run_audit(client, out=tmp_path / "reports", steps=[1], pdf=False, progress=False)
        root = tmp_path / "rel-cache" / run_dir.parent.name
        keys = [p for p in root.iterdir() if not p.name.startswith(".")]
        assert len(keys) == 1, keys
        fits = sorted((keys[0] / run_cache.FITS_DIR).glob("*.pkl"))
        assert fits, "the kernel kept no model fit in the runner's cache"
        assert not stray.exists(), "the kernel wrote its cache beside the notebooks"
        again = run_audit(client, out=tmp_path / "reports", steps=[1], pdf=False, progress=False)
        metrics = json.loads((again / "metrics.json").read_text(encoding="utf-8"))
        assert metrics["run"]["load"] == f"reused cache {keys[0].name[:8]}"
        assert sorted((keys[0] / run_cache.FITS_DIR).glob("*.pkl")) == fits  # found, none added
        assert not stray.exists()
    finally:  # a failing run must not leave a folder in the repository
        shutil.rmtree(stray, ignore_errors=True)


# -- the query memo --------------------------------------------------------------------------------
@pytest.fixture
def memo_con(tmp_path):
    """A DuckDB database with two canonical tables, and a query memo over them."""
    con = ibis.duckdb.connect(str(tmp_path / "db.duckdb"))
    con.raw_sql(
        "CREATE TABLE transactions AS SELECT i % 7 AS customer_id, "
        "CAST(i AS DECIMAL(18, 2)) / 3 AS revenue, "
        "DATE '2024-01-01' + CAST(i AS INTEGER) AS order_date, "
        "'k' || (i % 3) AS channel FROM range(200) t(i)"
    )
    con.raw_sql("CREATE TABLE customers AS SELECT i AS customer_id FROM range(7) t(i)")
    con.raw_sql("CREATE TABLE scratch AS SELECT 1 AS x")
    canonical = {n: con.table(n) for n in ("transactions", "customers")}
    memo = run_cache.QueryMemo(tmp_path / "queries", "k" * 64, canonical)
    return con, canonical, memo


def test_a_query_over_canonical_tables_is_kept_and_its_rerun_gives_the_same_frame(
    memo_con, monkeypatch
):
    """The kept result is the query's own rows (Arrow round trip: decimals, dates, strings as
    the engine gave them), read back instead of running the query again."""
    from clvlib import backends

    con, t, memo = memo_con
    tx = t["transactions"]
    expr = tx.group_by("channel").aggregate(
        revenue=tx.revenue.sum(), first=tx.order_date.min(), n=tx.count()
    )
    expected = backends.fetch(expr)  # no memo
    backends.use_query_memo(memo)
    try:
        first = backends.fetch(expr)
        assert len(list(memo.folder.glob("*.pkl"))) == 1
        ran = []
        monkeypatch.setattr(type(expr), "to_pyarrow", lambda self, *a, **k: ran.append(1) or 1 / 0)
        again = backends.fetch(expr)  # from the memo: the query does not run
    finally:
        backends.use_query_memo(None)
    assert ran == []
    pd.testing.assert_frame_equal(first, expected, check_exact=True)
    pd.testing.assert_frame_equal(again, expected, check_exact=True)


def test_queries_the_text_does_not_determine_are_never_kept(memo_con):
    """Anything but the canonical tables — a frame made by a step (memtable), another table of
    the database, a cached temporary table — or random numbers or today's date: no key, the
    query runs every time. A change of the SQL (a literal) or of the load key is another key."""
    con, t, memo = memo_con
    tx = t["transactions"]
    frame = ibis.memtable(pd.DataFrame({"customer_id": [1, 2], "clv": [10.0, 20.0]}))
    assert memo.key(tx.join(frame, "customer_id").aggregate(v=lambda r: r.clv.sum())) is None
    assert memo.key(con.table("scratch").aggregate(n=lambda r: r.count())) is None
    with tx.filter(tx.revenue > 1).cache() as cached:  # a temporary table of the run
        assert memo.key(cached.aggregate(n=lambda r: r.count())) is None
    assert memo.key(tx.mutate(r=ibis.random()).aggregate(m=lambda r: r.r.max())) is None
    assert (
        memo.key(tx.filter(tx.order_date < ibis.today()).aggregate(n=lambda r: r.count())) is None
    )
    kept = memo.key(tx.filter(tx.revenue > 10).aggregate(n=lambda r: r.count()))
    assert kept is not None
    assert memo.key(tx.filter(tx.revenue > 11).aggregate(n=lambda r: r.count())) != kept
    joined = tx.join(t["customers"], "customer_id").aggregate(n=lambda r: r.count())
    assert memo.key(joined) is not None
    other = run_cache.QueryMemo(memo.folder, "j" * 64, t)
    assert other.key(tx.filter(tx.revenue > 10).aggregate(n=lambda r: r.count())) != kept


def test_query_results_have_their_own_bound_and_never_evict_fits(tmp_path, monkeypatch):
    """A run keeps many query results: they are pruned among themselves (``KEEP_QUERIES``),
    the model fits beside them stay."""
    import pyarrow as pa

    monkeypatch.setattr(run_cache, "KEEP_QUERIES", 2)
    monkeypatch.setattr(run_cache, "KEEP_FITS", 2)
    audit = fake_audit(tmp_path)
    run_cache.remembered(audit, "fit", {"k": 1}, Counter(1))
    run_cache.remembered(audit, "fit", {"k": 2}, Counter(2))
    (fits,) = tmp_path.rglob(run_cache.FITS_DIR)
    memo = run_cache.QueryMemo(fits.parent / run_cache.QUERIES_DIR, audit.data_key, {})
    for k in range(4):
        memo.put(f"{k:064d}", pa.table({"x": [k]}))
    assert len(list(memo.folder.glob("*.pkl"))) == 2
    assert memo.get(f"{3:064d}") == pa.table({"x": [3]})
    assert len(list(fits.glob("*.pkl"))) == 2
