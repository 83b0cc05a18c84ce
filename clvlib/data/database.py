"""Reading a table or query of the client's database (``sources.<table>.url``) into DuckDB.

The source is read through ibis (``ibis.connect(url, password=…)``; PostgreSQL through psycopg)
with a server-side cursor, ``BATCH_ROWS`` rows at a time as Arrow record batches appended to a
temporary DuckDB table: memory holds one batch, never the whole table. Columns keep their types
where the loader parses them (integers, bounded decimals, floats, booleans, dates, timestamps);
unbounded ``numeric`` becomes a double (PostgreSQL rounds it correctly, as DuckDB parses a CSV's
text), a timestamp with time zone becomes the database session's local time (as the client's own
SQL tools show it), and any other type (uuid, json, enum, time …) is read as text. Text columns
are parsed afterwards like a CSV's (``csv.decimal``, ``csv.date_format``). Rows are numbered in
the order the database returns them; a ``query`` with ``ORDER BY`` fixes that order. An exact
duplicate (``duplicate_row``) is a row equal to an earlier one in every column read, so a table
with a unique key column (``id serial``) shows none: a ``query`` that selects the columns
without the key finds them, as a file export without the key would.

The password comes from the environment variable named by ``password_env`` and goes to the
driver only: messages name the source by ``describe`` (the URL, which never carries a
password, and the table), and driver messages are scrubbed of it all the same.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from clvlib.config import ClientConfig, Source
from clvlib.errors import ConfigError, DataError

#: rows per Arrow batch fetched from the database (memory holds one batch at a time)
BATCH_ROWS = 50_000
#: DuckDB's widest DECIMAL; wider (or unbounded) decimals are read as doubles
MAX_DECIMAL_PRECISION = 38


def safe_url(url: str) -> str:
    """``url`` without a password (``postgresql://u:pw@h/db`` → ``postgresql://u@h/db``)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        netloc = (parts.username or "") + "@" + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        scheme, _, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        if "@" in netloc:
            netloc = netloc.rsplit("@", 1)[0].split(":", 1)[0] + "@" + netloc.rsplit("@", 1)[1]
        return f"{scheme}://{netloc}{slash}{path}"


def describe(source: Source) -> str:
    """How reports and messages name a database source: ``postgresql://audit@host:5432/shop ·
    orders`` (``· query`` for a query)."""
    return f"{safe_url(source.url or '')} · {source.table or 'query'}"


def password(source: Source, table: str, config: ClientConfig | None = None) -> str | None:
    """The password from ``$<password_env>``; ``None`` without ``password_env`` (the driver's
    own defaults then apply, e.g. ``~/.pgpass``). ``ConfigError`` naming the variable when it is
    not set or empty."""
    file = str(config.config_path) if config and config.config_path else None
    return secret_from_env(source.password_env, f"sources.{table}", source.url or "", file=file)


def secret_from_env(name: str | None, key: str, url: str, *, file: str | None = None) -> str | None:
    """``$<name>`` for the ``url`` of ``key`` (``sources.orders``, ``backend``); ``None`` when no
    variable is named, ``ConfigError`` naming it when it is not set or empty."""
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        state = "is empty" if name in os.environ else "is not set"
        raise ConfigError(
            f"{key}.password_env names the environment variable {name}, which {state} "
            f"(it holds the password for {safe_url(url)})",
            file=file,
            fix=f"set it in the shell that runs the audit, e.g. `read -s {name}; export {name}` "
            "(the password never goes into client.yml)",
        )
    return value


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def _first_lines(exc: Exception, secret: str | None, lines: int = 2) -> str:
    """A driver's message, its first lines (no query echo, no caret line), without the secret."""
    message = " ".join(ln.strip() for ln in str(exc).splitlines()[:lines] if ln.strip())
    return _scrub(message or type(exc).__name__, secret)


def connect(source: Source, table: str, config: ClientConfig | None = None):
    """``ibis.connect`` to the source's database; ``ConfigError``/``DataError`` with the fix
    when the driver is missing, the URL is not understood, or the server refuses."""
    import ibis

    secret = password(source, table, config)
    where = describe(source)
    scheme = urlsplit(source.url).scheme
    kwargs = {"password": secret} if secret is not None else {}
    try:
        return ibis.connect(source.url, **kwargs)
    except ImportError as exc:
        raise ConfigError(
            f"the database driver for {scheme}:// URLs is not installed "
            f"({_first_lines(exc, secret, 1)})",
            file=where,
            fix=f"install ibis' backend for it (pip install 'ibis-framework[{scheme}]'); "
            "PostgreSQL's comes with clvlib",
        ) from None
    except ValueError as exc:
        raise ConfigError(
            f"sources.{table}.url is not a database URL ibis knows ({_first_lines(exc, secret)})",
            file=where,
            fix="write it as postgresql://user@host:5432/database (or another ibis backend's URL)",
        ) from None
    except Exception as exc:  # the driver's connection errors (psycopg.OperationalError …)
        raise DataError(
            f"cannot connect to the database of sources.{table}: {_first_lines(exc, secret)}",
            file=where,
            fix=_connect_fix(str(exc), source, table),
        ) from None


def _connect_fix(message: str, source: Source, table: str) -> str:
    low = message.lower()
    if "password" in low or "authentication" in low:
        holder = f"${source.password_env}" if source.password_env else "password_env"
        return (
            f"check the user name in sources.{table}.url and the password in {holder}; ask "
            "the client's administrator for read access if the role is new"
        )
    if "database" in low and "does not exist" in low:
        return f"correct the database name (the URL's path) in sources.{table}.url"
    return (
        f"check host and port in sources.{table}.url, that the server is running and that this "
        "machine may reach it (VPN, firewall, the server's listen_addresses and pg_hba.conf)"
    )


def source_expression(con, source: Source, table: str, secret: str | None = None):
    """The ibis table expression of the source: its ``table`` (``schema.table`` allowed) or
    its ``query``, with columns converted to types DuckDB and the loader read exactly."""
    import ibis.common.exceptions as ibis_exc

    where = describe(source)
    if source.table is not None:
        schema, _, name = source.table.strip().rpartition(".")
        try:
            expr = con.table(name, database=schema or None)
        except ibis_exc.TableNotFound:
            raise _no_table(con, source, table, schema, name) from None
        except Exception as exc:  # an unknown schema, no privilege …
            raise DataError(
                f"the table of sources.{table} cannot be read: {_first_lines(exc, secret)}",
                file=where,
                fix=f"correct sources.{table}.table, or ask for read access to it",
            ) from None
    else:
        try:
            expr = con.sql(source.query, schema=_query_schema(con, source.query))
        except Exception as exc:  # SQL errors, unknown columns or tables
            raise query_error(exc, source, table, secret) from None
    return readable(expr)


def _no_table(con, source: Source, table: str, schema: str, name: str) -> DataError:
    try:
        known = con.list_tables(database=schema or None)
    except Exception:  # the schema itself does not exist
        known = []
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    listed = ", ".join(sorted(known)[:20]) or "none visible to this user"
    return DataError(
        f"the database has no table '{source.table}'{hint} (tables in "
        f"{'schema ' + schema if schema else 'the search path'}: {listed})",
        file=describe(source),
        fix=f"correct sources.{table}.table in client.yml (write schema.table for a table "
        "outside the search path)",
    )


def query_error(exc: Exception, source: Source, table: str, secret: str | None) -> DataError:
    """A failing ``query`` as a ``DataError`` naming the source and the driver's message."""
    return DataError(
        f"the query of sources.{table} fails in the database: {_first_lines(exc, secret)}",
        file=describe(source),
        fix=f"run sources.{table}.query in the client's SQL tool and correct it in client.yml",
    )


def _query_schema(con, query: str):
    """The column types of ``query`` from the driver's description of its result, without
    running it (``LIMIT 0``). ibis would create a temporary view for this, which a read-only
    replica refuses; other backends than PostgreSQL use ibis' own way."""
    if getattr(con, "name", "") != "postgres":
        return None
    import ibis
    from ibis.backends.sql.datatypes import PostgresType

    with con.con.cursor() as cursor, con.con.transaction():
        cursor.execute(f"SELECT * FROM ({query}) AS __clv_query LIMIT 0".encode())
        columns = list(cursor.description or [])
        names = {}
        for column in columns:
            if column.type_code not in names:
                cursor.execute(b"SELECT format_type(%s, NULL)", (column.type_code,))
                names[column.type_code] = cursor.fetchone()[0]
    types = {}
    for column in columns:
        name = names[column.type_code]
        if name == "numeric" and column.precision is not None:
            name = f"numeric({column.precision},{column.scale or 0})"
        types[column.name] = PostgresType.from_string(name)
    return ibis.schema(types)


def readable(expr):
    """``expr`` with every column as a type DuckDB reads exactly (see the module docstring)."""
    import ibis

    casts = {}
    for name, dtype in expr.schema().items():
        if dtype.is_decimal():
            if dtype.precision is None or dtype.precision > MAX_DECIMAL_PRECISION:
                casts[name] = expr[name].cast("float64")
        elif dtype.is_timestamp():
            if dtype.timezone is not None:
                casts[name] = expr[name].cast(ibis.dtype("timestamp"))
        elif not (
            dtype.is_integer()
            or dtype.is_floating()
            or dtype.is_boolean()
            or dtype.is_date()
            or dtype.is_string()
        ):
            casts[name] = expr[name].cast("string")
    return expr.mutate(**casts) if casts else expr


def stage_database(duck, table: str, source: Source, config: ClientConfig | None = None) -> str:
    """Copy the source's rows into the temp DuckDB table ``__clv_db_<table>`` (returned), one
    Arrow batch of ``BATCH_ROWS`` rows at a time, in the order the database returns them."""
    import pyarrow as pa

    secret = password(source, table, config)
    con = connect(source, table, config)
    target = f"__clv_db_{table}"
    batch_view = f"{target}_batch"
    try:
        expr = source_expression(con, source, table, secret)
        try:
            reader = con.to_pyarrow_batches(expr, chunk_size=BATCH_ROWS)
            duck.register(batch_view, pa.Table.from_batches([], schema=reader.schema))
            duck.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT * FROM {batch_view}")
            duck.unregister(batch_view)
            for batch in reader:
                duck.register(batch_view, batch)
                duck.execute(f"INSERT INTO {target} SELECT * FROM {batch_view}")
                duck.unregister(batch_view)
        except DataError:
            raise
        except Exception as exc:
            if _is_duckdb(exc):
                raise
            duck.execute(f"DROP TABLE IF EXISTS {target}")
            raise _read_error(exc, source, table, secret) from None
    finally:
        con.disconnect()
    return target


def _is_duckdb(exc: Exception) -> bool:
    return type(exc).__module__.split(".")[0] == "duckdb"


def _read_error(exc: Exception, source: Source, table: str, secret: str | None) -> DataError:
    if source.query is not None:
        return query_error(exc, source, table, secret)
    return DataError(
        f"reading the table of sources.{table} failed: {_first_lines(exc, secret)}",
        file=describe(source),
        fix="check that the database is reachable and the user may read the table; then run "
        "the audit again",
    )


def location(config: ClientConfig, table: str) -> Path | str:
    """A configured table's file (absolute path) or, for a database, its ``describe``."""
    source = getattr(config.sources, table)
    return describe(source) if source.is_database else config.source_path(table)
