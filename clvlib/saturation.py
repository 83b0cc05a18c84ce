"""Step V — Saturation and potential: who the valuable customers are, how concentrated value is,
how much is still to be won from them (reactivation, cross-sell, bigger baskets), and where
buying more customers no longer pays.

Aggregations over transactions are ibis expressions run by the backend; only per-customer,
per-segment, per-category-pair or per-bucket results become pandas. The customers are those of
``clvlib.calculation.historical_clv_table``: at least one purchase order up to
``observation_end``; *revenue* is their net revenue (currency, return lines and return
documents deducted), *margin* their margin so far.

Definitions (the report's methods appendix repeats them):

- *recency* (days): ``observation_end`` minus the day of the last purchase order (lower is
  better); *frequency*: purchase orders; *monetary*: net revenue (currency).
- *RFM score* of a measure (1–5, 5 best): ``ceil(5 · p)`` where ``p`` = the customer's average
  rank / customers, ranking ascending (recency: descending, so the most recent customer gets
  the highest rank). Equal values share a score (many one-order customers all get the same F).
  ``FM`` = ``(F + M + 1) // 2`` (mean of F and M rounded half up).
- *segments*, first matching rule of ``SEGMENT_RULES`` (R = recency score, FM as above):

  ====================  =============================================
  segment               rule
  ====================  =============================================
  new                   R ≥ 4 and exactly one purchase order
  champions             R ≥ 4 and FM ≥ 4
  potential loyalists   R ≥ 4 and FM ≤ 3, or R = 3 and FM = 3
  loyal                 R = 3 and FM ≥ 4
  can't lose them       R ≤ 2 and FM = 5
  at risk               R ≤ 2 and FM 3–4
  hibernating           R = 3 and FM ≤ 2, or R = 2 and FM ≤ 2
  lost                  R = 1 and FM ≤ 2
  ====================  =============================================

  The rules partition the customers: every customer is in exactly one segment.
- *value tiers* (loyalty programme proposal): customers ranked by value (net revenue by
  default) descending, ties by customer id; the top 5 %, next 15 %, next 30 % and the rest
  (rounded to whole customers, each cut at cumulative share · customers rounded half up). A tier's
  *threshold* is the value of its last (lowest) customer — the entry bar in currency.
- *Lorenz curve*: customers sorted by net revenue ascending; cumulative share of customers vs
  cumulative share of net revenue, from (0, 0) to (1, 1). *Gini* = 1 − 2 × the area under the
  (piecewise-linear) curve = Σᵢⱼ |xᵢ − xⱼ| / (2 n² x̄): 0 when everybody bought the same, (n−1)/n
  when one of n customers has everything. Computed on net revenue as is (a customer whose
  returns exceed purchases enters with a negative value). *Top-20 % share*: the net revenue of
  the ``ceil(0.2 n)`` largest customers / total (as in ``historical_clv_summary``).
- *potential*: per segment, predicted remaining value (Σ ``clv_future`` of step I's
  ``customer_value``, over its horizon) beside value so far (Σ ``margin_so_far``).
- *reactivation / up-sell target*: P(alive) > 0.7 and net spend over the 12 months up to
  ``observation_end`` (``(end − 1 year, end]``) at or below the 40th percentile of that spend
  over all customers (the bottom 40 %; customers without orders in the window spend 0).
- *category pairs*: a customer *bought* a category when one of its non-return lines up to
  ``observation_end`` has it. For categories A ≠ B and N = customers who bought any category:
  support = customers who bought both / N; confidence(A → B) = both / customers who bought A;
  lift = confidence / (customers who bought B / N). Lift > 1: bought together more than chance.
- *order value*: net revenue of a purchase order (``calculation.orders``). *Free-delivery gap*:
  orders with threshold · (1 − 20 %) ≤ value < threshold; the *uplift* assumes every such order
  is topped up exactly to the threshold and nothing else changes (no lost or extra orders) —
  an upper-bound style estimate, not a forecast. *Up-sell headroom*: p75 − median order value.
- *saturated channel*: marginal CAC (step III ``spend_response_table``) above the CLV a new
  customer is worth. *Break-even spend*: the monthly spend at which the fitted curve's marginal
  CAC s^(1−b)/(a·b) equals that CLV, s* = (a·b·CLV)^(1/(1−b)) (computed in logs). It is given
  as a number only inside the observed spend range; b = 1 (linear response) has a constant
  marginal CAC 1/a, so every spend level pays or none does; a break-even outside the range or
  at infinity is said in words ("pays at every spend observed"), never extrapolated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import numpy as np
import pandas as pd

from clvlib.backends import exact_mean, exact_sum, fetch
from clvlib.calculation import historical_clv_table, orders

SEGMENTS = [
    "champions",
    "loyal",
    "potential loyalists",
    "new",
    "at risk",
    "can't lose them",
    "hibernating",
    "lost",
]
SEGMENT_RULES = [
    ("new", "R ≥ 4 and exactly one purchase order"),
    ("champions", "R ≥ 4 and FM ≥ 4"),
    ("potential loyalists", "R ≥ 4 and FM ≤ 3, or R = 3 and FM = 3"),
    ("loyal", "R = 3 and FM ≥ 4"),
    ("can't lose them", "R ≤ 2 and FM = 5"),
    ("at risk", "R ≤ 2 and FM 3–4"),
    ("hibernating", "R = 3 and FM ≤ 2, or R = 2 and FM ≤ 2"),
    ("lost", "R = 1 and FM ≤ 2"),
]
DEFAULT_TIERS = (("top 5%", 0.05), ("next 15%", 0.15), ("next 30%", 0.30), ("rest", 0.50))


# -- plumbing ------------------------------------------------------------------------------------
def _fetch(expr) -> pd.DataFrame:
    """A small aggregated result as pandas (through Arrow), in a row order that does not
    depend on the engine's threads (``clvlib.backends.fetch``)."""
    return fetch(expr)


