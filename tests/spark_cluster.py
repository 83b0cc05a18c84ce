"""A throwaway Spark standalone cluster for tests: one master and N workers on the loopback address.

Each daemon is a separate OS process (its own process group) started with the ``spark-class``
script shipped inside the pip-installed pyspark (the package has no ``start-master.sh``), so the
driver, the master, the workers and the executors the workers launch are different JVMs talking
over TCP, as on a real cluster. Logs go to ``<tmp>/logs/<daemon>.log``, errors only.

    with SparkCluster(tmp_path, workers=2) as cluster:
        ...  # backend: {name: pyspark, master: cluster.master_url}

Leaving the ``with`` block (also on an error) terminates every process group — the daemons and
the executors they started — and waits for them; ``SparkCluster.stop`` is idempotent. A test
process killed outright takes the daemons with it (they get SIGTERM when it dies; a worker's
shutdown kills its executors). Linux only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import clvlib.backends

#: Seconds to wait for the master to come up and for every worker to register as ALIVE.
START_TIMEOUT_S = 90
#: Seconds between SIGTERM and SIGKILL when stopping a daemon.
STOP_GRACE_S = 10


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_home() -> Path:
    """The pip-installed pyspark package, which is a Spark distribution (``bin/``, ``jars/``)."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


class SparkCluster:
    """A standalone master and ``workers`` workers of ``cores`` cores and ``memory`` each.

    ``master_url`` (``spark://127.0.0.1:<port>``) is what ``backend.master`` takes;
    ``web_url`` is the master's UI, whose ``/json/`` lists the workers.
    """

    def __init__(self, tmp: Path, workers: int = 2, cores: int = 1, memory: str = "1g") -> None:
        self.tmp = Path(tmp)
        self.n_workers, self.cores, self.memory = workers, cores, memory
        self.procs: list[subprocess.Popen] = []
        self.master_url = self.web_url = ""

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> SparkCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start the master, then the workers; return once the master counts them all ALIVE."""
        (self.tmp / "logs").mkdir(parents=True, exist_ok=True)
        port, web = free_port(), free_port()
        self.master_url, self.web_url = f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{web}"
        self._spawn(
            "master",
            ["org.apache.spark.deploy.master.Master", *_flags(port=port, webui_port=web)],
        )
        self._wait(lambda state: state is not None, "the master's web UI to answer")
        for i in range(self.n_workers):
            work = self.tmp / f"worker-{i}"
            work.mkdir(exist_ok=True)
            self._spawn(
                f"worker-{i}",
                [
                    "org.apache.spark.deploy.worker.Worker",
                    self.master_url,
                    *_flags(port=free_port(), webui_port=free_port(), cores=self.cores),
                    *_flags(memory=self.memory, work_dir=work),
                ],
            )
        self._wait(
            lambda state: state is not None and self.alive_workers(state) == self.n_workers,
            f"{self.n_workers} ALIVE workers",
        )

    def stop(self) -> None:
        """SIGTERM every daemon's process group, SIGKILL what is left after ``STOP_GRACE_S``.

        The daemons are reaped only at the end: an unreaped daemon keeps its process group id
        reserved, so the SIGKILL cannot reach a new, unrelated group of the same number."""
        for proc in self.procs:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while time.monotonic() < deadline and not all(_exited(p) for p in self.procs):
            time.sleep(0.2)
        for proc in self.procs:
            _signal_group(proc, signal.SIGKILL)  # executors the worker started, stragglers
        for proc in self.procs:
            proc.wait()
        self.procs = []

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict | None:
        """The master's JSON status (``workers``, ``aliveworkers``, ``activeapps`` …) or None."""
        try:
            with urllib.request.urlopen(f"{self.web_url}/json/", timeout=2) as reply:
                return json.load(reply)
        except (OSError, ValueError):
            return None

    @staticmethod
    def alive_workers(state: dict) -> int:
        return sum(w.get("state") == "ALIVE" for w in state.get("workers", []))

    def logs(self) -> str:
        """The tail of every daemon's log, for a failure message."""
        parts = []
        for log in sorted((self.tmp / "logs").glob("*.log")):
            parts.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    # -- helpers ----------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> None:
        home = spark_home()
        env = dict(os.environ)
        env.pop("PYSPARK_SUBMIT_ARGS", None)
        env.update(
            SPARK_HOME=str(home),
            SPARK_LOCAL_IP="127.0.0.1",
            SPARK_LOG_DIR=str(self.tmp / "logs"),
            SPARK_CONF_DIR=str(self.tmp / "conf"),  # empty: no stray spark-defaults.conf
            SPARK_DAEMON_MEMORY="256m",
            # errors only; a port in use is an error, not a silent move to the next port
            SPARK_DAEMON_JAVA_OPTS=f"-Dlog4j2.configurationFile=file:{clvlib.backends.LOG_CONFIG}"
            " -Dspark.port.maxRetries=0",
        )
        log = open(self.tmp / "logs" / f"{name}.log", "wb")  # noqa: SIM115 - closed below
        try:
            proc = subprocess.Popen(
                [str(home / "bin" / "spark-class"), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,  # its own process group, killed as a whole in stop()
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()
        self.procs.append(proc)

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(_exited(p) for p in self.procs):
                raise RuntimeError(
                    f"a Spark daemon exited while waiting for {what}:\n{self.logs()}"
                )
            if ready(self.state()):
                return
            time.sleep(0.5)
        raise TimeoutError(f"no {what} after {START_TIMEOUT_S} s:\n{self.logs()}")


def _flags(**options) -> list[str]:
    """``port=7077, webui_port=8080`` -> ``--host 127.0.0.1 --port 7077 --webui-port 8080``."""
    out = ["--host", "127.0.0.1"] if "port" in options else []
    for key, value in options.items():
        out += ["--" + key.replace("_", "-"), str(value)]
    return out


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session: the group id is the daemon's pid
    except ProcessLookupError:
        pass


def _die_with_parent() -> None:
    """In the child before ``exec``: SIGTERM when the test process dies without tearing down
    (killed by a CI time-out), so no daemon outlives it (Linux ``PR_SET_PDEATHSIG``)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _exited(proc: subprocess.Popen) -> bool:
    """Whether ``proc`` has exited, without reaping it (see ``SparkCluster.stop``)."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
