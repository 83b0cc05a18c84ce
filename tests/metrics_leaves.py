"""Two ``metrics.json`` compared leaf by leaf (the engine and database-source tests)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every leaf of a JSON value with its path; a list also yields its length."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path + ("<length>",), len(value)
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    else:
        yield path, value


def same(a: Any, b: Any, rel_tol: float) -> bool:
    """Equal text/booleans/None; numbers within ``rel_tol`` (NaN equals NaN; a bool is not a
    number here)."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)
    return a == b
