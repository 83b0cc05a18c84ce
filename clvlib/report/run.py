"""``clv-audit run``: load once, execute the step notebooks with papermill, render the report.

A run directory ``<out>/<client>/<YYYYmmdd-HHMMSS>/`` is created fresh (never overwritten) and
holds the executed notebooks, ``figures/``, ``metrics.json``, ``audit.html``, ``audit.pdf`` and
``tables.xlsx`` (every table of the report, one sheet each in report order, and the headline
figures: ``clvlib.report.workbook``).
The cached copy of the client's data used while the notebooks run (``_work/``) is deleted at the
end, also when the run fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

import clvlib
from clvlib.config import ClientConfig, load_config
from clvlib.data.quality import is_large
from clvlib.errors import ClvError, ConfigError, DataError
from clvlib.progress import ENV as PROGRESS_ENV
from clvlib.progress import ProgressFile
from clvlib.report import display
from clvlib.report.metrics import merge_parts, to_jsonable, write_bytes_atomic, write_json_atomic
from clvlib.report.workbook import write_tables_xlsx
from clvlib.run_cache import pid_alive, pin_cache_base

# Audit steps and their notebooks; 0 (data quality) and 6 (summary) run in every audit.
STEP_NOTEBOOKS: dict[int, str] = {
    0: "00_data_quality.ipynb",
    1: "01_calculation.ipynb",
    2: "02_funnel.ipynb",
    3: "03_channels.ipynb",
    4: "04_retention.ipynb",
    5: "05_saturation.ipynb",
    6: "06_summary.ipynb",
}
# Step number -> section / metrics key (also for steps this version does not run yet).
STEP_NAMES = {
    0: "data_quality",
    1: "calculation",
    2: "funnel",
    3: "channels",
    4: "retention",
    5: "saturation",
    6: "summary",
}
KERNEL_NAME = "clvlib-python"
#: imported in the shared kernel while the runner loads the data (``shared_kernel``): what the
#: step notebooks import, ~2 s of CPU that then overlaps the loading on the other core
WARM_IMPORTS = (
    "matplotlib.pyplot",
    "clvlib.audit",
    "clvlib.widgets",
    "clvlib.narrative.data_quality",
    "clvlib.narrative.calculation",
    "clvlib.narrative.funnel",
    "clvlib.narrative.channels",
    "clvlib.narrative.retention",
    "clvlib.narrative.saturation",
    "clvlib.narrative.summary",
)
#: imported on a thread of the runner while the notebooks run (it only waits for the kernel
#: then): what rendering the report needs, ~1 s of CPU off the end of the run
RENDER_IMPORTS = ("clvlib.report.render", "weasyprint", "openpyxl")


def notebooks_dir() -> Path:
    """Where the step notebooks live (``$CLVLIB_NOTEBOOKS`` or the repository's ``notebooks/``)."""
    env = os.environ.get("CLVLIB_NOTEBOOKS")
    return Path(env) if env else Path(clvlib.__file__).resolve().parent.parent / "notebooks"


def select_steps(steps: list[int] | None) -> list[int]:
    """Notebook order for the requested audit steps (always with data quality and summary)."""
    available = sorted(k for k in STEP_NOTEBOOKS if k not in (0, 6))
    wanted = available if not steps else sorted(set(steps))
    unknown = [s for s in wanted if s not in available]
    if unknown:
        raise ConfigError(
            f"step(s) {', '.join(map(str, unknown))} are not available in this version "
            f"(available: {', '.join(map(str, available))})",
            fix=f"use --steps {','.join(map(str, available))} or leave --steps out",
        )
    return [0, *wanted, 6]


def new_run_dir(out: Path, client: str) -> Path:
    """A fresh, timestamped run directory; an existing one is never reused."""
    base = Path(out).resolve() / display.slug(client)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1, 100):
        candidate = base / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            candidate.mkdir(parents=True, exist_ok=False)
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run directory under {base}")


