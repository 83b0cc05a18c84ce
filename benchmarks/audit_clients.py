"""The clients of the whole-audit benchmark (``bench_audit.py``), made once into ``.data/``.

- ``demo-20k``: the demo generator's client as ``clv-audit demo`` writes it (20,000 customers,
  seed 42: the same files as ``data/demo``), Polish CSV exports (cp1250, ``;``, decimal comma,
  dirty rows) — what a client sends;
- ``demo-1430k-parquet``: the generator at 1,430,000 customers (10.0 M order lines), loaded once
  by clvlib and written as canonical Parquet tables (used rows, canonical names and types) with
  a ``client.yml`` that reads them — what a client with a data warehouse exports. Generating the
  CSV form it is made from takes minutes and ~10 GB of memory;
- ``demo-1430k-parquet-x5``: five copies of that client (customer, order and session ids
  suffixed ``~1`` … ``~4``, marketing spend, impressions and clicks × 5): 50 M order lines,
  7.15 M customers. Generating 7 M customers directly would take ~50 GB of memory; the copies
  have the same behaviour per customer, which is all a timing needs.

Every client's ``transactions.parquet`` (canonical, the audit's used rows) is also the input of
the floor, the bare DuckDB scan in ``bench_audit.py``. Each benchmark run works on two copies of
the client's ``client.yml`` with absolute source paths (``first.yml`` as given, ``margin.yml``
with ``economics.gross_margin`` + 0.01), so that the two differ in that one setting only.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / ".data"
SEED = 42
DEMO_CUSTOMERS = 20_000
LARGE_CUSTOMERS = 1_430_000
COPIES_50M = 5

#: Columns that identify a customer, an order or a session in the canonical tables: suffixed per
#: copy so that the copies are distinct customers.
ID_COLUMNS = ("customer_id", "order_id", "session_id")
#: Counts and money per month and channel in ``marketing_spend``: scaled by the number of copies.
SPEND_COLUMNS = ("spend", "impressions", "clicks")


def log(message: str) -> None:
    import sys

    print(f"[bench-audit {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def csv_client(customers: int) -> Path:
    """The demo client's CSV exports (generated once: minutes, ~10 GB of memory at 1.43 M)."""
    folder = DATA_DIR / f"demo-{customers // 1000}k"
    if not (folder / "ground_truth.json").exists():
        from clvlib.data.demo import write_demo

        log(f"generating the demo client with {customers:,} customers -> {folder}")
        write_demo(folder, customers=customers, seed=SEED, progress=False)
    return folder / "client.yml"


