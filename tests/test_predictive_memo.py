"""Step I's fits kept by the run cache (``run_cache.remembered``, issue 20).

A re-run whose economics changed (margin, horizon, discount rate) reuses the transaction and
spend models, the bootstrap replicates, the segment models and the holdout validation; a changed
model setting (the model, the replicates' count or seed) or other customers refit. References: a
count of the fits each call runs, and cold computations (no run directory: nothing kept) of the
same settings, which the kept ones must equal exactly.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import clvlib
from clvlib import predictive
from clvlib.data.demo import write_demo
from clvlib.models.bgnbd import BGNBD

MARGIN = 0.35


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-memo")
    config = write_demo(out, customers=3000, seed=8, progress=False)
    return clvlib.open_audit(config, None), out


class CountedBGNBD(BGNBD):
    """BG/NBD counting its fits (module level: the run cache pickles the fitted model)."""

    calls: dict[str, int] = {}

    def fit(self, rfm):
        CountedBGNBD.calls["model"] += 1
        return super().fit(rfm)


@pytest.fixture
def counted(monkeypatch):
    """How often each kept computation ran: the BG/NBD fits, the spend fits, the bootstrap
    replicates, the segment models and the holdout validation's model comparison."""
    calls = {"model": 0, "spend": 0, "bootstrap": 0, "segments": 0, "validation": 0, "sums": 0}
    monkeypatch.setattr(CountedBGNBD, "calls", calls)

    def wrap(name, function):
        def counting(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        monkeypatch.setattr(predictive, function.__name__, counting)

    models = dict(predictive.TRANSACTION_MODELS, **{"BG/NBD": CountedBGNBD})
    monkeypatch.setattr(predictive, "TRANSACTION_MODELS", models)
    wrap("spend", predictive.fit_spend_model)
    wrap("bootstrap", predictive.bootstrap_fits)
    wrap("segments", predictive.segment_fits)
    wrap("validation", predictive.model_comparison)
    wrap("sums", predictive.segment_unit_sums)
    return calls


def in_run(audit, root, key="load-1", **economics):
    """``audit`` as a run sees it: a run directory under ``root`` and a load key."""
    if economics:
        audit = audit.with_settings(economics=economics)
    return dataclasses.replace(audit, run_dir=root / "client" / "run", data_key=key)


def clv(audit, *, margin=MARGIN, model="BG/NBD", n_boot=6, seed=1) -> dict:
    return predictive.predictive_clv(
        audit, model, margin=margin, segment="region", n_boot=n_boot, seed=seed
    )


def assert_same(a: dict, b: dict) -> None:
    for key in ("intervals", "customers", "ceilings"):
        pd.testing.assert_frame_equal(a[key], b[key], check_exact=True)
    assert a["model"].params_ == b["model"].params_
    assert a["interval_method"] == b["interval_method"]


def test_economics_reuse_the_fits_and_equal_a_cold_run(demo, counted, tmp_path):
    audit, _ = demo
    first = clv(in_run(audit, tmp_path))
    made = dict(counted)
    assert made["model"] == made["spend"] == made["bootstrap"] == made["sums"] == 1
    assert made["segments"] == 1
    assert_same(first, clv(audit))  # a cold call (no run directory) gives the same
    cold_calls = {k: counted[k] - made[k] for k in counted}
    assert cold_calls["bootstrap"] == 1  # the cold call did refit: it kept nothing
    made = dict(counted)
    for margin, economics in ((0.5, {}), (MARGIN, {"horizon_months": 24}),
                              (MARGIN, {"annual_discount_rate": 0.2})):  # fmt: skip
        kept = clv(in_run(audit, tmp_path, **economics), margin=margin)
        # nothing refitted; the replicates' CLV sums are recomputed for a new horizon or
        # discount rate only (they are proportional to the margin)
        assert counted == dict(made, sums=made["sums"] + bool(economics)), economics
        cold = clv(audit.with_settings(economics=economics) if economics else audit,
                   margin=margin)  # fmt: skip
        assert_same(kept, cold)
        made = dict(counted)
    assert not kept["intervals"].equals(first["intervals"])  # the economics did change it


def test_a_changed_model_setting_refits(demo, counted, tmp_path):
    audit, _ = demo
    clv(in_run(audit, tmp_path))
    made = dict(counted)
    clv(in_run(audit, tmp_path), n_boot=7)
    assert counted["bootstrap"] == made["bootstrap"] + 1
    assert counted["model"] == made["model"] and counted["spend"] == made["spend"]
    clv(in_run(audit, tmp_path), seed=2)
    assert counted["bootstrap"] == made["bootstrap"] + 2
    clv(in_run(audit, tmp_path), model="MBG/NBD")
    assert counted["bootstrap"] == made["bootstrap"] + 3 and counted["spend"] == made["spend"] + 1
    clv(in_run(audit, tmp_path, key="load-2"))  # other data: everything again
    assert counted["model"] == made["model"] + 1


def test_holdout_validation_is_kept(demo, monkeypatch, tmp_path):
    audit, _ = demo
    if audit.calibration_end is None:
        pytest.skip("the demo has no holdout")
    compared = []
    comparison = predictive.model_comparison
    monkeypatch.setattr(predictive, "model_comparison",
                        lambda *a, **k: compared.append(1) or comparison(*a, **k))  # fmt: skip
    first = predictive.validate_models(in_run(audit, tmp_path))
    assert len(compared) == 1 and np.isfinite(first["summary"]["interval_low"])
    again = predictive.validate_models(in_run(audit, tmp_path, gross_margin=0.5))
    assert len(compared) == 1
    cold = predictive.validate_models(audit)
    assert len(compared) == 2
    for result in (again, cold):
        assert result["chosen"] == first["chosen"]
        assert result["summary"] == first["summary"]
        pd.testing.assert_frame_equal(result["comparison"], first["comparison"], check_exact=True)
        pd.testing.assert_frame_equal(result["tracking"], first["tracking"], check_exact=True)


def test_the_fingerprint_sees_one_value_change(demo):
    audit, _ = demo
    rfm = predictive.customer_summary(audit)
    moved = rfm.copy()
    moved.iloc[17, moved.columns.get_loc("T")] = np.nextafter(moved["T"].iloc[17], np.inf)
    assert predictive.fingerprint(rfm) == predictive.fingerprint(rfm.copy())
    assert predictive.fingerprint(moved) != predictive.fingerprint(rfm)
    other_ids = rfm.set_axis(rfm.index[::-1])  # the same rows for other customers
    assert predictive.fingerprint(other_ids) != predictive.fingerprint(rfm)


def test_the_channel_covariate_fit_is_kept_across_economics(demo, counted, tmp_path, monkeypatch):
    """The per-channel covariate model (issue 18) depends on the customers, their channels and
    loyalty flags only: a margin change reuses it and equals a cold call; one changed loyalty
    flag refits it."""
    audit, _ = demo
    fits = {"n": 0}
    fit = predictive.fit_covariate_model

    def counting(*args, **kwargs):
        fits["n"] += 1
        return fit(*args, **kwargs)

    monkeypatch.setattr(predictive, "fit_covariate_model", counting)

    def by_channel(audit, margin=MARGIN):
        return predictive.predictive_clv(
            audit, "BG/NBD", margin=margin, segment="acquisition_channel", n_boot=6, seed=1
        )

    first = by_channel(in_run(audit, tmp_path))
    assert fits["n"] == 1 and first["covariates"] is not None
    kept = by_channel(in_run(audit, tmp_path), margin=0.5)
    assert fits["n"] == 1  # reused
    cold = by_channel(audit, margin=0.5)  # no run directory: fitted again
    assert fits["n"] == 2
    assert_same(kept, cold)
    assert kept["covariates"] == cold["covariates"]
    members = predictive.loyalty_members(audit)
    assert members is not None
    flipped = members.copy()
    flipped.iloc[0] = 1 - flipped.iloc[0]
    monkeypatch.setattr(predictive, "loyalty_members", lambda audit: flipped)
    by_channel(in_run(audit, tmp_path))
    assert fits["n"] == 3  # other members: refitted
