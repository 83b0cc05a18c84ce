"""``metrics.json``: the machine-readable twin of the report, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: NaN/NaT → None, numpy scalars → Python, dates → ISO strings."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict(orient="records"))
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Pretty, key-sorted JSON (stable diffs between runs), written atomically."""
    text = json.dumps(to_jsonable(data), indent=2, sort_keys=True, ensure_ascii=False)
    write_bytes_atomic(path, (text + "\n").encode("utf-8"))


def merge_parts(parts_dir: Path) -> dict[str, Any]:
    """Merge the per-section parts the notebooks recorded into one mapping."""
    merged: dict[str, Any] = {}
    for part in sorted(Path(parts_dir).glob("*.json")):
        merged[part.stem] = json.loads(part.read_text(encoding="utf-8"))
    return merged
