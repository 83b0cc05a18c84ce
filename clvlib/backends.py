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

Results do not depend on how many threads (or partitions) the engine uses: a parallel SUM of
floats adds its partial sums in whatever order the threads finish, and a GROUP BY returns its
groups in that order too. ``exact_sum`` / ``exact_mean`` add money as integers (exact in any
order) and ``fetch`` brings a result back in a fixed row order, so the same inputs give a
byte-identical ``metrics.json`` on one thread or many. In a run, ``fetch`` also reuses the
results of queries over the canonical tables that an earlier run with the same data made
(``use_query_memo``, ``clvlib.run_cache.QueryMemo``).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops

from clvlib.config import Backend
from clvlib.errors import ConfigError

TABLES_DIR = "_work/tables"
SPARK_DEFAULT_MASTER = "local[2]"
URL_PREFIX = "clv_"
LOG_CONFIG = Path(__file__).resolve().parent / "log4j2-spark.properties"


#: Decimal places money keeps when ``exact_sum`` adds it: amounts with up to this many decimals
#: add up without any rounding (an amount with more is rounded to it, by at most 0.0000005).
MONEY_DECIMALS = 6
#: Decimal places for rates and fractions (|x| < 4.6 million): ``exact_sum(x, decimals=...)``.
RATE_DECIMALS = 12


def exact_sum(values, *, where=None, decimals: int = MONEY_DECIMALS):
    """Σ ``values`` (an ibis numeric column, e.g. revenue in currency) as a float64 scalar that
    is the same whatever the order of the rows and the number of threads or partitions.

    Floats are rounded to ``decimals`` decimal places and added as integers (units of
    10^-decimals: exact, so any order gives the same total), which is converted to float64
    once. Integers are added as they are. NULL when no value is non-null (like ``sum``); a NaN,
    an infinity or a value too large for the integer form (|x| ≥ 2^62 / 10^decimals, 4.6e12
    for money) makes it the engine's plain float sum. ``where``: a boolean filter, as in
    ``sum``. On DuckDB the units are BIGINT (its SUM of BIGINT is a 128-bit integer, nearly as
    fast as a float sum); on other engines DECIMAL(38, decimals).
    """
    if not values.type().is_floating():
        return values.sum(where=where)
    scale = 10**decimals
    big = (values.abs() >= 2**62 / scale) | values.isnan()  # an infinity is big too
    kept = ibis.ifelse(big, ibis.null(), values)
    if _engine(values) == "duckdb":
        units = (kept * float(scale)).round()  # BIGINT
        exact = units.sum(where=where) / float(scale)
    else:
        exact = kept.cast(dt.Decimal(38, decimals)).sum(where=where).cast("float64")
    return ibis.ifelse(big.any(where=where), values.sum(where=where), exact)


def exact_mean(values, *, where=None, decimals: int = MONEY_DECIMALS):
    """The mean of the non-null ``values`` as ``exact_sum`` / count: the same on any number of
    threads (an engine's AVG of floats is not). NULL when there is no value."""
    return exact_sum(values, where=where, decimals=decimals) / values.count(where=where)


#: relations that keep their input's row order: an ORDER BY below them still orders the result
_ORDER_KEEPING = (ops.Project, ops.Filter, ops.DropColumns, ops.FillNull, ops.DropNull)


def fetch(expr, con=None):
    """``expr``'s result (an ibis table) as pandas, through Arrow, in a row order that does not
    depend on the engine's threads.

    An expression with its own ORDER BY (or LIMIT) keeps it: its keys should identify a row.
    Any other is sorted by all its columns (a GROUP BY returns its groups in whatever order the
    threads finish, and pandas adds floats up in row order). ``con``: the connection to run it
    on (default: the expression's own backend), e.g. for an ``ibis.memtable``.
    """
    table = expr.as_table() if not isinstance(expr, ibis.Table) else expr
    if not _ordered(table.op()):
        keys = [name for name, dtype in table.schema().items() if _sortable(dtype)]
        if keys:
            table = table.order_by(keys)
    memo = _query_memo if con is None else None
    key = memo.key(table) if memo is not None else None
    arrow = memo.get(key) if key is not None else None
    if arrow is None:
        arrow = con.to_pyarrow(table) if con is not None else table.to_pyarrow()
        if key is not None:
            memo.put(key, arrow)
    return arrow.to_pandas()


