"""Step I — Calculation: what a customer is worth, and so what acquiring one may cost.

Definitions (also in the report's methods appendix):

- *purchase*: an order with at least one non-return line; a customer's purchases on the same
  calendar day count as one (same-day merge) in ``rfm_summary``. Zero-value orders are purchases.
- *returns* (``is_return`` or negative revenue) reduce net revenue, never count as purchases.
- *AOV*: net revenue of purchase orders ÷ purchase orders, over the whole window (currency).
- *purchase frequency per year*: purchase orders in the last 12 months ÷ customers who bought in
  the last 12 months (scaled to a year when the window is shorter, with a note).
- *annual retention rate r*: of the customers who bought in the 12 months before the last 12,
  the share who bought again in the last 12 months (needs a 24-month window).
- *retention period*: 1 / (1 − r) years, the mean of a geometric lifetime.
- *simple CLV* = AOV × frequency × retention period × margin (currency, undiscounted).
- *retention-rate CLV* = m·r / (1 + d − r): m the annual margin per active customer, d the
  annual discount rate (infinite horizon, first margin a year from now).

Predictive, per-customer CLV (BTYD models) plugs in through ``clvlib.models`` and
``rfm_summary``; this module only computes what the observed data say directly.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import pandas as pd

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = 30.4375
_UNIT_DAYS = {"D": 1.0, "W": 7.0}


def _as_table(transactions: Any):
    """An ibis table for a pandas frame or an ibis table (pandas goes to an in-memory DuckDB)."""
    if isinstance(transactions, pd.DataFrame):
        return ibis.duckdb.connect().create_table("transactions", transactions)
    return transactions


def _is_return(t, monetary_col: str):
    return t["is_return"] if "is_return" in t.columns else t[monetary_col] < 0


def _date(value: Any) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


def _unit_days(time_unit: str, days_per_month: float) -> float:
    if time_unit == "M":
        return days_per_month
    if time_unit not in _UNIT_DAYS:
        raise ValueError(f"time_unit must be 'D', 'W' or 'M', not {time_unit!r}")
    return _UNIT_DAYS[time_unit]


# -- lifetimes-compatible customer summary -------------------------------------------------------
def rfm_summary(
    transactions: Any,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "order_ts",
    monetary_col: str = "revenue",
    observation_end: Any = None,
    time_unit: str = "W",
    calibration_end: Any = None,
    days_per_month: float = DAYS_PER_MONTH,
) -> pd.DataFrame:
    """One row per customer: ``frequency``, ``recency``, ``T``, ``monetary_value``.

    ``frequency`` is the number of repeat purchase days, ``recency`` the time from the first to
    the last purchase and ``T`` from the first purchase to ``observation_end`` (or
    ``calibration_end``), in ``time_unit`` ("D" days, "W" weeks of 7 days, "M" months of
    ``days_per_month`` days). ``monetary_value`` is the mean purchase value (currency) over the
    repeat purchase days (0 without repeats). With ``calibration_end`` the summary covers the
    calibration period and adds ``frequency_holdout`` (purchase days after it, up to
    ``observation_end``) and ``duration_holdout``. Dates are inclusive calendar days. Runs in the
    backend: only the per-customer result is brought to pandas.
    """
    unit = _unit_days(time_unit, days_per_month)
    t = _as_table(transactions)
    purchases = t.filter(~_is_return(t, monetary_col))
    purchases = purchases.mutate(__day=purchases[datetime_col].cast("date"))
    days = purchases.group_by([customer_col, "__day"]).aggregate(
        __value=purchases[monetary_col].sum()
    )
    end = _date(observation_end) or _date(days["__day"].max().execute())
    cal_end = _date(calibration_end) or end
    days = days.filter(days["__day"] <= end)
    cal = days.filter(days["__day"] <= cal_end)
    per = cal.group_by(customer_col).aggregate(
        __first=cal["__day"].min(),
        __last=cal["__day"].max(),
        __n=cal.count(),
        __total=cal["__value"].sum(),
        __first_value=cal["__value"].argmin(cal["__day"]),
    )
    end_lit = ibis.literal(cal_end)
    summary = per.mutate(
        frequency=per["__n"] - 1,
        recency=per["__last"].delta(per["__first"], unit="day") / unit,
        T=end_lit.delta(per["__first"], unit="day") / unit,
        monetary_value=ibis.ifelse(
            per["__n"] > 1, (per["__total"] - per["__first_value"]) / (per["__n"] - 1), 0.0
        ),
    )
    columns = [customer_col, "frequency", "recency", "T", "monetary_value"]
    if calibration_end is not None:
        hold = days.filter(days["__day"] > cal_end)
        counts = hold.group_by(customer_col).aggregate(frequency_holdout=hold.count())
        summary = summary.left_join(counts, customer_col).mutate(
            frequency_holdout=ibis.coalesce(counts["frequency_holdout"], 0)
        )
        summary = summary.mutate(duration_holdout=(end - cal_end).days / unit)
        columns += ["frequency_holdout", "duration_holdout"]
    frame = summary.select(columns).to_pandas()
    frame = frame.sort_values(customer_col).set_index(customer_col)
    frame["frequency"] = frame["frequency"].astype("int64")
    if "frequency_holdout" in frame:
        frame["frequency_holdout"] = frame["frequency_holdout"].astype("int64")
    for col in ("recency", "T", "monetary_value"):
        frame[col] = frame[col].astype("float64")
    return frame


# -- order level ---------------------------------------------------------------------------------
def orders(transactions: Any):
    """Order level (ibis): ``customer_id, order_id, order_ts, revenue`` (net), ``is_purchase``.

    An order is a purchase when it has at least one non-return line; a separate return document
    (all lines returns) is not a purchase but its negative revenue still counts.
    """
    t = _as_table(transactions)
    ret = _is_return(t, "revenue")
    return t.group_by(["customer_id", "order_id"]).aggregate(
        order_ts=t["order_ts"].min(),
        revenue=t["revenue"].sum(),
        is_purchase=(~ret).any(),
    )


def _margin_rate(audit) -> tuple[float, str]:
    """Margin as a fraction of revenue: realised from a margin column, else client.yml."""
    t = audit.transactions
    if "margin" in t.columns:
        totals = t.aggregate(m=t["margin"].sum(), r=t["revenue"].sum()).to_pandas().iloc[0]
        if totals["r"] and not pd.isna(totals["m"]):
            return float(totals["m"] / totals["r"]), "margin column"
    return float(audit.config.economics.gross_margin), "economics.gross_margin"


def _year_before(end: dt.date, years: int = 1) -> dt.date:
    """The same calendar day ``years`` earlier: the last year is ``(_year_before(end), end]``."""
    return (pd.Timestamp(end) - pd.DateOffset(years=years)).date()


def _frequency_per_year(purchases, end: dt.date, start: dt.date) -> tuple[float, str]:
    """Purchase orders per active customer in the last 12 months (scaled when shorter)."""
    cut = _year_before(end)
    recent = purchases.filter(purchases["order_ts"].cast("date") > cut)
    row = recent.aggregate(n=recent.count(), c=recent["customer_id"].nunique()).to_pandas()
    n, c = int(row["n"].iloc[0]), int(row["c"].iloc[0])
    if c == 0:
        return math.nan, "no purchases in the last 12 months"
    if start > cut + dt.timedelta(days=1):  # less than a year of data: scale to a year
        window_days = (end - start).days + 1
        return n / c * DAYS_PER_YEAR / window_days, f"window of {window_days} days scaled to a year"
    return n / c, ""


def retention_rate(audit) -> tuple[float, str]:
    """Annual retention r: share of the buyers of the year before last who bought last year."""
    end, start = audit.observation_end, audit.observation_start
    if start > _year_before(end, 2) + dt.timedelta(days=1):
        return math.nan, "the data window is shorter than 24 months"
    purchases = orders(audit.transactions).filter(lambda o: o.is_purchase)
    day = purchases["order_ts"].cast("date")
    last_cut, prev_cut = _year_before(end), _year_before(end, 2)
    prev = purchases.filter((day > prev_cut) & (day <= last_cut)).select("customer_id").distinct()
    last = purchases.filter(day > last_cut).select("customer_id").distinct()
    joined = prev.left_join(last.mutate(__again=True), "customer_id")
    row = joined.aggregate(n=joined.count(), again=joined["__again"].count()).to_pandas()
    n = int(row["n"].iloc[0])
    if n == 0:
        return math.nan, "no customer bought in the year before last"
    return int(row["again"].iloc[0]) / n, ""


def simple_clv_table(audit) -> pd.DataFrame:
    """The simple CLV and its factors as a tidy frame: ``quantity, value, unit, note``.

    Quantities: customers, orders, aov, purchase_frequency_per_year, retention_rate,
    retention_years, gross_margin, simple_clv, annual_margin_per_active_customer,
    retention_formula_clv, repeat_rate. A value that cannot be computed is NaN with a note.
    """
    purchases = orders(audit.transactions).filter(lambda o: o.is_purchase)
    totals = (
        purchases.aggregate(
            customers=purchases["customer_id"].nunique(),
            orders=purchases.count(),
            revenue=purchases["revenue"].sum(),
        )
        .to_pandas()
        .iloc[0]
    )
    customers, n_orders = int(totals["customers"]), int(totals["orders"])
    aov = float(totals["revenue"]) / n_orders if n_orders else math.nan
    freq, freq_note = _frequency_per_year(purchases, audit.observation_end, audit.observation_start)
    r, r_note = retention_rate(audit)
    years = 1.0 / (1.0 - r) if not math.isnan(r) and r < 1 else math.nan
    margin, margin_source = _margin_rate(audit)
    d = float(audit.config.economics.annual_discount_rate)
    simple = aov * freq * years * margin
    m = aov * freq * margin
    formula = m * r / (1 + d - r) if not math.isnan(r) else math.nan
    per_customer = purchases.group_by("customer_id").aggregate(n=purchases.count())
    repeat = (
        per_customer.aggregate(share=(per_customer["n"] >= 2).cast("float64").mean())
        .to_pandas()["share"]
        .iloc[0]
    )
    currency = audit.currency
    rows = [
        ("customers", customers, "customers", "customers with at least one purchase"),
        ("orders", n_orders, "orders", "purchase orders"),
        ("aov", aov, currency, "net revenue of purchase orders / purchase orders"),
        ("purchase_frequency_per_year", freq, "per year", freq_note),
        ("retention_rate", r, "fraction per year", r_note),
        ("retention_years", years, "years", r_note or "1 / (1 - retention_rate)"),
        ("gross_margin", margin, "fraction of revenue", margin_source),
        ("simple_clv", simple, currency, r_note),
        ("annual_margin_per_active_customer", m, currency, "aov x frequency x margin"),
        ("retention_formula_clv", formula, currency, r_note or f"m r / (1 + d - r), d = {d}"),
        ("repeat_rate", float(repeat), "fraction of customers", "bought on two or more orders"),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value", "unit", "note"])


# -- value so far --------------------------------------------------------------------------------
def historical_clv_table(audit) -> pd.DataFrame:
    """Per customer: first/last purchase, purchase orders, net revenue, margin, tenure (years).

    ``margin`` (currency) is the margin column's sum when present, else net revenue × the
    configured gross margin. Returns reduce revenue and margin.
    """
    o = orders(audit.transactions)
    per = o.group_by("customer_id").aggregate(
        first_purchase=o["order_ts"].min(),
        last_purchase=o["order_ts"].max(),
        orders=o["is_purchase"].cast("int64").sum(),
        revenue=o["revenue"].sum(),
    )
    frame = per.to_pandas()
    frame = frame[frame["orders"] > 0].copy()
    t = audit.transactions
    if "margin" in t.columns:
        margin = t.group_by("customer_id").aggregate(margin=t["margin"].sum()).to_pandas()
        frame = frame.merge(margin, on="customer_id", how="left")
    else:
        frame["margin"] = frame["revenue"] * audit.config.economics.gross_margin
    end = pd.Timestamp(audit.observation_end)
    frame["tenure_years"] = (end - pd.to_datetime(frame["first_purchase"])).dt.days / DAYS_PER_YEAR
    return frame.sort_values("customer_id").reset_index(drop=True)


def historical_clv_summary(history: pd.DataFrame) -> dict[str, float]:
    """Mean, median and 90th percentile margin per customer (currency), the top-20 % share of
    net revenue and the repeat rate (share of customers with two or more purchase orders)."""
    revenue = history["revenue"].sort_values(ascending=False)
    top_n = max(1, math.ceil(0.2 * len(revenue)))
    total = revenue.sum()
    return {
        "customers": int(len(history)),
        "mean_margin": float(history["margin"].mean()),
        "median_margin": float(history["margin"].median()),
        "p90_margin": float(history["margin"].quantile(0.9)),
        "top20_share": float(revenue.iloc[:top_n].sum() / total) if total > 0 else math.nan,
        "repeat_rate": float((history["orders"] >= 2).mean()),
    }


# -- acquisition-cost ceiling --------------------------------------------------------------------
SEGMENT_CANDIDATES = ("acquisition_channel", "channel", "region", "loyalty_member")


def default_segment(audit) -> str | None:
    """The segment the ceiling is split by: the customers' acquisition channel when known, else
    the channel of the first order, else the region; ``None`` when there is none."""
    customers = audit.table("customers")
    for column in SEGMENT_CANDIDATES:
        if customers is not None and column in customers.columns:
            return column
        if column == "channel" and "channel" in audit.transactions.columns:
            return column
    return None


def _segments(audit, by: str):
    """customer_id → segment (ibis): from the customers table, or the first order's channel."""
    customers = audit.table("customers")
    if customers is not None and by in customers.columns:
        return customers.select("customer_id", segment=customers[by].cast("string")).distinct(
            on="customer_id", keep="first"
        )
    t = audit.transactions
    if by in t.columns:
        first = t.mutate(
            __rank=ibis.row_number().over(
                group_by=t["customer_id"],
                order_by=[t["order_ts"], t["source_row"]]
                if "source_row" in t.columns
                else [t["order_ts"]],
            )
        )
        first = first.filter(first["__rank"] == 0)
        return first.select("customer_id", segment=first[by].cast("string"))
    raise ValueError(f"no column {by!r} in the customers or transactions table")


