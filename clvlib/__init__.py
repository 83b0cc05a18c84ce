"""clvlib — the customer-lifetime-value audit workbook.

``clvlib.open_audit(config_path, run_dir)`` is the one line every notebook starts with; the step
modules (``clvlib.calculation`` …) compute tidy tables, ``clvlib.plots`` draws them.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["open_audit", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `clv-audit --help` does not pay for pandas, ibis and DuckDB.
    if name == "open_audit":
        from clvlib.audit import open_audit

        return open_audit
    raise AttributeError(f"module 'clvlib' has no attribute {name!r}")
