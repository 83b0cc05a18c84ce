"""Where the audit's ibis expressions run: DuckDB (default), PySpark, or any ibis backend URL.

Reading and validating the client's exports always happens in DuckDB (``clvlib.data.load``):
it accounts for every row whatever engine runs the steps. The canonical tables it writes are
then handed to the configured engine:

- ``backend: {name: duckdb}`` — the DuckDB database itself (nothing is copied);
- ``backend: {name: pyspark, master: "local[2]"}`` — each canonical table is written to Parquet
  (``<run_dir>/_work/tables/<table>.parquet``) and registered as a view in a Spark session on
  ``master`` (``local[N]``, ``spark://host:7077``, ``yarn`` …); needs the ``spark`` extra
  (``pip install 'clvlib[spark]'``) and Java 17;
- ``backend: {url: "postgres://user@host/db"}`` (any URL ``ibis.connect`` understands:
  ``bigquery://project/dataset``, ``snowflake://…``, ``trino://…``) — each canonical table is
  uploaded with ``create_table(..., overwrite=True)`` under its canonical name, prefixed
  ``clv_`` (``clv_transactions`` …), through Arrow.

Every step's aggregation is an ibis expression over those tables, so it runs on that engine;
only small results come back as pandas.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis

from clvlib.config import Backend
from clvlib.errors import ConfigError

TABLES_DIR = "_work/tables"
SPARK_DEFAULT_MASTER = "local[2]"
URL_PREFIX = "clv_"
LOG_CONFIG = Path(__file__).resolve().parent / "log4j2-spark.properties"


def kind(backend: Backend) -> str:
    """``duckdb``, ``pyspark`` or ``url``."""
    if backend.url:
        return "url"
    return backend.name


def publish(backend: Backend, duck_con, tables: list[str], run_dir: Path) -> dict[str, str]:
    """Make the canonical tables of ``duck_con`` (an ibis DuckDB backend) available to the
    configured engine; returns table -> where it is (a Parquet path, or the table's name).

    Nothing to do for DuckDB. For PySpark the tables are written to Parquet under
    ``run_dir/_work/tables``; for a URL backend they are uploaded."""
    where: dict[str, str] = {}
    engine = kind(backend)
    if engine == "duckdb":
        return where
    if engine == "pyspark":
        folder = Path(run_dir) / TABLES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for name in tables:
            target = folder / f"{name}.parquet"
            tmp = folder / f".{name}.parquet.tmp"
            duck_con.con.execute(
                f"COPY (SELECT * FROM \"{name}\") TO '{tmp}' (FORMAT parquet, "
                "ROW_GROUP_SIZE 1000000)"
            )
            tmp.replace(target)
            where[name] = str(target)
        return where
    remote = connect_url(backend.url)
    for name in tables:
        remote.create_table(URL_PREFIX + name, duck_con.table(name).to_pyarrow(), overwrite=True)
        where[name] = URL_PREFIX + name
    return where


def open_tables(backend: Backend, where: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    """The engine's ibis connection and the canonical tables on it (see ``publish``)."""
    engine = kind(backend)
    if engine == "pyspark":
        con = connect_spark(backend.master or SPARK_DEFAULT_MASTER)
        return con, {name: con.read_parquet(path, table_name=name) for name, path in where.items()}
    if engine == "url":
        con = connect_url(backend.url)
        return con, {name: con.table(table) for name, table in where.items()}
    raise ValueError(f"open_tables is for non-DuckDB backends, not {engine!r}")


def connect_spark(master: str):
    """An ibis PySpark backend on a Spark session at ``master``.

    Local mode gets few shuffle partitions (Spark's default of 200 makes every small group-by
    pay for 200 tasks) and no UI; timestamps are read as written (UTC session time zone, no
    shift). Raises ``ConfigError`` when pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            "backend.name is pyspark but pyspark is not installed",
            fix="install the spark extra (pip install -e '.[spark]', or make venv-spark) or set "
            "backend: {name: duckdb} in client.yml",
        ) from exc
    if shutil.which("java") is None and not _java_home():
        raise ConfigError(
            "backend.name is pyspark but no Java runtime was found (java is not on PATH and "
            "JAVA_HOME is not set)",
            fix="install Java 17 (Debian: apt-get install openjdk-17-jre-headless) or set "
            "backend: {name: duckdb} in client.yml",
        )
    builder = (
        SparkSession.builder.master(master)
        .appName("clvlib audit")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
    )
    # The driver JVM starts with the first session: its options go through spark-submit.
    java_options = f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}"
    if master.startswith("local"):
        java_options += " -XX:TieredStopAtLevel=1"  # short jobs: skip the slow JIT tier
        builder = builder.config("spark.sql.shuffle.partitions", "2").config(
            "spark.sql.adaptive.enabled", "false"
        )
    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", f'--driver-java-options "{java_options}" pyspark-shell'
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def connect_url(url: str):
    """``ibis.connect(url)``, with a ``ConfigError`` naming the URL when it fails."""
    try:
        return ibis.connect(url)
    except Exception as exc:  # missing driver, refused connection, bad credentials …
        raise ConfigError(
            f"cannot connect to backend.url {url!r}: {type(exc).__name__}: {exc}",
            fix="check the URL and that the ibis backend for it is installed "
            "(pip install 'ibis-framework[postgres]' for postgres:// …)",
        ) from exc


def _java_home() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home) and (Path(home) / "bin" / "java").exists()


class LazyTables(Mapping):
    """The canonical tables of a non-DuckDB engine, connected on first use.

    Starting a Spark session takes seconds; a notebook that only asks which tables exist (data
    quality, summary) never pays for it. ``con`` is the engine's ibis connection once opened.
    """

    def __init__(self, backend: Backend, where: dict[str, str]) -> None:
        self._backend, self._where = backend, dict(where)
        self._tables: dict[str, Any] | None = None
        self.con = None

    def _open(self) -> dict[str, Any]:
        if self._tables is None:
            self.con, self._tables = open_tables(self._backend, self._where)
        return self._tables

    def __getitem__(self, name: str):
        if name not in self._where:
            raise KeyError(name)
        return self._open()[name]

    def __iter__(self):
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)
