"""Scale benchmark: the customer summary of 1 M, 10 M and 50 M transactions, side by side.

What is measured (issue 9, "Scale"), in one run, each implementation in a fresh subprocess so
that its peak memory is its own (``VmHWM`` of the worker, read by itself at the end):

- ``clvlib``: ``clvlib.calculation.rfm_summary`` on an ibis DuckDB table reading the Parquet file
  (``con.read_parquet``), result as pandas — what the audit runs;
- ``duckdb``: the floor, the minimal DuckDB SQL computing the same per-customer columns (one
  group-by by customer and day, one by customer, fetched as pandas through Arrow);
- ``pandas``: a plain pandas implementation of the same definitions (``read_parquet`` then two
  ``groupby``), what a notebook without a database would do;
- ``lifetimes``: lifetimes 0.11.3's ``summary_data_from_transaction_data(..., freq="D",
  freq_multiplier=7)`` in its own virtualenv (``benchmarks/.venv-lifetimes``, as
  ``bench_models.py``); its time is the call alone, with the transactions already in a pandas
  frame (loading them is timed apart), which flatters lifetimes, not us.

Times are wall-clock seconds from the file path to the per-customer pandas frame, after the
imports (the interpreter start is not counted; the resident memory after the imports is shown).
Every run checks that the four results agree: customers, Σ frequency, Σ recency, Σ T and
Σ monetary_value to 1e-9 relative.

Data (seeded numpy, written in chunks with pyarrow to ``benchmarks/.data/``, cached): ``n``
transactions of ``n / 10`` customers (customer of each row uniform, so about 10 each, Poisson),
string customer ids (``K0000001``; canonical ids are text), each customer's first day uniform
over 2023-01-01 … 2025-09-30 and each transaction's day uniform from that day to 2025-12-31 with
a time of day; positive revenue in cents (log-normal around 150): no returns, so that lifetimes'
summary — which counts every dated row as a purchase — computes the same thing as ours.

Memory etiquette (shared machine): one implementation at a time; DuckDB gets
``memory_limit`` (``--memory-limit``, default 8GB) and spills beyond it; pandas and lifetimes
are skipped at a size whose expected peak (their measured peak at the largest size run so far,
scaled by rows) exceeds half of the memory available when the size starts (``MemAvailable``), or
whose expected time exceeds ``--max-seconds``; the table says so.

This file is also the worker script of every subprocess (``worker`` command); its top level
imports only the standard library, numpy and pandas, so that lifetimes' virtualenv can run it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / ".data"
RESULTS_DIR = HERE / "results"

SEED = 20250901
DATA_VERSION = 1  # bump when the simulation changes, so cached files are redrawn
ROWS_PER_CUSTOMER = 10
START = np.datetime64("2023-01-01")
END = np.datetime64("2025-12-31")  # observation end (inclusive)
LAST_FIRST_DAY = np.datetime64("2025-09-30")
CHUNK_ROWS = 5_000_000
SIZES = (1_000_000, 10_000_000, 50_000_000)
IMPLEMENTATIONS = ("duckdb", "clvlib", "pandas", "lifetimes")
LABELS = {
    "duckdb": "bare DuckDB SQL (floor)",
    "clvlib": "clvlib `rfm_summary`",
    "pandas": "plain pandas",
    "lifetimes": "lifetimes `summary_data_from_transaction_data`",
}

#: Targets of issue 9 at 10 M transactions (1 M customers).
TARGET_FLOOR_RATIO = 2.5
TARGET_PEAK_GB = 2.0
TARGET_LIFETIMES_SPEEDUP = 10.0

COLUMNS = ["frequency", "recency", "T", "monetary_value"]


def log(message: str) -> None:
    """Progress line on stderr (the table goes to stdout)."""
    print(f"[bench-scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data --------------------------------------------------------------------------------------


def data_file(n: int, seed: int = SEED) -> Path:
    """The Parquet file of ``n`` transactions (written once, in chunks of ``CHUNK_ROWS``)."""
    path = DATA_DIR / f"transactions_{n}_seed{seed}_v{DATA_VERSION}.parquet"
    if path.exists():
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    n_customers = max(1, n // ROWS_PER_CUSTOMER)
    log(f"writing {n:,} transactions of {n_customers:,} customers -> {path.relative_to(ROOT)}")
    rng = np.random.default_rng([seed, n])
    span = int((LAST_FIRST_DAY - START).astype(int)) + 1
    total_days = int((END - START).astype(int)) + 1
    first_day = rng.integers(0, span, n_customers)
    ids = np.char.add("K", np.char.zfill(np.arange(1, n_customers + 1).astype(str), 7))
    id_array = pa.array(ids.tolist(), pa.string())
    schema = pa.schema(
        [("customer_id", pa.string()), ("order_ts", pa.timestamp("us")), ("revenue", pa.float64())]
    )
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for offset in range(0, n, CHUNK_ROWS):
            k = min(CHUNK_ROWS, n - offset)
            who = rng.integers(0, n_customers, k)
            first = first_day[who]
            day = first + np.floor(rng.random(k) * (total_days - first)).astype(np.int64)
            seconds = rng.integers(0, 86_400, k)
            micros = (day * 86_400 + seconds) * 1_000_000
            ts = START.astype("datetime64[us]") + micros.astype("timedelta64[us]")
            cents = np.maximum(np.round(rng.lognormal(np.log(15_000), 0.6, k)), 1)
            table = pa.table(
                {
                    "customer_id": id_array.take(pa.array(who)),
                    "order_ts": pa.array(ts, pa.timestamp("us")),
                    "revenue": pa.array(cents / 100.0, pa.float64()),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=1_000_000)
    tmp.replace(path)
    meta = {"rows": n, "customers": n_customers, "seed": seed, "end": str(END)}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return path


# -- the implementations (each runs in its own worker process) ---------------------------------


def _floor_sql(path: Path, end: str) -> str:
    """The minimal SQL of the same definitions as ``rfm_summary`` (weeks = days / 7)."""
    return f"""
    WITH days AS (
        SELECT customer_id, CAST(order_ts AS DATE) AS day, sum(revenue) AS value,
               bool_or(revenue >= 0) AS purchase
        FROM read_parquet('{path}')
        WHERE customer_id IS NOT NULL AND CAST(order_ts AS DATE) <= DATE '{end}'
        GROUP BY ALL
    ), per AS (
        SELECT customer_id, count(*) AS n, min(day) AS first, max(day) AS last,
               sum(value) AS total, arg_min(value, day) AS first_value
        FROM days WHERE purchase GROUP BY customer_id
    )
    SELECT customer_id, n - 1 AS frequency, (last - first) / 7.0 AS recency,
           (DATE '{end}' - first) / 7.0 AS T,
           CASE WHEN n > 1 THEN (total - first_value) / (n - 1) ELSE 0.0 END AS monetary_value
    FROM per ORDER BY customer_id
    """


def _run_duckdb(path: Path, end: str, memory_limit: str) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    started = time.perf_counter()
    frame = con.execute(_floor_sql(path, end)).to_arrow_table().to_pandas()
    return frame.set_index("customer_id"), time.perf_counter() - started


def _run_clvlib(path: Path, end: str, memory_limit: str) -> pd.DataFrame:
    import ibis

    from clvlib.calculation import rfm_summary

    con = ibis.duckdb.connect()
    con.raw_sql(f"SET memory_limit = '{memory_limit}'")
    started = time.perf_counter()
    table = con.read_parquet(path)
    frame = rfm_summary(table, observation_end=end, time_unit="W")
    return frame, time.perf_counter() - started


def _run_pandas(path: Path, end: str, memory_limit: str) -> pd.DataFrame:
    started = time.perf_counter()
    tx = pd.read_parquet(path, columns=["customer_id", "order_ts", "revenue"])
    tx = tx[tx["customer_id"].notna() & tx["order_ts"].notna()]
    tx["day"] = tx["order_ts"].dt.floor("D")
    tx = tx[tx["day"] <= pd.Timestamp(end)]
    tx["purchase"] = tx["revenue"] >= 0
    days = tx.groupby(["customer_id", "day"], sort=True).agg(
        value=("revenue", "sum"), purchase=("purchase", "any")
    )
    del tx
    days = days[days["purchase"]].reset_index()
    per = days.groupby("customer_id", sort=True).agg(
        n=("day", "size"),
        first=("day", "min"),
        last=("day", "max"),
        total=("value", "sum"),
        first_value=("value", "first"),  # days are sorted within a customer
    )
    week = pd.Timedelta(days=7)
    out = pd.DataFrame(
        {
            "frequency": per["n"] - 1,
            "recency": (per["last"] - per["first"]) / week,
            "T": (pd.Timestamp(end) - per["first"]) / week,
            "monetary_value": np.where(
                per["n"] > 1,
                (per["total"] - per["first_value"]) / (per["n"] - 1).clip(lower=1),
                0.0,
            ),
        },
        index=per.index,
    )
    return out, time.perf_counter() - started


def _run_lifetimes(path: Path, end: str, memory_limit: str) -> pd.DataFrame:
    from lifetimes.utils import summary_data_from_transaction_data

    started = time.perf_counter()
    tx = pd.read_parquet(path, columns=["customer_id", "order_ts", "revenue"])
    loaded = time.perf_counter()
    frame = summary_data_from_transaction_data(
        tx,
        "customer_id",
        "order_ts",
        monetary_value_col="revenue",
        observation_period_end=end,
        freq="D",
        freq_multiplier=7,
    )
    done = time.perf_counter()
    _run_lifetimes.load_s = loaded - started
    return frame, done - loaded


RUNNERS = {
    "duckdb": _run_duckdb,
    "clvlib": _run_clvlib,
    "pandas": _run_pandas,
    "lifetimes": _run_lifetimes,
}


def _digest(frame: pd.DataFrame) -> dict:
    """What the implementations must agree on."""
    return {
        "customers": int(len(frame)),
        **{f"sum_{c}": float(np.asarray(frame[c], dtype="float64").sum()) for c in COLUMNS},
    }


def _proc_kib(path: str, key: str) -> float | None:
    """The ``key:`` line of a /proc file such as /proc/self/status, in KiB; None if unreadable."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def _rss_mib() -> float:
    """This process's peak resident memory so far (MiB): ``VmHWM`` of /proc/self/status, which
    starts afresh at exec (``ru_maxrss`` does not: Linux carries the parent's over an exec, so
    a worker started by a driver holding a big array would report the driver's memory)."""
    kib = _proc_kib("/proc/self/status", "VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
    return kib / 1024.0


def _versions(impl: str) -> dict:
    out = {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__}
    if impl in ("duckdb", "clvlib"):
        import duckdb

        out["duckdb"] = duckdb.__version__
    if impl == "clvlib":
        import ibis

        import clvlib

        out["ibis"] = ibis.__version__
        out["clvlib"] = clvlib.__version__
    if impl == "pandas":
        import pyarrow

        out["pyarrow"] = pyarrow.__version__
    if impl == "lifetimes":
        import lifetimes

        out["lifetimes"] = lifetimes.__version__
    return out


def _worker_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_scale.py worker")
    parser.add_argument("impl", choices=IMPLEMENTATIONS)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--end", default=str(END))
    parser.add_argument("--memory-limit", default="8GB")
    args = parser.parse_args(argv)
    versions = _versions(args.impl)  # imports everything the implementation needs
    imports_rss = _rss_mib()
    frame, seconds = RUNNERS[args.impl](args.data, args.end, args.memory_limit)
    result = {
        "impl": args.impl,
        "seconds": seconds,
        "imports_rss_mib": imports_rss,
        "peak_rss_mib": _rss_mib(),
        "digest": _digest(frame),
        "versions": versions,
    }
    if args.impl == "lifetimes":
        result["load_s"] = _run_lifetimes.load_s
    print(json.dumps(result))


# -- the driver ------------------------------------------------------------------------------


def _python_for(impl: str) -> Path | None:
    if impl != "lifetimes":
        return Path(sys.executable)
    from benchmarks.bench_models import LIFETIMES_PYTHON, ensure_lifetimes_env

    return LIFETIMES_PYTHON if ensure_lifetimes_env() else None


def run_worker(impl: str, path: Path, *, memory_limit: str, timeout_s: float) -> dict:
    """One implementation in a fresh process: its JSON, wall time and peak RSS (``wait4``)."""
    python = _python_for(impl)
    if python is None:
        return {"impl": impl, "error": "no lifetimes virtualenv"}
    cmd = [str(python), str(Path(__file__).resolve()), "worker", impl, "--data", str(path)]
    cmd += ["--end", str(END), "--memory-limit", memory_limit]
    env = dict(os.environ)
    if impl == "lifetimes":  # its interpreter must see only its own packages
        env = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    else:
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    out_path = DATA_DIR / f".worker-{impl}.json"
    started = time.perf_counter()
    with open(out_path, "w") as out, open(DATA_DIR / f".worker-{impl}.err", "w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        deadline = started + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"impl": impl, "error": f"killed after {timeout_s:.0f} s"}
            time.sleep(0.05)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = (DATA_DIR / f".worker-{impl}.err").read_text()[-2000:]
        return {"impl": impl, "error": f"exit {proc.returncode}: {tail.strip()}"}
    result = json.loads(out_path.read_text().strip().splitlines()[-1])
    result["wait4_maxrss_mib"] = usage.ru_maxrss / 1024.0  # an upper bound (see _rss_mib)
    result["process_wall_s"] = wall
    return result


def mem_available_mib() -> float:
    """``MemAvailable`` of /proc/meminfo (MiB); inf when unknown."""
    kib = _proc_kib("/proc/meminfo", "MemAvailable")
    return float("inf") if kib is None else kib / 1024.0


def _warm(path: Path) -> None:
    """Read the file once so every implementation starts with it in the page cache."""
    with open(path, "rb") as f:
        while f.read(64 * 1024 * 1024):
            pass


def bench_size(
    n: int,
    *,
    impls: list[str],
    repeats: int,
    memory_limit: str,
    max_seconds: float,
    history: dict[str, tuple[int, dict]],
) -> dict:
    """All implementations on ``n`` transactions; ``history`` holds each one's largest run so
    far (rows, result) for the skip rule and is updated."""
    path = data_file(n)
    _warm(path)
    available = mem_available_mib()
    log(f"{n:,} transactions: {available / 1024:.1f} GiB available")
    row: dict = {"rows": n, "available_mib": available, "results": {}}
    for impl in impls:
        if impl in ("pandas", "lifetimes") and impl in history:
            rows_before, before = history[impl]
            scale = n / rows_before
            peak = before["peak_rss_mib"] * scale
            seconds = before["seconds"] * scale
            if peak > available / 2 or seconds > max_seconds:
                reason = (
                    f"skipped: expected ≈ {peak / 1024:.1f} GiB peak and ≈ {seconds:.0f} s "
                    f"(its {rows_before:,}-row run × {scale:g}) against "
                    f"{available / 1024:.1f} GiB available (limit: half) and "
                    f"{max_seconds:.0f} s allowed"
                )
                log(f"{impl} {n:,}: {reason}")
                row["results"][impl] = {"impl": impl, "skipped": reason}
                continue
        k = repeats if impl in ("duckdb", "clvlib") and n <= 10_000_000 else 1
        runs = []
        for i in range(k):
            log(f"{impl} {n:,}: run {i + 1}/{k} ...")
            result = run_worker(impl, path, memory_limit=memory_limit, timeout_s=4 * max_seconds)
            if "error" in result:
                log(f"{impl} {n:,}: {result['error']}")
                runs = [result]
                break
            log(f"{impl} {n:,}: {result['seconds']:.2f} s, peak {result['peak_rss_mib']:,.0f} MiB")
            runs.append(result)
        best = min(runs, key=lambda r: r.get("seconds", float("inf")))
        if "error" not in best:
            best["all_seconds"] = [r["seconds"] for r in runs]
            best["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
            history[impl] = (n, best)
        row["results"][impl] = best
    row["agreement"] = _agreement(row["results"])
    return row


def _agreement(results: dict) -> str:
    """Whether every implementation that ran produced the floor's digest (1e-9 relative)."""
    digests = {k: r["digest"] for k, r in results.items() if "digest" in r}
    if "duckdb" not in digests:
        return "no floor to compare with"
    ref = digests["duckdb"]
    differ = []
    for impl, d in digests.items():
        for key, value in d.items():
            if not np.isclose(value, ref[key], rtol=1e-9, atol=1e-6):
                differ.append(f"{impl} {key} {value!r} vs {ref[key]!r}")
    return "all equal" if not differ else "DIFFER: " + "; ".join(differ)


def machine_facts() -> dict:
    from benchmarks.bench_models import machine_facts as facts

    out = facts()
    out["memory_gib"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return out


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def render(rows: list[dict], facts: dict, *, memory_limit: str) -> str:
    versions: dict[str, str] = {}
    for row in rows:
        for impl, r in row["results"].items():
            if "versions" in r and impl not in versions:
                versions[impl] = ", ".join(f"{k} {v}" for k, v in r["versions"].items())
    lines = [
        "# Scale benchmark: per-customer summary of 1 M – 50 M transactions",
        "",
        f"Run {facts['date']} on {facts['nproc']} cores ({facts['cpu']}), "
        f"{facts['memory_gib']:.0f} GiB RAM shared with other users, load average at start "
        f"{facts['load_at_start']}. Command: `python -m benchmarks scale` (`make bench-scale`). "
        f"DuckDB `memory_limit` {memory_limit} for both DuckDB rows.",
        "",
        "Versions: " + "; ".join(f"{LABELS[k].split(' `')[0]}: {v}" for k, v in versions.items()),
        "",
        "Seeded synthetic transactions in Parquet (string customer ids, about 10 rows per "
        "customer, three years, no returns; see `benchmarks/bench_scale.py`). Each "
        "implementation runs in a fresh process: seconds from the file path to the "
        "per-customer pandas frame (best of k), peak resident memory of that process "
        "(`VmHWM`; in brackets: after its imports, before any data). lifetimes' "
        "seconds are its summary call alone, on transactions already in memory (its load "
        "time is given apart). Ratios are against the floor of the same run.",
        "",
        "| transactions | customers | implementation | seconds | × floor | peak memory (GiB) "
        "| note |",
        "|---:|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        res = row["results"]
        floor = res.get("duckdb", {}).get("seconds")
        customers = next(
            (r["digest"]["customers"] for r in res.values() if "digest" in r), row["rows"] // 10
        )
        for impl in IMPLEMENTATIONS:
            if impl not in res:
                continue
            r = res[impl]
            label = LABELS[impl]
            if "skipped" in r or "error" in r:
                lines.append(
                    f"| {row['rows']:,} | {customers:,} | {label} | — | — | — | "
                    f"{r.get('skipped') or r.get('error')} |"
                )
                continue
            k = len(r.get("all_seconds", [r["seconds"]]))
            ratio = f"{r['seconds'] / floor:.2f}×" if floor else "—"
            note = []
            if impl == "lifetimes":
                note.append(f"+ {r['load_s']:.1f} s to load the Parquet into pandas")
            if k > 1:
                note.append(f"best of {k}: " + ", ".join(f"{s:.2f}" for s in r["all_seconds"]))
            lines.append(
                f"| {row['rows']:,} | {customers:,} | {label} | {_fmt_s(r['seconds'])} | "
                f"{ratio} | {r['peak_rss_mib'] / 1024:.2f} ({r['imports_rss_mib'] / 1024:.2f}) "
                f"| {'; '.join(note)} |"
            )
    lines += ["", "## Targets (10 M transactions of 1 M customers)", ""]
    target_row = next((r for r in rows if r["rows"] == 10_000_000), None)
    if target_row is None:
        lines.append("10 M was not run.")
    else:
        res = target_row["results"]
        ours, floor, lt = res.get("clvlib", {}), res.get("duckdb", {}), res.get("lifetimes", {})
        checks = []
        if "seconds" in ours and "seconds" in floor:
            ratio = ours["seconds"] / floor["seconds"]
            checks.append(
                f"`rfm_summary` {ratio:.2f}× the bare DuckDB floor "
                f"({ours['seconds']:.2f} s vs {floor['seconds']:.2f} s; target ≤ "
                f"{TARGET_FLOOR_RATIO}×): {'met' if ratio <= TARGET_FLOOR_RATIO else 'MISSED'}"
            )
            peak = ours["peak_rss_mib"] * 1024**2 / 1e9
            checks.append(
                f"peak memory {peak:.2f} GB (target ≤ {TARGET_PEAK_GB:g} GB): "
                f"{'met' if peak <= TARGET_PEAK_GB else 'MISSED'}"
            )
        if "seconds" in ours and "seconds" in lt:
            speed = lt["seconds"] / ours["seconds"]
            checks.append(
                f"{speed:.1f}× faster than lifetimes' summary call (target ≥ "
                f"{TARGET_LIFETIMES_SPEEDUP:g}×): "
                f"{'met' if speed >= TARGET_LIFETIMES_SPEEDUP else 'MISSED'}"
            )
        lines += [f"- {c}" for c in checks]
    big = next((r for r in rows if r["rows"] >= 50_000_000), None)
    if big is not None and "seconds" in big["results"].get("clvlib", {}):
        r = big["results"]["clvlib"]
        lines.append(
            f"- 50 M transactions: `rfm_summary` completed in {r['seconds']:.1f} s with "
            f"{r['peak_rss_mib'] / 1024:.2f} GiB peak (target: within 24 GiB): met"
        )
    lines += ["", "## Results agree", ""]
    for row in rows:
        lines.append(f"- {row['rows']:,}: {row['agreement']}")
    return "\n".join(lines) + "\n"


def run(
    sizes: list[int],
    *,
    impls: list[str],
    repeats: int,
    memory_limit: str,
    max_seconds: float,
    out: Path | None,
) -> str:
    facts = machine_facts()
    history: dict[str, tuple[int, dict]] = {}
    rows = []
    for n in sorted(sizes):
        rows.append(
            bench_size(
                n,
                impls=impls,
                repeats=repeats,
                memory_limit=memory_limit,
                max_seconds=max_seconds,
                history=history,
            )
        )
    report = render(rows, facts, memory_limit=memory_limit)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report)
        (out.with_suffix(".json")).write_text(json.dumps(rows, indent=2, default=str) + "\n")
        log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(float(v)) for v in s.split(",")],
        default=list(SIZES),
        help="comma-separated numbers of transactions (default 1e6,1e7,5e7)",
    )
    parser.add_argument(
        "--impls",
        type=lambda s: [v.strip() for v in s.split(",")],
        default=list(IMPLEMENTATIONS),
        help=f"implementations to run (default {','.join(IMPLEMENTATIONS)})",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of the DuckDB rows (best of)")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit")
    parser.add_argument(
        "--max-seconds", type=float, default=600, help="skip pandas/lifetimes expected to be slower"
    )
    parser.add_argument("--out", type=Path, help="Markdown table (default results/scale.md)")
    args = parser.parse_args(argv)
    unknown = [i for i in args.impls if i not in IMPLEMENTATIONS]
    if unknown:
        parser.error(f"unknown implementation(s) {unknown}; choose from {IMPLEMENTATIONS}")
    default_out = RESULTS_DIR / "scale.md" if args.sizes == list(SIZES) else None
    out = args.out or default_out or DATA_DIR / "scale-partial.md"
    report = run(
        args.sizes,
        impls=args.impls,
        repeats=args.repeats,
        memory_limit=args.memory_limit,
        max_seconds=args.max_seconds,
        out=out,
    )
    print(report)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        _worker_main(sys.argv[2:])
    else:
        sys.exit(main())
