"""Step I formulas on tiny hand-checkable data (clvlib.calculation, clvlib.plots).

Every expected value is worked out by hand in the comment beside it; the references are the
definitions in the module docstring of ``clvlib.calculation`` and, for the retention-rate
formula, the geometric series Σ_{t≥1} m r^t / (1 + d)^t = m r / (1 + d - r).
"""

from __future__ import annotations

import math

import ibis
import pandas as pd
import pytest

from clvlib import calculation
from clvlib.audit import Audit
from clvlib.errors import DataError


def tx(rows, **extra) -> pd.DataFrame:
    """Canonical transactions from (customer, order, timestamp, revenue) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_ts", "revenue"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"], format="ISO8601")
    for name, values in extra.items():
        frame[name] = values
    return frame


# -- rfm_summary ---------------------------------------------------------------------------------
SMALL = tx(
    [
        ("A", "1", "2024-01-01 10:00", 100.0),
        ("A", "2", "2024-01-01 18:00", 50.0),  # same day as order 1: one purchase day of 150
        ("A", "3", "2024-01-15", 30.0),
        ("A", "4", "2024-01-29", -30.0),  # a return document: not a purchase
        ("B", "5", "2024-01-08", 0.0),  # a zero-value order: a purchase
        ("B", "6", "2024-01-22", 80.0),
        ("C", "7", "2024-02-05", 60.0),
    ]
)


def test_rfm_same_day_merge_returns_and_zero_value_purchases():
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05")
    assert list(rfm.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert rfm.index.name == "customer_id"
    # A: purchase days 01-01 (two orders merged) and 01-15 -> frequency 1, recency 14 d = 2 w,
    #    T = 35 d = 5 w, monetary = the repeat day's value 30 (the 01-29 return is no purchase)
    assert rfm.loc["A"].tolist() == [1, 2.0, 5.0, 30.0]
    # B: 01-08 (0.00, still a purchase) and 01-22 -> frequency 1, recency 2 w, T 4 w, value 80
    assert rfm.loc["B"].tolist() == [1, 2.0, 4.0, 80.0]
    # C: one purchase on the end date -> zeros
    assert rfm.loc["C"].tolist() == [0, 0.0, 0.0, 0.0]
    assert rfm["frequency"].dtype == "int64"


def test_rfm_zero_value_first_purchase_starts_the_customer():
    # B's first purchase is worth 0.00: without it B would start on 01-22 with frequency 0
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05", time_unit="D")
    assert rfm.loc["B", "T"] == 28.0  # from 01-08


def test_rfm_returns_are_not_purchases_and_a_purchase_day_is_netted():
    rows = tx(
        [
            ("X", "o1", "2024-01-01", 100.0),
            ("X", "o1", "2024-01-01", -20.0),  # return line inside a purchase order
            ("X", "o2", "2024-01-08", -50.0),  # a return document on a day without purchase
            ("X", "o3", "2024-01-15", 30.0),
            ("X", "o3", "2024-01-15", 20.0),
            ("X", "o3", "2024-01-15", -10.0),  # return line: order o3 is worth 40
            ("X", "o4", "2024-01-15", 10.0),  # another order the same day
            ("X", "o5", "2024-01-15", -5.0),  # an exchange: return document the same day
            ("X", "o6", "2024-01-22", 70.0),  # flagged return with a positive amount
        ],
        is_return=[False, True, True, False, False, True, False, True, True],
    )
    rfm = calculation.rfm_summary(rows, observation_end="2024-01-29")
    # purchase days 01-01 and 01-15 (01-08 and 01-22 have returns only) -> frequency 1,
    # recency 2 w, T 4 w; the repeat day's net value 30 + 20 - 10 + 10 - 5 = 45
    assert rfm.loc["X"].tolist() == [1, 2.0, 4.0, 45.0]


@pytest.mark.parametrize(("unit", "days"), [("D", 1.0), ("W", 7.0), ("M", 30.4375)])
def test_rfm_time_units(unit, days):
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05", time_unit=unit)
    assert rfm.loc["A", "T"] == pytest.approx(35 / days)  # 2024-01-01 .. 2024-02-05
    assert rfm.loc["A", "recency"] == pytest.approx(14 / days)


def test_rfm_days_per_month_is_a_parameter():
    rfm = calculation.rfm_summary(
        SMALL, observation_end="2024-02-05", time_unit="M", days_per_month=35.0
    )
    assert rfm.loc["A", "T"] == pytest.approx(1.0)


def test_rfm_calibration_holdout_split():
    rfm = calculation.rfm_summary(SMALL, observation_end="2024-02-05", calibration_end="2024-01-10")
    # calibration ends 01-10: A has one purchase day there (01-01), B one (01-08); C's first
    # purchase (02-05) is after it, so C is left out
    assert list(rfm.index) == ["A", "B"]
    assert list(rfm.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "frequency_holdout",
        "duration_holdout",
    ]
    assert rfm["frequency"].tolist() == [0, 0]
    # holdout (01-10, 02-05]: A buys 01-15 (the 01-29 return is no purchase); B buys 01-22
    assert rfm["frequency_holdout"].tolist() == [1, 1]
    assert rfm["duration_holdout"].tolist() == pytest.approx([26 / 7, 26 / 7])
    assert rfm.loc["A", "T"] == pytest.approx(9 / 7)  # 01-01 .. 01-10
    assert rfm["monetary_value"].tolist() == [0.0, 0.0]  # no repeat in calibration


def test_rfm_end_defaults_to_the_last_transaction_and_later_rows_are_ignored():
    default = calculation.rfm_summary(SMALL)  # last transaction 2024-02-05
    explicit = calculation.rfm_summary(SMALL, observation_end="2024-02-05")
    pd.testing.assert_frame_equal(default, explicit)
    cut = calculation.rfm_summary(SMALL, observation_end="2024-01-20", time_unit="D")
    # C (02-05) is after the end; B's 01-22 purchase too -> B frequency 0, T = 12 d
    assert list(cut.index) == ["A", "B"]
    assert cut.loc["B"].tolist() == [0, 0.0, 12.0, 0.0]


def test_rfm_pandas_and_ibis_inputs_agree():
    table = ibis.duckdb.connect().create_table("t", SMALL)
    for kwargs in ({}, {"calibration_end": "2024-01-20"}):
        a = calculation.rfm_summary(SMALL, observation_end="2024-02-05", **kwargs)
        b = calculation.rfm_summary(table, observation_end="2024-02-05", **kwargs)
        pd.testing.assert_frame_equal(a, b)


def test_rfm_custom_column_names_and_no_input_mutation():
    renamed = SMALL.rename(columns={"customer_id": "cid", "order_ts": "when", "revenue": "usd"})
    before = renamed.copy()
    rfm = calculation.rfm_summary(
        renamed, customer_col="cid", datetime_col="when", monetary_col="usd"
    )
    assert rfm.index.name == "cid" and rfm.loc["A", "frequency"] == 1
    pd.testing.assert_frame_equal(renamed, before)


def test_rfm_bad_input_is_a_clear_error():
    with pytest.raises(DataError, match="no column 'revenue'"):
        calculation.rfm_summary(SMALL.drop(columns="revenue"))
    with pytest.raises(ValueError, match="time_unit"):
        calculation.rfm_summary(SMALL, time_unit="Y")
    with pytest.raises(ValueError, match="after observation_end"):
        calculation.rfm_summary(SMALL, observation_end="2024-01-10", calibration_end="2024-01-20")


def test_rfm_of_no_transactions_is_an_empty_frame():
    rfm = calculation.rfm_summary(SMALL.iloc[:0])
    assert rfm.empty and list(rfm.columns) == ["frequency", "recency", "T", "monetary_value"]


# -- orders --------------------------------------------------------------------------------------
def test_orders_net_return_lines_and_flag_return_documents():
    rows = tx(
        [
            ("A", "1", "2024-01-01 10:00", 100.0),
            ("A", "1", "2024-01-01 10:05", -20.0),  # return line in the same order
            ("A", "2", "2024-01-03", -50.0),  # a return document
        ]
    )
    o = calculation.orders(rows).to_pandas().set_index("order_id")
    assert o.loc["1", "revenue"] == 80.0 and bool(o.loc["1", "is_purchase"])
    assert o.loc["1", "order_ts"] == pd.Timestamp("2024-01-01 10:00")  # first line's time
    assert o.loc["2", "revenue"] == -50.0 and not bool(o.loc["2", "is_purchase"])


# -- a hand-made two-year window -----------------------------------------------------------------
# observation_end 2024-12-31: last 12 months = 2024-01-01 .. 2024-12-31, year before =
# 2023-01-01 .. 2023-12-31; the data start on 2023-01-01, so both years are fully observed.
TWO_YEARS = tx(
    [
        ("A", "1", "2023-01-01", 100.0),
        ("A", "2", "2023-06-01", 50.0),
        ("A", "3", "2024-03-01", 150.0),
        ("A", "3", "2024-03-01", -30.0),  # return line: order 3 is worth 120
        ("B", "4", "2023-02-01", 200.0),
        ("B", "5", "2024-12-31", -50.0),  # a return document: not a purchase
        ("C", "6", "2023-05-01", 80.0),
        ("C", "7", "2024-05-01", 0.0),  # a zero-value purchase
        ("C", "8", "2024-05-01", 40.0),  # a second order the same day
        ("D", "9", "2024-07-01", 60.0),  # new in the last year
        ("E", "10", "2023-12-31", 250.0),  # last day of the year before
    ]
)
SEGMENTS = pd.DataFrame(
    {"customer_id": ["A", "B", "C", "E"], "acquisition_channel": ["ads", "ads", "ref", "ref"]}
)


def two_year_audit(frame: pd.DataFrame = TWO_YEARS, **tables) -> Audit:
    return Audit.from_frames(frame, observation_end="2024-12-31", **tables)


def test_simple_clv_factors_by_hand():
    table = calculation.simple_clv_table(two_year_audit())
    assert list(table.columns) == ["quantity", "value", "unit", "definition", "note"]
    value = table.set_index("quantity")["value"]
    assert value["customers"] == 5
    assert value["orders"] == 9  # A 3, B 1, C 3, D 1, E 1 (B's return document is not one)
    # net purchase revenue 100+50+120 + 200 + 80+0+40 + 60 + 250 = 900 over 9 orders
    assert value["aov"] == pytest.approx(100.0)
    # last 12 months: A 1 order, C 2 orders (same day, not merged here), D 1 -> 4 orders by
    # 3 active customers
    assert value["purchase_frequency_per_year"] == pytest.approx(4 / 3)
    # bought in the year before: A, B, C, E; again in the last 12 months: A, C -> r = 2/4
    assert value["retention_rate"] == pytest.approx(0.5)
    assert value["retention_customers"] == 4
    assert value["retention_years"] == pytest.approx(2.0)  # 1 / (1 - 0.5)
    assert value["gross_margin"] == pytest.approx(0.35)  # client.yml default
    assert value["simple_clv"] == pytest.approx(100 * 4 / 3 * 2.0 * 0.35)  # 93.33
    m = 100 * 4 / 3 * 0.35  # 46.67 margin a year per active customer
    assert value["annual_margin_per_active_customer"] == pytest.approx(m)
    assert value["annual_discount_rate"] == pytest.approx(0.10)
    assert value["retention_formula_clv"] == pytest.approx(m * 0.5 / (1 + 0.10 - 0.5))  # 38.89
    assert value["repeat_rate"] == pytest.approx(2 / 5)  # A and C
    # comparison figure: 9 orders / (730 + 699 + 610 + 183 + 366) days * 365.25
    assert value["purchases_per_customer_year_observed"] == pytest.approx(9 * 365.25 / 2588)
    # margin so far: net revenue 900 - 50 (B's return document) = 850 at 35 %, over 5 customers
    assert value["historical_margin_per_customer"] == pytest.approx(850 / 5 * 0.35)
    assert (table["note"] == "").all()


def test_retention_interval_is_the_wilson_score_interval():
    from scipy.stats import binomtest

    low, high = calculation.wilson_interval(81, 263)
    ref = binomtest(81, 263).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((ref.low, ref.high))
    assert (low, high) == pytest.approx((0.2553, 0.3662), abs=1e-4)  # Newcombe (1998), table I
    value = calculation.simple_clv_table(two_year_audit()).set_index("quantity")["value"]
    ref = binomtest(2, 4).proportion_ci(method="wilson")
    assert value["retention_rate_ci_low"] == pytest.approx(ref.low)
    assert value["retention_rate_ci_high"] == pytest.approx(ref.high)


def test_retention_formula_closed_form():
    # m = 100, r = 0.8, d = 0.1: 100 * 0.8 / (1 + 0.1 - 0.8) = 266.67
    assert calculation.retention_clv(100, 0.8, 0.1) == pytest.approx(266.6667, rel=1e-6)
    # the same as the discounted geometric series of the following years' margins
    series = sum(100 * 0.8**t / 1.1**t for t in range(1, 400))
    assert calculation.retention_clv(100, 0.8, 0.1) == pytest.approx(series)
    assert calculation.retention_clv(100, 0.0, 0.1) == 0.0
    assert math.isnan(calculation.retention_clv(100, 1.2, 0.1))


def test_margin_column_gives_the_realised_margin_rate():
    frame = TWO_YEARS.assign(margin=TWO_YEARS["revenue"] * 0.5)  # margin 50 % of revenue
    value = calculation.simple_clv_table(two_year_audit(frame)).set_index("quantity")
    assert value.loc["gross_margin", "value"] == pytest.approx(0.5)
    assert "margin column" in value.loc["gross_margin", "definition"]
    assert value.loc["simple_clv", "value"] == pytest.approx(100 * 4 / 3 * 2.0 * 0.5)


def test_window_shorter_than_12_months_gives_nan_with_reason_not_a_made_up_number():
    audit = Audit.from_frames(SMALL, observation_end="2024-02-05")
    table = calculation.simple_clv_table(audit).set_index("quantity")
    # 6 purchase orders worth 100 + 50 + 30 + 0 + 80 + 60 = 320 (the return is not one)
    assert table.loc["aov", "value"] == pytest.approx(320 / 6)
    for q in ("purchase_frequency_per_year", "retention_rate", "retention_years", "simple_clv"):
        assert math.isnan(table.loc[q, "value"]), q
    assert "shorter than 12 months" in table.loc["purchase_frequency_per_year", "note"]
    assert "shorter than 24 months" in table.loc["retention_rate", "note"]
    assert table.loc["simple_clv", "note"] == table.loc["purchase_frequency_per_year", "note"]
    assert math.isnan(table.loc["retention_formula_clv", "value"])


def test_window_of_18_months_has_a_frequency_but_no_retention():
    rows = tx([("A", "1", "2023-07-01", 10.0), ("A", "2", "2024-03-01", 30.0)])
    audit = Audit.from_frames(rows, observation_end="2024-12-31")
    value = calculation.simple_clv_table(audit).set_index("quantity")
    assert value.loc["purchase_frequency_per_year", "value"] == pytest.approx(1.0)
    assert math.isnan(value.loc["retention_rate", "value"])
    assert "24 months" in value.loc["simple_clv", "note"]


def test_no_repeaters():
    rows = tx(
        [
            ("P", "1", "2023-01-01", 40.0),
            ("Q", "2", "2023-06-01", 60.0),
            ("R", "3", "2024-06-01", 50.0),
        ]
    )
    value = calculation.simple_clv_table(two_year_audit(rows)).set_index("quantity")
    # P and Q bought in the year before, neither again: r = 0 -> one year of retention
    assert value.loc["retention_rate", "value"] == 0.0
    assert value.loc["retention_years", "value"] == 1.0
    assert value.loc["purchase_frequency_per_year", "value"] == 1.0  # R's single purchase
    assert value.loc["simple_clv", "value"] == pytest.approx(50 * 1 * 1 * 0.35)
    assert value.loc["retention_formula_clv", "value"] == 0.0
    assert value.loc["repeat_rate", "value"] == 0.0
    assert "more than once" in value.loc["repeat_rate", "note"]


def test_every_customer_retained_gives_the_cap_not_infinity():
    """Issue 17: r = 1 makes 1 / (1 − r) unbounded; the retention period is the cap
    (``economics.retention_period_cap_years``, 10 years by default), never inf or NaN."""
    rows = tx([("A", "1", "2023-01-01", 10.0), ("A", "2", "2024-03-01", 10.0)])
    value = calculation.simple_clv_table(two_year_audit(rows)).set_index("quantity")
    assert value.loc["retention_rate", "value"] == 1.0
    assert value.loc["retention_years", "value"] == 10.0
    assert math.isnan(value.loc["retention_years_uncapped", "value"])  # unbounded, not inf
    assert value.loc["retention_cap_binds", "value"] == 1.0
    assert "unbounded" in value.loc["retention_years", "note"]
    assert value.loc["simple_clv", "value"] == pytest.approx(10 * 1 * 10 * 0.35)
    assert value["value"].dropna().map(math.isfinite).all()


def test_single_customer_single_purchase_does_not_crash():
    audit = Audit.from_frames(tx([("A", "1", "2024-01-01", 10.0)]))
    value = calculation.simple_clv_table(audit).set_index("quantity")["value"]
    assert value["customers"] == 1 and value["orders"] == 1 and value["aov"] == 10.0
    assert value["repeat_rate"] == 0.0 and math.isnan(value["simple_clv"])
    assert len(calculation.historical_clv_table(audit)) == 1
    ceiling = calculation.acquisition_ceiling_table(audit)
    assert ceiling["customers"].tolist() == [1] and math.isnan(ceiling["clv_ceiling"].iloc[0])
    assert ceiling["note"].iloc[0]


# -- value so far --------------------------------------------------------------------------------
def test_historical_clv_includes_returns():
    history = calculation.historical_clv_table(two_year_audit())
    assert list(history.columns) == [
        "customer_id",
        "first_purchase",
        "last_purchase",
        "orders",
        "purchase_days",
        "revenue",
        "margin",
        "tenure_years",
    ]
    h = history.set_index("customer_id")
    assert list(h.index) == ["A", "B", "C", "D", "E"]
    assert h.loc["A", "revenue"] == pytest.approx(270.0)  # 100 + 50 + (150 - 30)
    assert h.loc["B", "revenue"] == pytest.approx(150.0)  # 200 - 50 return document
    assert h.loc["B", "orders"] == 1  # the return document is not a purchase
    assert h.loc["B", "last_purchase"] == pd.Timestamp("2023-02-01")
    assert h.loc["B", "margin"] == pytest.approx(150 * 0.35)
    assert h.loc["C", "orders"] == 3  # orders, not purchase days
    assert h.loc["A", "tenure_years"] == pytest.approx(730 / 365.25)  # 2023-01-01 .. 2024-12-31


def test_historical_margin_column_with_gaps():
    frame = tx(
        [("A", "1", "2024-01-01", 100.0), ("A", "2", "2024-02-01", 50.0)], margin=[40.0, None]
    )
    history = calculation.historical_clv_table(Audit.from_frames(frame))
    assert history["margin"].iloc[0] == pytest.approx(40.0 + 50 * 0.35)  # gap at 35 %


def test_historical_clv_summary_by_hand():
    summary = calculation.historical_clv_summary(calculation.historical_clv_table(two_year_audit()))
    # net revenue A 270, B 150, C 120, D 60, E 250 = 850; margin = 35 % of it
    assert summary["customers"] == 5
    assert summary["mean_margin"] == pytest.approx(850 / 5 * 0.35)
    assert summary["median_margin"] == pytest.approx(150 * 0.35)
    assert summary["max_margin"] == pytest.approx(270 * 0.35)
    assert summary["top20_share"] == pytest.approx(270 / 850)  # ceil(0.2 * 5) = 1 customer
    assert summary["top_customer_share"] == pytest.approx(270 / 850)
    assert summary["repeat_rate"] == pytest.approx(2 / 5)


# -- acquisition-cost ceiling --------------------------------------------------------------------
def test_ceiling_by_segment_uses_segment_aov_and_frequency():
    audit = two_year_audit(customers=SEGMENTS)
    assert calculation.default_segment(audit) == "acquisition_channel"
    ceiling = calculation.acquisition_ceiling_table(audit, by="acquisition_channel")
    assert list(ceiling["segment"]) == ["all", "ads", "ref", "(unknown)"]
    rows = ceiling.set_index("segment")
    assert rows.loc["all", "clv_ceiling"] == pytest.approx(100 * 4 / 3 * 2.0 * 0.35)
    assert rows.loc["all", "historical_margin_mean"] == pytest.approx(850 / 5 * 0.35)
    # ads = A, B: 4 orders worth 270 + 200 -> AOV 117.5; last 12 months A 1 order -> 1 a year;
    # overall retention years 2 and margin 35 %
    assert rows.loc["ads", "aov"] == pytest.approx(117.5)
    assert rows.loc["ads", "purchase_frequency_per_year"] == pytest.approx(1.0)
    assert rows.loc["ads", "clv_ceiling"] == pytest.approx(117.5 * 1.0 * 2.0 * 0.35)  # 82.25
    assert rows.loc["ads", "historical_margin_mean"] == pytest.approx((270 + 150) / 2 * 0.35)
    # ref = C, E: AOV (120 + 250) / 4 = 92.5; last 12 months C 2 orders, 1 active -> 2 a year
    assert rows.loc["ref", "clv_ceiling"] == pytest.approx(92.5 * 2.0 * 2.0 * 0.35)  # 129.5
    # D is not in the customers table
    assert rows.loc["(unknown)", "clv_ceiling"] == pytest.approx(60 * 1 * 2.0 * 0.35)
    segments = ceiling[ceiling["segment"] != "all"]
    assert segments["customers"].sum() == 5 and segments["orders"].sum() == 9
    assert (ceiling["retention_years"] == 2.0).all()
    assert "only 1 active customer(s)" in rows.loc["ads", "note"]


def test_ceiling_by_the_channel_of_the_first_purchase():
    rows = tx(
        [
            ("A", "1", "2023-01-01", -10.0),  # a return before A's first purchase: ignored
            ("A", "2", "2023-02-01", 100.0),
            ("A", "3", "2024-02-01", 100.0),
            ("B", "4", "2023-03-01", 50.0),
        ],
        channel=["shop", "app", "shop", "shop"],
    )
    audit = two_year_audit(rows)
    assert calculation.default_segment(audit) == "channel"
    rows = calculation.acquisition_ceiling_table(audit, by="channel").set_index("segment")
    assert rows.loc["app", "customers"] == 1 and rows.loc["app", "orders"] == 2  # A
    assert rows.loc["shop", "customers"] == 1  # B
    # B bought nothing in the last 12 months: no frequency, NaN ceiling with the reason
    assert math.isnan(rows.loc["shop", "clv_ceiling"])
    assert "no purchases in the last 12 months" in rows.loc["shop", "note"]


def test_ceiling_by_an_unknown_column_is_a_data_error():
    with pytest.raises(DataError, match="region"):
        calculation.acquisition_ceiling_table(two_year_audit(), by="region")
    assert calculation.default_segment(two_year_audit()) is None


# -- plots ---------------------------------------------------------------------------------------
def test_plots_return_axes_with_titles():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from clvlib import plots

    plots.style()
    audit = two_year_audit(customers=SEGMENTS)
    history = calculation.historical_clv_table(audit)
    simple = calculation.simple_clv_table(audit)
    ceiling = calculation.acquisition_ceiling_table(audit, by="acquisition_channel")
    drawn = [
        plots.plot_clv_distribution(history),
        plots.plot_acquisition_ceiling(ceiling),
        plots.plot_acquisition_ceiling(calculation.acquisition_ceiling_table(audit)),
        plots.plot_simple_clv(simple),
        plots.plot_simple_clv(simple, title="CLV", fmt=lambda v: f"{v:.2f} zł"),
    ]
    for ax in drawn:
        assert isinstance(ax, Axes) and ax.get_title()
    assert drawn[-1].get_title() == "CLV"
    # four stages: AOV 100, revenue a year 133.33, lifetime revenue 266.67, CLV 93.33
    widths = sorted(p.get_width() for p in drawn[-1].patches)
    assert widths == pytest.approx([93.3333, 100.0, 133.3333, 266.6667], rel=1e-4)
    assert len(drawn[1].patches) == 3  # one bar per segment
    _, ax = plt.subplots()
    assert plots.plot_clv_distribution(history, ax=ax, title="Ś") is ax
    plt.close("all")


def test_repeat_rate_counts_purchase_days_like_step_iv():
    """Issue 16 (zoo): step I counted a customer with two orders on one day as a repeat buyer
    and step IV did not, so the report gave two repeat rates (0.90 and 0.87 on one client).
    One definition: bought on two or more days (same-day orders are one purchase, as in the
    models). By hand: F's two orders share a day -> not a repeater; A and C bought on 2+ days."""
    from clvlib import retention

    same_day = tx([("F", "11", "2024-02-01", 30.0), ("F", "12", "2024-02-01", 20.0)])
    audit = two_year_audit(pd.concat([TWO_YEARS, same_day], ignore_index=True))
    value = calculation.simple_clv_table(audit).set_index("quantity")["value"]
    history = calculation.historical_clv_table(audit)
    assert value["repeat_rate"] == pytest.approx(2 / 6)
    assert calculation.historical_clv_summary(history)["repeat_rate"] == pytest.approx(2 / 6)
    assert retention.retention_summary(audit)["repeat_rate"] == pytest.approx(2 / 6)
    assert history.set_index("customer_id").loc["F", ["orders", "purchase_days"]].tolist() == [2, 1]
