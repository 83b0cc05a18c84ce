"""Step IV — Retention: cohorts, repeat purchases, time to the next purchase and churn, the
loyalty programme and the sales reps.

Every aggregation over transactions is an ibis expression run by the backend; only per-cohort,
per-day, per-rep or per-customer results become pandas.

**Missing tables.** ``customers`` is optional. ``loyalty_table``, ``loyalty_before_after`` and
``sales_rep_table`` need it (and its column ``loyalty_member``, ``loyalty_joined_at`` resp.
``sales_rep``) and return ``None`` when it (or the column) is missing, so the notebook can say
which data would unlock the section; nothing is raised.

Definitions (the report's methods appendix repeats them). Everything uses the transactions up to
``observation_end`` (inclusive); orders as in ``clvlib.calculation.orders``.

- *purchase order*: an order with a non-return line; return documents are not purchases.
  *Purchase day*: a calendar day with at least one purchase order (same-day orders merge).
- *acquisition cohort*: the calendar month of a customer's first purchase order in the data.
  *Months since acquisition* k: calendar months between the cohort month and the month of an
  order (0 = the cohort month). Only *complete* months count: a month whose first day is on or
  after ``observation_start`` and whose last day is on or before ``observation_end``; cohorts
  of incomplete months are left out, and so are cells whose month is incomplete.
- *active customer* in month k: a cohort customer with a purchase order in that month.
  *Revenue* of a month: net revenue of the cohort's orders in it (return lines and return
  documents reduce it; currency). *Revenue retention* = revenue in month k / revenue in
  month 0. *Cumulative revenue per customer* (the LTV curve) = revenue of months 0 … k / cohort
  customers.
- *repeat rate*: customers with at least two purchase days / customers with a purchase (a
  fraction; Wilson 95 % interval).
- *inter-purchase time*: days between consecutive purchase days of a customer.
- *time to the next purchase* (Kaplan–Meier): one spell per purchase day, from that day to the
  customer's next purchase day. The curve is followed up to H = ``retention.churn_after_days``:
  a spell without a next purchase within H days is a **churn** (the customer counts as lost; a
  purchase after more than H days is a reactivation and does not end the spell as an event),
  a spell still open at ``observation_end`` and shorter than H is **censored** at its length.
  The survival S(t) is the probability that a customer has not bought again t days after a
  purchase; the *churn rate* is S(H), the share of purchases after which the customer is lost.
  95 % intervals: Greenwood's variance on the log(−log S) scale (they stay inside [0, 1]).
- *customer-year*: a customer's exposure from the first purchase day to ``observation_end``,
  in years of 365.25 days (at least one day).
- *loyalty lift* = members' figure / non-members' figure − 1, for *spend per order* (purchase
  revenue / purchase orders of the group) and *spend per customer-year* (purchase revenue /
  customer-years of the group). 95 % interval: seeded percentile bootstrap over customers,
  resampled within each group. Membership is self-selected: the lift compares groups, it is not
  the programme's effect (see ``loyalty_before_after``).
- *12-month retention* of a rep (as step I's retention rate): customers who bought in the year
  before the last 12 months and bought again in the last 12 months / those who bought in the
  year before. *Churn* = 1 − retention.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import ibis
import numpy as np
import pandas as pd

from clvlib.backends import exact_sum, fetch
from clvlib.calculation import _is_return, _per_customer, orders, wilson_interval
from clvlib.resampling import bootstrap_sums

DAYS_PER_YEAR = 365.25
Z95 = 1.959964
SMALL_SAMPLE = 30
LOYALTY_METRICS = ("spend_per_order", "spend_per_customer_year")
#: decimals the reps' influence terms are added with (``exact_sum``): the terms are below 1
#: (|u| < 4.6 is the integer form's limit), so 18 decimals keep their relative precision
INFLUENCE_DECIMALS = 18


# -- plumbing ------------------------------------------------------------------------------------
def _fetch(expr) -> pd.DataFrame:
    """A small aggregated result as pandas (through Arrow), in a row order that does not
    depend on the engine's threads (``clvlib.backends.fetch``)."""
    return fetch(expr)


def _first_per_customer(table, **values):
    """One row per ``customer_id`` of ``table`` (ibis) with ``values`` (name: expression on
    ``table``): each one's first non-null value in file order (``source_row``), so a customer
    listed twice gets the same values on any number of threads (``distinct(keep="first")``
    takes whichever row a thread saw first). A table without ``source_row`` (``from_frames``)
    keeps ``first()``. ``argmin`` rather than ``first(order_by=...)``: PySpark has MIN_BY but
    no ordered FIRST."""
    if "source_row" not in table.columns:
        firsts = {name: value.first() for name, value in values.items()}
    else:
        row = table["source_row"]
        firsts = {name: value.argmin(row, where=value.notnull()) for name, value in values.items()}
    return table.group_by("customer_id").aggregate(**firsts)


