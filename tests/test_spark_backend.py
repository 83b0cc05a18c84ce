"""The PySpark backend runs the same audit as DuckDB and gets the same figures.

Reference: the DuckDB run of the same small demo client (the default engine, whose figures the other
tests check against closed forms and the demo's ground truth; the suite's run of it,
``demo_reference`` in tests/conftest.py, which test_end_to_end checks too). Both runs read and
validate the exports in DuckDB; with ``backend: {name: pyspark, master: "local[2]"}`` every step's
ibis expression then executes on a local Spark session over Parquet copies of the canonical tables.
Every leaf of ``metrics.json`` must agree: text (the formatted findings) exactly, numbers to 1e-6
relative — the engines add the same doubles in another order (differences of 1e-16), and the model
fits, which stop at a gradient tolerance, turn that into differences of about 1e-8 in fitted
parameters and CLV; 1e-6 is far below any figure the report shows. Standard errors are compared to
1e-4: they are curvatures of the likelihood at the optimum, and where parameters are strongly
correlated (Gamma-Gamma's p, q and v lie on a ridge) two optima that agree to 1e-7 have curvatures
that differ by ~1e-6 (seen: 1.6e-6 for p); the report prints SEs to 4 significant figures. The
covariate model's coefficients (``calculation.clv.covariate_model``: a dozen coefficients fitted to
the same gradient tolerance, several near 0) are compared to 1e-4 too: seen 2.4e-7 apart in absolute
terms (2.3e-6 relative on a coefficient of 0.10 with a standard error of 0.04), the report prints
them to 3 decimals. Excluded: ``run`` — versions, timestamps, run time and the config hash, which
differ by construction (the two client.yml files differ in their backend line).

The same comparison, same tolerances, for a standalone cluster (``tests/spark_cluster.py``: a
master and two one-core workers started as separate processes on 127.0.0.1 with the pinned
pyspark's ``spark-class``; ``backend: {name: pyspark, master: "spark://127.0.0.1:<port>"}``):
the steps then run in executor JVMs on both workers, each of which must have finished tasks.
A ``spark://`` URL nobody listens at, and a master whose workers cannot host an executor, must
give a ``ConfigError`` in bounded time. Cost on 2 cores: the local run ~100 s, the cluster
~13 s to start, ~235 s for its audit, ~20 s for the no-executor case.

Needs pyspark (the ``spark`` extra, installed by ``make venv``) and Java 17 (``.ci/sysdeps.sh``);
without them the test is skipped with the reason, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from metrics_leaves import leaves, same
from spark_cluster import SparkCluster, free_port

from clvlib.backends import connect_spark
from clvlib.errors import ConfigError
from clvlib.report.run import run_audit

pytestmark = pytest.mark.slow

EXCLUDED = {"run": "versions, timestamps, run time and config hash differ by construction"}
REL_TOL = 1e-6
SE_REL_TOL = 1e-4  # standard errors: see the module docstring


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install -e '.[spark]'; make venv does it)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install openjdk-17-jre-headless; .ci/sysdeps.sh does it)"
    return None


def _require_spark() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the PySpark backend test cannot run under CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def demo(request):
    """The demo client (its client.yml) and the DuckDB reference run's metrics.json: the
    suite's run of the small demo client (``demo_reference``, tests/conftest.py)."""
    _require_spark()
    reference = request.getfixturevalue("demo_reference")
    config, run_dir = reference["config"], reference["run_dir"]
    assert run_dir is not None, reference["stdout"]
    assert "backend: {name: duckdb}" in config.read_text(encoding="utf-8")
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return {"config": config, "duckdb": metrics}


