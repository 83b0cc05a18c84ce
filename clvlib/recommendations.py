"""Recommendations: rules over the run's ``metrics.json`` sections, each giving an action, its
evidence and an estimated impact in currency per year, ranked by that impact.

Every rule fires only when its evidence is in the metrics (a step that did not run, or a table
the client did not provide, simply gives no recommendation). Impacts are yearly margin
(currency) under the assumptions in ``ASSUMPTIONS``, stated in the report; a rule whose effect
cannot be put in money honestly gives ``estimated_impact = None`` and ranks after the others.

A recommendation is ``{"id", "title_key", "evidence_key", "values", "estimated_impact",
"priority"}``; ``title_key``/``evidence_key`` are ``clvlib.texts`` keys filled with ``values``
(raw numbers; the notebook formats them in the report's locale).

Two guards in :func:`recommendations` hold for every rule (REPORT.md):

- no yearly impact exceeds the client's yearly marketing spend plus yearly margin
  (:func:`impact_ceiling`): no single action can return more. A rule that gives more has a
  bug or rests on a runaway curve; its impact is capped at the ceiling, ``impact_capped`` is
  true (with ``impact_uncapped``) and it is not ranked (``not_ranked_reason =
  "impact_capped"``);
- no impact rests on a response curve evaluated beyond the largest spend observed for a
  channel: such a recommendation keeps ``estimated_impact = None`` and is not ranked
  (``not_ranked_reason = "extrapolation"``); the report lists it, labelled.

Unranked recommendations come last with ``priority = "not_ranked"``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

#: Stated assumptions behind the impact estimates (fractions).
ASSUMPTIONS = {
    # a follow-up offer in the window lifts the share of customers who buy a second time by
    "follow_up_lift": 0.05,  # 5 % (relative)
    # a reactivation campaign brings forward this share of the target's predicted margin
    "reactivation_share": 0.10,
    # of the orders just below the free-delivery threshold, the share a "add X to get free
    # delivery" nudge tops up
    "top_up_share": 0.25,
}
HIGH, MEDIUM, LOW, NOT_RANKED = "high", "medium", "low", "not_ranked"


def _years(start: Any, end: Any) -> float:
    start, end = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
    return max((end - start).days + 1, 1) / 365.25


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None (missing, NaN, inf, not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def impact_ceiling(metrics: dict[str, Any]) -> dict[str, float] | None:
    """The most any recommendation may claim a year: ``{"yearly_margin", "yearly_spend",
    "ceiling"}`` (currency a year), or None when step I's figures do not give the margin.

    Yearly margin: the margin earned so far (``calculation.historical.mean_margin`` ×
    ``customers``; else ``aov`` × ``orders`` × ``gross_margin``) over ``window_years``.
    Yearly marketing spend: ``channels_detail.overall.spend`` over its spend window (0 without
    spend data). Ceiling = their sum.
    """
    calc = metrics.get("calculation") or {}
    years = _number(calc.get("window_years"))
    historical = (calc.get("historical") or {}).get("mean_margin")
    margin = None
    if _number(historical) is not None and _number(calc.get("customers")):
        margin = historical * calc["customers"]
    elif all(_number(calc.get(k)) is not None for k in ("aov", "orders", "gross_margin")):
        margin = calc["aov"] * calc["orders"] * calc["gross_margin"]
    if margin is None or not years:
        return None
    overall = (metrics.get("channels_detail") or {}).get("overall") or {}
    spend = 0.0
    if _number(overall.get("spend")) and overall.get("window_start") and overall.get("window_end"):
        spend = overall["spend"] / _years(overall["window_start"], overall["window_end"])
    yearly_margin = max(margin / years, 0.0)
    return {"yearly_margin": yearly_margin, "yearly_spend": spend, "ceiling": yearly_margin + spend}


def _extrapolated(move: dict[str, Any]) -> bool:
    """Whether a reallocation row evaluates its curve beyond the spend observed (step III's
    ``extrapolated``; else ``within_observed_range`` false or the new spend above
    ``max_observed_spend``)."""
    if "extrapolated" in move:
        return bool(move["extrapolated"])
    if move.get("within_observed_range") is False:
        return True
    top, after = _number(move.get("max_observed_spend")), _number(move.get("spend_after"))
    return top is not None and after is not None and after > top


def _reallocation_rule(moves: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move budget from the worst to the best channel (step III's two reallocation rows).

    Impact: step III's ``yearly_gain`` when it gives one (currency a year, the net gain of the
    in-range move, the same figure on both rows: taken once), else 12 × Σ ``value_change``
    (per month). A move whose curve is evaluated beyond the observed spend is listed without
    an impact, not ranked.
    """
    if len(moves) != 2:
        return []
    source, target = moves
    values = {
        "source": source["channel"],
        "target": target["channel"],
        "amount": -source["spend_change"],
        "source_ltv_cac": source["marginal_ltv_cac"],
        "target_ltv_cac": target["marginal_ltv_cac"],
    }
    rec = {"id": "reallocate_budget", "title_key": "rec.reallocate.title", "values": values}
    outside = [m for m in moves if _extrapolated(m)]
    if outside:
        beyond = outside[-1]  # the receiving channel when both are outside
        top = _number(beyond.get("max_observed_spend"))
        top = top if beyond["spend_change"] > 0 else None  # "largest spend" fits a rise only
        values["channel"] = beyond["channel"]
        if top is not None:
            values["max_spend"] = top
        key = "rec.reallocate.evidence_extrapolated" + ("" if top is not None else "_nomax")
        return [
            rec
            | {"evidence_key": key, "estimated_impact": None, "not_ranked_reason": "extrapolation"}
        ]
    gains = [_number(m.get("yearly_gain")) for m in moves if "yearly_gain" in m]
    if gains:
        gain = gains[0] if gains[0] is not None else 0.0  # null: nothing counted
    else:
        gain = 12 * sum(m["value_change"] for m in moves)
    if not gain > 0:
        return []
    return [rec | {"evidence_key": "rec.reallocate.evidence", "estimated_impact": gain}]


