"""Step I formulas on tiny hand-checkable data; each expected value is computed by hand in the
comment beside it."""

from __future__ import annotations

import math

import ibis
import pandas as pd
import pytest

from clvlib import calculation
from clvlib.audit import Audit


def tx(rows, **extra):
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_ts", "revenue"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"], format="ISO8601")
    for name, values in extra.items():
        frame[name] = values
    return frame


SMALL = tx(
    [
        ("A", "1", "2024-01-01 10:00", 100.0),
        ("A", "2", "2024-01-01 18:00", 50.0),  # same day as order 1: one purchase day of 150
        ("A", "3", "2024-01-15", 30.0),
        ("A", "4", "2024-01-29", -30.0),  # a return document: not a purchase
        ("B", "5", "2024-01-08", 0.0),  # zero-value order: a purchase
        ("B", "6", "2024-01-22", 80.0),
        ("C", "7", "2024-02-05", 60.0),
    ]
)


def test_rfm_same_day_merge_returns_and_zero_value_orders():
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05")
    # A: purchase days 01-01, 01-15 -> frequency 1, recency 14 d = 2 w, T = 35 d = 5 w,
    #    monetary = value of the repeat day = 30 (the return is not a purchase)
    assert rfm.loc["A"].tolist() == [1, 2.0, 5.0, 30.0]
    # B: 01-08 (0.00) and 01-22 -> frequency 1, recency 2 w, T = 28 d = 4 w, monetary 80
    assert rfm.loc["B"].tolist() == [1, 2.0, 4.0, 80.0]
    # C: single purchase on the end date -> all zeros
    assert rfm.loc["C"].tolist() == [0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(("unit", "days"), [("D", 1.0), ("W", 7.0), ("M", 30.4375)])
def test_time_units(unit, days):
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05", time_unit=unit)
    assert rfm.loc["A", "T"] == pytest.approx(35 / days)
    assert rfm.loc["A", "recency"] == pytest.approx(14 / days)


def test_calibration_holdout_split():
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05", calibration_end="2024-01-10")
    # calibration ends 01-10: A has one purchase day (01-01), B one (01-08); C starts later
    assert list(rfm.index) == ["A", "B"]
    assert rfm["frequency"].tolist() == [0, 0]
    # holdout (01-10, 02-05]: A buys 01-15 (the 01-29 return is not a purchase); B buys 01-22
    assert rfm["frequency_holdout"].tolist() == [1, 1]
    assert rfm["duration_holdout"].iloc[0] == pytest.approx(26 / 7)
    assert rfm.loc["A", "T"] == pytest.approx(9 / 7)


def test_pandas_and_ibis_inputs_agree():
    table = ibis.duckdb.connect().create_table("t", SMALL)
    a = calculation.rfm_summary(SMALL, observation_end="2024-02-05")
    b = calculation.rfm_summary(table, observation_end="2024-02-05")
    pd.testing.assert_frame_equal(a, b)


def two_year_audit(**kwargs):
    # Window 2023-01-01 .. 2024-12-31 (731 days). Customers X, Y bought in year 1; X again in
    # year 2; Z only in year 2 (twice). Year boundary: end - 365.25 d (rounded) = 2023-12-31.
    rows = [
        ("X", "1", "2023-01-01", 100.0),
        ("Y", "2", "2023-06-01", 200.0),
        ("X", "3", "2024-03-01", 100.0),
        ("Z", "4", "2024-05-01", 40.0),
        ("Z", "5", "2024-07-01", 60.0),
        ("Y", "6", "2024-12-31", -50.0),  # Y returns goods in year 2: not a purchase
    ]
    return Audit.from_frames(tx(rows), observation_end="2024-12-31", **kwargs)


def test_simple_clv_factors_by_hand():
    audit = two_year_audit()
    value = calculation.simple_clv_table(audit).set_index("quantity")["value"]
    assert value["customers"] == 3
    assert value["orders"] == 5
    assert value["aov"] == pytest.approx((100 + 200 + 100 + 40 + 60) / 5)  # 100
    # last 12 months: purchases X(03-01), Z(05-01), Z(07-01) by 2 customers -> 1.5 a year
    assert value["purchase_frequency_per_year"] == pytest.approx(1.5)
    # year before last: X, Y; bought again in the last year: X -> r = 1/2
    assert value["retention_rate"] == pytest.approx(0.5)
    assert value["retention_years"] == pytest.approx(2.0)  # 1 / (1 - 0.5)
    assert value["gross_margin"] == pytest.approx(0.35)
    assert value["simple_clv"] == pytest.approx(100 * 1.5 * 2.0 * 0.35)  # 105
    m = 100 * 1.5 * 0.35  # 52.5 margin a year
    assert value["annual_margin_per_active_customer"] == pytest.approx(m)
    assert value["retention_formula_clv"] == pytest.approx(m * 0.5 / (1 + 0.10 - 0.5))
    assert value["repeat_rate"] == pytest.approx(2 / 3)  # X and Z bought twice


def test_retention_formula_closed_form():
    # m = 100, r = 0.8, d = 0.1: 100 * 0.8 / (1 + 0.1 - 0.8) = 266.67
    assert 100 * 0.8 / (1 + 0.1 - 0.8) == pytest.approx(266.6667, rel=1e-4)


def test_short_window_gives_nan_with_reason_not_a_made_up_number():
    audit = Audit.from_frames(SMALL, observation_end="2024-02-05")
    table = calculation.simple_clv_table(audit).set_index("quantity")
    assert math.isnan(table.loc["simple_clv", "value"])
    assert "24 months" in table.loc["retention_rate", "note"]
    assert "scaled to a year" in table.loc["purchase_frequency_per_year", "note"]


def test_historical_clv_includes_returns_and_margin():
    audit = two_year_audit()
    history = calculation.historical_clv_table(audit).set_index("customer_id")
    assert history.loc["Y", "revenue"] == pytest.approx(150.0)  # 200 - 50 return
    assert history.loc["Y", "orders"] == 1  # the return document is not a purchase
    assert history.loc["Y", "margin"] == pytest.approx(150 * 0.35)
    summary = calculation.historical_clv_summary(history.reset_index())
    # net revenue X 200, Y 150, Z 100 -> top 20 % = 1 customer (ceil 0.6) = 200 / 450
    assert summary["top20_share"] == pytest.approx(200 / 450)


def test_historical_margin_column_is_used_when_present():
    frame = tx(
        [("A", "1", "2024-01-01", 100.0), ("A", "2", "2024-02-01", 50.0)], margin=[40.0, 10.0]
    )
    audit = Audit.from_frames(frame)
    history = calculation.historical_clv_table(audit)
    assert history["margin"].iloc[0] == pytest.approx(50.0)


def test_ceiling_by_segment_uses_segment_aov_and_frequency():
    audit = two_year_audit(
        customers=pd.DataFrame(
            {"customer_id": ["X", "Y", "Z"], "acquisition_channel": ["ads", "ads", "referral"]}
        )
    )
    assert calculation.default_segment(audit) == "acquisition_channel"
    ceiling = calculation.acquisition_ceiling_table(audit, by="acquisition_channel")
    rows = ceiling.set_index("segment")
    assert rows.loc["all", "clv_ceiling"] == pytest.approx(105.0)
    # ads: X (100, 100) and Y (200): AOV 400/3; last 12 months 1 purchase by 1 customer -> 1/yr
    assert rows.loc["ads", "aov"] == pytest.approx(400 / 3)
    assert rows.loc["ads", "purchase_frequency_per_year"] == pytest.approx(1.0)
    assert rows.loc["ads", "clv_ceiling"] == pytest.approx(400 / 3 * 1.0 * 2.0 * 0.35)
    # referral: Z, AOV 50, 2 purchases a year
    assert rows.loc["referral", "clv_ceiling"] == pytest.approx(50 * 2 * 2.0 * 0.35)


def test_single_customer_single_purchase_does_not_crash():
    audit = Audit.from_frames(tx([("A", "1", "2024-01-01", 10.0)]))
    table = calculation.simple_clv_table(audit).set_index("quantity")["value"]
    assert table["customers"] == 1 and table["repeat_rate"] == 0.0
    history = calculation.historical_clv_table(audit)
    assert len(history) == 1


def test_plots_return_axes_with_titles():
    import matplotlib

    matplotlib.use("Agg")
    from clvlib import plots

    audit = two_year_audit()
    ax = plots.plot_clv_distribution(calculation.historical_clv_table(audit), title="T")
    assert ax.get_title() == "T"
    ceiling = calculation.acquisition_ceiling_table(audit)
    assert plots.plot_acquisition_ceiling(ceiling, title="C").get_title() == "C"