def _window(audit):
    """The audit's transactions up to ``observation_end`` (inclusive)."""
    t = audit.transactions
    return t.filter(t["order_ts"].cast("date") <= ibis.literal(audit.observation_end))


def _is_return(t):
    flag = ibis.coalesce(t["revenue"] < 0, False)
    if "is_return" in t.columns:
        flag = flag | ibis.coalesce(t["is_return"].cast("boolean"), False)
    return flag


def _share(num, den) -> float:
    return float(num) / float(den) if den and not pd.isna(den) else math.nan


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar: NaN → None, numpy → Python."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


# -- RFM -----------------------------------------------------------------------------------------
def _score(values: pd.Series, *, ascending: bool = True) -> pd.Series:
    """Quintile score 1–5: ceil(5 · average rank / n); ties share a score."""
    n = len(values)
    if not n:
        return pd.Series([], dtype="int64", index=values.index)
    ranks = values.rank(method="average", ascending=ascending)
    return np.ceil(5 * ranks / n - 1e-9).clip(1, 5).astype("int64")


def _segment(r: int, fm: int, orders_: int) -> str:
    if r >= 4:
        if orders_ == 1:
            return "new"
        return "champions" if fm >= 4 else "potential loyalists"
    if r == 3:
        return "loyal" if fm >= 4 else "potential loyalists" if fm == 3 else "hibernating"
    if fm == 5:
        return "can't lose them"
    if fm >= 3:
        return "at risk"
    return "hibernating" if r == 2 else "lost"