#: the run's query memo (``clvlib.run_cache.QueryMemo``): ``fetch`` takes a query's result from
#: it when the run cache holds it (set by ``open_audit`` for a run directory with a load key)
_query_memo = None


def use_query_memo(memo) -> None:
    """Let ``fetch`` keep and reuse query results in ``memo`` (None: run every query)."""
    global _query_memo
    _query_memo = memo


def _ordered(op) -> bool:
    """Whether ``op``'s rows come in a fixed order already: an ORDER BY or LIMIT (under
    projections and filters), or an aggregate without groups (one row)."""
    while isinstance(op, _ORDER_KEEPING):
        op = op.parent
    if isinstance(op, ops.Aggregate):
        return not op.groups
    return isinstance(op, ops.Sort | ops.Limit)


def _sortable(dtype) -> bool:
    return not (dtype.is_nested() or dtype.is_json() or dtype.is_binary() or dtype.is_unknown())


def _engine(expr) -> str:
    """The name of the ibis backend ``expr`` runs on (``duckdb`` for an unbound memtable)."""
    try:
        return expr.get_backend().name
    except Exception:  # no backend bound and none by default  # pragma: no cover
        return "duckdb"


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
    remote = connect_url(backend.url, backend.password_env)
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
        con = connect_url(backend.url, backend.password_env)
        return con, {name: con.table(table) for name, table in where.items()}
    raise ValueError(f"open_tables is for non-DuckDB backends, not {engine!r}")


def connect_spark(master: str):
    """An ibis PySpark backend on a Spark session at ``master``.

    Every session reads timestamps as written (UTC session time zone, no shift), has no UI, and
    runs Python on the executors with this interpreter (``PYSPARK_PYTHON``, when not set
    already, becomes ``sys.executable``).

    Every session has no adaptive execution and a driver JVM that skips the slow JIT tier (the
    driver plans many short queries and collects small results).

    - ``local[N]``: two shuffle partitions (Spark's default of 200 makes every small group-by
      pay for 200 tasks).
    - ``spark://host:port`` (a standalone cluster; ``spark://h1:7077,h2:7077`` with standby
      masters): the master's port must answer within ``MASTER_CONNECT_TIMEOUT_S`` and at least
      one executor must register within ``$CLVLIB_SPARK_WAIT_S`` seconds (default
      ``EXECUTOR_WAIT_S``), otherwise ``ConfigError`` — Spark itself would retry for a minute
      and then hang on the first query ("Initial job has not accepted any resources").
      Shuffle partitions are then twice the executors' cores.
      With a loopback master (``spark://127.0.0.1:…``) the driver binds to 127.0.0.1 too.
      Executor memory and cores are Spark's (1 GiB and all of a worker's cores) or the
      cluster's ``spark-defaults.conf`` (``$SPARK_CONF_DIR``); settings such as
      ``spark.driver.host`` for a driver behind NAT belong there as well.
    - ``yarn``, ``k8s://…``: passed to Spark as they are, without the checks above.

    The executors read the canonical tables from the Parquet files ``publish`` wrote under the
    run directory, by their local path. On one machine that just works; on a real cluster the
    run directory (``--out``) must be on storage every executor mounts at the same path (NFS,
    a shared volume), the executors need Java 17 and the same Python minor version with
    pyarrow at the same path as the driver (or ``PYSPARK_PYTHON`` set to theirs), and the
    workers must reach the driver's ports (``spark.driver.port``, ``spark.blockManager.port``).

    Raises ``ConfigError`` when pyspark or Java is missing or the cluster does not answer."""
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
    standalone = master.startswith("spark://")
    if standalone:
        _check_master_answers(master)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
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
    # Its work is planning many short queries and collecting small results, on a cluster too:
    # skip the slow JIT tier.
    java_options = f"-Dlog4j2.configurationFile=file:{LOG_CONFIG} -XX:TieredStopAtLevel=1"
    # Small tables, many short queries: adaptive execution's re-planning of every stage costs
    # more than it saves.
    builder = builder.config("spark.sql.adaptive.enabled", "false")
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "2")
    elif standalone and _master_hosts(master) <= LOOPBACK:
        # executors on this machine: the driver must not advertise an address they cannot reach
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", f'--driver-java-options "{java_options}" pyspark-shell'
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    if standalone and session.conf.get("spark.dynamicAllocation.enabled", "false") != "true":
        cores = _wait_for_executors(session, master)
        session.conf.set("spark.sql.shuffle.partitions", str(2 * cores))
    return ibis.pyspark.connect(session)


