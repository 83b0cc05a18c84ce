"""Whole-audit benchmark: ``clv-audit run`` on a demo client of about 10 M order lines.

The client is the demo generator's (``clvlib.data.demo.write_demo``) at 1,430,000 customers:
10.0 M transaction lines, 1.43 M customers, 15.7 M messages, 14.8 M sessions. Two forms of it,
both cached in ``benchmarks/.data/``:

- ``csv``: the generator's Polish CSV exports as they are (cp1250, ``;``, decimal comma, dirty
  rows) — what a client sends;
- ``parquet``: the same tables after clvlib's own loading (used rows, canonical names and
  types) written to Parquet, with a ``client.yml`` that reads them — what a client with a data
  warehouse exports. Its loading skips transcoding and text parsing.

``clv-audit run`` runs in a subprocess (``--quiet``, with the PDF); measured: wall time, peak
resident memory of the largest process of the run (``wait4``: Linux reports the maximum over the
runner and the notebook kernels it reaped), the loading time and each notebook's time (from
``metrics.json`` and the executed notebooks' papermill metadata). Target of issue 9: ≤ 5 min.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / ".data"
RESULTS_DIR = HERE / "results"
CUSTOMERS = 1_430_000
SEED = 42
TARGET_SECONDS = 300


def log(message: str) -> None:
    print(f"[bench-audit {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def csv_client(customers: int = CUSTOMERS) -> Path:
    """The demo client's CSV exports (generated once: minutes, ~10 GB of memory at 1.43 M)."""
    folder = DATA_DIR / f"demo-{customers // 1000}k"
    config = folder / "client.yml"
    if not (folder / "ground_truth.json").exists():
        from clvlib.data.demo import write_demo

        log(f"generating the demo client with {customers:,} customers -> {folder}")
        write_demo(folder, customers=customers, seed=SEED, progress=False)
    return config


def parquet_client(customers: int = CUSTOMERS) -> Path:
    """The same client as canonical Parquet tables (made once from the CSV client)."""
    import ibis
    import yaml

    from clvlib.config import load_config
    from clvlib.data.load import load_tables

    folder = DATA_DIR / f"demo-{customers // 1000}k-parquet"
    config_path = folder / "client.yml"
    if config_path.exists():
        return config_path
    source = csv_client(customers)
    folder.mkdir(parents=True, exist_ok=True)
    log(f"loading {source} once to write its canonical tables as Parquet -> {folder}")
    config = load_config(source)
    con = ibis.duckdb.connect()
    loaded = load_tables(config, con, progress=False)
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw["sources"] = {}
    for name in loaded.tables:
        target = folder / f"{name}.parquet"
        con.con.execute(
            f"COPY (SELECT * EXCLUDE (source_row) FROM \"{name}\") TO '{target}' (FORMAT parquet)"
        )
        raw["sources"][name] = {"path": target.name}
    raw["client"] = f"{raw['client']} (Parquet)"
    tmp = config_path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(config_path)
    return config_path


def prepare_client(form: str, customers: int) -> Path:
    """The client's config, generated (if not cached) in a separate process: generating 1.43 M
    customers takes ~10 GB, and a child forked from a process that large would report that
    memory as the audit's peak (``ru_maxrss`` of the forked child before its ``exec``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    make = parquet_client if form == "parquet" else csv_client
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(make, customers).result()


def run_audit(config: Path, out: Path) -> dict:
    """``clv-audit run CONFIG --quiet`` in a subprocess: wall time, peak RSS, per-step times."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(Path(sys.executable).with_name("clv-audit")), "run", str(config)]
    cmd += ["--out", str(out), "--quiet"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"clv-audit run failed ({code}):\n{stderr[-3000:]}")
    run_dir = Path(stdout.strip().splitlines()[-1])
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    notebooks = {}
    for nb in sorted((run_dir / "notebooks").glob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("papermill", {})
        notebooks[nb.stem] = meta.get("duration")
    tx = metrics["data_quality"]["tables"]["transactions"]
    return {
        "config": str(config.relative_to(ROOT)),
        "seconds": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024.0,
        "load_seconds": metrics["run"].get("load_seconds"),
        "render_seconds": metrics["run"].get("render_seconds"),
        "notebooks": notebooks,
        "transactions": tx["rows_used"],
        "customers": metrics["calculation"].get("customers"),
        "pages": _pages(run_dir / "audit.pdf"),
    }


def _pages(pdf: Path) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(str(pdf)).pages)
    except Exception:  # pypdf is a dev dependency; the page count is a nicety
        return None


def render(results: list[dict], facts: dict) -> str:
    lines = [
        "# Whole-audit benchmark: `clv-audit run` on about 10 M order lines",
        "",
        f"Run {facts['date']} on {facts['nproc']} cores ({facts['cpu']}), load average at start "
        f"{facts['load_at_start']} (the machine is shared). Command: `python -m benchmarks "
        "audit` (`make bench-scale`). Demo client of "
        f"{CUSTOMERS:,} customers (seed {SEED}): all steps, PDF included.",
        "",
        "| form | transactions used | customers | total (s) | loading (s) | notebooks (s) "
        "| rendering (s) | peak memory (GiB) | PDF pages | target ≤ 300 s |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        per = ", ".join(
            f"{k.split('_', 1)[1]} {v:.0f}" for k, v in r["notebooks"].items() if v is not None
        )
        ok = "met" if r["seconds"] <= TARGET_SECONDS else "MISSED"
        load = f"{r['load_seconds']:.0f}" if r["load_seconds"] is not None else "—"
        rend = f"{r['render_seconds']:.0f}" if r["render_seconds"] is not None else "—"
        lines.append(
            f"| {r['form']} | {r['transactions']:,} | {r['customers']:,} | {r['seconds']:.0f} | "
            f"{load} | {per} | {rend} | {r['peak_rss_mib'] / 1024:.2f} | {r['pages'] or '—'} "
            f"| {ok} |"
        )
    lines += [
        "",
        "Peak memory: the largest single process of the run (runner or a notebook kernel); "
        "DuckDB's cache database and the kernels do not all peak at once.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks audit", description=__doc__)
    parser.add_argument(
        "--forms", default="parquet,csv", help="client forms to run (parquet, csv or both)"
    )
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "audit-scale.md")
    args = parser.parse_args(argv)
    from benchmarks.bench_models import machine_facts

    facts = machine_facts()
    results = []
    for form in [f.strip() for f in args.forms.split(",") if f.strip()]:
        config = prepare_client(form, args.customers)
        log(f"clv-audit run {config} ...")
        result = run_audit(config, DATA_DIR / f"reports-{form}")
        result["form"] = form
        log(f"{form}: {result['seconds']:.0f} s, peak {result['peak_rss_mib'] / 1024:.2f} GiB")
        results.append(result)
    report = render(results, facts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
