"""rfm_summary against the published CDNOW set-up.

References: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2) — the 1/10 sample of the CDNOW cohort of Q1 1997
(2,357 customers); the set-up and the sample checks are listed in ``shared/data/README.md``:
calibration 1997-01-01 … 1997-09-30 (39 weeks), holdout 1997-10-01 … 1998-06-30 (39 weeks),
weeks = days / 7, purchases on the same day are one purchase; 2,357 customers, Σ frequency =
2,457, 946 repeaters, 1,882 repeat transactions in the holdout. The per-customer reference
``cdnow_customers_summary.csv`` (frequency, recency, T in weeks, rounded to 2 decimals) ships
with lifetimes 0.11.3 (MIT; see tests/data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest

from clvlib.calculation import rfm_summary

DATA = Path(__file__).parent / "data"
SETUP = {"observation_end": "1998-06-30", "calibration_end": "1997-09-30"}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    frame = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str, "customer_id": "int64"},
    )
    frame["order_ts"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


@pytest.fixture(scope="module")
def summary(cdnow) -> pd.DataFrame:
    return rfm_summary(cdnow, **SETUP)


def test_published_sample_totals(summary):
    assert len(summary) == 2357
    assert summary["frequency"].sum() == 2457
    assert (summary["frequency"] > 0).sum() == 946
    assert summary["frequency_holdout"].sum() == 1882
    assert (summary["duration_holdout"] == 39.0).all()  # 273 days / 7


def test_zero_value_purchases_count(cdnow):
    # eight customers' only calibration purchase is worth $0.00: dropping those rows loses them
    assert (cdnow["revenue"] == 0).sum() == 8
    paid_only = rfm_summary(cdnow[cdnow["revenue"] > 0], **SETUP)
    assert len(paid_only) == 2357 - 8


def test_T_of_a_customer_first_buying_on_1_january(summary):
    # (1997-09-30 - 1997-01-01) = 272 days = 38.857 weeks; customer 1 bought on 1997-01-01
    assert summary.loc[1, "T"] == pytest.approx(272 / 7)
    assert round(summary.loc[1, "T"], 2) == 38.86


def test_matches_the_published_per_customer_summary(summary):
    reference = pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")
    assert len(reference) == 2357
    joined = summary.join(reference.add_suffix("_ref"), how="outer")
    assert joined.notna().all().all()  # the same 2,357 customers on both sides
    assert (joined["frequency"] == joined["frequency_ref"]).all()
    # the reference is rounded to 2 decimals
    assert (joined["recency"] - joined["recency_ref"]).abs().max() <= 0.01
    assert (joined["T"] - joined["T_ref"]).abs().max() <= 0.01


def test_monetary_value_is_the_mean_of_repeat_purchase_days(cdnow, summary):
    # Independent pandas computation: calibration rows, same-day values summed, each
    # customer's first purchase day dropped, mean of the rest; 0 without repeats.
    cal = cdnow[cdnow["order_ts"] <= "1997-09-30"]
    days = cal.groupby(["customer_id", "order_ts"], as_index=False)["revenue"].sum()
    days = days.sort_values(["customer_id", "order_ts"])
    repeat = days[days.duplicated("customer_id", keep="first")]
    expected = repeat.groupby("customer_id")["revenue"].mean()
    assert len(expected) == 946
    ours = summary["monetary_value"]
    pd.testing.assert_series_equal(
        ours.loc[expected.index], expected, check_names=False, rtol=1e-12
    )
    assert (ours.drop(expected.index) == 0).all()


def test_ibis_table_input_gives_the_same_summary(cdnow, summary):
    table = ibis.duckdb.connect().create_table("cdnow", cdnow)
    pd.testing.assert_frame_equal(rfm_summary(table, **SETUP), summary)
