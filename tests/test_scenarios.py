"""Scenario levers on the simple CLV decomposition, checked by hand arithmetic."""

from __future__ import annotations

import math

import pytest

from clvlib.scenarios import scenario_table, simple_clv

CALC = {
    "aov": 200.0,
    "purchase_frequency_per_year": 2.0,
    "retention_rate": 0.5,
    "gross_margin": 0.25,
    "customers": 1000,
    "simple_clv": 200.0,  # 200 × 2 × 0.25 / (1 − 0.5)
    "clv": {"mean": 150.0, "total": 150_000.0},
}


def test_simple_clv_is_the_worked_formula():
    assert simple_clv(200.0, 2.0, 0.5, 0.25) == pytest.approx(200.0)
    assert math.isnan(simple_clv(200.0, 2.0, 1.0, 0.25))  # no finite retention period


def test_levers_by_hand():
    table = scenario_table(
        CALC, {"retention": 0.1, "aov": 0.05, "frequency": 0.1, "cac": 0.2}, spend=50_000.0
    ).set_index("lever")
    # retention 0.5 → 0.6: period 2 → 2.5 years, CLV × 1.25
    assert table.loc["retention", "clv_change"] == pytest.approx(0.25)
    assert table.loc["retention", "clv_after"] == pytest.approx(187.5)  # 150 × 1.25
    assert table.loc["retention", "value_change"] == pytest.approx(37_500.0)  # 150,000 × 0.25
    assert table.loc["aov", "clv_change"] == pytest.approx(0.05)
    assert table.loc["frequency", "value_change"] == pytest.approx(15_000.0)
    assert table.loc["cac", "clv_change"] == 0.0
    assert table.loc["cac", "spend_change"] == pytest.approx(-10_000.0)  # 20 % of 50,000
    assert (table["basis"] == "predictive").all()


def test_without_the_predictive_clv_the_simple_one_is_the_basis():
    calc = {k: v for k, v in CALC.items() if k != "clv"}
    row = scenario_table(calc, {"aov": 0.1}).iloc[0]
    assert row["basis"] == "simple" and row["clv_before"] == 200.0
    assert row["value_change"] == pytest.approx(20_000.0)  # 200 × 1000 × 0.1


def test_unknown_lever_is_refused():
    with pytest.raises(ValueError, match="unknown lever"):
        scenario_table(CALC, {"price": 0.1})


def test_message_cap_by_hand():
    """Customers above the limit (2.0) move to its 3.0 expected clicks a year: 100 × (3 − 2)
    + 50 × (3 − 1) = 200 clicks; revenue per click 500 / 100 = 5; margin 0.3; 24 months:
    200 × 5 × 0.3 × 2 = 600."""
    from clvlib.scenarios import message_cap_scenario

    funnel = {
        "fatigue_limit_messages_per_week": 2.0,
        "fatigue": [
            {"messages_per_week": 1.0, "customers": 300, "expected_clicks_per_customer": 2.5},
            {"messages_per_week": 2.0, "customers": 200, "expected_clicks_per_customer": 3.0},
            {"messages_per_week": 3.0, "customers": 100, "expected_clicks_per_customer": 2.0},
            {"messages_per_week": 4.0, "customers": 50, "expected_clicks_per_customer": 1.0},
        ],
        "campaigns": [
            {"clicked": 60, "attributed_revenue": 300.0},
            {"clicked": 40, "attributed_revenue": 200.0},
        ],
    }
    row = message_cap_scenario(funnel, margin=0.3, horizon_months=24)
    assert row["lever"] == "messages" and row["change"] == 2.0
    assert row["value_change"] == pytest.approx(600.0)
    assert message_cap_scenario({}, margin=0.3, horizon_months=24) is None


# -- issue 16, defect 4: scenarios exist whenever a CLV does ---------------------------------------
#: a one-year orders-only client (the UK retailer of issue 16): a predictive CLV of 995, no
#: retention rate (under 24 months of data), so no simple CLV
PREDICTIVE_ONLY = {
    "aov": 20.0,
    "purchase_frequency_per_year": 4.0,
    "retention_rate": None,
    "gross_margin": 0.3,
    "customers": 4000,
    "simple_clv": None,
    "clv": {"mean": 995.0, "total": 3_980_000.0, "horizon_months": 36},
}


def test_scenarios_on_a_predictive_only_calculation_move_the_predictive_clv():
    """AOV +5 % and frequency +10 % scale the predictive CLV by 1.05 and 1.10 (995 → 1,044.75
    and 1,094.50; the base's 3.98 M by 199,000 and 398,000); retention has no rate to move and
    gives no row; the CAC lever is unchanged. Before the fix every row was NaN and the report
    said no CLV could be computed beside a CLV box of 995."""
    from clvlib.scenarios import scenario_basis

    assert scenario_basis(PREDICTIVE_ONLY) == "predictive_direct"
    table = scenario_table(
        PREDICTIVE_ONLY, {"retention": 0.05, "aov": 0.05, "frequency": 0.1, "cac": 0.1}, spend=1e4
    ).set_index("lever")
    assert list(table.index) == ["aov", "frequency", "cac"]
    assert table.loc["aov", "clv_after"] == pytest.approx(1044.75)
    assert table.loc["aov", "value_change"] == pytest.approx(199_000.0)
    assert table.loc["frequency", "clv_after"] == pytest.approx(1094.5)
    assert table.loc["cac", "clv_change"] == 0.0 and table.loc["cac", "spend_change"] == -1e3
    assert (table["basis"] == "predictive_direct").all()
    assert table[["clv_after", "clv_change", "value_change"]].notna().all().all()


def test_the_basis_is_none_only_without_any_clv():
    from clvlib.scenarios import scenario_basis

    assert scenario_basis(CALC) == "predictive"
    assert scenario_basis({k: v for k, v in CALC.items() if k != "clv"}) == "simple"
    nothing = {k: v for k, v in PREDICTIVE_ONLY.items() if k != "clv"}
    assert scenario_basis(nothing) == "none"
    assert scenario_basis(PREDICTIVE_ONLY | {"clv": {"mean": None}}) == "none"
    assert scenario_table(nothing, {"aov": 0.1})["clv_after"].isna().all()
