"""Holdout validation on CDNOW (calibration to 1997-09-30, holdout to 1998-06-30): the actual
holdout total is the published 1,882 repeat transactions; predicted figures are checked against
the model's own conditional expectations computed independently, customer by customer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clvlib.calculation import rfm_summary
from clvlib.models.bgnbd import BGNBD
from clvlib.models.holdout import conditional_expectations, holdout_summary, model_comparison

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def split():
    df = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str},
    )
    df["order_ts"] = pd.to_datetime(df["date"], format="%Y%m%d")
    rfm = rfm_summary(df, observation_end="1998-06-30", calibration_end="1997-09-30")
    return rfm, BGNBD().fit(rfm)


def test_summary_totals_and_errors(split):
    rfm, model = split
    check = holdout_summary(model, rfm)
    assert check["actual_total"] == 1882  # published CDNOW holdout repeat transactions
    predicted = np.array(
        [model.expected_purchases(39.0, rfm.iloc[[i]])[0] for i in range(0, len(rfm), 97)]
    )
    assert predicted == pytest.approx(
        model.expected_purchases(39.0, rfm)[::97], rel=1e-12
    )  # vectorised = row by row
    full = model.expected_purchases(39.0, rfm)
    assert check["predicted_total"] == pytest.approx(full.sum())
    assert check["mae"] == pytest.approx(np.abs(rfm["frequency_holdout"] - full).mean())
    assert 0.5 < check["correlation"] < 1


def test_conditional_expectations_pool_the_tail(split):
    rfm, model = split
    table = conditional_expectations(model, rfm, max_frequency=7)
    assert table["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert (table["actual"] * table["customers"]).sum() == pytest.approx(1882)
    assert table.loc[0, "customers"] == 1411  # 2,357 − 946 repeaters


def test_model_comparison_orders_by_aic(split):
    rfm, model = split
    table = model_comparison({"BG/NBD": model}, rfm)
    assert table.loc[0, "aic"] == pytest.approx(model.aic_)
    assert set(table.columns) >= {"log_likelihood", "aic", "bic", "holdout_mae"}


def test_tracking_table_reaches_the_published_cumulative_totals():
    from clvlib.models.holdout import tracking_table

    df = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str},
    )
    days = df.assign(day=pd.to_datetime(df["date"], format="%Y%m%d"))[["customer_id", "day"]]
    days = days.drop_duplicates()
    first = days.groupby("customer_id")["day"].min()
    repeat = days.merge(first.rename("first"), on="customer_id")
    repeat = repeat[repeat["day"] > repeat["first"]]
    model = BGNBD().fit(pd.read_csv(DATA / "cdnow_customers_summary.csv"))
    table = tracking_table(
        model,
        first.value_counts().sort_index(),
        repeat["day"].value_counts().sort_index(),
        start="1997-01-01",
        end="1998-06-30",
        calibration_end="1997-09-30",
    ).set_index("week")
    # published: Σ calibration frequency 2,457; plus 1,882 holdout repeat transactions
    assert table.loc[39, "actual"] == 2457 and table.loc[39, "period"] == "calibration"
    assert table.loc[78, "actual"] == 2457 + 1882 and table.loc[78, "period"] == "holdout"
    assert table["expected"].is_monotonic_increasing
    # the last expectation, customer by customer: Σ_i E[X(days since first purchase / 7)]
    elapsed = ((pd.Timestamp("1998-06-30") - first).dt.days + 1) / 7
    direct = model.expected_purchases_new_customer(elapsed.to_numpy()).sum()
    assert table.loc[78, "expected"] == pytest.approx(direct, rel=1e-10)
    # every week (E[X(t)] of all weeks' cohorts in one call): the bits of a call per week,
    # Σ_j n_j E[X(t_w − t_j)] over the cohorts that had started by the week's end
    counts = first.value_counts().sort_index()
    cohort_days = pd.to_datetime(counts.index)
    for week in (1, 2, 39, 40, 78):
        week_end = min(pd.Timestamp("1997-01-07") + pd.Timedelta(weeks=week - 1),
                       pd.Timestamp("1998-06-30"))  # fmt: skip
        weeks = ((week_end - cohort_days).days.to_numpy() + 1) / 7.0
        started = weeks > 0
        own = np.dot(counts.to_numpy(dtype=float)[started],
                     model.expected_purchases_new_customer(weeks[started]))  # fmt: skip
        assert table.loc[week, "expected"] == float(own)