def sweep_stale_work(client_dir: Path) -> list[Path]:
    """Delete the ``_work/`` copies of client data left by runs whose process is gone (killed
    with SIGKILL, or the machine stopped), and their half-written temporary files (hidden
    ``.<name>.*`` beside a report file); each ``_work/`` holds ``pid``, the process that owned
    it. Returns the ``_work/`` directories removed."""
    removed = []
    for pid_file in sorted(Path(client_dir).glob("*/_work/pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or pid_alive(pid):
            continue
        shutil.rmtree(pid_file.parent, ignore_errors=True)
        for temp in pid_file.parent.parent.rglob(".*"):  # half-written files (temp + rename)
            if temp.is_file():
                temp.unlink(missing_ok=True)
        removed.append(pid_file.parent)
    return removed


def _kernel_spec(work: Path, progress_file: Path | None = None) -> None:
    """A kernelspec pointing at this very interpreter, so notebooks run with this clvlib.

    ``progress_file``: where the notebooks' long loops report their position
    (``clvlib.progress``), drawn by the runner under the audit bar."""
    env = {"PYTHONHASHSEED": "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    # One BLAS thread per kernel unless the user chose otherwise: the models' fits are small
    # dense problems (4-6 parameters) where OpenBLAS's thread pool only spins. On a 30-customer
    # client its bootstrap took 161 s with the default pool and 37 s with one thread (two
    # audits at a time on 2 cores; measured with cProfile, the time was in L-BFGS-B's setulb).
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = os.environ.get(name, "1")
    if progress_file is not None:
        env[PROGRESS_ENV] = str(progress_file)
    spec = work / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                    "--IPKernelApp.log_level=CRITICAL",
                ],
                "display_name": "clvlib",
                "language": "python",
                "env": env,
            }
        )
    )
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(work), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


def _run_info(config: ClientConfig, started: dt.datetime, steps: list[int]) -> dict[str, Any]:
    import duckdb
    import ibis
    import numpy
    import pandas
    import scipy

    return {
        "clvlib_version": clvlib.__version__,
        "python": platform.python_version(),
        "versions": {
            "pandas": pandas.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "duckdb": duckdb.__version__,
            "ibis": ibis.__version__,
        },
        "client": config.client,
        "config_hash": config.config_hash,
        "locale": config.locale,
        "currency": config.currency,
        "steps": steps,
        "started_at": started.isoformat(timespec="seconds"),
    }


def _closing_kernel_manager(**kwargs):
    """A jupyter ``KernelManager`` that remembers the clients it hands out, with a
    ``close_clients()`` that stops their channels.

    nbclient leaves its client's channels open when it does not own the kernel manager (as with
    a shared kernel). Their ZMQ sockets would keep reconnecting to the shut-down kernel's ports
    for the rest of the process, and a server that later gets one of those ports (Spark's Arrow
    server, in a process running several audits) receives a ZMQ greeting instead of its
    handshake and hangs.
    """
    from jupyter_client.manager import KernelManager

    class ClosingKernelManager(KernelManager):
        def client(self, *, keep: bool = False, **client_kwargs):
            """A client; ``keep``: not closed by ``close_clients`` (its owner stops it)."""
            client = super().client(**client_kwargs)
            if not keep:
                self.handed_out = [*getattr(self, "handed_out", []), client]
            return client

        def close_clients(self) -> None:
            for client in getattr(self, "handed_out", []):
                client.stop_channels()
            self.handed_out = []

    return ClosingKernelManager(**kwargs)


@contextlib.contextmanager
def shared_kernel(cwd: Path, warm: Sequence[str] = ()):
    """One kernel for all the notebooks of a run (a context manager yielding a ``reset()``
    callable and the kernel manager). Starting a kernel and importing pandas, ibis, matplotlib
    and clvlib costs seconds per notebook, and an engine session (Spark) tens of seconds;
    between notebooks ``reset()`` clears the kernel's namespace (``%reset -f``), so a notebook
    sees none of the previous one's variables — only the already imported modules stay.

    ``warm``: modules the kernel imports as soon as it is up, without waiting (the runner loads
    the data meanwhile); the first ``reset()`` waits for them. The kernel keeps one client of
    its own, on the shell channel only, for that and the resets: a new client per reset waited
    for the kernel's readiness and its output channel every time (~0.3 s a notebook)."""
    km = _closing_kernel_manager(kernel_name=KERNEL_NAME)
    km.start_kernel(cwd=str(cwd))
    own = km.client(keep=True, session=_session_like(km.session))
    own.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    warming = None
    if warm:  # one expression, run silently: it leaves no name behind in the namespace
        code = f"[__import__('importlib').import_module(m) for m in {tuple(warm)!r}]"
        warming = own.execute(code, silent=True, store_history=False)
    started = [False]

    def reset() -> None:
        km.close_clients()  # the previous notebook's
        if not started[0]:  # the first notebook gets the fresh (warmed) kernel
            started[0] = True
            if warming is not None:
                _shell_reply(own, warming, "importing the notebooks' modules", check=False)
            return
        code = "get_ipython().run_line_magic('reset', '-f')"
        _shell_reply(own, own.execute(code, silent=True, store_history=False), "resetting")

    try:
        yield reset, km
    finally:
        km.close_clients()
        own.stop_channels()
        km.shutdown_kernel(now=True)