#: Seconds for the standalone master's port to accept a TCP connection.
MASTER_CONNECT_TIMEOUT_S = 5.0
#: Seconds for the first executor to register (``$CLVLIB_SPARK_WAIT_S`` overrides).
EXECUTOR_WAIT_S = 90.0
SPARK_WAIT_ENV = "CLVLIB_SPARK_WAIT_S"
#: Seconds without a new executor after which the registered ones are taken as the cluster.
EXECUTORS_SETTLE_S = 2.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _master_hosts(master: str) -> set[str]:
    return {host for host, _ in _master_addresses(master)}


def _master_addresses(master: str) -> list[tuple[str, int]]:
    """``spark://h1:7077,h2:7078`` -> [(h1, 7077), (h2, 7078)]; the port defaults to 7077."""
    out = []
    for part in master.removeprefix("spark://").split(","):
        host, _, port = part.strip().rpartition(":")
        if not host:  # no port
            host, port = port, "7077"
        try:
            out.append((host.strip("[]"), int(port)))
        except ValueError:
            raise ConfigError(
                f"backend.master {master!r}: {part!r} is not host:port",
                fix='write the master as spark://host:port, e.g. "spark://10.0.0.5:7077"',
            ) from None
    return out


def _check_master_answers(master: str) -> None:
    """``ConfigError`` unless some master of ``master`` accepts a TCP connection."""
    errors = []
    for host, port in _master_addresses(master):
        try:
            with socket.create_connection((host, port), timeout=MASTER_CONNECT_TIMEOUT_S):
                return
        except OSError as exc:
            errors.append(f"{host}:{port}: {exc.strerror or type(exc).__name__}")
    raise ConfigError(
        f"no Spark master answers at backend.master {master!r} ({'; '.join(errors)})",
        fix="start the cluster (spark-class org.apache.spark.deploy.master.Master, then the "
        "workers) or correct the host and port in client.yml — the master's web UI shows its "
        'spark:// URL — or run locally with master: "local[2]"',
    )


def _wait_for_executors(session, master: str) -> int:
    """The executors' total cores once at least one executor has registered with the driver;
    ``ConfigError`` (and the session stopped) after ``$CLVLIB_SPARK_WAIT_S`` seconds without."""
    wait_s = float(os.environ.get(SPARK_WAIT_ENV) or EXECUTOR_WAIT_S)
    context = session.sparkContext
    tracker = context._jsc.sc().statusTracker()
    start = time.monotonic()
    seen, since = 1, start  # executors registered (the driver counts as one), since when
    while True:
        now = time.monotonic()
        count = len(tracker.getExecutorInfos())
        if count != seen:
            seen, since = count, now
        # the others of a cluster register within seconds of the first
        if seen > 1 and (now - since > EXECUTORS_SETTLE_S or now - start > wait_s):
            return context.defaultParallelism  # the registered executors' cores
        if seen == 1 and now - start > wait_s:
            session.stop()
            raise ConfigError(
                f"the Spark master {master!r} accepted the audit but no executor started within "
                f"{wait_s:.0f} s",
                fix="check the master's web UI: the workers must be ALIVE with free cores and at "
                "least spark.executor.memory (1g unless spark-defaults.conf says otherwise) of "
                f"memory each, and able to reach this machine; ${SPARK_WAIT_ENV} waits longer",
            )
        time.sleep(0.25)


def connect_url(url: str, password_env: str | None = None):
    """``ibis.connect(url)`` with the password from ``$<password_env>``; a ``ConfigError``
    naming the URL (never its password) when it fails."""
    from clvlib.data.database import safe_url, secret_from_env

    secret = secret_from_env(password_env, "backend", url)
    try:
        return ibis.connect(url, **({"password": secret} if secret else {}))
    except Exception as exc:  # missing driver, refused connection, bad credentials …
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
        if secret:
            message = message.replace(secret, "***")
        raise ConfigError(
            f"cannot connect to backend.url {safe_url(url)!r}: {message}",
            fix="check the URL, the password in backend.password_env and that the ibis backend "
            "for it is installed (pip install 'ibis-framework[postgres]' for postgres:// …)",
        ) from None


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
