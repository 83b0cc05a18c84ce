"""``python -m benchmarks`` (from the repository root, with the project's virtualenv).

Runs the model-fitting benchmark at 100,000 and 1,000,000 simulated customers (clvlib against
lifetimes 0.11.3, which gets its own virtualenv under ``benchmarks/.venv-lifetimes`` when it is
missing), writes ``benchmarks/results/models.md``, and refreshes the lifetimes CDNOW CLV
reference ``benchmarks/results/lifetimes_cdnow_clv.json``. Also Pareto/NBD at 1,000,000 in a
drop-out and a no-drop-out world (against lifetimes' ParetoNBDFitter, stopped after
``--lifetimes-time-limit`` seconds) and covariate fits at 1,000,000 against the same models
without covariates. ``--quick`` runs 100,000 only (every part) and writes its table to
``benchmarks/.data/models-quick.md`` (the committed table stays untouched).

``python -m benchmarks scale [--sizes 1e6,1e7,5e7]`` runs the scale benchmark instead
(``bench_scale.py``: the per-customer summary of 1 M, 10 M and 50 M transactions against a bare
DuckDB floor, pandas and lifetimes; writes ``benchmarks/results/scale.md``);
``python -m benchmarks audit [--sizes demo,10m,50m]`` the whole audit (``bench_audit.py``): first
run, re-runs (nothing changed; the gross margin changed) and a cold run against the floor, the
bare DuckDB scan of the same rows, on the 20 k-customer demo and a ~10 M-line client (default
``demo,10m``); writes ``benchmarks/results/audit-scale.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["scale"]:
        from benchmarks import bench_scale

        return bench_scale.main(argv[1:])
    if argv[:1] == ["audit"]:
        from benchmarks import bench_audit

        return bench_audit.main(argv[1:])
    # imported here: the audit benchmark's process stays small (its children's peak memory is
    # measured, and a child starts as a copy of it)
    from benchmarks import bench_models

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 customers only")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(float(v)) for v in s.split(",")],
        help="comma-separated numbers of customers (default 100000,1000000)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="clvlib runs per fit (best of)")
    parser.add_argument(
        "--lifetimes-repeats",
        type=int,
        default=3,
        help="lifetimes runs per fit below 1,000,000 customers (it runs once at 1,000,000)",
    )
    parser.add_argument("--no-lifetimes", action="store_true", help="time clvlib alone")
    parser.add_argument(
        "--pareto-sizes",
        type=lambda s: [int(float(v)) for v in s.split(",") if v],
        help="customers for the Pareto/NBD worlds (default 1000000; --quick 100000; '' none)",
    )
    parser.add_argument(
        "--covariate-sizes",
        type=lambda s: [int(float(v)) for v in s.split(",") if v],
        help="customers for the covariate fits (default 1000000; --quick 100000; '' none)",
    )
    parser.add_argument(
        "--lifetimes-time-limit",
        type=float,
        default=bench_models.LIFETIMES_TIME_LIMIT,
        help="seconds after which lifetimes' Pareto/NBD fit is stopped (default 600)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the instrumented fit")
    parser.add_argument("--skip-cdnow", action="store_true", help="skip the CDNOW reference")
    parser.add_argument("--out", type=Path, help="where to write the Markdown table")
    args = parser.parse_args(argv)

    sizes = args.sizes or ([100_000] if args.quick else [100_000, 1_000_000])
    default_large = [100_000] if args.quick else [1_000_000]
    pareto_sizes = default_large if args.pareto_sizes is None else args.pareto_sizes
    covariate_sizes = default_large if args.covariate_sizes is None else args.covariate_sizes
    if args.out is not None:
        out = args.out
    elif args.quick or args.sizes:
        out = bench_models.DATA_DIR / "models-quick.md"
    else:
        out = bench_models.RESULTS_DIR / "models.md"
    report = bench_models.run(
        sizes,
        repeats=args.repeats,
        lt_repeats_small=args.lifetimes_repeats,
        lifetimes=not args.no_lifetimes,
        profile=not args.no_profile,
        out=out,
        pareto_sizes=pareto_sizes,
        covariate_sizes=covariate_sizes,
        lt_time_limit=args.lifetimes_time_limit,
    )
    print(report)
    if not args.skip_cdnow and not args.no_lifetimes:
        bench_models.cdnow_reference(bench_models.RESULTS_DIR / "lifetimes_cdnow_clv.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