def rfm_scores_table(audit, *, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """RFM scores and segment, one row per customer with a purchase (sorted by customer id).

    Columns: ``customer_id``, ``recency_days`` (days from the last purchase order's day to
    ``observation_end``), ``frequency`` (purchase orders), ``monetary`` (net revenue, currency),
    ``margin`` (currency), ``r_score``, ``f_score``, ``m_score`` (1–5, 5 best), ``fm_score``,
    ``rfm`` (the three scores as text, e.g. ``"545"``) and ``segment`` (see the module
    docstring's rule table). ``history``: a ``historical_clv_table`` already computed.
    """
    if history is None:
        history = historical_clv_table(audit)
    end = pd.Timestamp(audit.observation_end)
    last_day = pd.to_datetime(history["last_purchase"]).dt.tz_localize(None).dt.normalize()
    frame = pd.DataFrame(
        {
            "customer_id": history["customer_id"].to_numpy(),
            "recency_days": (end - last_day).dt.days.astype("int64").to_numpy(),
            "frequency": history["orders"].astype("int64").to_numpy(),
            "monetary": history["revenue"].astype("float64").to_numpy(),
            "margin": history["margin"].astype("float64").to_numpy(),
        }
    )
    frame["r_score"] = _score(frame["recency_days"], ascending=False)
    frame["f_score"] = _score(frame["frequency"])
    frame["m_score"] = _score(frame["monetary"])
    frame["fm_score"] = (frame["f_score"] + frame["m_score"] + 1) // 2
    frame["rfm"] = (
        frame["r_score"].astype(str) + frame["f_score"].astype(str) + frame["m_score"].astype(str)
    )
    frame["segment"] = [
        _segment(r, fm, n)
        for r, fm, n in zip(frame["r_score"], frame["fm_score"], frame["frequency"], strict=True)
    ]
    return frame


def segment_table(audit, *, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers and value per RFM segment, one row per segment of ``SEGMENTS`` (in that order,
    empty segments included with zeros).

    Columns: ``segment``, ``customers``, ``customer_share`` (fraction of customers),
    ``revenue`` (net, currency), ``revenue_share`` (fraction of total net revenue; NaN when the
    total is 0), ``margin`` (currency), ``mean_revenue`` (currency per customer; NaN when
    empty), ``median_recency_days``, ``mean_orders``. ``scores``: a ``rfm_scores_table``.

    ``metrics.json``: ``saturation.segments`` = ``segment, customers, revenue_share``.
    """
    if scores is None:
        scores = rfm_scores_table(audit)
    g = scores.groupby("segment")
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue": g["monetary"].sum(),
            "margin": g["margin"].sum(),
            "median_recency_days": g["recency_days"].median(),
            "mean_orders": g["frequency"].mean(),
        }
    ).reindex(SEGMENTS)
    table.index.name = "segment"
    table = table.reset_index()
    for col in ("customers", "revenue", "margin"):
        table[col] = table[col].fillna(0)
    table["customers"] = table["customers"].astype("int64")
    n, total = int(table["customers"].sum()), float(table["revenue"].sum())
    table["customer_share"] = table["customers"] / n if n else math.nan
    table["revenue_share"] = table["revenue"] / total if total else math.nan
    table["mean_revenue"] = table["revenue"] / table["customers"].where(table["customers"] > 0)
    return table[
        [
            "segment",
            "customers",
            "customer_share",
            "revenue",
            "revenue_share",
            "margin",
            "mean_revenue",
            "median_recency_days",
            "mean_orders",
        ]
    ]


def value_tiers_table(
    audit,
    *,
    tiers: Sequence[tuple[str, float]] = DEFAULT_TIERS,
    value: str = "revenue",
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Value tiers for a loyalty programme: customers ranked by ``value`` (``"revenue"``, net,
    or ``"margin"``; currency) descending, ties by customer id, cut into ``tiers`` (name, share
    of customers; the shares should sum to 1, the last tier takes the remainder).

    Columns: ``tier``, ``customers``, ``customer_share``, ``threshold`` (currency: the lowest
    value in the tier — the bar to enter it), ``max_value`` (currency), ``value`` (sum,
    currency), ``value_share`` (fraction of the total; NaN when the total is 0),
    ``mean_value``. A tier too small for a whole customer has 0 customers and NaN thresholds.
    """
    if history is None:
        history = historical_clv_table(audit)
    ranked = history.sort_values([value, "customer_id"], ascending=[False, True])
    values = ranked[value].astype("float64").to_numpy()
    n, total = len(values), float(values.sum())
    rows, start, cumulative = [], 0, 0.0
    for i, (name, share) in enumerate(tiers):
        cumulative += share
        stop = n if i == len(tiers) - 1 else min(n, math.floor(cumulative * n + 0.5 + 1e-9))
        part = values[start:stop]
        rows.append(
            {
                "tier": name,
                "customers": len(part),
                "customer_share": len(part) / n if n else math.nan,
                "threshold": float(part.min()) if len(part) else math.nan,
                "max_value": float(part.max()) if len(part) else math.nan,
                "value": float(part.sum()),
                "value_share": float(part.sum()) / total if total else math.nan,
                "mean_value": float(part.mean()) if len(part) else math.nan,
            }
        )
        start = stop
    return pd.DataFrame(rows)


# -- concentration -------------------------------------------------------------------------------
def lorenz_table(
    audit, *, history: pd.DataFrame | None = None, points: int | None = None
) -> pd.DataFrame:
    """The Lorenz curve of net revenue: ``customer_share`` (fraction of customers, ascending by
    revenue) and ``revenue_share`` (cumulative fraction of net revenue), starting at (0, 0) and
    ending at (1, 1): n + 1 rows, or ``points`` rows evenly spaced in customer share (the curve
    is piecewise linear, so interpolation is exact). Empty without customers or revenue.
    """
    if history is None:
        history = historical_clv_table(audit)
    x = np.sort(history["revenue"].astype("float64").to_numpy())
    total = x.sum()
    if not len(x) or total == 0:
        return pd.DataFrame({"customer_share": [], "revenue_share": []}, dtype="float64")
    cs = np.arange(len(x) + 1) / len(x)
    rs = np.concatenate([[0.0], np.cumsum(x) / total])
    if points is not None:
        grid = np.linspace(0.0, 1.0, points)
        cs, rs = grid, np.interp(grid, cs, rs)
    return pd.DataFrame({"customer_share": cs, "revenue_share": rs})


def gini(values) -> float:
    """Gini coefficient of ``values`` (1 − 2 × area under the Lorenz curve, equal to
    Σᵢⱼ |xᵢ − xⱼ| / (2 n² x̄)). NaN for no values or a zero total."""
    x = np.sort(np.asarray(values, dtype="float64"))
    n, total = len(x), x.sum()
    if not n or total == 0:
        return math.nan
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * total) - (n + 1) / n)


