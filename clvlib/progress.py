"""Progress of long steps (bootstraps, per-segment fits …), shown where the user is looking.

``bar(iterable, desc=..., total=...)`` wraps a loop. Interactively it is a tqdm bar (in the
notebook or on stderr). Inside a notebook that ``clv-audit run`` executes, the runner sets
``CLVLIB_PROGRESS_FILE`` in the kernel's environment: the loop's position is then written there
(JSON, at most a few times a second, atomically) and the runner draws it as a second bar on its
terminal under the audit bar — never into the report. ``ProgressFile.watch`` is that runner side.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ENV = "CLVLIB_PROGRESS_FILE"
INTERVAL_S = 0.3


def bar(
    iterable: Iterable[Any], *, desc: str, total: int | None = None, enabled: bool = True
) -> Iterator[Any]:
    """``iterable``, reporting progress. ``enabled=False`` hides the interactive bar (e.g. in a
    notebook whose output is the report); inside ``clv-audit run`` the runner's terminal bar is
    fed either way."""
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)  # type: ignore[arg-type]
    target = os.environ.get(ENV)
    if target:
        return _to_file(iterable, Path(target), desc, total)
    from tqdm.auto import tqdm

    return iter(tqdm(iterable, desc=desc, total=total, disable=not enabled))


def _to_file(iterable: Iterable[Any], path: Path, desc: str, total: int | None) -> Iterator[Any]:
    last = 0.0
    n = 0
    _write(path, desc, n, total)
    for item in iterable:
        yield item
        n += 1
        now = time.monotonic()
        if now - last >= INTERVAL_S:
            _write(path, desc, n, total)
            last = now
    _write(path, desc, n, total, done=True)


def _write(path: Path, desc: str, n: int, total: int | None, *, done: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"desc": desc, "n": n, "total": total, "done": done}))
        tmp.replace(path)
    except OSError:  # the run directory went away: progress is best effort
        pass


class ProgressFile:
    """The runner's side: a second tqdm bar that follows what notebooks write to ``path``."""

    def __init__(self, path: Path, *, enabled: bool = True) -> None:
        self.path = Path(path)
        self.enabled = enabled
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ProgressFile:
        if self.enabled:
            self.path.unlink(missing_ok=True)
            self._thread = threading.Thread(target=self._follow, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.path.unlink(missing_ok=True)

    def _follow(self) -> None:
        from tqdm import tqdm

        shown: tqdm | None = None
        seen = None
        while not self._stop.wait(INTERVAL_S):
            try:
                state = json.loads(self.path.read_text())
            except (OSError, ValueError):
                continue
            if state == seen:
                continue
            seen = state
            if shown is not None and (shown.desc != state["desc"] or state["done"]):
                shown.close()
                shown = None
            if state["done"]:
                continue
            if shown is None:
                shown = tqdm(
                    desc=state["desc"], total=state["total"], position=1, leave=False,
                    file=sys.stderr,
                )  # fmt: skip
            shown.update(state["n"] - shown.n)
        if shown is not None:
            shown.close()