def acquisition_ceiling_table(audit, by: str | None = None) -> pd.DataFrame:
    """The most a new customer may cost: the simple CLV, overall (``segment == "all"``) and per
    segment of ``by`` (``acquisition_channel``, ``channel``, ``region`` …).

    Columns: segment, customers, aov (currency), purchase_frequency_per_year, clv_ceiling
    (currency), historical_margin_mean (currency, value so far per customer, for comparison).
    A segment's ceiling uses its own AOV and frequency with the overall retention period and
    margin: retention needs two full years per segment to measure, which small segments lack.
    """
    simple = simple_clv_table(audit).set_index("quantity")["value"]
    years, margin = simple["retention_years"], simple["gross_margin"]
    history = historical_clv_table(audit)
    rows = [
        {
            "segment": "all",
            "customers": int(simple["customers"]),
            "aov": simple["aov"],
            "purchase_frequency_per_year": simple["purchase_frequency_per_year"],
            "clv_ceiling": simple["simple_clv"],
            "historical_margin_mean": float(history["margin"].mean()),
        }
    ]
    if by is not None:
        purchases = orders(audit.transactions).filter(lambda o: o.is_purchase)
        seg = _segments(audit, by)
        joined = purchases.left_join(seg, "customer_id")
        joined = joined.mutate(segment=ibis.coalesce(joined["segment"], "(unknown)"))
        cut = _year_before(audit.observation_end)
        recent = joined["order_ts"].cast("date") > cut
        stats = (
            joined.group_by("segment")
            .aggregate(
                customers=joined["customer_id"].nunique(),
                orders=joined.count(),
                revenue=joined["revenue"].sum(),
                recent_orders=recent.cast("int64").sum(),
                recent_customers=joined["customer_id"].nunique(where=recent),
            )
            .to_pandas()
        )
        start = audit.observation_start
        window = (audit.observation_end - start).days + 1
        scale = DAYS_PER_YEAR / window if start > cut + dt.timedelta(days=1) else 1.0
        margins = history.merge(seg.to_pandas(), on="customer_id", how="left")
        margins["segment"] = margins["segment"].fillna("(unknown)")
        mean_margin = margins.groupby("segment")["margin"].mean()
        for row in stats.sort_values("customers", ascending=False).itertuples():
            aov = row.revenue / row.orders if row.orders else math.nan
            freq = (
                row.recent_orders / row.recent_customers * scale
                if row.recent_customers
                else math.nan
            )
            rows.append(
                {
                    "segment": row.segment,
                    "customers": int(row.customers),
                    "aov": aov,
                    "purchase_frequency_per_year": freq,
                    "clv_ceiling": aov * freq * years * margin,
                    "historical_margin_mean": float(mean_margin.get(row.segment, math.nan)),
                }
            )
    return pd.DataFrame(rows)
