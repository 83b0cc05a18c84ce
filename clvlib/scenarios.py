"""Scenarios: what a lever (retention, order value, frequency, acquisition cost) does to the
value of a customer and of the customer base.

The levers act on the simple CLV decomposition of step I, which a client can follow by hand:

    CLV = AOV × purchases per year × retention period × margin,  retention period = 1 / (1 − r)

- *retention +x pp*: r → r + x (capped below 1), so the retention period grows non-linearly;
- *AOV +x %*, *frequency +x %*: CLV × (1 + x);
- *CAC −x %*: CLV unchanged; acquisition spend over the window falls by x and LTV:CAC rises by
  1 / (1 − x).

The relative change of the simple CLV is applied to step I's predictive figures (CLV per
customer and the customer base's predicted value over the horizon), so the table speaks in the
report's headline numbers. That transfer is exact for AOV (spend enters CLV linearly) and a
first-order approximation for frequency and retention (BTYD purchase counts are not linear in
them); the ``basis`` column says so.

The basis (``scenario_basis``), so that scenarios exist whenever a CLV does:

- ``"predictive"``: the simple decomposition is complete and step I fitted the models;
- ``"simple"``: the decomposition is complete, no predictive CLV;
- ``"predictive_direct"``: the decomposition is incomplete (no retention rate: under 24 months
  of data; or no purchase frequency: under 12) but the predictive CLV exists. The levers then
  act on the predictive CLV itself: *AOV +x %* scales it by 1 + x (exact: the Gamma-Gamma
  expected spend enters it linearly); *frequency +x %* scales every customer's expected
  purchases, so the CLV, by 1 + x (first order: in BG/NBD more purchases also mean more
  chances to drop out); *CAC −x %* as above. *Retention +x pp* has no rate to move and is left
  out (no row) — the report says so;
- ``"none"``: no CLV at all (rows of NaN).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from clvlib.calculation import retention_period

LEVERS = ("retention", "aov", "frequency", "cac")
SCENARIO_COLUMNS = [
    "lever",
    "change",
    "clv_before",
    "clv_after",
    "clv_change",
    "value_change",
    "spend_change",
    "basis",
]


def simple_clv(
    aov: float, frequency: float, retention: float, margin: float, cap: float = math.inf
) -> float:
    """AOV (currency) × purchases a year × min(1 / (1 − retention), ``cap`` years) × margin
    (fraction): the retention period capped as step I caps it."""
    if not 0 <= retention < 1:
        return math.nan
    return aov * frequency * margin * retention_period(retention, cap)[0]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _decomposition_complete(calc: dict[str, Any]) -> bool:
    """Whether AOV, purchases a year, retention (0 ≤ r < 1) and margin are all known."""
    parts = ("aov", "purchase_frequency_per_year", "retention_rate", "gross_margin")
    if not all(_finite(calc.get(k)) for k in parts):
        return False  # a part of the decomposition is unknown (null in metrics.json)
    return 0 <= calc["retention_rate"] < 1


def _predictive(calc: dict[str, Any]) -> dict[str, Any] | None:
    clv = calc.get("clv") or None
    return clv if clv and _finite(clv.get("mean")) else None


def scenario_basis(calc: dict[str, Any]) -> str:
    """What the levers act on for step I's recorded figures ``calc``: ``"predictive"``,
    ``"simple"``, ``"predictive_direct"`` or ``"none"`` (see the module docstring). Not
    ``"none"`` whenever a CLV per customer (predictive mean or simple CLV) is known."""
    complete = _decomposition_complete(calc)
    if _predictive(calc):
        return "predictive" if complete else "predictive_direct"
    return "simple" if _finite(calc.get("simple_clv")) else "none"


def _direct_ratio(lever: str, change: float) -> float:
    """CLV after / before for a lever acting on the predictive CLV itself."""
    if lever in ("aov", "frequency"):
        return 1.0 + change
    return 1.0 if lever == "cac" else math.nan  # retention: no rate to move


def _ratio(calc: dict[str, Any], lever: str, change: float) -> float:
    """CLV after / CLV before for one lever on the simple decomposition."""
    if not _decomposition_complete(calc):
        return math.nan
    aov, freq = calc["aov"], calc["purchase_frequency_per_year"]
    r, margin = calc["retention_rate"], calc["gross_margin"]
    cap = (calc.get("simple") or {}).get("retention_cap_years") or math.inf
    before = simple_clv(aov, freq, r, margin, cap)
    if lever == "retention":  # never below r: a lever that raises retention cannot lower it
        after = simple_clv(aov, freq, max(r, min(r + change, 0.99)), margin, cap)
    elif lever in ("aov", "frequency"):
        after = before * (1.0 + change)
    else:  # cac: the customer is worth the same
        after = before
    return after / before if before and math.isfinite(before) else math.nan


def retention_capped(calc: dict[str, Any]) -> bool:
    """Whether step I's retention period is at its cap (``calculation.simple.cap_binds``): a
    higher retention rate then changes nothing the simple decomposition can show, so the
    retention lever has no row (``sum.scenarios_retention_capped`` says why)."""
    return bool((calc.get("simple") or {}).get("cap_binds"))


def scenario_table(calc: dict[str, Any], levers: dict[str, float], *, spend: float | None = None):
    """One row per lever in ``levers`` (``{"retention": 0.05, "aov": 0.05, "frequency": 0.05,
    "cac": 0.10}``; fractions: pp for retention, relative for the others).

    ``calc`` is ``metrics.json``'s ``calculation`` section (aov, purchase_frequency_per_year,
    retention_rate, gross_margin, and ``clv`` with ``mean`` and ``total`` when step I fitted the
    models, else the simple CLV per customer × customers); ``spend`` the acquisition spend of
    step III's window (currency) for the CAC lever.

    Columns: ``lever``, ``change`` (the lever's size), ``clv_before``/``clv_after`` (currency
    per customer), ``clv_change`` (fraction), ``value_change`` (currency: change of the base's
    value over the CLV horizon), ``spend_change`` (currency, CAC lever: acquisition spend saved
    for the same new customers, negative = saving), ``basis`` (``scenario_basis``:
    ``"predictive"``, ``"simple"``, ``"predictive_direct"`` or ``"none"``). On the
    ``"predictive_direct"`` basis, and when the retention period is at its cap
    (``retention_capped``), the retention lever has no row; on ``"none"`` every row is NaN.
    """
    unknown = set(levers) - set(LEVERS)
    if unknown:
        raise ValueError(f"unknown lever(s) {sorted(unknown)}; use {list(LEVERS)}")
    basis = scenario_basis(calc)
    predictive = _predictive(calc)
    if predictive:
        per_customer, total = predictive["mean"], predictive.get("total")
    elif basis == "simple":
        per_customer = calc["simple_clv"]
        total = per_customer * calc.get("customers", 0)
    else:  # no CLV to move (metrics.json has null): NaN rows
        per_customer, total = math.nan, math.nan
    total = total if _finite(total) else math.nan
    rows = []
    for lever, change in levers.items():
        if lever == "retention" and (basis == "predictive_direct" or retention_capped(calc)):
            continue  # no measured rate to move, or r → r + x leaves the capped period as it is
        if basis == "predictive_direct":
            ratio = _direct_ratio(lever, change)
        else:
            ratio = _ratio(calc, lever, change) if math.isfinite(per_customer) else math.nan
        rows.append(
            {
                "lever": lever,
                "change": change,
                "clv_before": per_customer,
                "clv_after": per_customer * ratio,
                "clv_change": ratio - 1.0,
                "value_change": total * (ratio - 1.0),
                "spend_change": -change * spend if lever == "cac" and spend else math.nan,
                "basis": basis,
            }
        )
    return pd.DataFrame(rows, columns=SCENARIO_COLUMNS)


def message_cap_scenario(funnel: dict[str, Any], *, margin: float, horizon_months: int):
    """The "fewer messages" lever: customers messaged above the fatigue limit (step II) are
    capped at it. Their expected clicks per year move from their bucket's to the limit's
    (``fatigue[].expected_clicks_per_customer``, which already counts the unsubscribes a load
    causes), valued at the attributed revenue per click of the campaigns × ``margin`` and
    summed over the CLV horizon (undiscounted). Attribution-based: if messages only take credit
    for purchases that would happen anyway, the true effect is smaller. One row in the layout
    of :func:`scenario_table` (``lever = "messages"``, ``change`` = the cap, messages a week),
    or None when step II has no fatigue table or attributed revenue.
    """
    fatigue = funnel.get("fatigue") or []
    limit = funnel.get("fatigue_limit_messages_per_week")
    campaigns = funnel.get("campaigns") or []
    clicks = sum(c.get("clicked") or 0 for c in campaigns)
    revenue = sum(c.get("attributed_revenue") or 0.0 for c in campaigns)
    at_limit = [f for f in fatigue if f["messages_per_week"] == limit]
    if not at_limit or not clicks or "expected_clicks_per_customer" not in at_limit[0]:
        return None
    best = at_limit[0]["expected_clicks_per_customer"]
    extra_clicks = sum(
        f["customers"] * (best - f["expected_clicks_per_customer"])
        for f in fatigue
        if f["messages_per_week"] > limit
    )
    yearly = extra_clicks * revenue / clicks * margin
    return {
        "lever": "messages",
        "change": limit,
        "clv_before": math.nan,
        "clv_after": math.nan,
        "clv_change": math.nan,
        "value_change": yearly * horizon_months / 12.0,
        "spend_change": math.nan,
        "basis": "attributed_revenue",
    }


def simple_basis(simple: pd.DataFrame) -> dict[str, Any]:
    """The inputs :func:`scenario_table` needs, taken from ``calculation.simple_clv_table``
    (columns ``quantity``, ``value``) when step I's recorded figures are not at hand (a notebook
    opened on its own): ``aov``, ``purchase_frequency_per_year``, ``retention_rate``,
    ``gross_margin``, ``simple_clv`` and ``customers``; the levers then act on the simple CLV
    (``basis = "simple"``)."""
    value = simple.set_index("quantity")["value"]
    keys = ("aov", "purchase_frequency_per_year", "retention_rate", "gross_margin", "simple_clv")
    basis: dict[str, Any] = {k: float(value[k]) for k in keys}
    basis["customers"] = int(value["customers"])
    return basis
