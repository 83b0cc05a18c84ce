"""Recommendation rules over a hand-made metrics.json, with impacts computed by hand."""

from __future__ import annotations

import copy
import json

import pytest

from clvlib.i18n import t
from clvlib.recommendations import ASSUMPTIONS, impact_ceiling, recommendations

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
        "fatigue_ctr_comparison": {"differs": False},
        "fatigue_unsubscribe_comparison": {"differs": True},
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
        "retention_detail": {
            "sales_reps": reps,
            "sales_rep_comparison": {"differs": True, "high_rep": "C"},
        },
    }
    (rec,) = recommendations(metrics)
    assert rec["id"] == "coach_sales_rep:C"
    assert rec["estimated_impact"] == pytest.approx(50 * 1000 / 3)
    # step IV's test found no difference between the reps (issue 17): no coaching
    metrics["retention_detail"]["sales_rep_comparison"]["differs"] = False
    assert recommendations(metrics) == []
    metrics["retention_detail"]["sales_rep_comparison"]["differs"] = True
    reps[2]["churn_ci_low"] = 0.21  # interval reaches the median: no clear difference
    assert recommendations(metrics) == []


def test_no_message_cap_when_response_does_not_change_with_the_load():
    """Issue 17: CTR and unsubscribes do not differ between the lightest and the heaviest
    load (step II's tests), so the fatigue limit is noise and no cap is recommended."""
    assert "cap_messages" in by_id()
    metrics = json.loads(json.dumps(METRICS))
    metrics["funnel"]["fatigue_unsubscribe_comparison"]["differs"] = False
    assert "cap_messages" not in {r["id"] for r in recommendations(metrics)}


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


# -- the guards (issue 16, defect 3) -------------------------------------------------------------
#: A client like issue 16's: 3 years of data, margin so far 3 × 150,000 (so 150,000 a year) and
#: marketing spend 3 × 60,000 (60,000 a year): no action can return more than 210,000 a year.
GUARDED = {
    "calculation": {
        "customers": 3000,
        "window_years": 3.0,
        "aov": 200.0,
        "orders": 9000,
        "gross_margin": 0.3,
        "historical": {"mean_margin": 150.0},
    },
    "channels_detail": {
        "overall": {"window_start": "2023-01-01", "window_end": "2025-12-31", "spend": 180_000.0},
    },
}
YEARS = 1096 / 365.25  # the spend window 2023-01-01 … 2025-12-31, inclusive


def _moves(**to_extra):
    """The defect's move: 6,548 a month from Facebook to Newsletter, valued at 157,202 a
    month (1,886,420 a year); ``to_extra`` adds step III's new columns to the receiving row."""
    source = {
        "channel": "Facebook",
        "spend_change": -6548.0,
        "spend_after": 10_000.0,
        "value_change": -1000.0,
        "marginal_ltv_cac": 1.1,
        "within_observed_range": True,
    }
    target = {
        "channel": "Newsletter",
        "spend_change": 6548.0,
        "spend_after": 6948.0,
        "value_change": 158_201.7,
        "marginal_ltv_cac": 9.0,
        "within_observed_range": True,
    } | to_extra
    return [source, target]


def _with_moves(moves):
    metrics = {k: dict(v) for k, v in GUARDED.items()}
    metrics["channels_detail"] = GUARDED["channels_detail"] | {"reallocation": moves}
    return metrics


def test_impact_ceiling_is_yearly_margin_plus_yearly_spend_by_hand():
    ceiling = impact_ceiling(GUARDED)
    assert ceiling["yearly_margin"] == pytest.approx(150 * 3000 / 3.0)  # 150,000
    assert ceiling["yearly_spend"] == pytest.approx(180_000 / YEARS)  # ≈ 59,945
    assert ceiling["ceiling"] == pytest.approx(150_000 + 180_000 / YEARS)


