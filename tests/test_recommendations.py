"""Recommendation rules over a hand-made metrics.json, with impacts computed by hand."""

from __future__ import annotations

import pytest

from clvlib.recommendations import ASSUMPTIONS, recommendations

METRICS = {
    "calculation": {"customers": 3000, "window_years": 3.0, "aov": 200.0, "gross_margin": 0.3},
    "channels": [
        {
            "channel": "Bad",
            "cac": 300.0,
            "clv_mean": 250.0,
            "new_customers": 600,
            "cac_above_clv": True,
        },
        {
            "channel": "Good",
            "cac": 50.0,
            "clv_mean": 250.0,
            "new_customers": 900,
            "cac_above_clv": False,
        },
        {
            "channel": "Organic",
            "cac": 0.0,
            "clv_mean": 250.0,
            "new_customers": 300,
            "cac_above_clv": False,
        },
    ],
    "channels_detail": {
        "overall": {"window_start": "2023-01-01", "window_end": "2025-12-31"},
        "reallocation": [
            {
                "channel": "Bad",
                "spend_change": -1000.0,
                "value_change": -500.0,
                "marginal_ltv_cac": 0.8,
            },
            {
                "channel": "Good",
                "spend_change": 1000.0,
                "value_change": 3000.0,
                "marginal_ltv_cac": 5.0,
            },
        ],
    },
    "funnel": {
        "abandoned_carts": {"count": 1000, "recovered_value": 20_000.0, "recovery_rate": 0.1},
        "sessions_window_days": 91,
        "second_purchase": {
            "follow_up_start_days": 7,
            "follow_up_end_days": 14,
            "follow_up_reach": 0.8,
            "second_purchase_rate": 0.6,
        },
        "message_load": {"share_above_cap": 0.2, "contact_cap_per_week": 2.0},
        "fatigue_limit_messages_per_week": 2.5,
    },
}


def by_id():
    return {r["id"]: r for r in recommendations(METRICS)}


def test_each_rule_fires_with_its_hand_computed_impact():
    found = by_id()
    years = 1096 / 365.25  # 2023-01-01 … 2025-12-31 inclusive: 365 + 366 + 365 days
    # Bad: (300 − 250) × 600 customers / years bought at a loss
    assert found["cut_channel:Bad"]["estimated_impact"] == pytest.approx(50 * 600 / years)
    assert "cut_channel:Good" not in found and "cut_channel:Organic" not in found
    # reallocation: 12 months × (−500 + 3000)
    assert found["reallocate_budget"]["estimated_impact"] == pytest.approx(30_000.0)
    # carts: 20,000 recovered in 91 days → a year × margin 0.3
    assert found["cart_reminder"]["estimated_impact"] == pytest.approx(20_000 * 365.25 / 91 * 0.3)
    # follow-up: 1,000 new customers a year × 0.6 × lift × AOV 200 × margin 0.3
    lift = ASSUMPTIONS["follow_up_lift"]
    assert found["follow_up_offer"]["estimated_impact"] == pytest.approx(1000 * 0.6 * lift * 60)
    assert found["cap_messages"]["estimated_impact"] is None


def test_ranked_by_impact_with_unpriced_last_and_priorities():
    ranked = recommendations(METRICS)
    impacts = [r["estimated_impact"] for r in ranked if r["estimated_impact"] is not None]
    assert impacts == sorted(impacts, reverse=True)
    assert ranked[-1]["id"] == "cap_messages" and ranked[-1]["priority"] == "low"
    assert [r["priority"] for r in ranked[:2]] == ["high", "high"]


def test_reactivation_rule_by_hand():
    """10 % (the stated assumption) of 60,000 predicted margin over a 36-month horizon, a year:
    0.1 × 60,000 / 3 = 2,000."""
    metrics = {
        "calculation": {"clv": {"horizon_months": 36}},
        "saturation": {"potential": {"reactivation": {"customers": 400, "clv_future": 60_000.0}}},
    }
    (rec,) = recommendations(metrics)
    assert rec["id"] == "reactivate_segment"
    assert ASSUMPTIONS["reactivation_share"] == 0.10
    assert rec["estimated_impact"] == pytest.approx(2_000.0)


def test_missing_sections_give_no_recommendation():
    assert recommendations({"calculation": METRICS["calculation"]}) == []


def test_sales_rep_rule_fires_only_when_the_worst_rep_is_clearly_worse():
    """Worst churn 0.30 with CI from 0.27 above the median 0.22 → coach; impact: CLV gap to the
    median rep (400 − 350) × 1,000 customers / 3 years = 16,667 a year."""
    reps = [
        {
            "sales_rep": "A",
            "customers": 1000,
            "churn_rate": 0.20,
            "churn_ci_low": 0.18,
            "clv_mean": 420.0,
            "small_sample": False,
        },
        {
            "sales_rep": "B",
            "customers": 1000,
            "churn_rate": 0.22,
            "churn_ci_low": 0.20,
            "clv_mean": 400.0,
            "small_sample": False,
        },
        {
            "sales_rep": "C",
            "customers": 1000,
            "churn_rate": 0.30,
            "churn_ci_low": 0.27,
            "clv_mean": 350.0,
            "small_sample": False,
        },
    ]
    metrics = {
        "calculation": {"clv": {"horizon_months": 36}},
        "retention_detail": {"sales_reps": reps},
    }
    (rec,) = recommendations(metrics)
    assert rec["id"] == "coach_sales_rep:C"
    assert rec["estimated_impact"] == pytest.approx(50 * 1000 / 3)
    reps[2]["churn_ci_low"] = 0.21  # interval reaches the median: no clear difference
    assert recommendations(metrics) == []


def test_free_delivery_rule_by_hand():
    """25 % (stated) of a 12,000 uplift over 2 years of data, margin 0.3: 0.25 × 6,000 × 0.3."""
    metrics = {
        "calculation": {"window_years": 2.0, "gross_margin": 0.3},
        "saturation": {
            "free_delivery": {
                "orders_near": 80,
                "near_share": 0.1,
                "threshold": 200.0,
                "uplift": 12_000.0,
            }
        },
    }
    (rec,) = recommendations(metrics)
    assert rec["id"] == "free_delivery_nudge"
    assert rec["estimated_impact"] == pytest.approx(0.25 * 6_000 * 0.3)
