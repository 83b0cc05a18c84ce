"""Suite-wide set-up: the audit zoo starts in the background as soon as it is collected
(``tests/zoo.py``, ``BackgroundZoo``), so its audits use the core the other tests leave idle."""

from __future__ import annotations

import os
import tempfile

import pytest

# The run cache (clvlib.run_cache) of every audit the suite runs goes to a throwaway folder, not
# the user's ~/.cache/clvlib: set before anything starts (the zoo's subprocesses copy it).
os.environ["CLVLIB_CACHE_DIR"] = tempfile.mkdtemp(prefix="clvlib-test-cache-")


@pytest.fixture(autouse=True)
def _own_run_cache(tmp_path, monkeypatch):
    """Each test's own runs get a run cache of their own (session fixtures keep the suite's)."""
    monkeypatch.setenv("CLVLIB_CACHE_DIR", str(tmp_path / "run-cache"))


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