def test_an_impact_above_spend_plus_margin_is_capped_and_not_ranked():
    """Issue 16 defect 3: 12 × 157,201.7 = 1,886,420 a year, more than the client's yearly
    spend plus margin (≈ 209,945): the rule's figure is capped there, flagged and not ranked
    "high" (before the guard it was the top recommendation at 1,886,420)."""
    (rec,) = recommendations(_with_moves(_moves()))
    assert rec["impact_uncapped"] == pytest.approx(1_886_420.4)
    assert rec["estimated_impact"] == pytest.approx(150_000 + 180_000 / YEARS)
    assert rec["impact_capped"] is True
    assert rec["priority"] == "not_ranked" and rec["not_ranked_reason"] == "impact_capped"


def test_an_extrapolated_reallocation_is_listed_without_impact_and_never_ranked():
    """Step III marks the move into Newsletter as beyond its largest monthly spend (16× in the
    defect): no impact is counted, whatever the curve says, and it is not ranked."""
    extrapolated = _moves(extrapolated=True, max_observed_spend=434.0, yearly_gain=0.0)
    (rec,) = recommendations(_with_moves(extrapolated))
    assert rec["estimated_impact"] is None
    assert rec["priority"] == "not_ranked" and rec["not_ranked_reason"] == "extrapolation"
    assert rec["evidence_key"] == "rec.reallocate.evidence_extrapolated"
    assert rec["values"]["channel"] == "Newsletter" and rec["values"]["max_spend"] == 434.0
    # without step III's new columns, a row outside the observed range is enough
    older = _moves(within_observed_range=False)
    (rec,) = recommendations(_with_moves(older))
    assert rec["not_ranked_reason"] == "extrapolation" and rec["estimated_impact"] is None
    assert rec["evidence_key"] == "rec.reallocate.evidence_extrapolated_nomax"


def test_an_extrapolated_move_ranks_after_every_priced_recommendation():
    metrics = _with_moves(_moves(extrapolated=True, max_observed_spend=434.0))
    metrics["saturation"] = {"potential": {"reactivation": {"customers": 40, "clv_future": 600.0}}}
    metrics["calculation"] = metrics["calculation"] | {"clv": {"horizon_months": 36}}
    ranked = recommendations(metrics)
    assert [r["id"] for r in ranked] == ["reactivate_segment", "reallocate_budget"]
    assert [r["priority"] for r in ranked] == ["high", "not_ranked"]


def test_the_in_range_yearly_gain_of_step_three_is_the_impact():
    """Step III's ``yearly_gain`` (currency a year, the net gain of the in-range move, the same
    figure on both rows) replaces 12 × the monthly value change: 7,000 a year, counted once."""
    moves = _moves(extrapolated=False, yearly_gain=7_000.0)
    moves[0] |= {"extrapolated": False, "yearly_gain": 7_000.0}
    (rec,) = recommendations(_with_moves(moves))
    assert rec["estimated_impact"] == pytest.approx(7_000.0)
    assert rec["priority"] == "high" and rec["impact_capped"] is False


def test_a_recommendation_whose_sentence_misses_a_value_is_left_out():
    """A rep without a churn figure for the median would put "—" into the evidence."""
    metrics = {"calculation": {"window_years": 2.0, "gross_margin": 0.3}}
    metrics["saturation"] = {
        "free_delivery": {"orders_near": 8, "near_share": None, "threshold": 200.0, "uplift": 1e3}
    }
    assert recommendations(metrics) == []


def test_a_one_day_follow_up_window_is_one_day_not_a_range():
    """Zoo (CDNOW, one year): the summary's top recommendation read "Send a second-purchase
    offer between day 7 and day 7". A window whose ends coincide is said as one day."""
    metrics = copy.deepcopy(METRICS)
    metrics["funnel"]["second_purchase"].update(follow_up_start_days=7, follow_up_end_days=7)
    rec = next(r for r in recommendations(metrics) if r["id"] == "follow_up_offer")
    assert rec["title_key"] == "rec.follow_up.title_one_day"
    for locale in ("en", "pl"):
        title = t(rec["title_key"], locale, **{k: str(v) for k, v in rec["values"].items()})
        assert "7" in title and title.count("7") == 1, title
