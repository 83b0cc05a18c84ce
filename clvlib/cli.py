"""``clv-audit`` (also ``python -m clvlib``): demo, init, validate, run.

Exit codes: 0 ok; 2 a configuration or data problem (one paragraph naming the file, the column
and the fix); 1 a bug in clvlib (rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import traceback
from pathlib import Path

from clvlib import __version__
from clvlib.errors import ClvError, ConfigError


def _steps(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--steps takes step numbers separated by commas, e.g. 1,3 (got {text!r})"
        ) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clv-audit", description="Customer-lifetime-value audit of a client's exports."
    )
    parser.add_argument("--version", action="version", version=f"clvlib {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    # --debug is also accepted after the sub-command (``clv-audit run client.yml --debug``);
    # SUPPRESS keeps a sub-command without it from resetting one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="write a synthetic client (all tables, client.yml)",
    )
    demo.add_argument("--out", required=True, type=Path, help="directory to write")
    demo.add_argument(
        "--customers", type=int, default=None, help="number of customers (default 20000)"
    )
    demo.add_argument("--seed", type=int, default=42, help="random seed")
    demo.add_argument(
        "--world",
        type=int,
        default=None,
        metavar="SEED",
        help="instead of the demo shop, a client drawn from the space of clients "
        "(clvlib.data.worlds) with this seed; --customers overrides its drawn size",
    )

    init = sub.add_parser(
        "init", parents=[common], help="draft client.yml from a folder of the client's exports"
    )
    init.add_argument("folder", type=Path, help="folder with the CSV/XLSX/Parquet exports")
    init.add_argument(
        "--out",
        default=None,
        help="the draft to write: a .yml file or a directory (default: ./client.yml, never "
        "inside FOLDER unless named here; '-' prints it)",
    )
    init.add_argument("--force", action="store_true", help="replace an existing draft")
    init.add_argument("--client", default=None, help="client name (default: the folder's name)")

    validate = sub.add_parser(
        "validate", parents=[common], help="read the exports and print the data-quality table"
    )
    validate.add_argument("config", type=Path, help="path of client.yml")

    run = sub.add_parser("run", parents=[common], help="run the audit and write a report directory")
    run.add_argument("config", type=Path, help="path of client.yml")
    run.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        help="reports root; the run goes to OUT/<client>/<timestamp>/",
    )
    run.add_argument("--steps", type=_steps, default=None, help="audit steps to run, e.g. 1,3")
    run.add_argument("--no-pdf", action="store_true", help="skip the PDF (HTML and metrics only)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="load the exports and fit the models afresh, neither reading nor writing the run "
        "cache ~/.cache/clvlib/<client> (also: CLVLIB_NO_CACHE=1)",
    )
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    from clvlib.data.demo import write_demo

    if args.world is not None:
        return _demo_world(args)
    customers = 20_000 if args.customers is None else args.customers
    if customers < 10:
        raise ConfigError("--customers must be at least 10", fix="e.g. --customers 20000")
    config = write_demo(args.out, customers=customers, seed=args.seed)
    print(config)
    return 0


def _demo_world(args: argparse.Namespace) -> int:
    from clvlib.data.worlds import sample_world, write_client

    overrides = {} if args.customers is None else {"customers": args.customers}
    try:
        world = sample_world(args.world, **overrides)
    except ValueError as exc:
        raise ConfigError(str(exc), fix="e.g. --customers 500 (30 to 20000)") from exc
    config = write_client(world, args.out)
    print(config)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from clvlib.draft import draft_config

    draft = draft_config(args.folder, out=args.out, force=args.force, client=args.client)
    info = sys.stderr if draft.out is None else sys.stdout
    for warning in draft.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in draft.summary():
        print(line, file=info)
    if draft.out is None:
        sys.stdout.write(draft.text)
        return 0
    print(
        "Next: check the lines marked CHOOSE, CHECK and CONFIRM in the draft, then "
        f"clv-audit validate {draft.out}",
        file=info,
    )
    print(draft.out)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    import tempfile

    import ibis

    from clvlib.config import load_config
    from clvlib.data.load import bound_memory, load_tables
    from clvlib.data.quality import REASONS
    from clvlib.i18n import fmt_date, fmt_int

    config = load_config(args.config)
    # A database file in a temporary directory and a memory cap: a file of any size is checked
    # in bounded memory (DuckDB spills to the directory), and nothing is left behind.
    with tempfile.TemporaryDirectory(prefix="clvlib-validate-") as tmp:
        con = ibis.duckdb.connect(str(Path(tmp) / "validate.duckdb"))
        try:
            bound_memory(con.con, Path(tmp) / "spill")
            loaded = load_tables(config, con, progress=True)
        finally:
            con.disconnect()
    # figures and dates in the client's locale (Babel), like the report; words stay English
    loc = config.locale

    def n(x: int, width: int) -> str:
        return fmt_int(x, loc).rjust(width)

    window = f"{fmt_date(loaded.observation_start, loc)} – {fmt_date(loaded.observation_end, loc)}"
    print(f"Client: {config.client}   window: {window}")
    header = f"{'table':<16}{'rows read':>12}{'used':>12}{'excluded':>12}{'returns':>10}  ok"
    print(header)
    print("-" * len(header))
    for q in loaded.quality.values():
        ok = "yes" if q.reconciles() else "NO"
        print(
            f"{q.table:<16}{n(q.rows_read, 12)}{n(q.rows_used, 12)}{n(q.excluded, 12)}"
            f"{n(q.returns, 10)}  {ok}"
        )
        for reason, count in q.rows_excluded.items():
            if count:
                print(f"{'':<4}{n(count, 10)}  {REASONS.get(reason, reason)} ({reason})")
        for note in q.notes:
            print(f"{'':<4}note: {note}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from clvlib.report.run import run_audit

    run_dir = run_audit(
        args.config,
        out=args.out,
        steps=args.steps,
        pdf=not args.no_pdf,
        progress=not args.quiet,
        cache=not args.no_cache,
    )
    if not args.no_pdf:
        print(f"PDF: {run_dir / 'audit.pdf'}")
    print(run_dir)
    return 0


#: errors of the machine or the paths given, not of clvlib: exit code 2 with a fix
USER_OS_ERRORS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EISDIR}
USER_OS_ERRORS |= {errno.ENOTDIR, errno.EDQUOT}


def _os_paragraph(exc: OSError) -> str:
    fixes = {
        errno.ENOSPC: "free disk space (or point --out and TMPDIR at a disk with room)",
        errno.EDQUOT: "free disk space (or point --out and TMPDIR at a disk with room)",
        errno.EROFS: "choose a writable directory with --out",
    }
    fix = fixes.get(exc.errno, "check the path and its permissions")
    return ClvError(exc.strerror or str(exc), file=exc.filename, fix=fix).paragraph()


def _memory_paragraph(exc: Exception) -> str:
    from clvlib.data.load import MEMORY_LIMIT_ENV, default_memory_limit

    first = str(exc).split("\n")[0]
    return ClvError(
        f"the database engine ran out of memory ({first}; the cap is {default_memory_limit()})",
        fix=f"raise the cap with {MEMORY_LIMIT_ENV}=8GB (or close other programs); beyond the "
        "cap the engine spills to the temporary directory, so give TMPDIR room as well",
    ).paragraph()


def _interrupt_on_sigterm():
    """SIGTERM (``kill``, a CI timeout) interrupts like Ctrl-C, so that a run removes its
    working copy of the client's data and leaves no half-written report file. Returns the
    previous handler (``None`` when it could not be set: not the main thread)."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"demo": cmd_demo, "init": cmd_init, "validate": cmd_validate, "run": cmd_run}
    previous = _interrupt_on_sigterm() if args.command == "run" else None
    try:
        return handlers[args.command](args)
    except ClvError as exc:
        print(f"error: {exc.paragraph()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in USER_OS_ERRORS:
            raise
        print(f"error: {_os_paragraph(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: short message, traceback on request
        if args.debug:
            traceback.print_exc()
        if type(exc).__name__ == "OutOfMemoryException":  # duckdb's: the machine, not a bug
            print(f"error: {_memory_paragraph(exc)}", file=sys.stderr)
            return 2
        print(
            f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in clvlib, not in your "
            "data; rerun with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