def _stamp(paths: list[Path]) -> str:
    """Names, sizes and modification times of ``paths``: changes when a source is rewritten."""
    text = "\n".join(f"{p.name} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in paths)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical_parquet(source: Path, folder: Path) -> Path:
    """``source``'s tables as clvlib loads them, written once to ``folder`` as Parquet with a
    ``client.yml`` reading them (remade when a source file of ``source`` changed)."""
    import ibis
    import yaml

    from clvlib.config import load_config
    from clvlib.data.load import load_tables

    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    files = [source.parent / spec["path"] for spec in raw["sources"].values() if spec.get("path")]
    stamp = _stamp([source, *files])
    config_path = folder / "client.yml"
    stamp_file = folder / "source.sha256"
    if config_path.exists() and not stamp_file.exists():  # made before the stamp existed
        stamp_file.write_text(stamp)
    if config_path.exists() and stamp_file.read_text() == stamp:
        return config_path
    folder.mkdir(parents=True, exist_ok=True)
    log(f"loading {source} once to write its canonical tables as Parquet -> {folder}")
    con = ibis.duckdb.connect()
    loaded = load_tables(load_config(source), con, progress=False)
    raw["sources"] = {}
    for name in loaded.tables:
        target = folder / f"{name}.parquet"
        con.con.execute(
            f"COPY (SELECT * EXCLUDE (source_row) FROM \"{name}\") TO '{target}' (FORMAT parquet)"
        )
        raw["sources"][name] = {"path": target.name}
    raw["client"] = f"{raw['client']} (Parquet)"
    _write_yaml(config_path, raw)
    stamp_file.write_text(stamp)
    return config_path


def parquet_client(customers: int) -> Path:
    """The demo client at ``customers`` as canonical Parquet tables (made once from its CSVs)."""
    return canonical_parquet(csv_client(customers), DATA_DIR / f"demo-{customers // 1000}k-parquet")


def copies_client(customers: int, copies: int) -> Path:
    """``copies`` copies of the Parquet client at ``customers`` as one client (made once)."""
    import duckdb
    import yaml

    source = parquet_client(customers)
    folder = DATA_DIR / f"demo-{customers // 1000}k-parquet-x{copies}"
    config_path = folder / "client.yml"
    if config_path.exists():
        return config_path
    folder.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    log(f"writing {copies} copies of {source.parent.name} -> {folder}")
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{folder / 'spill'}'")
    for name, spec in raw["sources"].items():
        path = source.parent / spec["path"]
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
        if name == "marketing_spend":  # one row per month and channel: the spend of all copies
            select = ", ".join(
                f'"{c}" * {copies} AS "{c}"' if c in SPEND_COLUMNS else f'"{c}"' for c in columns
            )
            query = f"SELECT {select} FROM '{path}'"
        else:
            select = ", ".join(_copied(col) for col in columns)
            query = " UNION ALL ".join(
                f"SELECT {select} FROM '{path}', (SELECT {k} AS copy)" for k in range(copies)
            )
        con.execute(f"COPY ({query}) TO '{folder / spec['path']}' (FORMAT parquet)")
    raw["client"] = f"{raw['client']} ×{copies}"
    _write_yaml(config_path, raw)
    return config_path


def _copied(column: str) -> str:
    """The SQL of ``column`` in copy number ``copy`` (0 is the original)."""
    quoted = f'"{column}"'
    if column in ID_COLUMNS:
        return f"CASE WHEN copy = 0 THEN {quoted} ELSE {quoted} || '~' || copy END AS {quoted}"
    return quoted


def _write_yaml(path: Path, raw: dict) -> None:
    import yaml

    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def run_configs(config: Path, folder: Path) -> tuple[Path, Path, float, float]:
    """``folder/first.yml`` (``config`` with absolute source paths) and ``folder/margin.yml``
    (the same with ``economics.gross_margin`` raised by 0.01); also the two margins."""
    import yaml

    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    for spec in raw["sources"].values():
        if spec.get("path") is not None:
            spec["path"] = str((config.parent / spec["path"]).resolve())
    margin = float(raw.get("economics", {}).get("gross_margin", 0.35))
    changed = round(margin + 0.01, 6)
    folder.mkdir(parents=True, exist_ok=True)
    first, edited = folder / "first.yml", folder / "margin.yml"
    _write_yaml(first, raw)
    raw.setdefault("economics", {})["gross_margin"] = changed
    _write_yaml(edited, raw)
    return first, edited, margin, changed


#: The benchmark's sizes: how each client is made and where its floor's transactions are.
SIZES = {
    "demo": {"label": "demo, 20 k customers (CSV)", "target_s": 12, "peak_gib": None},
    "10m": {"label": "10 M lines, 1.43 M customers (Parquet)", "target_s": 90, "peak_gib": 4},
    "50m": {"label": "50 M lines, 7.15 M customers (Parquet)", "target_s": 480, "peak_gib": 16},
}


def prepare(size: str) -> tuple[Path, Path]:
    """The client's ``client.yml`` and its canonical ``transactions.parquet`` (the floor's
    input) for ``size``, made if not cached."""
    if size == "demo":
        config = csv_client(DEMO_CUSTOMERS)
        floor = parquet_client(DEMO_CUSTOMERS).parent / "transactions.parquet"
        return config, floor
    if size == "10m":
        config = parquet_client(LARGE_CUSTOMERS)
    elif size == "50m":
        config = copies_client(LARGE_CUSTOMERS, COPIES_50M)
    else:
        raise ValueError(f"unknown size {size!r} (known: {', '.join(SIZES)})")
    return config, config.parent / "transactions.parquet"


def prepare_in_child(size: str) -> tuple[Path, Path]:
    """``prepare(size)`` in a spawned process: generating 1.43 M customers takes ~10 GB, and a
    child forked from a process that large would report that memory as the audit's peak
    (``ru_maxrss`` of the forked child before its ``exec``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(prepare, size).result()