def concentration_summary(audit, *, history: pd.DataFrame | None = None) -> dict[str, float]:
    """Value concentration: ``customers``, ``gini`` (of net revenue), ``top20_share`` and
    ``top1_share`` (net revenue of the ``ceil(0.2 n)`` / ``ceil(0.01 n)`` largest customers /
    total, fractions; NaN when the total is not positive), ``top_customer_share``."""
    if history is None:
        history = historical_clv_table(audit)
    revenue = history["revenue"].astype("float64")
    ranked = revenue.sort_values(ascending=False).to_numpy()
    n, total = len(ranked), float(ranked.sum())

    def share(k: int) -> float:
        return float(ranked[:k].sum() / total) if n and total > 0 else math.nan

    return {
        "customers": n,
        "gini": gini(ranked),
        "top20_share": share(max(1, math.ceil(0.2 * n))),
        "top1_share": share(max(1, math.ceil(0.01 * n))),
        "top_customer_share": share(1),
    }


# -- potential -----------------------------------------------------------------------------------
def _check_value(customer_value: pd.DataFrame) -> None:
    missing = {"customer_id", "clv_future", "p_alive"} - set(customer_value.columns)
    if missing:
        raise ValueError(f"customer_value lacks column(s): {', '.join(sorted(missing))}")


