"""The PySpark backend runs the same audit as DuckDB and gets the same figures.

Reference: the DuckDB run of the same small demo client (the default engine, whose figures the
other tests check against closed forms and the demo's ground truth). Both runs read and validate
the exports in DuckDB; with ``backend: {name: pyspark, master: "local[2]"}`` every step's ibis
expression then executes on a local Spark session over Parquet copies of the canonical tables.
Every leaf of ``metrics.json`` must agree: text (the formatted findings) exactly, numbers to
1e-6 relative — the engines add the same doubles in another order (differences of 1e-16), and
the model fits, which stop at a gradient tolerance, turn that into differences of about 1e-8 in
fitted parameters and CLV; 1e-6 is far below any figure the report shows. Standard errors are
compared to 1e-4: they are curvatures of the likelihood at the optimum, and where parameters are
strongly correlated (Gamma-Gamma's p, q and v lie on a ridge) two optima that agree to 1e-7
have curvatures that differ by ~1e-6 (seen: 1.6e-6 for p); the report prints SEs to 4
significant figures. The covariate model's coefficients (``calculation.clv.covariate_model``: a
dozen coefficients fitted to the same gradient tolerance, several near 0) are compared to 1e-4
too: seen 2.4e-7 apart in absolute terms (2.3e-6 relative on a coefficient of 0.10 with a
standard error of 0.04), the report prints them to 3 decimals. Excluded: ``run`` —
versions, timestamps, run time and the config hash, which differ by construction (the two
client.yml files differ in their backend line).

Needs pyspark (the ``spark`` extra, installed by ``make venv``) and Java 17 (``.ci/sysdeps.sh``);
without them the test is skipped with the reason, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
from pathlib import Path

import pytest

from clvlib.data.demo import write_demo
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


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the PySpark backend test cannot run under CI: {reason}")
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("spark")
    config = write_demo(base / "client", customers=1500, seed=7, progress=False)
    text = Path(config).read_text(encoding="utf-8")
    assert "backend: {name: duckdb}" in text
    spark_config = Path(config).with_name("client_spark.yml")
    spark_config.write_text(
        text.replace("backend: {name: duckdb}", 'backend: {name: pyspark, master: "local[2]"}'),
        encoding="utf-8",
    )
    out = {}
    for name, path in (("duckdb", config), ("pyspark", spark_config)):
        run_dir = run_audit(path, out=base / f"reports-{name}", pdf=False, progress=False)
        out[name] = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return out


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path + ("<length>",), len(value)
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _same(a, b, rel_tol: float = REL_TOL) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)
    return a == b


def test_spark_audit_metrics_match_duckdb(runs):
    duck = {k: v for k, v in _leaves(runs["duckdb"]) if k[0] not in EXCLUDED}
    spark = {k: v for k, v in _leaves(runs["pyspark"]) if k[0] not in EXCLUDED}
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
