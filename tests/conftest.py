"""Suite-wide set-up: the audit zoo starts in the background as soon as it is collected
(``tests/zoo.py``, ``BackgroundZoo``), so its audits use the core the other tests leave idle."""

from __future__ import annotations

import os
import tempfile

import pytest

# The run cache (clvlib.run_cache) of every audit the suite runs goes to a throwaway folder, not
# the user's ~/.cache/clvlib: set before anything starts (the zoo's subprocesses copy it).
SUITE_RUN_CACHE = tempfile.mkdtemp(prefix="clvlib-test-cache-")
os.environ["CLVLIB_CACHE_DIR"] = SUITE_RUN_CACHE


@pytest.fixture(autouse=True)
def _own_run_cache(tmp_path, monkeypatch):
    """Each test's own runs get a run cache of their own. Module and session fixtures are set
    up before this one, so their runs use the suite's cache (``SUITE_RUN_CACHE``)."""
    monkeypatch.setenv("CLVLIB_CACHE_DIR", str(tmp_path / "run-cache"))


@pytest.fixture
def suite_run_cache(monkeypatch) -> str:
    """The test's runs share the suite's run cache, the one module fixtures' runs use: a re-run
    of a fixture's client reuses its load and fits (keyed by content, so never a stale one)."""
    monkeypatch.setenv("CLVLIB_CACHE_DIR", SUITE_RUN_CACHE)
    return SUITE_RUN_CACHE


def pytest_collection_finish(session):
    """Start the zoo's first worker when any zoo test is selected (after -k/-m deselection)."""
    if session.config.option.collectonly:
        return
    if not any(item.module.__name__ == "test_zoo" for item in session.items):
        return
    from test_zoo import zoo_clients
    from zoo import BackgroundZoo

    root = session.config._tmp_path_factory.mktemp("zoo")
    zoo = BackgroundZoo(lambda: zoo_clients(root / "clients"), root / "reports")
    session.config.stash_zoo = zoo.start()


@pytest.fixture(scope="session")
def demo_reference(tmp_path_factory) -> dict:
    """The small demo client (1,500 customers, seed 7) and one whole DuckDB audit of it, with
    the PDF: the run test_end_to_end checks, and the reference the Spark and PostgreSQL tests
    compare their engines' runs with (each used to run the same audit of its own copy).

    ``root``: the folder holding ``demo/`` (the client) and ``reports/`` (this run);
    ``config``: its client.yml; ``run_dir``: the run directory, the last line ``clv-audit run``
    printed (None with ``code`` and ``stdout`` kept when the run failed, for the tests to say)."""
    import contextlib
    import io
    from pathlib import Path

    from clvlib.cli import main
    from clvlib.data.demo import write_demo

    root = tmp_path_factory.mktemp("demo-reference")
    config = Path(write_demo(root / "demo", customers=1500, seed=7, progress=False))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["run", str(config), "--out", str(root / "reports"), "--quiet"])
    lines = buffer.getvalue().strip().splitlines()
    run_dir = Path(lines[-1]) if code == 0 and lines else None
    return {"root": root, "config": config, "run_dir": run_dir, "code": code, "stdout": lines}