def _session_like(session):
    """A session with ``session``'s key but an id of its own. A client's sockets are named by
    its session's id: a second client of the same session (nbclient's, for each notebook)
    takes the name over, and the kernel's replies to the first go to the second."""
    from jupyter_client.session import Session

    return Session(key=session.key, signature_scheme=session.signature_scheme)


def _shell_reply(client, msg_id: str, doing: str, *, check: bool = True) -> dict:
    """The kernel's reply to the request ``msg_id`` (skipping replies to others), within 10
    minutes (the first waits for the kernel to start). ``check``: raise unless it succeeded.
    An import that failed in the warm-up fails again, with its traceback, in the notebook."""
    from queue import Empty

    while True:
        try:
            reply = client.get_shell_msg(timeout=600)
        except Empty:
            raise RuntimeError(f"the shared kernel did not answer while {doing}") from None
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    if check and reply["content"]["status"] != "ok":
        raise RuntimeError(f"{doing} the kernel between notebooks failed: {reply['content']}")
    return reply


def _skip_unused_grammar() -> None:
    """Keep ``jsonschema`` (imported by papermill's ``nbformat``) from importing
    ``rfc3987_syntax``: that package compiles a Lark grammar for IRI formats at import, 1.4 s
    of CPU each run, and nothing in a run validates a format (nbformat's validator checks
    none). ``jsonschema`` imports it only if it can; a process that imported it already
    keeps it."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _import_in_background(modules: Sequence[str]) -> threading.Thread:
    """Import ``modules`` on a daemon thread (errors are left to the import that needs them)."""
    import importlib

    def work() -> None:
        for module in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(module)

    thread = threading.Thread(target=work, name="clvlib-imports", daemon=True)
    thread.start()
    return thread


def _execute(notebook: Path, target: Path, config_path: Path, run_dir: Path, kernel=None) -> None:
    """Execute ``notebook`` into ``target`` with papermill; ``kernel``: a ``shared_kernel``'s
    ``(reset, km)`` to run it in (default: a kernel of its own)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    engine_kwargs: dict[str, Any] = {}
    if kernel is not None:
        reset, km = kernel
        reset()
        engine_kwargs["km"] = km
    try:
        papermill.execute_notebook(
            str(notebook),
            str(target),
            parameters={"config_path": str(config_path), "run_dir": str(run_dir)},
            kernel_name=KERNEL_NAME,
            cwd=str(notebook.parent),
            progress_bar=False,
            # the executed notebook is written once, at its end (also when a cell fails), not
            # before and after every cell: ~250 writes of up to 0.7 MB a run, ~2 s of CPU
            # while the kernel waited for the next cell
            request_save_on_cell_execute=False,
            **engine_kwargs,
        )
    except PapermillExecutionError as exc:
        if exc.ename in {"ConfigError", "DataError", "ClvError"}:
            raise DataError(exc.evalue) from None
        raise RuntimeError(
            f"{notebook.name} failed with {exc.ename}: {exc.evalue}. The executed notebook with "
            f"the full traceback is {target}."
        ) from None


