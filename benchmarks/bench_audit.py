"""Whole-audit benchmark: ``clv-audit run`` first run, re-runs and the floor, in one run.

For each size (``--sizes demo,10m,50m``, default ``demo,10m``; clients in ``audit_clients.py``)
and in this order, on the same machine moment:

1. the **floor**: the bare DuckDB scan of the same rows — the rfm-like per-customer summary of
   the client's canonical ``transactions.parquet`` (``bench_scale._floor_sql``: per customer and
   day, then per customer), on all cores, in a fresh process, best of three;
2. the **first run**: ``clv-audit run first.yml --quiet`` (PDF included) with an empty run cache;
3. the **re-run, nothing changed**: the same command again;
4. the **re-run, margin changed**: ``margin.yml``, the same ``client.yml`` with only
   ``economics.gross_margin`` raised by 0.01 (0.35 → 0.36 on the demo);
5. the **cold run, margin changed**: ``margin.yml`` with ``CLVLIB_NO_CACHE=1`` (no cache read or
   written). The benchmark checks that its ``metrics.json`` equals the margin re-run's apart from
   the ``run`` section (the re-run gives the same figures as a run from scratch), and that the
   unchanged re-run's equals the first run's.

``--runs first`` (or any subset with ``first``) makes only those runs — the 50 M size's four
runs take over an hour; ``--runs first --sizes 50m --out benchmarks/results/audit-50m.md``
measures its first run alone. The tables then say "not run" where a run was not made.

Each run's parts: loading (``metrics.json`` ``run.load_seconds``), each notebook (papermill's
duration in the executed notebook), rendering the HTML (from the last notebook's end to
``audit.html``'s write), ``tables.xlsx`` and the PDF (from one file's write to the next), and the
rest (interpreter start, imports, kernel starts); peak memory is the largest process of the run
(``wait4``'s ``ru_maxrss``: Linux reports the maximum over the runner and the notebook kernels
it reaped). Every figure is shown against the floor (× floor) and the re-runs against the first
run (% of first). Targets (issue 20, 2-core machine, idle): demo ≤ 12 s; 10 M lines ≤ 90 s with
a peak ≤ 4 GiB; 50 M lines ≤ 8 min within 16 GiB; a re-run after an economics change ≤ 25 % of
the first run. The machine is shared: the load average at the start and end is in the header.

Runs live in ``benchmarks/.data/audit-runs/<size>/`` with their run cache
(``run-cache/``: ``$CLVLIB_CACHE_DIR`` of every run, ``clvlib.run_cache``), deleted at the start
of each size: the first run finds no cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.audit_clients import DATA_DIR, SIZES, log, prepare_in_child, run_configs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"
RUNS_DIR = DATA_DIR / "audit-runs"
DEFAULT_SIZES = ("demo", "10m")
RERUN_TARGET_SHARE = 0.25
FLOOR_REPEATS = 3
NO_CACHE_ENV = "CLVLIB_NO_CACHE"

#: The runs of each size, in order: (key, row label, config, environment additions).
RUNS = (
    ("first", "first run", "first", {}),
    ("unchanged", "re-run, nothing changed", "first", {}),
    ("margin", "re-run, margin changed", "margin", {}),
    ("cold", "cold run, margin changed", "margin", {NO_CACHE_ENV: "1"}),
)
RUN_KEYS = tuple(key for key, *_ in RUNS)
NOT_RUN = "not run"


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# -- the floor ---------------------------------------------------------------------------------


def floor_worker(path: str, end: str | None) -> dict:
    """The floor once, in this (fresh) process: seconds from connecting to the pandas frame."""
    import duckdb

    from benchmarks.bench_scale import _floor_sql

    con = duckdb.connect()
    if end is None:
        end = str(con.execute(f"SELECT max(CAST(order_ts AS DATE)) FROM '{path}'").fetchone()[0])
    cpu_before, started = (
        _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)),
        time.perf_counter(),
    )
    frame = con.execute(_floor_sql(Path(path), end)).to_arrow_table().to_pandas()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) - cpu_before
    rows = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": rows,
        "customers": len(frame),
        "threads": threads,
    }


def _cpu_seconds(usage) -> float:
    """User plus system CPU seconds of a ``getrusage``/``wait4`` record."""
    return usage.ru_utime + usage.ru_stime


def time_floor(transactions: Path, end: str | None, repeats: int = FLOOR_REPEATS) -> dict:
    """The floor ``repeats`` times, each in a fresh process; the best time and all of them."""
    runs = []
    for _ in range(repeats):
        cmd = [sys.executable, "-m", "benchmarks.bench_audit", "floor", str(transactions)]
        out = subprocess.run(
            cmd + ([end] if end else []), cwd=ROOT, check=True, capture_output=True, text=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "all_seconds": [r["seconds"] for r in runs]}


# -- one audit run -----------------------------------------------------------------------------


def run_audit(config: Path, out: Path, env: dict[str, str], logs: Path) -> dict:
    """``clv-audit run CONFIG --quiet`` in a subprocess: wall time, peak RSS, the parts.
    Its output goes to ``logs.stdout`` and ``logs.stderr`` (files: no pipe to drain before
    ``wait4``)."""
    cmd = [str(Path(sys.executable).with_name("clv-audit")), "run", str(config)]
    cmd += ["--out", str(out), "--quiet"]
    stdout, stderr = logs.with_suffix(".stdout"), logs.with_suffix(".stderr")
    load = os.getloadavg()[0]
    with open(stdout, "w") as out_fh, open(stderr, "w") as err_fh:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_fh, stderr=err_fh, env={**os.environ, **env})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"clv-audit run failed ({code}):\n{stderr.read_text()[-3000:]}")
    run_dir = Path(stdout.read_text().strip().splitlines()[-1])
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return {
        "seconds": wall,
        "cpu_seconds": _cpu_seconds(usage),
        "peak_rss_mib": usage.ru_maxrss / 1024.0,
        "load_1min_at_start": load,
        "run_dir": str(run_dir),
        "load_note": metrics["run"].get("load"),  # the run cache's word: loaded or reused
        "parts": parts(run_dir, metrics, wall),
        "transactions": metrics["data_quality"]["tables"]["transactions"]["rows_used"],
        "customers": metrics.get("calculation", {}).get("customers"),
        "metrics": metrics,
    }


def parts(run_dir: Path, metrics: dict, wall: float) -> dict[str, float | None]:
    """Seconds of each part of a run, in run order; ``other`` is the wall time left over."""
    out: dict[str, float | None] = {"loading": metrics["run"].get("load_seconds")}
    last_end = None
    for nb in sorted((run_dir / "notebooks").glob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("papermill", {})
        out[f"notebook {nb.stem}"] = meta.get("duration")
        if meta.get("end_time"):
            end = dt.datetime.fromisoformat(meta["end_time"]).replace(tzinfo=dt.UTC).timestamp()
            last_end = end if last_end is None else max(last_end, end)
    previous = last_end
    for name, file in (
        ("HTML", "audit.html"),
        ("tables.xlsx", "tables.xlsx"),
        ("PDF", "audit.pdf"),
    ):
        path = run_dir / file
        written = path.stat().st_mtime if path.exists() else None
        out[f"rendering {name}"] = (
            written - previous if written is not None and previous is not None else None
        )
        previous = written if written is not None else previous
    out["other (start-up, imports, kernels)"] = wall - sum(v for v in out.values() if v)
    return out


def differing_leaves(a: dict, b: dict) -> list[str]:
    """Paths of the leaves where two metrics.json differ, apart from the ``run`` section."""

    def flat(value, prefix=""):
        if isinstance(value, dict):
            for key, sub in value.items():
                if not (prefix == "" and key == "run"):
                    yield from flat(sub, f"{prefix}{key}.")
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                yield from flat(sub, f"{prefix}{i}.")
        else:
            yield prefix.rstrip("."), value

    left, right = dict(flat(a)), dict(flat(b))
    return sorted(k for k in left.keys() | right.keys() if left.get(k, ...) != right.get(k, ...))


# -- one size ----------------------------------------------------------------------------------


def bench_size(
    size: str, *, keep_runs: bool = False, which_runs: tuple[str, ...] = RUN_KEYS
) -> dict:
    """The floor and the runs of ``size`` named by ``which_runs`` (default all four, see the
    module docstring; ``--runs first`` measures the first run alone, for the 50 M size whose
    four runs would take over an hour)."""
    config, transactions = prepare_in_child(size)
    folder = RUNS_DIR / size
    shutil.rmtree(folder, ignore_errors=True)
    first, margin, margin_before, margin_after = run_configs(config, folder)
    configs = {"first": first, "margin": margin}
    _warm(config)
    end = _observation_end(config)
    log(f"{size}: floor (bare DuckDB scan of {transactions.name}) ...")
    floor = time_floor(transactions, end)
    log(f"{size}: floor {floor['seconds']:.2f} s")
    result = {
        "size": size,
        **SIZES[size],
        "config": str(config.relative_to(ROOT)),
        "gross_margin": [margin_before, margin_after],
        "floor": floor,
        "runs": {},
    }
    metrics = {}
    for key, label, which, extra in RUNS:
        if key not in which_runs:
            continue
        log(f"{size}: {label}: clv-audit run {configs[which].name} ...")
        extra = {**extra, "CLVLIB_CACHE_DIR": str(folder / "run-cache")}
        run = run_audit(configs[which], folder / "reports", extra, folder / key)
        metrics[key] = run.pop("metrics")
        (folder / f"{key}-metrics.json").write_text(json.dumps(metrics[key], indent=2))
        if not keep_runs:
            shutil.rmtree(run["run_dir"], ignore_errors=True)
        log(f"{size}: {label}: {run['seconds']:.1f} s, peak {run['peak_rss_mib'] / 1024:.2f} GiB")
        result["runs"][key] = run
    result["transactions"] = result["runs"]["first"]["transactions"]
    result["customers"] = result["runs"]["first"]["customers"]
    pairs = {
        "margin_rerun_vs_cold": ("margin", "cold"),
        "unchanged_rerun_vs_first": ("unchanged", "first"),
        "margin_vs_first": ("margin", "first"),
    }
    result["checks"] = {
        name: differing_leaves(metrics[a], metrics[b])
        for name, (a, b) in pairs.items()
        if a in metrics and b in metrics
    }
    if "margin_vs_first" in result["checks"]:
        result["checks"]["margin_vs_first"] = len(result["checks"]["margin_vs_first"])
    for name, differ in result["checks"].items():
        if isinstance(differ, list):
            verdict = "equal" if not differ else f"{len(differ)} leaves DIFFER: {differ[:5]}"
            log(f"{size}: metrics.json {name.replace('_', ' ')} (without run): {verdict}")
    return result


def _warm(config: Path) -> None:
    """Read the client's files once, so that the first run does not pay the disk alone."""
    import yaml

    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    for spec in raw["sources"].values():
        if spec.get("path"):
            with open(config.parent / spec["path"], "rb") as fh:
                while fh.read(1 << 24):
                    pass