def _audit(config: Path, name: str, backend: str | None = None) -> dict:
    """metrics.json of the demo's audit with client.yml's backend line replaced by ``backend``."""
    if backend is not None:
        text = config.read_text(encoding="utf-8")
        config = config.with_name(f"client_{name}.yml")
        config.write_text(text.replace("backend: {name: duckdb}", backend), encoding="utf-8")
    run_dir = run_audit(
        config, out=config.parent.parent / f"reports-{name}", pdf=False, progress=False
    )
    return json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(demo):
    local = _audit(demo["config"], "pyspark", 'backend: {name: pyspark, master: "local[2]"}')
    return {"duckdb": demo["duckdb"], "pyspark": local}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and two one-core workers, separate processes on 127.0.0.1."""
    _require_spark()
    with SparkCluster(tmp_path_factory.mktemp("cluster"), workers=2, cores=1) as running:
        yield running


def _same(a, b, rel_tol: float = REL_TOL) -> bool:
    return same(a, b, rel_tol)


def _assert_same_metrics(reference: dict, other: dict) -> None:
    duck = {k: v for k, v in leaves(reference) if k[0] not in EXCLUDED}
    spark = {k: v for k, v in leaves(other) if k[0] not in EXCLUDED}
    assert sorted(map(str, duck)) == sorted(map(str, spark)), "different metrics keys"
    # the comparison covers every step, not a near-empty file
    assert {"data_quality", "calculation", "funnel", "channels", "retention", "saturation"} <= {
        k[0] for k in duck
    }
    assert sum(isinstance(v, float) for v in duck.values()) > 100

    def tolerance(key) -> float:
        loose = "standard_errors" in key or "covariate_model" in key
        return SE_REL_TOL if loose else REL_TOL

    differ = [(k, duck[k], spark[k]) for k in duck if not _same(duck[k], spark[k], tolerance(k))]
    assert differ == [], "\n".join(f"{'.'.join(map(str, k))}: {a!r} vs {b!r}" for k, a, b in differ)


def test_spark_audit_metrics_match_duckdb(runs):
    _assert_same_metrics(runs["duckdb"], runs["pyspark"])


def test_spark_cluster_audit_metrics_match_duckdb(demo, cluster, suite_run_cache):
    """The audit on a standalone cluster: its executors, on both workers, run the steps. Like
    the local run (a module fixture) it shares the DuckDB reference's run cache: the load is
    DuckDB's either way, and a kept fit is reused only when the cluster's own query results
    give the same input frame (the fit memo keys each fit by a fingerprint of it)."""
    backend = f'backend: {{name: pyspark, master: "{cluster.master_url}"}}'
    metrics = _audit(demo["config"], "cluster", backend)
    _assert_same_metrics(demo["duckdb"], metrics)
    # the work ran in the workers' executors, not in the driver: each worker's executor
    # (work/<app>/<executor>/stderr, Spark's default INFO log) finished tasks
    for i in range(cluster.n_workers):
        logs = list((cluster.tmp / f"worker-{i}").glob("app-*/*/stderr"))
        assert logs, f"worker-{i} started no executor:\n{cluster.logs()}"
        assert any("Finished task" in log.read_text(errors="replace") for log in logs), (
            f"worker-{i}'s executor ran no task"
        )


def test_no_master_at_the_url_is_a_config_error():
    """Nobody listens at the spark:// URL: a ConfigError naming it, at once, no JVM started."""
    _require_spark()
    url = f"spark://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        connect_spark(url)
    assert time.monotonic() - started < 15
    assert url in str(info.value) and "start the cluster" in info.value.fix


def test_cluster_without_room_for_an_executor_is_a_config_error(cluster, tmp_path):
    """The master answers but no worker can host an executor (2 GiB asked, 1 GiB offered, set
    the documented way: spark-defaults.conf): a ConfigError after CLVLIB_SPARK_WAIT_S, not a
    query waiting forever for resources."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text("spark.executor.memory 2g\n", encoding="utf-8")
    env = {**os.environ, "SPARK_CONF_DIR": str(conf), "CLVLIB_SPARK_WAIT_S": "8"}
    env.pop("PYSPARK_SUBMIT_ARGS", None)
    code = f"from clvlib.backends import connect_spark; connect_spark({cluster.master_url!r})"
    started = time.monotonic()
    # its own process group: on a time-out the driver JVM it started goes with it
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = child.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert time.monotonic() - started < 60
    assert child.returncode != 0
    assert "ConfigError" in stderr and "no executor started within 8 s" in stderr, stderr[-3000:]