def run_audit(
    config_path: str | Path,
    *,
    out: str | Path = "reports",
    steps: list[int] | None = None,
    pdf: bool = True,
    progress: bool = True,
    cache: bool = True,
) -> Path:
    """Run the audit for ``client.yml`` and return the run directory (``pdf=False``: all but
    ``audit.pdf``, also ``tables.xlsx``).

    ``cache``: reuse the loaded tables and model fits of an earlier run of the client whose
    source files and loading settings are the same (``clvlib.run_cache``, kept in
    ``~/.cache/clvlib/<client>``); ``metrics.json`` says which under ``run.load``. ``False`` (or
    ``$CLVLIB_NO_CACHE=1``) neither reads nor writes the cache.

    Raises ``ClvError`` for configuration and data problems (the CLI exits with 2).
    """
    from clvlib.audit import prepare_run_cache, run_state

    started = dt.datetime.now()
    _skip_unused_grammar()
    pin_cache_base()  # before any kernel starts: they inherit it
    config_path = Path(config_path).resolve()
    config = load_config(config_path)
    order = select_steps(steps)
    source_dir = notebooks_dir()
    missing = [STEP_NOTEBOOKS[s] for s in order if not (source_dir / STEP_NOTEBOOKS[s]).is_file()]
    if missing:
        raise ConfigError(
            f"the step notebooks {', '.join(missing)} were not found in {source_dir}",
            fix="run from a clone of the clvlib repository or set CLVLIB_NOTEBOOKS",
        )
    run_dir = new_run_dir(Path(out), config.client)
    sweep_stale_work(run_dir.parent)
    work = run_dir / "_work"
    work.mkdir()
    (work / "pid").write_text(str(os.getpid()))
    bar = tqdm(
        total=len(order) + 2, desc="audit", unit="step", disable=not progress, file=sys.stderr
    )
    kernels = contextlib.ExitStack()
    try:
        progress_file = work / "progress.json"
        _kernel_spec(work, progress_file if progress else None)
        # one kernel for all notebooks saves ~3 s a notebook; it starts, and imports what the
        # notebooks need, while the data load (2 cores: the two overlap)
        kernel = kernels.enter_context(shared_kernel(source_dir, warm=WARM_IMPORTS))
        bar.set_postfix_str("loading data")
        loaded = prepare_run_cache(config, run_dir, progress=progress, cache=cache)
        load_note = run_state(run_dir)["load"]
        if progress and load_note.startswith("reused"):  # say so: no bars of tables read
            bar.write(f"data and loading settings unchanged: {load_note}", file=sys.stderr)
        loaded_at = dt.datetime.now()
        bar.update()
        executed = []
        if is_large(loaded.quality):  # each notebook gets a kernel of its own (memory)
            kernels.close()
            kernel = None
        import papermill  # noqa: F401 - here, before the thread below imports its nbformat

        renderer = _import_in_background(RENDER_IMPORTS if pdf else RENDER_IMPORTS[:1])
        with kernels:
            for step in order:
                bar.set_postfix_str(STEP_NAMES[step])
                target = run_dir / "notebooks" / STEP_NOTEBOOKS[step]
                target.parent.mkdir(exist_ok=True)
                with ProgressFile(progress_file, enabled=progress):
                    _execute(source_dir / STEP_NOTEBOOKS[step], target, config_path, run_dir,
                             kernel)  # fmt: skip
                executed.append(target)
                bar.update()

        rendering_at = dt.datetime.now()
        renderer.join()
        from clvlib.report.render import Cover, assemble_html, write_pdf

        bar.set_postfix_str("rendering HTML")
        metrics: dict[str, Any] = {"run": _run_info(config, started, order)}
        metrics["run"]["load"] = load_note
        metrics["data_quality"] = {
            "window": {"start": loaded.observation_start, "end": loaded.observation_end},
            "tables": {name: q.metrics() for name, q in loaded.quality.items()},
        }
        metrics.update(merge_parts(run_dir / "_work" / "metrics"))
        cover = Cover(
            client=config.client,
            locale=config.locale,
            currency=config.currency,
            window_start=loaded.observation_start,
            window_end=loaded.observation_end,
            prepared_by=config.prepared_by,
            created=started.date(),
        )
        document = assemble_html(executed, cover)
        write_bytes_atomic(run_dir / "audit.html", document.encode("utf-8"))
        bar.set_postfix_str("writing tables.xlsx")
        write_tables_xlsx(  # part of the deliverable: a failure fails the run like the HTML's
            run_dir, document, to_jsonable(metrics), locale=config.locale, currency=config.currency
        )
        if pdf:
            bar.set_postfix_str("rendering PDF")
            write_pdf(document, run_dir / "audit.pdf")
        metrics["run"]["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
        finished = dt.datetime.now()
        metrics["run"]["seconds"] = round((finished - started).total_seconds(), 1)
        metrics["run"]["load_seconds"] = round((loaded_at - started).total_seconds(), 1)
        metrics["run"]["render_seconds"] = round((finished - rendering_at).total_seconds(), 1)
        write_json_atomic(run_dir / "metrics.json", metrics)
        bar.update()
    except ClvError:
        # a configuration or data problem: a run that stopped before any notebook ran leaves
        # nothing worth keeping (runs that fail later keep their executed notebooks)
        if not (run_dir / "notebooks").exists():
            shutil.rmtree(run_dir, ignore_errors=True)
            with contextlib.suppress(OSError):  # the client's directory, if this was its first
                run_dir.parent.rmdir()
        raise
    finally:
        kernels.close()  # a run that failed while loading
        bar.close()
        shutil.rmtree(work, ignore_errors=True)
    return run_dir