def _observation_end(config: Path) -> str | None:
    import yaml

    end = yaml.safe_load(config.read_text(encoding="utf-8")).get("observation_end")
    return str(end) if end else None


# -- the report --------------------------------------------------------------------------------


def facts() -> dict:
    """Machine, date, load and the clvlib under test (its commit, from the clvlib the audit's
    interpreter imports: a worktree put first on ``PYTHONPATH`` is measured as such)."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    where = subprocess.run(
        [sys.executable, "-c", "import clvlib; print(clvlib.__file__)"],
        capture_output=True, text=True, check=True, cwd="/",
    ).stdout.strip()  # fmt: skip
    repo = Path(where).resolve().parent.parent
    git = ["git", "-C", str(repo)]
    commit = subprocess.run(git + ["rev-parse", "--short=12", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"  # fmt: skip
    dirty = subprocess.run(git + ["status", "--porcelain", "--", "clvlib", "notebooks"],
                           capture_output=True, text=True).stdout.splitlines()  # fmt: skip
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3,
        "python": platform.python_version(),
        "clvlib": str(repo),
        "commit": commit,
        "uncommitted": [line[3:] for line in dirty],
        "load_at_start": load_average(),
    }


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return (
        f"{seconds:.2f}"
        if seconds < 10
        else f"{seconds:.1f}"
        if seconds < 100
        else f"{seconds:.0f}"
    )


def _share(part: float | None, whole: float | None) -> str:
    return "—" if part is None or not whole else f"{100 * part / whole:.0f} %"


def _times(part: float | None, floor: float) -> str:
    if part is None:
        return "—"
    return f"{part / floor:.1f}×" if part < 10 * floor else f"{part / floor:.0f}×"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(results: list[dict], facts: dict, command: str) -> str:
    changed = "; ".join(
        f"{r['size']} {r['gross_margin'][0]} → {r['gross_margin'][1]}" for r in results
    )
    commit = f"`{facts['commit']}`"
    if Path(facts["clvlib"]) != ROOT:
        commit += f" (imported from `{facts['clvlib']}`, put first on `PYTHONPATH`)"
    if facts["uncommitted"]:
        commit += f" plus uncommitted changes to {', '.join(facts['uncommitted'])}"
    lines = [
        "# Whole-audit benchmark: first run, re-runs and the floor",
        "",
        f"Run {facts['date']} on {facts['nproc']} cores ({facts['cpu']}, "
        f"{facts['memory_gib']:.0f} GiB), Python {facts['python']}; clvlib at commit {commit}. "
        f"Load average (1, 5, 15 min) at start **{facts['load_at_start']}**, at end "
        f"**{facts['load_at_end']}** (the machine is shared: times under load are inflated). "
        f"Command: `{command}`.",
        "",
        "Each size, in one run: the floor (the bare DuckDB scan of the same rows: the rfm-like "
        "per-customer summary of the used order lines as Parquet, all cores, best of "
        f"{FLOOR_REPEATS}), then `clv-audit run` (all steps, PDF) with an empty run cache, again "
        "with nothing changed, with only `economics.gross_margin` changed "
        f"({changed}), and cold (`{NO_CACHE_ENV}=1`) with that margin"
        + _runs_made_note(results)
        + ".",
        "",
        "| size | order lines | customers | floor (s) | first run (s) | × floor | target | "
        "re-run, margin changed | target ≤ 25 % | re-run, nothing changed | peak memory (GiB) "
        "| target | metrics.json: margin re-run = cold run |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|---|",
    ]
    for r in results:
        runs, floor = r["runs"], r["floor"]["seconds"]
        first = runs["first"]["seconds"]
        peak = max(run["peak_rss_mib"] or 0 for run in runs.values()) / 1024
        peak_target = (
            "—"
            if r["peak_gib"] is None
            else f"≤ {r['peak_gib']} GiB: {_met(peak <= r['peak_gib'])}"
        )
        if "margin" in runs:
            share = runs["margin"]["seconds"] / first
            cpu_share = _share(runs["margin"]["cpu_seconds"], runs["first"]["cpu_seconds"])
            margin = (
                f"{_s(runs['margin']['seconds'])} s ({100 * share:.0f} %; CPU time {cpu_share}) "
                f"| {_met(share <= RERUN_TARGET_SHARE)}"
            )
        else:
            margin = f"{NOT_RUN} | {NOT_RUN}"
        unchanged = (
            f"{_s(runs['unchanged']['seconds'])} s ({_share(runs['unchanged']['seconds'], first)})"
            if "unchanged" in runs
            else NOT_RUN
        )
        differ = r["checks"].get("margin_rerun_vs_cold")
        same = (
            NOT_RUN
            if differ is None
            else "equal"
            if not differ
            else f"**{len(differ)} leaves differ**"
        )
        lines.append(
            f"| {r['label']} | {r['transactions']:,} | {r['customers']:,} | {_s(floor)} | "
            f"{_s(first)} | {first / floor:.0f}× | ≤ {r['target_s']} s: "
            f"{_met(first <= r['target_s'])} | {margin} | {unchanged} | {peak:.2f} | "
            f"{peak_target} | {same} |"
        )
    for r in results:
        lines += ["", *_parts_table(r)]
    lines += [
        "",
        "Parts: loading is `metrics.json`'s `run.load_seconds`; a notebook's time is papermill's "
        "(its cells, not the kernel's start); rendering HTML runs from the last notebook's end "
        "to `audit.html`'s write, `tables.xlsx` and the PDF from one file's write to the next; "
        "the rest of the wall time (interpreter start, imports, kernel starts and resets, "
        "`metrics.json`) is the last row. CPU time (from `wait4`) is less inflated by the "
        "machine's load than wall time: compare the two when the load average is high. "
        "Peak memory: the largest single process of a run "
        "(runner or a notebook kernel), the largest of the runs made.",
    ]
    return "\n".join(lines) + "\n"


def _runs_made_note(results: list[dict]) -> str:
    """'' when every size made every run, else which runs each size made (``--runs``)."""
    partial = [r for r in results if set(r["runs"]) != set(RUN_KEYS)]
    if not partial:
        return ""
    made = "; ".join(
        f"{r['size']}: {', '.join(label for k, label, *_ in RUNS if k in r['runs'])} only"
        for r in partial
    )
    return f" ({made}, as `--runs` asked; the other cells say {NOT_RUN})"


def _parts_table(r: dict) -> list[str]:
    """Each part's seconds in every run made: the first run beside the floor, the re-runs as
    shares of the first run, the cold run as it is."""
    runs, floor = r["runs"], r["floor"]["seconds"]
    names = list(runs["first"]["parts"])
    for run in runs.values():
        names += [n for n in run["parts"] if n not in names]
    made = [(key, label) for key, label, *_ in RUNS if key in runs]
    header, rule = ["part"], ["---"]
    for key, label in made:
        header.append(f"{label} (s)")
        rule.append("---:")
        if key == "first":
            header.append("× floor")
            rule.append("---:")
        elif key != "cold":
            header.append("% of first")
            rule.append("---:")
    lines = [
        f"### {r['label']}: parts",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(rule) + "|",
    ]

    def row(name: str, values: dict, floor_value: float) -> str:
        cells = [name]
        for key, _ in made:
            cells.append(_s(values[key]))
            if key == "first":
                cells.append(_times(values[key], floor_value))
            elif key != "cold":
                cells.append(_share(values[key], values["first"]))
        return "| " + " | ".join(cells) + " |"

    for name in names:
        lines.append(row(name, {k: run["parts"].get(name) for k, run in runs.items()}, floor))
    lines.append(row("**whole audit**", {k: run["seconds"] for k, run in runs.items()}, floor))
    cpu = {k: run["cpu_seconds"] for k, run in runs.items()}
    lines.append(
        row(
            "whole audit, CPU time (user + system, all its processes)",
            cpu,
            r["floor"]["cpu_seconds"],
        )
    )
    lines.append(
        f"| floor: bare DuckDB scan ({r['floor']['threads']} threads; CPU time "
        f"{_s(r['floor']['cpu_seconds'])} s) | {_s(floor)} | 1.0× |" + " |" * (len(header) - 3)
    )
    loads = " / ".join(f"{runs[k]['load_1min_at_start']:.2f}" for k in runs)
    lines += [
        "",
        f"Load average (1 min) at the start of each run: {loads}. Peak memory per run (GiB): "
        + " / ".join(f"{runs[k]['peak_rss_mib'] / 1024:.2f}" for k in runs)
        + ".",
    ]
    checks = r["checks"]
    if "unchanged_rerun_vs_first" in checks:
        lines[-1] += " metrics.json without `run`: unchanged re-run = first run: " + (
            "equal" if not checks["unchanged_rerun_vs_first"] else "**differs**"
        )
    if "margin_vs_first" in checks:
        lines[-1] += (
            f"; margin re-run vs first run: {checks['margin_vs_first']} leaves changed "
            "(the margin took effect)."
        )
    notes = [
        f"{label}: {runs[k]['load_note']}"
        for k, label, *_ in RUNS
        if k in runs and runs[k].get("load_note")
    ]
    if notes:
        lines += ["", "Loading, as `metrics.json` `run.load` says: " + "; ".join(notes) + "."]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["floor"]:  # the worker of time_floor
        print(json.dumps(floor_worker(argv[1], argv[2] if len(argv) > 2 else None)))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks audit", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(DEFAULT_SIZES),
        help=f"comma-separated sizes out of {', '.join(SIZES)} (default {','.join(DEFAULT_SIZES)})",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "audit-scale.md")
    parser.add_argument("--keep-runs", action="store_true", help="keep the run directories")
    parser.add_argument(
        "--runs",
        default=",".join(RUN_KEYS),
        help=f"comma-separated runs out of {', '.join(RUN_KEYS)} (default all; 'first' must be "
        "among them)",
    )
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="only rewrite --out from a results JSON"
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        payload = json.loads(args.render.read_text())
        report = render(payload["results"], payload["facts"], payload["command"])
        args.out.write_text(report)
        print(report)
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; known: {', '.join(SIZES)}")
    asked = {r.strip() for r in args.runs.split(",") if r.strip()}
    which_runs = tuple(k for k in RUN_KEYS if k in asked)
    if asked - set(RUN_KEYS) or "first" not in which_runs:
        parser.error(f"--runs takes 'first' and any of {', '.join(RUN_KEYS[1:])}")
    info = facts()
    results = [bench_size(size, keep_runs=args.keep_runs, which_runs=which_runs) for size in sizes]
    info["load_at_end"] = load_average()
    command = (
        "python -m benchmarks audit"
        + (f" --sizes {','.join(sizes)}" if sizes != list(DEFAULT_SIZES) else "")
        + (f" --runs {','.join(which_runs)}" if which_runs != RUN_KEYS else "")
    )
    report = render(results, info, command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    payload = {"facts": info, "command": command, "results": results}
    args.out.with_suffix(".json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