def potential_table(
    audit, customer_value: pd.DataFrame, *, scores: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Predicted remaining value vs value so far per RFM segment (``SEGMENTS`` order).

    ``customer_value``: step I's frame (``customer_id, clv_future, p_alive, margin_so_far``);
    customers missing from it count with NaN (left out of the sums). Columns: ``segment``,
    ``customers``, ``margin_so_far`` (currency; ``customer_value.margin_so_far`` when given,
    else the margin of ``historical_clv_table``), ``clv_future`` (Σ predicted remaining value
    over step I's horizon, currency), ``clv_future_share`` (fraction of the total),
    ``future_to_past`` (clv_future / margin_so_far; NaN when the latter ≤ 0),
    ``mean_p_alive``, ``clv_future_per_customer`` (currency).
    """
    _check_value(customer_value)
    if scores is None:
        scores = rfm_scores_table(audit)
    cv = customer_value.drop_duplicates("customer_id").set_index("customer_id")
    frame = scores[["customer_id", "segment", "margin"]].copy()
    key = frame["customer_id"]
    frame["clv_future"] = key.map(cv["clv_future"]).astype("float64")
    frame["p_alive"] = key.map(cv["p_alive"]).astype("float64")
    if "margin_so_far" in cv.columns:
        frame["margin"] = key.map(cv["margin_so_far"]).astype("float64").fillna(frame["margin"])
    g = frame.groupby("segment")
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "margin_so_far": g["margin"].sum(),
            "clv_future": g["clv_future"].sum(),
            "mean_p_alive": g["p_alive"].mean(),
        }
    ).reindex(SEGMENTS)
    table.index.name = "segment"
    table = table.reset_index()
    for col in ("customers", "margin_so_far", "clv_future"):
        table[col] = table[col].fillna(0)
    table["customers"] = table["customers"].astype("int64")
    total = float(table["clv_future"].sum())
    table["clv_future_share"] = table["clv_future"] / total if total else math.nan
    table["future_to_past"] = table["clv_future"] / table["margin_so_far"].where(
        table["margin_so_far"] > 0
    )
    table["clv_future_per_customer"] = table["clv_future"] / table["customers"].where(
        table["customers"] > 0
    )
    return table[
        [
            "segment",
            "customers",
            "margin_so_far",
            "clv_future",
            "clv_future_share",
            "future_to_past",
            "mean_p_alive",
            "clv_future_per_customer",
        ]
    ]


def recent_spend(audit, *, years: int = 1) -> pd.DataFrame:
    """Net spend per customer over ``(observation_end − years, observation_end]``: ``customer_id,
    spend`` (currency; every order incl. return documents), customers with a purchase up to the
    end, 0 for those without orders in the window (aggregated by the engine, returned as pandas
    with one row per customer: it is joined with step I's per-customer CLV)."""
    end = audit.observation_end
    cut = (pd.Timestamp(end) - pd.DateOffset(years=years)).date()
    o = orders(_window(audit))
    day = o["order_ts"].cast("date")
    inside = day > ibis.literal(cut)
    per = o.group_by("customer_id").aggregate(
        spend=ibis.coalesce(exact_sum(o["revenue"], where=inside), 0),
        purchases=o.count(where=o["is_purchase"]),
    )
    per = per.filter(per["purchases"] > 0).select("customer_id", "spend").order_by("customer_id")
    frame = _fetch(per)
    frame["spend"] = frame["spend"].astype("float64")
    return frame


def reactivation_targets(
    audit,
    customer_value: pd.DataFrame,
    *,
    p_alive_min: float = 0.7,
    spend_quantile: float = 0.4,
    scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The reactivation / up-sell target: customers with P(alive) > ``p_alive_min`` whose net
    spend over the last 12 months is at or below the ``spend_quantile`` quantile of that spend
    over all customers with a purchase (pandas' linear quantile).

    One row per target, highest ``clv_future`` first: ``customer_id``, ``segment``,
    ``p_alive``, ``clv_future`` (currency), ``spend_last_12m`` (currency), ``spend_threshold``
    (the quantile, currency, the same on every row), ``margin_so_far`` (currency).
    Use ``reactivation_summary`` for its size and value.
    """
    _check_value(customer_value)
    if scores is None:
        scores = rfm_scores_table(audit)
    spend = recent_spend(audit).set_index("customer_id")["spend"]
    frame = scores[["customer_id", "segment", "margin"]].rename(columns={"margin": "margin_so_far"})
    frame["spend_last_12m"] = frame["customer_id"].map(spend).fillna(0.0).astype("float64")
    threshold = float(frame["spend_last_12m"].quantile(spend_quantile)) if len(frame) else math.nan
    cv = customer_value.drop_duplicates("customer_id").set_index("customer_id")
    frame["p_alive"] = frame["customer_id"].map(cv["p_alive"]).astype("float64")
    frame["clv_future"] = frame["customer_id"].map(cv["clv_future"]).astype("float64")
    if "margin_so_far" in cv.columns:
        mapped = frame["customer_id"].map(cv["margin_so_far"]).astype("float64")
        frame["margin_so_far"] = mapped.fillna(frame["margin_so_far"])
    frame["spend_threshold"] = threshold
    chosen = frame[(frame["p_alive"] > p_alive_min) & (frame["spend_last_12m"] <= threshold)]
    chosen = chosen.sort_values(["clv_future", "customer_id"], ascending=[False, True])
    columns = [
        "customer_id",
        "segment",
        "p_alive",
        "clv_future",
        "spend_last_12m",
        "spend_threshold",
        "margin_so_far",
    ]
    return chosen[columns].reset_index(drop=True)


def reactivation_summary(targets: pd.DataFrame, customer_value: pd.DataFrame) -> dict[str, Any]:
    """Size and value of ``reactivation_targets``: ``customers``, ``customer_share`` (of the
    customers in ``customer_value``), ``clv_future`` (Σ, currency), ``clv_future_share`` (of
    Σ ``customer_value.clv_future``), ``spend_last_12m`` (Σ, currency), ``spend_threshold``."""
    total_n = customer_value["customer_id"].nunique()
    total_v = float(customer_value["clv_future"].sum())
    value = float(targets["clv_future"].sum())
    return {
        "customers": len(targets),
        "customer_share": _share(len(targets), total_n),
        "clv_future": value,
        "clv_future_share": _share(value, total_v),
        "spend_last_12m": float(targets["spend_last_12m"].sum()),
        "spend_threshold": float(targets["spend_threshold"].iloc[0]) if len(targets) else math.nan,
    }


# -- cross-sell ----------------------------------------------------------------------------------
def _customer_categories(audit):
    """Distinct (customer_id, category) of non-return lines up to the end (ibis), or None."""
    t = _window(audit)
    if "category" not in t.columns:
        return None
    t = t.filter(~_is_return(t) & t["category"].notnull())
    return t.select("customer_id", category=t["category"].cast("string")).distinct()


def category_breadth_table(audit) -> pd.DataFrame | None:
    """How many categories customers buy: one row per number of distinct categories bought
    (non-return lines up to ``observation_end``): ``categories``, ``customers``,
    ``customer_share`` (fraction of customers who bought any category). None without a
    ``category`` column."""
    pairs = _customer_categories(audit)
    if pairs is None:
        return None
    per = pairs.group_by("customer_id").aggregate(categories=pairs.count())
    dist = per.group_by("categories").aggregate(customers=per.count()).order_by("categories")
    frame = _fetch(dist)
    frame = frame.astype({"categories": "int64", "customers": "int64"})
    n = int(frame["customers"].sum())
    frame["customer_share"] = frame["customers"] / n if n else math.nan
    return frame


def category_rules_table(
    audit, *, min_support: float = 0.01, min_confidence: float = 0.0
) -> pd.DataFrame | None:
    """Association rules A → B between categories bought by the same customer (ibis self-join
    of distinct (customer, category) pairs), for pairs with support ≥ ``min_support`` and
    confidence ≥ ``min_confidence``; both directions of a pair are rows.

    Columns: ``antecedent``, ``consequent``, ``customers_both``, ``customers_antecedent``,
    ``customers_consequent``, ``support`` (both / customers with any category), ``confidence``
    (both / antecedent), ``lift`` (confidence / (consequent / customers with any category)).
    Sorted by lift, then support, descending. None without a ``category`` column.
    """
    pairs = _customer_categories(audit)
    if pairs is None:
        return None
    n = int(pairs.customer_id.nunique().to_pyarrow().as_py() or 0)
    counts = pairs.group_by("category").aggregate(buyers=pairs.count())
    a = pairs.rename(cat_a="category")
    b = pairs.rename(cust_b="customer_id", cat_b="category")
    joined = a.join(b, (a.customer_id == b.cust_b) & (a.cat_a != b.cat_b))
    both = joined.group_by(["cat_a", "cat_b"]).aggregate(both=joined.count())
    both = both.filter(both["both"] >= ibis.literal(min_support * n))
    ca = counts.rename(cat_a="category", buyers_a="buyers")
    cb = counts.rename(cat_b="category", buyers_b="buyers")
    rules = both.join(ca, "cat_a").join(cb, "cat_b")
    frame = _fetch(rules)
    columns = [
        "antecedent",
        "consequent",
        "customers_both",
        "customers_antecedent",
        "customers_consequent",
        "support",
        "confidence",
        "lift",
    ]
    frame = frame.rename(
        columns={
            "cat_a": "antecedent",
            "cat_b": "consequent",
            "both": "customers_both",
            "buyers_a": "customers_antecedent",
            "buyers_b": "customers_consequent",
        }
    )
    for col in ("customers_both", "customers_antecedent", "customers_consequent"):
        frame[col] = frame[col].astype("int64")
    frame["support"] = frame["customers_both"] / n if n else math.nan
    frame["confidence"] = frame["customers_both"] / frame["customers_antecedent"]
    frame["lift"] = frame["confidence"] / (frame["customers_consequent"] / n) if n else math.nan
    frame = frame[frame["support"] >= min_support - 1e-12]
    frame = frame[frame["confidence"] >= min_confidence]
    frame = frame.sort_values(
        ["lift", "support", "antecedent", "consequent"], ascending=[False, False, True, True]
    )
    return frame[columns].reset_index(drop=True)


# -- order value levers --------------------------------------------------------------------------
def _purchase_orders(audit):
    o = orders(_window(audit))
    return o.filter(o["is_purchase"])


def order_value_summary(audit) -> dict[str, float]:
    """Order value (net revenue of a purchase order, currency): ``orders``, ``aov`` (mean),
    ``p10``, ``p25``, ``median``, ``p75``, ``p90`` (exact, linear interpolation) and
    ``upsell_headroom`` = p75 − median (how much a median order would need to reach the
    upper quartile)."""
    o = _purchase_orders(audit)
    v = o["revenue"]
    qs = {"p10": 0.10, "p25": 0.25, "median": 0.50, "p75": 0.75, "p90": 0.90}
    stats = {k: v.quantile(q) for k, q in qs.items()}
    row = _fetch(o.aggregate(orders=o.count(), aov=exact_mean(v), **stats)).iloc[0]
    out = {k: float(row[k]) if pd.notna(row[k]) else math.nan for k in ("aov", *qs)}
    out = {"orders": int(row["orders"]), **out}
    out["upsell_headroom"] = out["p75"] - out["median"]
    return out


def order_value_table(audit, *, bins: int = 20, upper_quantile: float = 0.99) -> pd.DataFrame:
    """Order-value distribution: ``bins`` equal-width buckets from 0 to the ``upper_quantile``
    order value, the last bucket open-ended (``upper`` = inf) and orders below 0 in the first.
    Columns: ``lower``, ``upper`` (currency; lower ≤ value < upper), ``orders``,
    ``order_share``, ``revenue`` (currency), ``revenue_share``. Empty without purchase orders."""
    o = _purchase_orders(audit)
    v = o["revenue"]
    top = _fetch(o.aggregate(q=v.quantile(upper_quantile), n=o.count())).iloc[0]
    columns = ["lower", "upper", "orders", "order_share", "revenue", "revenue_share"]
    if not int(top["n"]):
        return pd.DataFrame(columns=columns)
    width = max(float(top["q"]), 1e-9) / bins
    bucket = ibis.least(ibis.greatest((v / width).floor(), 0), bins - 1).cast("int64")
    per = o.mutate(bucket=bucket)
    agg = per.group_by("bucket").aggregate(orders=per.count(), revenue=exact_sum(per["revenue"]))
    got = _fetch(agg).set_index("bucket").reindex(range(bins)).fillna(0)
    frame = pd.DataFrame(
        {
            "lower": np.arange(bins) * width,
            "upper": np.append(np.arange(1, bins) * width, np.inf),
            "orders": got["orders"].astype("int64").to_numpy(),
            "revenue": got["revenue"].astype("float64").to_numpy(),
        }
    )
    frame["order_share"] = frame["orders"] / frame["orders"].sum()
    total = frame["revenue"].sum()
    frame["revenue_share"] = frame["revenue"] / total if total else math.nan
    return frame[columns]


def free_delivery_table(
    audit, *, threshold: float | None = None, band: float = 0.2
) -> pd.DataFrame | None:
    """Orders just below the free-delivery threshold and what topping them up would bring: one
    row. ``threshold``: currency, default ``saturation.free_delivery_threshold``; None when
    neither is set.

    Columns: ``threshold``, ``band`` (fraction below it), ``band_low`` = threshold × (1 −
    band), ``orders`` (purchase orders), ``orders_near`` (band_low ≤ value < threshold),
    ``near_share`` (of orders), ``orders_above`` (value ≥ threshold), ``above_share``,
    ``gap_total`` (Σ threshold − value over the near orders, currency), ``mean_gap``,
    ``uplift`` (= gap_total: **assumes** every near order is topped up exactly to the threshold,
    and no order is lost or added), ``uplift_share`` (of purchase-order revenue).
    """
    if threshold is None:
        threshold = audit.config.saturation.free_delivery_threshold
    if threshold is None:
        return None
    o = _purchase_orders(audit)
    v = o["revenue"]
    low = float(threshold) * (1 - band)
    near = (v >= low) & (v < float(threshold))
    row = _fetch(
        o.aggregate(
            orders=o.count(),
            near=o.count(where=near),
            above=o.count(where=v >= float(threshold)),
            gap=exact_sum(float(threshold) - v, where=near),
            revenue=exact_sum(v),
        )
    ).iloc[0]
    n, k = int(row["orders"]), int(row["near"])
    gap = float(row["gap"]) if pd.notna(row["gap"]) else 0.0
    revenue = float(row["revenue"]) if pd.notna(row["revenue"]) else 0.0
    return pd.DataFrame(
        [
            {
                "threshold": float(threshold),
                "band": band,
                "band_low": low,
                "orders": n,
                "orders_near": k,
                "near_share": _share(k, n),
                "orders_above": int(row["above"]),
                "above_share": _share(int(row["above"]), n),
                "gap_total": gap,
                "mean_gap": gap / k if k else math.nan,
                "uplift": gap,
                "uplift_share": _share(gap, revenue),
            }
        ]
    )


# -- acquisition saturation ----------------------------------------------------------------------
LINEAR_TOLERANCE = 1e-9  # |b − 1| below this is a linear response (constant marginal CAC)
BREAK_EVEN_KINDS = ("pays_throughout", "pays_nowhere", "pays_below", "pays_above", "unknown")


def _log_break_even(a: float, b: float, v: float) -> float:
    """log of the spend s* at which s^(1−b)/(a·b) = v, computed in logs so that b near 1
    cannot overflow: log s* = log(a·b·v) / (1 − b). Needs a, b, v > 0 and b ≠ 1; ±inf when
    1 − b is so small that s* lies beyond any float."""
    with np.errstate(over="ignore", divide="ignore"):
        return float(np.divide(math.log(a) + math.log(b) + math.log(v), 1.0 - b))


def break_even(
    a: float, b: float, v: float, spend_min: float, spend_max: float
) -> tuple[str, str, float]:
    """Where the fitted curve new = a·spend^b pays for a new customer worth ``v`` (currency).

    The marginal CAC is s^(1−b)/(a·b) (currency per new customer at spend s per period): it
    rises with spend when b < 1, is constant (1/a) when b = 1 and falls when b > 1; it meets
    ``v`` at the spend s* = (a·b·v)^(1/(1−b)). Only the observed spend range
    [``spend_min``, ``spend_max``] (currency per period) is judged; the curve is never
    evaluated beyond it. Returns ``(returns, kind, spend)``:

    - ``returns``: ``"diminishing"`` (0 < b < 1), ``"constant"`` (b = 1 within
      ``LINEAR_TOLERANCE``), ``"increasing"`` (b > 1), ``"none"`` (a ≤ 0 or b ≤ 0: more spend
      brought no more customers) or ``"unknown"`` (a, b or v missing);
    - ``kind``: ``"pays_throughout"`` (the next customer costs less than ``v`` at every observed
      spend), ``"pays_nowhere"`` (at none, also when ``v`` ≤ 0 or there is no response),
      ``"pays_below"`` (diminishing returns; pays up to s*, inside the range),
      ``"pays_above"`` (increasing returns; pays from s*, inside the range) or ``"unknown"``;
    - ``spend``: s* for ``pays_below``/``pays_above`` (currency per period), else NaN — a
      break-even at infinity or outside the observed range is a kind, never a number.
    """
    values = (a, b, v, spend_min, spend_max)
    if any(x is None or pd.isna(x) for x in values):
        return "unknown", "unknown", math.nan
    if a <= 0 or b <= 0:
        return "none", "pays_nowhere", math.nan
    returns = (
        "constant" if abs(b - 1) < LINEAR_TOLERANCE else "diminishing" if b < 1 else "increasing"
    )
    if v <= 0:
        return returns, "pays_nowhere", math.nan
    if returns == "constant":  # marginal CAC 1/a at every spend: every level pays or none does
        return returns, "pays_throughout" if 1 / a < v else "pays_nowhere", math.nan
    log_s = _log_break_even(a, b, v)
    low, high = math.log(max(spend_min, 1e-300)), math.log(max(spend_max, 1e-300))
    if log_s < low:  # s* below every observed spend
        return returns, "pays_nowhere" if returns == "diminishing" else "pays_throughout", math.nan
    if log_s > high:  # s* beyond the highest observed spend (or at infinity)
        return returns, "pays_throughout" if returns == "diminishing" else "pays_nowhere", math.nan
    kind = "pays_below" if returns == "diminishing" else "pays_above"
    return returns, kind, math.exp(log_s)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name].astype("float64")
    return pd.Series(np.nan, index=frame.index)


def acquisition_saturation_table(
    response: pd.DataFrame, clv: float | Mapping[str, float] | pd.Series
) -> pd.DataFrame:
    """Marks channels where buying one more customer costs more than it is worth (pure pandas).

    ``response``: step III's ``spend_response_table`` (at least ``channel, elasticity,
    marginal_cac, average_cac, spend_mean``; ``scale``, ``spend_min`` and ``spend_max`` for the
    break-even); ``clv``: the value of a new customer (currency), one number or per channel (a
    mapping / Series by channel). Returns those columns plus ``spend_min``, ``spend_max``
    (currency per period), ``clv``, ``saturated`` (marginal CAC at the mean spend > CLV; missing
    (``pd.NA``) when either is NaN), ``headroom`` (CLV − marginal CAC, currency; negative when
    saturated), ``returns`` and ``break_even_kind`` (see ``break_even``: whether more spend pays
    across the observed spend range), ``break_even_spend`` (the spend per period at which the
    marginal CAC reaches the CLV, currency, only when it lies inside the observed range — never
    extrapolated; NaN otherwise), ``break_even_observed`` (a break-even spend lies inside the
    observed range; missing when unknown), ``note``.
    """
    table = response[["channel", "elasticity", "marginal_cac", "average_cac", "spend_mean"]].copy()
    if isinstance(clv, (Mapping, pd.Series)):
        table["clv"] = table["channel"].map(dict(clv)).astype("float64")
    else:
        table["clv"] = float(clv)
    m, c = table["marginal_cac"].astype("float64"), table["clv"]
    known = m.notna() & c.notna()
    table["saturated"] = pd.array(
        [bool(x > y) if k else pd.NA for x, y, k in zip(m, c, known, strict=True)], dtype="boolean"
    )
    table["headroom"] = c - m
    table["spend_min"] = _column(response, "spend_min").to_numpy()
    table["spend_max"] = _column(response, "spend_max").to_numpy()
    judged = [
        break_even(a, b, v, lo, hi)
        for a, b, v, lo, hi in zip(
            _column(response, "scale"),
            table["elasticity"].astype("float64"),
            c,
            table["spend_min"],
            table["spend_max"],
            strict=True,
        )
    ]
    table["returns"] = [r for r, _, _ in judged]
    table["break_even_kind"] = [k for _, k, _ in judged]
    table["break_even_spend"] = [s for _, _, s in judged]
    table["break_even_observed"] = pd.array(
        [pd.NA if k == "unknown" else k in ("pays_below", "pays_above") for _, k, _ in judged],
        dtype="boolean",
    )
    table["note"] = [
        "no marginal CAC (spend response not fitted)"
        if pd.isna(x)
        else "no CLV for the channel"
        if pd.isna(y)
        else "marginal CAC above CLV: more spend destroys value"
        if x > y
        else ""
        for x, y in zip(m, c, strict=True)
    ]
    return table.reset_index(drop=True)


# -- metrics.json --------------------------------------------------------------------------------
def saturation_metrics(
    audit,
    *,
    history: pd.DataFrame | None = None,
    segments: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """``metrics.json`` → ``saturation``: ``{gini, top20_share, segments: [{segment, customers,
    revenue_share}]}`` (NaN → null). ``history``/``segments``: tables already computed."""
    if history is None:
        history = historical_clv_table(audit)
    if segments is None:
        segments = segment_table(audit, scores=rfm_scores_table(audit, history=history))
    conc = concentration_summary(audit, history=history)
    return {
        "gini": _plain(conc["gini"]),
        "top20_share": _plain(conc["top20_share"]),
        "segments": [
            {
                "segment": str(r.segment),
                "customers": int(r.customers),
                "revenue_share": _plain(float(r.revenue_share)),
            }
            for r in segments.itertuples()
        ],
    }


__all__ = [
    "SEGMENTS",
    "SEGMENT_RULES",
    "acquisition_saturation_table",
    "break_even",
    "category_breadth_table",
    "category_rules_table",
    "concentration_summary",
    "free_delivery_table",
    "gini",
    "lorenz_table",
    "order_value_summary",
    "order_value_table",
    "potential_table",
    "reactivation_summary",
    "reactivation_targets",
    "recent_spend",
    "rfm_scores_table",
    "saturation_metrics",
    "segment_table",
    "value_tiers_table",
]