def _ratio(num: float, den: float) -> float:
    """num / den as a float, NaN when the denominator is zero or missing."""
    if den is None or pd.isna(den) or den == 0 or num is None or pd.isna(num):
        return math.nan
    return float(num) / float(den)


def _window_orders(audit):
    """Orders (``calculation.orders``) of the transactions up to ``observation_end``."""
    t = audit.transactions
    return orders(t.filter(t["order_ts"].cast("date") <= ibis.literal(audit.observation_end)))


def _purchase_days(audit):
    """Distinct (customer_id, day) of purchase orders (ibis)."""
    o = _window_orders(audit)
    o = o.filter(o["is_purchase"])
    return o.select("customer_id", day=o["order_ts"].cast("date")).distinct()


def _customers_with(audit, column: str):
    """The customers table when it has ``column``, else None."""
    c = audit.table("customers")
    if c is None or column not in c.columns:
        return None
    return c


def _bootstrap_sums(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column sums of ``values`` (rows = customers, columns = quantities) over ``n_boot``
    resamples of the rows with replacement: an (n_boot, columns) array
    (``clvlib.resampling.bootstrap_sums``: normal limit above 100,000 customers)."""
    return bootstrap_sums(values, n_boot, rng)


def _percentile_ci(draws: np.ndarray) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if len(draws) == 0:
        return math.nan, math.nan
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(low), float(high)


# -- cohorts -------------------------------------------------------------------------------------
def _month_start(year: int, month: int) -> dt.date:
    return dt.date(int(year), int(month), 1)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _complete_months(start: dt.date, end: dt.date) -> tuple[int, int]:
    """First and last month index (year·12 + month − 1) of the complete months in [start, end]."""
    first = _month_index(start) + (0 if start.day == 1 else 1)
    last = _month_index(end) - (0 if (end + dt.timedelta(days=1)).day == 1 else 1)
    return first, last


def cohort_table(audit, *, max_months: int | None = None) -> pd.DataFrame:
    """Monthly acquisition cohorts × months since acquisition, a tidy long table (one row per
    cohort and month k = 0, 1, … while the month is complete; months without activity are
    rows with zeros).

    Columns: ``cohort`` (first day of the cohort month, a datetime), ``months_since_acquisition``
    (k), ``cohort_customers``, ``active_customers`` (with a purchase order in month k),
    ``active_share`` (active / cohort customers, a fraction; 1 in month 0), ``revenue`` (net
    revenue of the cohort's orders in month k, currency), ``revenue_retention`` (revenue in
    month k / revenue in month 0; NaN when month 0 has no revenue) and
    ``cumulative_revenue_per_customer`` (currency; the cohort's LTV curve). ``max_months``
    caps k. Definitions in the module docstring.
    """
    first_m, last_m = _complete_months(audit.observation_start, audit.observation_end)
    columns = [
        "cohort", "months_since_acquisition", "cohort_customers", "active_customers",
        "active_share", "revenue", "revenue_retention", "cumulative_revenue_per_customer",
    ]  # fmt: skip
    o = _window_orders(audit)
    ts = o["order_ts"]
    o = o.mutate(m=ts.year() * 12 + ts.month() - 1)
    first = o.group_by("customer_id").aggregate(c=o["m"].min(where=o["is_purchase"]))
    first = first.filter(first["c"].notnull() & (first["c"] >= first_m) & (first["c"] <= last_m))
    j = o.inner_join(first, "customer_id")
    j = j.mutate(k=j["m"] - j["c"]).filter(lambda r: (r["k"] >= 0) & (r["m"] <= last_m))
    cells = _fetch(
        j.group_by(["c", "k"]).aggregate(
            active_customers=j["customer_id"].nunique(where=j["is_purchase"]),
            revenue=exact_sum(j["revenue"]),
        )
    )
    sizes = _fetch(first.group_by("c").aggregate(cohort_customers=first.count()))
    if sizes.empty:
        return pd.DataFrame(columns=columns)
    grid = [
        (int(c), k)
        for c in sorted(sizes["c"])
        for k in range(0, last_m - int(c) + 1)
        if max_months is None or k <= max_months
    ]
    frame = pd.DataFrame(grid, columns=["c", "k"])
    frame = frame.merge(sizes.astype({"c": "int64"}), on="c", how="left")
    frame = frame.merge(cells.astype({"c": "int64", "k": "int64"}), on=["c", "k"], how="left")
    frame["active_customers"] = frame["active_customers"].fillna(0).astype("int64")
    frame["revenue"] = frame["revenue"].astype("float64").fillna(0.0)
    frame["cohort_customers"] = frame["cohort_customers"].astype("int64")
    frame["cohort"] = pd.to_datetime([_month_start(c // 12, c % 12 + 1) for c in frame["c"]])
    frame["months_since_acquisition"] = frame["k"].astype("int64")
    frame["active_share"] = frame["active_customers"] / frame["cohort_customers"]
    month0 = frame.groupby("c")["revenue"].transform("first")
    frame["revenue_retention"] = frame["revenue"] / month0.where(month0 != 0)
    frame["cumulative_revenue_per_customer"] = (
        frame.groupby("c")["revenue"].cumsum() / frame["cohort_customers"]
    )
    return frame[columns].reset_index(drop=True)


# -- repeat purchases and inter-purchase time ----------------------------------------------------
def _spells(audit):
    """One row per purchase day (ibis): ``customer_id, day, next_day`` (NULL: none yet)."""
    days = _purchase_days(audit)
    nxt = days["day"].lead().over(group_by="customer_id", order_by="day")
    return days.mutate(next_day=nxt)


def inter_purchase_table(audit) -> pd.DataFrame:
    """The distribution of days between consecutive purchase days: one row per observed gap
    length. Columns ``days`` (≥ 1), ``gaps`` (how many), ``share`` (of all gaps) and
    ``cumulative_share`` (gaps of at most ``days``). Open spells (no next purchase yet) are not
    gaps; for a distribution that accounts for them see ``survival_table``."""
    s = _spells(audit)
    s = s.filter(s["next_day"].notnull())
    s = s.mutate(days=s["next_day"].delta(s["day"], unit="day"))
    frame = _fetch(s.group_by("days").aggregate(gaps=s.count())).sort_values("days")
    frame = frame.astype({"days": "int64", "gaps": "int64"}).reset_index(drop=True)
    total = frame["gaps"].sum()
    frame["share"] = frame["gaps"] / total if total else math.nan
    frame["cumulative_share"] = frame["share"].cumsum()
    return frame


def kaplan_meier(durations, events, counts=None, *, z: float = Z95) -> pd.DataFrame:
    """The Kaplan–Meier (product-limit) estimate of a survival function.

    ``durations`` (≥ 0), ``events`` (True: the event happened at that time; False: censored
    then) and optional ``counts`` (how many subjects each row stands for; 1 each by default).
    One row per distinct time, starting with time 0: ``time``, ``at_risk`` (subjects with
    duration ≥ time), ``events``, ``censored``, ``survival`` S(t) = Π_{t_i ≤ t} (1 − d_i / n_i),
    ``variance`` (Greenwood: S² · Σ d_i / (n_i (n_i − d_i))), ``ci_low`` and ``ci_high`` (95 %:
    exp(−exp(log(−log S) ∓ z·σ)) with σ² = Σ d_i / (n_i (n_i − d_i)) / (log S)²; equal to S
    where S is 1 or 0). Censored at t means still at risk for the events at t.
    """
    d = pd.DataFrame({"time": np.asarray(durations, dtype="float64"),
                      "event": np.asarray(events, dtype=bool)})  # fmt: skip
    d["n"] = 1 if counts is None else np.asarray(counts, dtype="int64")
    d["ev"] = d["n"].where(d["event"], 0)
    d["ce"] = d["n"].where(~d["event"], 0)
    per = d.groupby("time")[["n", "ev", "ce"]].sum()
    if 0.0 not in per.index:
        per.loc[0.0] = [0, 0, 0]
    per = per.sort_index()
    at_risk = per["n"][::-1].cumsum()[::-1].to_numpy(dtype="float64")
    ev = per["ev"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(at_risk > 0, 1 - ev / at_risk, 1.0))
        term = np.where((at_risk > ev) & (ev > 0), ev / (at_risk * (at_risk - ev)), 0.0)
        green = np.cumsum(term)
        log_s = np.log(surv)
        sigma = np.sqrt(green) / np.abs(log_s)
        loglog = np.log(-log_s)
        low = np.exp(-np.exp(loglog + z * sigma))
        high = np.exp(-np.exp(loglog - z * sigma))
    degenerate = (surv >= 1.0) | (surv <= 0.0) | ~np.isfinite(sigma)
    low = np.where(degenerate, surv, low)
    high = np.where(degenerate, surv, high)
    time = per.index.to_numpy()
    integral = bool(np.all(time == np.round(time)))
    return pd.DataFrame(
        {
            "time": time.astype("int64") if integral else time,
            "at_risk": at_risk.astype("int64"),
            "events": ev.astype("int64"),
            "censored": per["ce"].to_numpy(dtype="int64"),
            "survival": surv,
            "variance": surv**2 * green,
            "ci_low": low,
            "ci_high": high,
        }
    )


def survival_at(km: pd.DataFrame, t: float) -> dict[str, float]:
    """S(t) and its 95 % interval from a ``kaplan_meier`` table (the step function's value at
    ``t``: the last row with time ≤ t)."""
    row = km[km["time"] <= t].iloc[-1]
    return {k: float(row[c]) for k, c in
            (("survival", "survival"), ("ci_low", "ci_low"), ("ci_high", "ci_high"))}  # fmt: skip


def km_influence(km: pd.DataFrame, t: float) -> pd.DataFrame:
    """The influence of one subject on the Kaplan–Meier S(t), per distinct (time, event).

    From a ``kaplan_meier`` table (rows up to ``t``): columns ``duration`` (a subject's time,
    ≤ t), ``event`` (bool) and ``influence`` IF(T, δ) = −S(t) · (δ / Y(T) − Σ_{t_j ≤ T} d_j /
    Y_j²) (Y: at risk, d: events). Summed over subjects the influences are 0; the sum of their
    squares over independent subjects is the large-sample variance of S(t) (Greenwood's, up to
    d_j / Y_j² against d_j / (Y_j (Y_j − d_j))). When subjects come in clusters (a customer's
    spells), summing the influences within each cluster first and then squaring gives the
    cluster-robust variance, which does not pretend that a customer's spells are independent.
    """
    k = km[km["time"] <= t]
    if not len(k):
        return pd.DataFrame({"duration": [], "event": [], "influence": []})
    s = float(k["survival"].iloc[-1])
    y = k["at_risk"].to_numpy(dtype="float64")
    d = k["events"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_var = np.cumsum(np.where(y > 0, d / y**2, 0.0))
        jump = np.where(y > 0, 1.0 / y, 0.0)
    time = k["time"].to_numpy()
    censored = pd.DataFrame({"duration": time, "event": False, "influence": s * hazard_var})
    events = pd.DataFrame({"duration": time, "event": True, "influence": -s * (jump - hazard_var)})
    return pd.concat([censored, events], ignore_index=True)


def _customer_spells(audit, reps=None):
    """Spells of the time to the next purchase (ibis, one row per purchase day):
    ``customer_id``, ``duration`` (days, capped at H), ``event`` (next purchase within H) and,
    with ``reps`` (an ibis ``customer_id, sales_rep`` table), ``sales_rep``."""
    horizon = int(audit.config.retention.churn_after_days)
    s = _spells(audit)
    end = ibis.literal(audit.observation_end)
    gap = s["next_day"].delta(s["day"], unit="day")
    open_for = end.delta(s["day"], unit="day")
    event = s["next_day"].notnull() & (gap <= horizon)
    length = ibis.least(ibis.coalesce(gap, open_for), horizon)
    s = s.mutate(duration=length, event=event)
    if reps is not None:
        s = s.inner_join(reps, "customer_id")
        return s.select("customer_id", "sales_rep", "duration", "event")
    return s.select("customer_id", "duration", "event")


def _spell_counts(audit, reps=None) -> pd.DataFrame:
    """Spells of the time to the next purchase counted by ``duration`` (days, capped at H) and
    ``event`` (next purchase within H), with ``reps`` (an ibis ``customer_id, sales_rep``
    table) also by ``sales_rep``."""
    s = _customer_spells(audit, reps)
    keys = ["duration", "event"] if reps is None else ["sales_rep", "duration", "event"]
    return _fetch(s.group_by(keys).aggregate(n=s.count()))


def _rep_churn(audit, reps) -> dict[str, dict[str, float]]:
    """Per sales rep: the churn rate S(H) with its Greenwood 95 % interval (``survival_at``)
    and ``se``, its customer-level (cluster-robust) standard error from ``km_influence``: a
    customer's spells are summed before squaring, so frequent buyers' many spells do not count
    as independent evidence. The influences are joined to the spells in the engine. The spells
    (a window over every purchase day) are computed once and kept by the engine for both
    queries (``cache``): the counts are integers and the influences are added exactly, so
    reading them back in another order changes nothing."""
    horizon = int(audit.config.retention.churn_after_days)
    with _customer_spells(audit, reps).cache() as spells:
        return _rep_churn_of(spells, horizon)


def _rep_churn_of(spells, horizon: int) -> dict[str, dict[str, float]]:
    """``_rep_churn`` from its spells (ibis, ``_customer_spells`` with reps)."""
    counts = _fetch(spells.group_by(["sales_rep", "duration", "event"]).aggregate(n=spells.count()))
    churn, influence = {}, []
    for rep, g in counts.groupby("sales_rep"):
        km = kaplan_meier(g["duration"], g["event"], g["n"])
        churn[rep] = survival_at(km, horizon)
        influence.append(km_influence(km, horizon).assign(sales_rep=rep))
    if not influence:
        return churn
    table = pd.concat(influence, ignore_index=True)
    table["duration"] = table["duration"].astype("int64")
    table["event"] = table["event"].astype(bool)
    j = spells.inner_join(ibis.memtable(table), ["sales_rep", "duration", "event"])
    u = exact_sum(j["influence"], decimals=INFLUENCE_DECIMALS)
    per = j.group_by(["sales_rep", "customer_id"]).aggregate(u=u)
    u2 = exact_sum(per["u"] * per["u"], decimals=INFLUENCE_DECIMALS)
    var = _fetch(per.group_by("sales_rep").aggregate(variance=u2))
    for rep, v in zip(var["sales_rep"], var["variance"], strict=True):
        churn[rep]["se"] = math.sqrt(max(float(v), 0.0))
    return churn


def survival_table(audit) -> pd.DataFrame:
    """Kaplan–Meier survival of the time to the next purchase (``kaplan_meier`` columns; time
    in days, 0 … ``retention.churn_after_days``). Spells, churn and censoring as in the module
    docstring; the value at the last time is the churn rate (``retention_summary``)."""
    counts = _spell_counts(audit)
    if counts.empty:
        return kaplan_meier([], [], [])
    return kaplan_meier(counts["duration"], counts["event"], counts["n"])


def retention_summary(
    audit, *, km: pd.DataFrame | None = None, gaps: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Headline figures. Keys: ``customers`` (with a purchase), ``repeaters`` (≥ 2 purchase
    days), ``repeat_rate`` with ``repeat_rate_ci_low/high`` (Wilson 95 %), ``gaps`` (observed
    inter-purchase gaps), ``median_gap_days`` and ``mean_gap_days`` (days), ``churn_after_days``
    (H), ``churn_rate`` = S(H) of ``survival_table`` (pass it as ``km`` to save a query) with
    ``churn_rate_ci_low/high``, and ``median_days_to_next_purchase`` (first t with S(t) ≤ 0.5;
    None when the curve stays above ½ within H). ``gaps``: ``inter_purchase_table(audit)``,
    when the caller has it (another query saved)."""
    days = _purchase_days(audit)
    per = days.group_by("customer_id").aggregate(n=days.count())
    row = _fetch(per.aggregate(customers=per.count(), repeaters=per.count(where=per["n"] >= 2)))
    customers = int(row["customers"].fillna(0).iloc[0])
    repeaters = int(row["repeaters"].fillna(0).iloc[0])
    low, high = wilson_interval(repeaters, customers)
    gaps = inter_purchase_table(audit) if gaps is None else gaps
    n_gaps = int(gaps["gaps"].sum())
    if n_gaps:
        expanded = np.repeat(gaps["days"].to_numpy(), gaps["gaps"].to_numpy())
        median_gap, mean_gap = float(np.median(expanded)), float(expanded.mean())
    else:
        median_gap = mean_gap = math.nan
    horizon = int(audit.config.retention.churn_after_days)
    km = survival_table(audit) if km is None else km
    at_h = (
        survival_at(km, horizon)
        if len(km)
        else dict.fromkeys(("survival", "ci_low", "ci_high"), math.nan)
    )
    below = km.loc[km["survival"] <= 0.5, "time"]
    return {
        "customers": customers,
        "repeaters": repeaters,
        "repeat_rate": _ratio(repeaters, customers),
        "repeat_rate_ci_low": low,
        "repeat_rate_ci_high": high,
        "gaps": n_gaps,
        "median_gap_days": median_gap,
        "mean_gap_days": mean_gap,
        "churn_after_days": horizon,
        "churn_rate": at_h["survival"],
        "churn_rate_ci_low": at_h["ci_low"],
        "churn_rate_ci_high": at_h["ci_high"],
        "median_days_to_next_purchase": int(below.iloc[0]) if len(below) else None,
    }


# -- per customer with customer attributes -------------------------------------------------------
def _customer_orders(audit, customers, extra: list[str]) -> pd.DataFrame:
    """Per customer with a purchase order (pandas, one row per customer, sorted by id: the
    bootstrap resamples these rows, so their order must not depend on the engine):
    ``customer_id``, ``orders`` (purchase orders), ``revenue`` (their net revenue), ``years``
    (customer-years) and ``extra`` columns of the customers table."""
    o = _window_orders(audit)
    o = o.filter(o["is_purchase"])
    end = ibis.literal(audit.observation_end)
    per = o.group_by("customer_id").aggregate(
        orders=o.count(), revenue=exact_sum(o["revenue"]), first=o["order_ts"].min()
    )
    c = _first_per_customer(customers, **{name: customers[name] for name in extra})
    j = per.inner_join(c, "customer_id")
    j = j.mutate(years=ibis.greatest(end.delta(j["first"].cast("date"), unit="day"), 1)
                 / DAYS_PER_YEAR).drop("first")  # fmt: skip
    frame = _fetch(j.order_by("customer_id"))  # a fixed order: the bootstrap depends on it
    frame["orders"] = frame["orders"].astype("float64")
    frame["revenue"] = frame["revenue"].astype("float64")
    frame["years"] = frame["years"].astype("float64")
    return frame


# -- loyalty -------------------------------------------------------------------------------------
def loyalty_table(audit, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame | None:
    """Loyalty members vs non-members: one row per metric (``spend_per_order``,
    ``spend_per_customer_year``; currency).

    Columns: ``metric``, ``members`` and ``non_members`` (the group's figure), ``lift``
    (members / non-members − 1, a fraction), ``ci_low`` and ``ci_high`` (seeded percentile
    bootstrap 95 % over customers, ``n_boot`` resamples), ``members_customers``,
    ``non_members_customers`` (customers with a purchase in each group) and ``selection_bias``
    (always True: members chose to join, so the lift is a comparison of groups, not the
    programme's effect — the notebook says so in a note). Customers without a
    ``loyalty_member`` value count as non-members. None without a customers table with
    ``loyalty_member``.
    """
    customers = _customers_with(audit, "loyalty_member")
    if customers is None:
        return None
    frame = _customer_orders(audit, customers, ["loyalty_member"])
    member = frame["loyalty_member"].fillna(False).astype(bool).to_numpy()
    values = frame[["revenue", "orders", "years"]].to_numpy(dtype="float64")
    rng = np.random.default_rng(seed)
    groups = {}
    for name, mask in (("members", member), ("non_members", ~member)):
        v = values[mask]
        point = v.sum(axis=0)
        draws = _bootstrap_sums(v, n_boot, rng) if len(v) else np.full((n_boot, 3), np.nan)
        groups[name] = (point, draws, int(mask.sum()))
    rows = []
    for metric, den in (("spend_per_order", 1), ("spend_per_customer_year", 2)):
        m_point, m_draws, m_n = groups["members"]
        n_point, n_draws, n_n = groups["non_members"]
        m_val, n_val = _ratio(m_point[0], m_point[den]), _ratio(n_point[0], n_point[den])
        with np.errstate(divide="ignore", invalid="ignore"):
            lift_draws = (m_draws[:, 0] / m_draws[:, den]) / (n_draws[:, 0] / n_draws[:, den]) - 1
        low, high = _percentile_ci(lift_draws)
        rows.append(
            {
                "metric": metric,
                "members": m_val,
                "non_members": n_val,
                "lift": _ratio(m_val, n_val) - 1,
                "ci_low": low,
                "ci_high": high,
                "members_customers": m_n,
                "non_members_customers": n_n,
                "selection_bias": True,
            }
        )
    return pd.DataFrame(rows)


def loyalty_before_after(audit, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame | None:
    """Joiners' mean order value before vs after joining the programme (paired): one row.

    A *joiner* is a member with a ``loyalty_joined_at`` and at least one purchase order before
    and one on or after that moment. Per joiner: mean order value before (purchase revenue /
    purchase orders) and after. Columns: ``joiners``, ``aov_before`` and ``aov_after`` (mean
    over joiners of their per-customer means, currency), ``change`` (after / before − 1, a
    fraction), ``ci_low``, ``ci_high`` (seeded percentile bootstrap 95 % over joiners, pairs
    kept together), ``change_significant`` (the interval excludes 0) and ``selection_bias``
    (True: a change within the same customers over time is not a controlled comparison either
    — spend drifts with tenure; a members' lift without a before/after change points to
    customers who already spent more before joining). None without a customers table with
    ``loyalty_joined_at``; ``joiners`` = 0 and NaN figures when nobody qualifies.
    """
    customers = _customers_with(audit, "loyalty_joined_at")
    if customers is None:
        return None
    o = _window_orders(audit)
    o = o.filter(o["is_purchase"])
    c = customers.filter(customers["loyalty_joined_at"].notnull())
    c = _first_per_customer(c, joined=c["loyalty_joined_at"].cast("timestamp"))
    j = o.inner_join(c, "customer_id")
    after = j["order_ts"] >= j["joined"]
    per = j.group_by("customer_id").aggregate(
        n_before=j.count(where=~after),
        r_before=exact_sum(j["revenue"], where=~after),
        n_after=j.count(where=after),
        r_after=exact_sum(j["revenue"], where=after),
    )
    per = per.filter((per["n_before"] > 0) & (per["n_after"] > 0))
    frame = _fetch(per.order_by("customer_id"))  # one row per joiner, fixed order: seeded bootstrap
    before = (frame["r_before"] / frame["n_before"]).to_numpy(dtype="float64")
    after_v = (frame["r_after"] / frame["n_after"]).to_numpy(dtype="float64")
    n = len(frame)
    if n == 0:
        low = high = b = a = math.nan
    else:
        b, a = float(before.mean()), float(after_v.mean())
        draws = _bootstrap_sums(np.column_stack([before, after_v]), n_boot,
                                np.random.default_rng(seed))  # fmt: skip
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = _percentile_ci(draws[:, 1] / draws[:, 0] - 1)
    change = _ratio(a, b) - 1 if n else math.nan
    return pd.DataFrame(
        [
            {
                "joiners": n,
                "aov_before": b,
                "aov_after": a,
                "change": change,
                "ci_low": low,
                "ci_high": high,
                "change_significant": bool(n and not (low <= 0 <= high)),
                "selection_bias": True,
            }
        ]
    )


# -- sales reps ----------------------------------------------------------------------------------
def sales_rep_table(
    audit,
    *,
    customer_value: pd.DataFrame | None = None,
    min_customers: int = SMALL_SAMPLE,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame | None:
    """Per sales rep (``customers.sales_rep``; customers without one under ``"(none)"``), sorted
    by the churn rate, lowest first.

    Columns: ``sales_rep``, ``customers`` (with a purchase), ``repeaters`` (≥ 2 purchase days),
    ``repeat_rate`` with ``repeat_rate_ci_low/high`` (Wilson 95 %), ``retention_base``
    (customers who bought in the year before the last 12 months), ``retained`` (of those, bought
    again in the last 12 months), ``retention_12m`` with ``retention_ci_low/high`` (Wilson 95 %;
    NaN without a base), ``churn_12m`` (1 − retention), ``churn_rate`` (S(H) of the rep's
    spells, as ``retention_summary``) with ``churn_ci_low/high`` (Greenwood 95 %) and
    ``churn_se`` (its customer-level standard error, see ``km_influence``: what
    ``clvlib.compare`` tests reps with), ``margin_per_customer`` (mean margin so
    far, currency: the margin column, else revenue × ``economics.gross_margin``; net of
    returns), ``small_sample`` (fewer than ``min_customers`` customers: read with care),
    ``scorecard`` (``retention.sales_scorecard`` of the rep, 1–5; NaN when not configured or not
    scored), and with ``customer_value`` (a frame ``customer_id, clv``, e.g. step I's
    per-customer CLV) ``clv_mean`` with ``clv_ci_low/high`` (seeded percentile bootstrap 95 %
    over the rep's customers with a value; without it these columns are NaN). None without a
    customers table with ``sales_rep``.
    """
    customers = _customers_with(audit, "sales_rep")
    if customers is None:
        return None
    per = _per_customer(audit)
    days = _purchase_days(audit)
    n_days = days.group_by("customer_id").aggregate(purchase_days=days.count())
    c = _reps(customers)
    j = per.inner_join(n_days, "customer_id").left_join(c, "customer_id")
    j = j.select(
        "customer_id", "margin", "purchase_days", "bought_year_before", "bought_last_12m",
        sales_rep=ibis.coalesce(j["sales_rep"].cast("string"), "(none)"),
    )  # fmt: skip
    base = j["bought_year_before"]
    stats = _fetch(
        j.group_by("sales_rep").aggregate(
            customers=j.count(),
            repeaters=j.count(where=j["purchase_days"] >= 2),
            retention_base=j.count(where=base),
            retained=j.count(where=base & j["bought_last_12m"]),
            margin=exact_sum(j["margin"]),
        )
    )
    for col in ("customers", "repeaters", "retention_base", "retained"):
        stats[col] = stats[col].fillna(0).astype("int64")
    stats["repeat_rate"] = stats["repeaters"] / stats["customers"]
    ci = [wilson_interval(k, n) for k, n in zip(stats["repeaters"], stats["customers"],
                                                 strict=True)]  # fmt: skip
    stats["repeat_rate_ci_low"] = [p[0] for p in ci]
    stats["repeat_rate_ci_high"] = [p[1] for p in ci]
    stats["retention_12m"] = stats["retained"] / stats["retention_base"].where(
        stats["retention_base"] > 0
    )
    ci = [wilson_interval(k, n) for k, n in zip(stats["retained"], stats["retention_base"],
                                                 strict=True)]  # fmt: skip
    stats["retention_ci_low"] = [p[0] for p in ci]
    stats["retention_ci_high"] = [p[1] for p in ci]
    stats["churn_12m"] = 1 - stats["retention_12m"]
    # the customers of j, found without aggregating the orders again
    buyers = _buyers_reps(audit, c)
    churn = _rep_churn(audit, j.select("customer_id", "sales_rep"))
    nan4 = dict.fromkeys(("survival", "ci_low", "ci_high", "se"), math.nan)
    for col, key in (("churn_rate", "survival"), ("churn_ci_low", "ci_low"),
                     ("churn_ci_high", "ci_high"), ("churn_se", "se")):  # fmt: skip
        stats[col] = [churn.get(r, nan4).get(key, math.nan) for r in stats["sales_rep"]]
    stats["margin_per_customer"] = stats["margin"].astype("float64") / stats["customers"]
    stats["small_sample"] = stats["customers"] < min_customers
    card: Mapping[str, float] = audit.config.retention.sales_scorecard or {}
    stats["scorecard"] = [float(card[r]) if r in card else math.nan for r in stats["sales_rep"]]
    stats["clv_mean"] = stats["clv_ci_low"] = stats["clv_ci_high"] = math.nan
    if customer_value is not None:
        reps = _fetch(buyers.order_by("customer_id"))
        values = customer_value[["customer_id", "clv"]].copy()
        values["customer_id"] = values["customer_id"].astype(str)
        reps["customer_id"] = reps["customer_id"].astype(str)
        merged = reps.merge(values, on="customer_id", how="inner").dropna(subset=["clv"])
        clv = merged["clv"].to_numpy(dtype="float64")
        rows = merged.groupby("sales_rep", sort=False).indices  # positions, in merged's order
        rng = np.random.default_rng(seed)
        for i, rep in enumerate(stats["sales_rep"]):
            v = clv[rows[rep]] if rep in rows else clv[:0]
            if len(v) == 0:
                continue
            draws = _bootstrap_sums(v[:, None], n_boot, rng)[:, 0] / len(v)
            low, high = _percentile_ci(draws)
            stats.loc[i, ["clv_mean", "clv_ci_low", "clv_ci_high"]] = [v.mean(), low, high]
    stats = stats.drop(columns="margin")
    stats = stats.sort_values(["churn_rate", "sales_rep"], kind="stable", na_position="last")
    return stats.reset_index(drop=True)


def _reps(customers):
    """``customer_id, sales_rep`` of the customers table, the first row of each customer (in
    file order: the same row on any thread count)."""
    return _first_per_customer(customers, sales_rep=customers["sales_rep"])


def _buyers_reps(audit, reps):
    """``customer_id, sales_rep`` (ibis) of every customer with a purchase order up to
    ``observation_end`` — those of ``_per_customer`` — with the rep of ``reps`` (``_reps``),
    ``"(none)"`` without one. A customer has a purchase order when one of its lines in the
    window is not a return (``orders``), so one pass over the lines finds them."""
    t = audit.transactions
    t = t.filter(t["order_ts"].cast("date") <= ibis.literal(audit.observation_end))
    t = t.filter(~_is_return(t, "revenue") & t["customer_id"].notnull())
    buyers = t.select("customer_id").distinct()
    j = buyers.left_join(reps, "customer_id")
    return j.select("customer_id", sales_rep=ibis.coalesce(j["sales_rep"].cast("string"), "(none)"))


# -- metrics.json --------------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    """A float, or None for NaN / missing (``metrics.json`` has null, never NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def retention_metrics(
    summary: Mapping[str, Any],
    loyalty: pd.DataFrame | None = None,
    reps: pd.DataFrame | None = None,
    *,
    loyalty_metric: str = "spend_per_order",
) -> dict[str, Any]:
    """The ``retention`` section of ``metrics.json`` (DESIGN §5) from ``retention_summary``,
    ``loyalty_table`` and ``sales_rep_table``: ``{repeat_rate, loyalty: {metric, members,
    non_members, lift, ci_low, ci_high}, by_sales_rep: [{sales_rep, customers, repeat_rate,
    clv_mean}]}`` plus ``churn_rate`` and ``churn_after_days``. ``loyalty`` is None and
    ``by_sales_rep`` empty when their table is None."""
    out: dict[str, Any] = {
        "repeat_rate": _num(summary.get("repeat_rate")),
        "churn_rate": _num(summary.get("churn_rate")),
        "churn_after_days": summary.get("churn_after_days"),
        "loyalty": None,
        "by_sales_rep": [],
    }
    if loyalty is not None:
        row = loyalty.loc[loyalty["metric"] == loyalty_metric].iloc[0]
        out["loyalty"] = {"metric": loyalty_metric,
                          **{k: _num(row[k]) for k in ("members", "non_members", "lift",
                                                       "ci_low", "ci_high")}}  # fmt: skip
    if reps is not None:
        out["by_sales_rep"] = [
            {
                "sales_rep": str(r.sales_rep),
                "customers": int(r.customers),
                "repeat_rate": _num(r.repeat_rate),
                "clv_mean": _num(r.clv_mean),
            }
            for r in reps.itertuples(index=False)
        ]
    return out
