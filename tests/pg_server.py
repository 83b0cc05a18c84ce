"""A throwaway PostgreSQL server for tests: Debian's binaries, a temporary cluster, a free
loopback port, password (SCRAM) authentication for one created role, always stopped.

``pg_server(password=...)`` is a context manager yielding a ``PgServer``: ``initdb`` into a new
temporary directory, ``pg_ctl start`` on ``127.0.0.1:<free port>`` (Unix socket in the same
directory), a role and a database owned by it; on leaving (also after a failure) ``pg_ctl stop
-m immediate`` and the directory is removed. PostgreSQL refuses to run as root: as root the
server runs as the ``postgres`` system user (``runuser``), which owns the directory.

``missing()`` says why no server can be started here (``None`` when one can).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_S = 60


def bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` (or ``initdb`` on
    the PATH), ``None`` when PostgreSQL's server binaries are not installed."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name.split(".")[0]),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _run_as() -> str | None:
    """The system user the server runs as: ``postgres`` when we are root, else ourselves."""
    return "postgres" if os.geteuid() == 0 else None


def missing() -> str | None:
    """Why a test server cannot be started here, or ``None``."""
    if bin_dir() is None:
        return (
            "PostgreSQL server binaries not found (apt-get install postgresql; .ci/sysdeps.sh "
            "does it)"
        )
    user = _run_as()
    if user is not None:
        try:
            pwd.getpwnam(user)
        except KeyError:
            return "running as root and there is no 'postgres' system user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser (util-linux) is missing"
    return None


def free_port() -> int:
    """A TCP port on the loopback address that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PgServer:
    """A running test server: ``role`` (password auth over TCP) owns ``database``."""

    port: int
    socket_dir: Path
    role: str
    database: str

    @property
    def url(self) -> str:
        """The connection URL without password, as it goes into client.yml."""
        return f"postgresql://{self.role}@{HOST}:{self.port}/{self.database}"

    def connect(self, password: str, **kwargs):
        """A psycopg connection as ``role`` over TCP (password authentication)."""
        import psycopg

        return psycopg.connect(
            host=HOST,
            port=self.port,
            user=self.role,
            password=password,
            dbname=self.database,
            **kwargs,
        )


def _cmd(args: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    full = ["runuser", "-u", user, "--", *args] if user else args
    return subprocess.run(full, check=True, capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def pg_server(*, password: str, role: str = "audit", database: str = "shop") -> Iterator[PgServer]:
    """Start a throwaway server with ``role`` (``password``) owning ``database``; stop it and
    remove its files on exit, whatever happened inside."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    binaries, user = bin_dir(), _run_as()
    # not under pytest's tmp_path: that is private to root (0700) and the server's user must
    # reach its data directory
    root = Path(tempfile.mkdtemp(prefix="clvlib-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, sock):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        pw_file = root / "superuser.pw"  # initdb wants the superuser's password from a file
        pw_file.write_text("unused-" + os.urandom(8).hex() + "\n")
        if user:
            os.chown(pw_file, entry.pw_uid, entry.pw_gid)
        _cmd(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--pwfile",
                str(pw_file),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            user,
        )
        for attempt in range(3):  # a free port can be taken between the probe and the start
            port = free_port()
            options = f"-p {port} -k {sock} -c listen_addresses={HOST} -c fsync=off"
            try:
                _cmd(
                    [
                        str(binaries / "pg_ctl"),
                        "-D",
                        str(data),
                        "-o",
                        options,
                        "-l",
                        str(root / "server.log"),
                        "-w",
                        "-t",
                        str(START_TIMEOUT_S),
                        "start",
                    ],
                    user,
                )
                started = True
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    log = (root / "server.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(sock), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as admin:  # utility statements take no parameters: the password as a quoted literal
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(role)
                )
            )
        yield PgServer(port=port, socket_dir=sock, role=role, database=database)
    finally:
        if started:
            with contextlib.suppress(subprocess.CalledProcessError):
                _cmd([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], user)
        shutil.rmtree(root, ignore_errors=True)


def wait_ready(server: PgServer, password: str, timeout_s: float = 10) -> None:
    """Block until ``server`` accepts a password login over TCP (pg_ctl -w already waits)."""
    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with server.connect(password):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
