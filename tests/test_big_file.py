"""A 2 GB export: ``clv-audit validate`` fails fast when a setting is wrong, and reads the whole
file in capped memory when it is right.

The file (just over 2 GB: 8 million order rows in the Polish dialect with an unmapped
product-description column, as ERP exports carry) is written by DuckDB's own CSV writer in
seconds and deleted afterwards. Each validate runs in a subprocess started by a
small wrapper process, whose ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is then the peak
resident memory of that validate alone (no other child of the test process counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from robustness_cases import COLUMNS, CSV, error_paragraph

pytestmark = pytest.mark.slow

ROWS = 8_000_000
DESCRIPTION = 190  # characters of an unmapped product description per row (ERP exports carry one)
MEMORY_LIMIT = "1GB"  # CLVLIB_MEMORY_LIMIT for the full read
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "stderr": done.stderr[-4000:], "stdout": done.stdout,
                  "seconds": time.monotonic() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = tmp_path_factory.mktemp("big")
    path = root / "transakcje.csv"
    # the 26 descriptions ("aaa…", "bbb…") as a constant list: a third less CPU than building
    # each row's with repeat(), same bytes
    words = "[" + ", ".join(f"'{chr(97 + k) * DESCRIPTION}'" for k in range(26)) + "]"
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'Z' || (i // 3) AS "Nr zamówienia", 'K' || ((i // 3) % 500000) AS
        "ID klienta", strftime(TIMESTAMP '2023-01-01' + to_seconds((i // 3 * 7919) % 94608000),
        '%d.%m.%Y %H:%M') AS "Data", replace(printf('%.2f', 10 + (i % 9973) / 7.0), '.', ',') AS
        "Kwota", 'K' || (i % 500000) || '@example.pl' AS "E-mail",
        'Produkt ' || (i % 9973) || ' ' || {words}[i % 26 + 1] AS "Opis"
        FROM range({ROWS}) t(i))
        TO '{path}' (HEADER, DELIMITER ';')"""
    )
    con.close()
    assert path.stat().st_size > 2e9  # 2 GB
    yield root, path
    path.unlink()


def validate(root: Path, name: str, csv: dict, env: dict | None = None) -> dict:
    doc = {
        "client": "Duży sklep",
        "observation_end": "2025-12-31",
        "sources": {"transactions": {"path": "transakcje.csv", "columns": COLUMNS, "csv": csv}},
    }
    config = root / f"{name}.yml"
    config.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "clvlib", "validate"]
    done = subprocess.run(
        [*command, str(config)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )
    return json.loads(done.stdout)


def test_a_wrong_setting_fails_within_seconds(big):
    """A 2 GB file with csv.date_format wrong: the first 50,000 rows are checked before the
    full read, so exit 2 with the paragraph (and the format that would read the dates) comes in
    seconds and in little memory, instead of after minutes."""
    root, _ = big
    started = time.monotonic()
    result = validate(root, "wrong", {**CSV, "date_format": "%Y-%m-%d"})
    assert result["code"] == 2, result["stderr"]
    paragraph = error_paragraph(result["stderr"])
    assert "transakcje.csv" in paragraph and "column 'Data'" in paragraph
    assert 'set csv.date_format: "%d.%m.%Y"' in paragraph
    assert time.monotonic() - started < 60, result["seconds"]
    assert result["peak_mb"] < 800, result


def test_the_whole_file_is_read_in_capped_memory(big):
    """The same file with the right settings: every one of the 8 million rows is read, used
    and reconciled, while the process stays within the memory cap plus the interpreter's own
    ~0.5 GB — far below the file's 2 GB (DuckDB spills the rest to a temporary directory)."""
    root, _ = big
    result = validate(root, "right", CSV, env={"CLVLIB_MEMORY_LIMIT": MEMORY_LIMIT})
    assert result["code"] == 0, result["stderr"]
    line = next(x for x in result["stdout"].splitlines() if x.startswith("transactions"))
    assert line.split()[1:3] == [f"{ROWS:,}", f"{ROWS:,}"] and line.rstrip().endswith("yes")
    assert result["peak_mb"] < 1024 + 700, result["peak_mb"]