def _channel_rules(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    detail = metrics.get("channels_detail") or {}
    overall = detail.get("overall") or {}
    if not overall:
        return []
    years = _years(overall["window_start"], overall["window_end"])
    out = []
    for row in metrics.get("channels") or []:
        if row.get("cac_above_clv") and row.get("new_customers"):
            loss = (row["cac"] - row["clv_mean"]) * row["new_customers"] / years
            out.append(
                {
                    "id": f"cut_channel:{row['channel']}",
                    "title_key": "rec.cut_channel.title",
                    "evidence_key": "rec.cut_channel.evidence",
                    "values": {
                        "channel": row["channel"],
                        "cac": row["cac"],
                        "clv": row["clv_mean"],
                        "per_year": row["new_customers"] / years,
                    },
                    "estimated_impact": loss,
                }
            )
    return out + _reallocation_rule(detail.get("reallocation") or [])


def _funnel_rules(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    funnel = metrics.get("funnel") or {}
    calc = metrics.get("calculation") or {}
    margin = calc.get("gross_margin") or 0.0
    out = []
    carts = funnel.get("abandoned_carts")
    days = funnel.get("sessions_window_days")
    if carts and days:
        yearly = carts["recovered_value"] * 365.25 / days * margin
        out.append(
            {
                "id": "cart_reminder",
                "title_key": "rec.cart_reminder.title",
                "evidence_key": "rec.cart_reminder.evidence",
                "values": {
                    "carts": carts["count"],
                    "days": days,
                    "recovery": carts["recovery_rate"],
                },
                "estimated_impact": yearly,
            }
        )
    second = funnel.get("second_purchase") or {}
    if second.get("follow_up_end_days") and calc.get("customers") and calc.get("aov"):
        new_per_year = calc["customers"] / max(calc.get("window_years") or 1.0, 1e-9)
        extra = new_per_year * second["second_purchase_rate"] * ASSUMPTIONS["follow_up_lift"]
        one_day = second["follow_up_start_days"] == second["follow_up_end_days"]
        out.append(
            {
                "id": "follow_up_offer",
                # a window whose ends coincide is one day, not "between day 7 and day 7"
                "title_key": "rec.follow_up.title_one_day" if one_day else "rec.follow_up.title",
                "evidence_key": "rec.follow_up.evidence",
                "values": {
                    "start": second["follow_up_start_days"],
                    "end": second["follow_up_end_days"],
                    "reach": second["follow_up_reach"],
                    "lift": ASSUMPTIONS["follow_up_lift"],
                },
                "estimated_impact": extra * calc["aov"] * margin,
            }
        )
    load = funnel.get("message_load") or {}
    limit = funnel.get("fatigue_limit_messages_per_week")
    # a cap follows only from a response that changes with the load: CTR or unsubscribes
    # differ between the lightest and the heaviest bucket (step II's tests)
    tested = [funnel.get(f"fatigue_{k}_comparison") or {} for k in ("ctr", "unsubscribe")]
    fatigue_seen = any(t.get("differs") for t in tested)
    if load and limit and fatigue_seen and load.get("share_above_cap", 0) > 0.05:
        out.append(
            {
                "id": "cap_messages",
                "title_key": "rec.cap_messages.title",
                "evidence_key": "rec.cap_messages.evidence",
                "values": {
                    "share": load["share_above_cap"],
                    "cap": load["contact_cap_per_week"],
                    "limit": limit,
                },
                "estimated_impact": None,
            }
        )
    return out


def _sales_rep_rules(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Coach the rep whose customers are lost most often when their churn interval lies above
    the median rep's churn and step IV's test found them to differ from the rep whose customers
    are lost least often (``retention_detail.sales_rep_comparison``: no difference found, no
    coaching); impact: the CLV gap to the median rep × their customers, a year."""
    detail = metrics.get("retention_detail") or {}
    decision = detail.get("sales_rep_comparison") or {}
    if not decision.get("differs"):
        return []
    reps = [
        r
        for r in detail.get("sales_reps") or []
        if not r.get("small_sample") and r.get("churn_rate") is not None
    ]
    clv = (metrics.get("calculation") or {}).get("clv") or {}
    if len(reps) < 3 or not clv.get("horizon_months"):
        return []
    churn = sorted(r["churn_rate"] for r in reps)
    median_churn = churn[len(churn) // 2]
    worst = max(reps, key=lambda r: r["churn_rate"])
    if worst["churn_ci_low"] <= median_churn or worst["sales_rep"] != decision.get("high_rep"):
        return []
    values = sorted(r["clv_mean"] for r in reps if r.get("clv_mean") is not None)
    impact = None
    if values and worst.get("clv_mean") is not None:
        gap = values[len(values) // 2] - worst["clv_mean"]
        impact = gap * worst["customers"] / (clv["horizon_months"] / 12.0)
    return [
        {
            "id": f"coach_sales_rep:{worst['sales_rep']}",
            "title_key": "rec.coach_rep.title",
            "evidence_key": "rec.coach_rep.evidence",
            "values": {
                "rep": worst["sales_rep"],
                "churn": worst["churn_rate"],
                "median": median_churn,
                "customers": worst["customers"],
            },
            "estimated_impact": impact,
        }
    ]


def _free_delivery_rules(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Nudge orders just below the free-delivery threshold (its uplift is a ceiling, so the
    impact takes ``ASSUMPTIONS["top_up_share"]`` of it), margin a year."""
    free = (metrics.get("saturation") or {}).get("free_delivery") or {}
    calc = metrics.get("calculation") or {}
    if not free.get("orders_near") or not calc.get("window_years"):
        return []
    share = ASSUMPTIONS["top_up_share"]
    yearly = share * free["uplift"] / calc["window_years"] * (calc.get("gross_margin") or 0.0)
    return [
        {
            "id": "free_delivery_nudge",
            "title_key": "rec.free_delivery.title",
            "evidence_key": "rec.free_delivery.evidence",
            "values": {
                "near": free["near_share"],
                "threshold": free["threshold"],
                "share": share,
            },
            "estimated_impact": yearly,
        }
    ]


def _saturation_rules(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    potential = (metrics.get("saturation") or {}).get("potential") or {}
    target = potential.get("reactivation") or {}
    clv = (metrics.get("calculation") or {}).get("clv") or {}
    if not target.get("customers") or not clv.get("horizon_months"):
        return []
    years = clv["horizon_months"] / 12.0
    share = ASSUMPTIONS["reactivation_share"]
    return [
        {
            "id": "reactivate_segment",
            "title_key": "rec.reactivate.title",
            "evidence_key": "rec.reactivate.evidence",
            "values": {
                "customers": target["customers"],
                "value": target["clv_future"],
                "share": share,
            },
            "estimated_impact": share * target["clv_future"] / years,
        }
    ]


def _complete(rec: dict[str, Any]) -> bool:
    """Whether every value of a recommendation's sentences is known (none missing or NaN)."""
    return all(
        v is not None and not (isinstance(v, float) and not math.isfinite(v))
        for v in rec["values"].values()
    )


def _guard(rec: dict[str, Any], ceiling: dict[str, float] | None) -> dict[str, Any]:
    """Cap an impact above the yearly spend + margin and take it out of the ranking."""
    rec.setdefault("impact_capped", False)
    rec.setdefault("not_ranked_reason", None)
    impact = rec["estimated_impact"]
    if impact is not None and not math.isfinite(impact):
        rec["estimated_impact"] = None
    elif impact is not None and ceiling is not None and impact > ceiling["ceiling"]:
        rec.update(
            estimated_impact=ceiling["ceiling"],
            impact_uncapped=impact,
            impact_capped=True,
            not_ranked_reason="impact_capped",
        )
    return rec


def recommendations(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """All recommendations the metrics support, best estimated yearly impact first (those
    without a money estimate after them, the unranked last), with ``priority``: the top two
    with an impact "high", the next two "medium", the rest "low"; "not_ranked" for those
    the guards take out of the ranking (``not_ranked_reason``: ``"extrapolation"`` or
    ``"impact_capped"``, see the module docstring). A recommendation whose sentence would miss
    a value is left out."""
    found = (
        _channel_rules(metrics)
        + _funnel_rules(metrics)
        + _sales_rep_rules(metrics)
        + _saturation_rules(metrics)
        + _free_delivery_rules(metrics)
    )
    ceiling = impact_ceiling(metrics)
    found = [_guard(r, ceiling) for r in found if _complete(r)]
    found = [
        r
        for r in found
        if r["estimated_impact"] is None or r["estimated_impact"] > 0 or r["not_ranked_reason"]
    ]
    found.sort(
        key=lambda r: (
            r["not_ranked_reason"] is not None,
            r["estimated_impact"] is None,
            -(r["estimated_impact"] or 0.0),
            r["id"],
        )
    )
    for rank, rec in enumerate(found):
        priced = rec["estimated_impact"] is not None and not rec["not_ranked_reason"]
        rec["priority"] = (
            NOT_RANKED
            if rec["not_ranked_reason"]
            else HIGH
            if priced and rank < 2
            else MEDIUM
            if priced and rank < 4
            else LOW
        )
    return found
