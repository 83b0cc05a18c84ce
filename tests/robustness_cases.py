"""Small client exports for the robustness suite: one clean Polish order export and the helpers
that break it in one way each (tests/test_robustness.py, tests/test_degenerate_audits.py).

The clean export: 200 orders of 40 customers (one order a day, 2024-01-01 … 2024-07-18, so each
customer buys five times, 40 days apart), ``;``-separated, decimal comma, ``dd.mm.yyyy`` dates,
UTF-8.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import ibis
import yaml

from clvlib.cli import main
from clvlib.config import load_config
from clvlib.data.load import load_tables

HEADER = ["Nr zamówienia", "ID klienta", "Data", "Kwota"]
COLUMNS = {
    "order_id": "Nr zamówienia",
    "customer_id": "ID klienta",
    "order_ts": "Data",
    "revenue": "Kwota",
}
CSV = {"sep": ";", "decimal": ",", "date_format": "%d.%m.%Y"}
FIRST_DAY = dt.date(2024, 1, 1)


def order_rows(n: int = 200, customers: int = 40) -> list[list[str]]:
    """``n`` orders, one a day from ``FIRST_DAY``: order ``Z<i>`` of customer
    ``K<i mod customers>``, amounts 10,00 … 99,99 with a decimal comma."""
    rows = []
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=i)
        amount = f"{10 + i % 90},{i % 100:02d}"
        rows.append([f"Z{i}", f"K{i % customers}", f"{day:%d.%m.%Y}", amount])
    return rows


def csv_text(rows: list[list[str]], header: list[str] = HEADER, sep: str = ";") -> str:
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


def write_client(
    root: Path,
    transactions: str | bytes | None = None,
    *,
    name: str = "transakcje.csv",
    columns: dict | None = None,
    csv: dict | None = None,
    source: dict | None = None,
    sources: dict | None = None,
    files: dict[str, str | bytes] | None = None,
    **top,
) -> Path:
    """Write ``transactions`` (text or bytes; default: the clean export) as ``name``, the other
    ``files``, and a client.yml; ``source`` updates the transactions source, ``sources`` adds
    tables, ``top`` sets top-level keys. Returns the path of client.yml."""
    root.mkdir(parents=True, exist_ok=True)
    data = csv_text(order_rows()) if transactions is None else transactions
    target = root / name
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    for file, content in (files or {}).items():
        path = root / file
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    src = {"path": name, "columns": columns or COLUMNS, "csv": csv or CSV, **(source or {})}
    doc = {"client": "Sklep Testowy", **top, "sources": {"transactions": src, **(sources or {})}}
    path = root / "client.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str, str]:
    """``clv-audit ARGS`` in-process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def error_paragraph(stderr: str) -> str:
    """The ``error: …`` message of the CLI (progress bars before it are ignored); asserts it is
    one paragraph and that no traceback reached stderr."""
    assert "Traceback" not in stderr, stderr
    start = stderr.rfind("error: ")
    assert start >= 0, stderr
    paragraph = stderr[start + len("error: ") :].rstrip("\n")
    assert "\n" not in paragraph, paragraph
    return paragraph


def load(config: Path, **kwargs):
    """Load a client in-process and assert the row accounting of every table."""
    loaded = load_tables(load_config(config), ibis.duckdb.connect(), progress=False, **kwargs)
    for name, q in loaded.quality.items():
        assert q.rows_read == q.rows_used + sum(q.rows_excluded.values()), name
    return loaded
