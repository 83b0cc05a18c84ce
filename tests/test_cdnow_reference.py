"""rfm_summary against the published CDNOW set-up (Fader, Hardie & Lee 2005, "Counting your
customers the easy way"; checks listed in shared/data/README.md): calibration 1997-01-01 …
1997-09-30 (39 weeks), holdout to 1998-06-30, weeks = days / 7, same-day purchases merged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clvlib.calculation import rfm_summary

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    frame = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str, "customer_id": int},
    )
    frame["order_ts"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


@pytest.fixture(scope="module")
def summary(cdnow) -> pd.DataFrame:
    return rfm_summary(cdnow, observation_end="1998-06-30", calibration_end="1997-09-30")


def test_published_sample_totals(summary):
    assert len(summary) == 2357
    assert summary["frequency"].sum() == 2457
    assert (summary["frequency"] > 0).sum() == 946
    assert summary["frequency_holdout"].sum() == 1882
    assert (summary["duration_holdout"] == 39.0).all()


def test_matches_the_published_per_customer_summary(summary):
    reference = pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")
    ours = summary.copy()
    ours.index = ours.index.astype(int)
    joined = ours.join(reference.add_suffix("_ref"))  # reference rounded to 2 decimals
    assert (joined["frequency"] == joined["frequency_ref"]).all()
    assert (joined["recency"] - joined["recency_ref"]).abs().max() < 0.006
    assert (joined["T"] - joined["T_ref"]).abs().max() < 0.006


def test_monetary_value_is_mean_of_repeat_purchase_days(cdnow, summary):
    # Independent pandas computation: same-day values summed, first purchase day dropped.
    cal = cdnow[cdnow["order_ts"] <= "1997-09-30"]
    days = cal.groupby(["customer_id", "order_ts"])["revenue"].sum().reset_index()
    days = days.sort_values(["customer_id", "order_ts"])
    repeat = days[days.duplicated("customer_id", keep="first")]
    expected = repeat.groupby("customer_id")["revenue"].mean()
    ours = summary["monetary_value"].copy()
    ours.index = ours.index.astype(int)
    pd.testing.assert_series_equal(ours.loc[expected.index], expected, check_names=False, atol=1e-9)
    assert (ours.drop(expected.index) == 0).all()
