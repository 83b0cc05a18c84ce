"""Elementwise model evaluations split over the cores, with the same bits on any number of them.

A prediction such as E[Y(t) | x, T] for every month and every distinct customer row is a special
function (``hyp2f1``) applied to each element alone: no element depends on another, and numpy's
and scipy's elementwise loops release the GIL. So blocks of rows can run on threads and be put
back together in order, and the result is the same array whatever the thread count — unlike a
parallel *sum*, whose rounding depends on how it is split (``models.base.weighted_sum`` keeps
sums in one order).

``threads()``: ``$CLVLIB_MODEL_THREADS`` if set, else every core this process may use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd

K, V = TypeVar("K"), TypeVar("V")
THREADS_ENV = "CLVLIB_MODEL_THREADS"
#: Fewest rows per block: below it one thread does all (a thread costs ~0.1 ms to hand work).
MIN_BLOCK_ROWS = 2_000


def threads() -> int:
    """Threads for elementwise evaluations: ``$CLVLIB_MODEL_THREADS``, else the usable cores."""
    setting = os.environ.get(THREADS_ENV, "").strip()
    if setting:
        return max(1, int(setting))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def by_row_blocks(
    evaluate: Callable[[pd.DataFrame], np.ndarray],
    rows: pd.DataFrame,
    *,
    workers: int | None = None,
) -> np.ndarray:
    """``evaluate(rows)`` computed on contiguous blocks of ``rows`` on ``workers`` threads
    (default ``threads()``) and joined along the last axis, in the rows' order. ``evaluate``
    must be elementwise in the rows (each output column depends on its own row only) and return
    an array whose last axis runs over the rows."""
    workers = threads() if workers is None else max(1, int(workers))
    blocks = min(workers, max(1, len(rows) // MIN_BLOCK_ROWS))
    if blocks <= 1:
        return np.asarray(evaluate(rows))
    edges = np.linspace(0, len(rows), blocks + 1).astype(int)
    parts = [rows.iloc[lo:hi] for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    # the first block on this thread, the others on the pool's (started once per process)
    pending = [_pool(blocks - 1).submit(evaluate, part) for part in parts[1:]]
    results = [np.asarray(evaluate(parts[0]))]
    results += [np.asarray(future.result()) for future in pending]
    return np.concatenate(results, axis=-1)


def each(compute: Callable[[K], V], keys: Iterable[K], *, workers: int | None = None) -> dict[K, V]:
    """{key: compute(key)} with the calls on ``workers`` threads (default ``threads()``), e.g.
    the holdout validation's model fits. Each call must stand alone (its own model, inputs it
    only reads); its result is then the same as on one thread. The first exception raised (in
    the keys' order) propagates."""
    keys = list(keys)
    workers = threads() if workers is None else max(1, int(workers))
    if workers <= 1 or len(keys) <= 1:
        return {key: compute(key) for key in keys}
    pending = {key: _pool(min(workers, len(keys))).submit(compute, key) for key in keys[1:]}
    results = {keys[0]: compute(keys[0])}
    results.update({key: future.result() for key, future in pending.items()})
    return {key: results[key] for key in keys}


_POOL: ThreadPoolExecutor | None = None


def _pool(workers: int) -> ThreadPoolExecutor:
    """A process-wide pool of at least ``workers`` threads (idle threads cost nothing)."""
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clvlib-model")
    return _POOL
