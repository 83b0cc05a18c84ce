"""Our CLV reproduces lifetimes 0.11.3 on CDNOW (an independent implementation).

Reference: ``tests/data/lifetimes_cdnow_clv.json``, written by ``python -m benchmarks`` running
lifetimes in its own virtualenv: BetaGeoFitter + GammaGammaFitter on the 39-week calibration
period (days / 7, as the published summary) and ``customer_lifetime_value(time=12,
discount_rate=0.01, freq="W")``, which steps 4.345 weeks (30.415 days) a month.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from clvlib.calculation import rfm_summary
from clvlib.models import BGNBD, GammaGamma, customer_lifetime_value

DATA = Path(__file__).parent / "data"
REFERENCE = json.loads((DATA / "lifetimes_cdnow_clv.json").read_text())


@pytest.fixture(scope="module")
def rfm() -> pd.DataFrame:
    frame = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str, "customer_id": "int64"},
    )
    frame["order_ts"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return rfm_summary(frame, observation_end="1997-09-30")


def with_params(model, params):
    model.params_ = dict(params)
    return model


def lifetimes_clv(rfm, bgnbd, gammagamma):
    return customer_lifetime_value(
        bgnbd,
        gammagamma,
        rfm,
        horizon_months=12,
        monthly_discount_rate=0.01,
        time_unit="W",
        days_per_month=30.415,
    )


def test_same_summary_as_lifetimes(rfm):
    assert len(rfm) == REFERENCE["customers"]
    assert rfm["frequency"].sum() == REFERENCE["sum_frequency"]
    for row in REFERENCE["clv_first_customers"]:
        ours = rfm.loc[row["customer_id"]]
        for column in ("frequency", "recency", "T", "monetary_value"):
            assert ours[column] == pytest.approx(row[column], rel=1e-12)


def test_clv_with_lifetimes_parameters_is_exactly_lifetimes_clv(rfm):
    bgnbd = with_params(BGNBD(), REFERENCE["bgnbd"]["params"])
    gammagamma = with_params(GammaGamma(), REFERENCE["gammagamma"]["params"])
    clv = lifetimes_clv(rfm, bgnbd, gammagamma)
    spend = gammagamma.expected_spend(rfm)
    for row in REFERENCE["clv_first_customers"]:
        position = rfm.index.get_loc(row["customer_id"])
        assert spend[position] == pytest.approx(row["expected_spend"], rel=1e-10)
        assert clv.iloc[position] == pytest.approx(row["clv"], rel=1e-10)
    assert clv.sum() == pytest.approx(REFERENCE["clv_total"], rel=1e-10)


def test_our_fits_give_lifetimes_estimates_and_clv(rfm):
    bgnbd, gammagamma = BGNBD().fit(rfm), GammaGamma().fit(rfm)
    assert bgnbd.log_likelihood_ == pytest.approx(REFERENCE["bgnbd"]["log_likelihood"], abs=1e-4)
    assert gammagamma.log_likelihood_ == pytest.approx(
        REFERENCE["gammagamma"]["log_likelihood"], abs=1e-4
    )
    for name, value in REFERENCE["bgnbd"]["params"].items():
        assert bgnbd.params_[name] == pytest.approx(value, rel=1e-3)
    assert lifetimes_clv(rfm, bgnbd, gammagamma).sum() == pytest.approx(
        REFERENCE["clv_total"], rel=1e-4
    )
