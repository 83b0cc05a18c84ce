"""Suite-wide set-up: the audit zoo starts in the background as soon as it is collected
(``tests/zoo.py``, ``BackgroundZoo``), so its audits use the core the other tests leave idle."""

from __future__ import annotations


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
