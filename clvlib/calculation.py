"""Step I — Calculation: what a customer is worth, and so what acquiring one may cost.

Every aggregation over transactions is an ibis expression run by the backend (DuckDB by default);
only per-customer or per-segment results become pandas. Definitions (the report's methods
appendix repeats them):

- *purchase*: an order (rows sharing ``customer_id`` and ``order_id``) with at least one
  non-return line. Zero-value orders are purchases (CDNOW has some).
- *return*: a row with ``is_return`` true or a negative amount. Return lines inside a purchase
  order reduce that order's revenue; a separate return document (all lines returns) is not a
  purchase, but it reduces the customer's net revenue and margin (``historical_clv_table``).
- *purchase day* (``rfm_summary`` only): a customer's purchases on one calendar day count as one
  (same-day merge, as in lifetimes and the CDNOW papers); its value is the day's net.
- *last 12 months* = ``(observation_end - 1 year, observation_end]`` and the *year before* =
  ``(observation_end - 2 years, observation_end - 1 year]``, calendar years (dates inclusive).
- *AOV* (currency) = net revenue of purchase orders / purchase orders, whole window.
- *purchase frequency per year* = purchase orders in the last 12 months / customers with a
  purchase in the last 12 months (purchases per active customer per year). NaN when the window
  is shorter than 12 months.
- *annual retention rate r* = share of the customers who bought in the year before the last 12
  months who bought again in the last 12 months (NaN when the window is shorter than 24 months).
- *retention period* (years) = min(1 / (1 - r), cap), 1 / (1 - r) being the mean of a
  geometric lifetime counted in active years (the current year included) and cap
  ``economics.retention_period_cap_years`` (10 by default). Near r = 1 the geometric mean runs
  to decades (r = 0.99: 100 years) and at r = 1 it is unbounded; the cap keeps the simple CLV a
  figure a client can plan with (r = 1 gives the cap). ``retention_years_uncapped`` keeps
  1 / (1 - r) (NaN at r = 1: unbounded) and ``retention_cap_binds`` says whether the cap binds.
- *simple CLV* (currency) = AOV × frequency × retention period × margin (undiscounted).
- *retention-rate CLV* (currency) = m·r / (1 + d - r) = Σ_{t≥1} m (r / (1 + d))^t with
  m = AOV × frequency × margin (annual margin per active customer) and d the annual discount
  rate: the discounted value of the years after the current one, infinite horizon. Finite for
  d > 0; NaN with a note at r = 1 and d = 0 (the sum diverges).
- *margin*: Σ margin / Σ revenue when transactions have a ``margin`` column (rows without a
  margin use ``economics.gross_margin``), else ``economics.gross_margin`` from ``client.yml``.

Predictive, per-customer CLV: the BTYD fitters of ``clvlib.models`` (BG/NBD, Pareto/NBD,
Gamma-Gamma ...) take the output of ``rfm_summary`` below; ``clvlib.models.
customer_lifetime_value`` will sit beside ``simple_clv_table`` in the notebook and replace the
simple CLV as the acquisition-cost ceiling once it exists. Nothing in this module fits a model.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import pandas as pd

from clvlib.backends import exact_sum, fetch
from clvlib.errors import DataError

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = 30.4375
_UNIT_DAYS = {"D": 1.0, "W": 7.0}
SEGMENT_CANDIDATES = ("acquisition_channel", "channel", "region", "loyalty_member")
UNKNOWN_SEGMENT = "(unknown)"
SMALL_SEGMENT = 30  # active customers below which a segment's frequency is flagged as uncertain

RFM_COLUMNS = ["frequency", "recency", "T", "monetary_value"]
HOLDOUT_COLUMNS = ["frequency_holdout", "duration_holdout"]


# -- plumbing ------------------------------------------------------------------------------------
def _bind(data: Any) -> tuple[Any, Any]:
    """An ibis table and the connection to run it on (``None``: the table's own backend).

    A pandas frame becomes an ``ibis.memtable`` on its own in-memory DuckDB connection.
    """
    if isinstance(data, pd.DataFrame):
        return ibis.memtable(data), ibis.duckdb.connect()
    if isinstance(data, ibis.Table):
        return data, None
    raise TypeError(f"expected a pandas DataFrame or an ibis table, not {type(data).__name__}")


def _fetch(expr, con=None) -> pd.DataFrame:
    """A small result as pandas, through Arrow (several times faster than ibis' own
    conversion for a million rows), in a row order that does not depend on the engine's
    threads (``clvlib.backends.fetch``)."""
    return fetch(expr, con)


def _scalar(expr, con=None) -> Any:
    return con.execute(expr) if con is not None else expr.execute()


def _require(t, columns: list[str], *, fix: str) -> None:
    missing = [c for c in columns if c not in t.columns]
    if missing:
        raise DataError(
            f"the transactions have no column '{missing[0]}' (they have: {', '.join(t.columns)})",
            column=missing[0],
            fix=fix,
        )


def _to_date(value: Any) -> dt.date | None:
    """A calendar date from a date, datetime, pandas Timestamp or ISO string (None stays None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _unit_days(time_unit: str, days_per_month: float) -> float:
    if time_unit == "M":
        if not days_per_month > 0:
            raise ValueError(f"days_per_month must be positive, not {days_per_month!r}")
        return float(days_per_month)
    if time_unit not in _UNIT_DAYS:
        raise ValueError(
            f"time_unit must be 'D' (days), 'W' (weeks) or 'M' (months), not {time_unit!r}"
        )
    return _UNIT_DAYS[time_unit]


def _is_return(t, monetary_col: str):
    """Boolean expression: the row is a return (``is_return`` true or a negative amount)."""
    flag = ibis.coalesce(t[monetary_col] < 0, False)
    if "is_return" in t.columns:
        flag = flag | ibis.coalesce(t["is_return"].cast("boolean"), False)
    return flag


def _year_before(end: dt.date, years: int = 1) -> dt.date:
    """The same calendar day ``years`` earlier (29 Feb → 28 Feb)."""
    return (pd.Timestamp(end) - pd.DateOffset(years=years)).date()


def _covers(start: dt.date, cut: dt.date) -> bool:
    """True when a window starting on ``start`` covers the whole period ``(cut, end]``."""
    return start <= cut + dt.timedelta(days=1)


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
    """One row per customer (index ``customer_col``) in the lifetimes layout.

    Columns, times in ``time_unit`` ("D" days, "W" weeks = days / 7, "M" months = days /
    ``days_per_month``), dates being calendar days (time of day ignored):

    - ``frequency``: number of repeat purchase days (purchase days − 1);
    - ``recency``: first to last purchase day;
    - ``T``: first purchase day to ``observation_end`` — to ``calibration_end`` when given;
    - ``monetary_value`` (currency): mean over the repeat purchase days of the day's net value
      (0 when ``frequency`` is 0);
    - with ``calibration_end``: ``frequency_holdout`` (purchase days in ``(calibration_end,
      observation_end]``) and ``duration_holdout`` (that period's length); the other columns then
      describe the calibration period only.

    A purchase day is a calendar day with at least one purchase row of the customer — a row that
    is not a return (``is_return`` true or a negative ``monetary_col``); zero-value purchases
    count. All the customer's orders of that day are merged and its value is the net of all its
    rows, return rows included (a return line in the day's order, or an exchange, subtracts).
    Returns on days without a purchase are ignored here (``historical_clv_table`` counts them);
    a day's net value can therefore be ≤ 0, which a spend model must filter. Customers whose
    first purchase is after ``calibration_end`` (or ``observation_end``) are left out; rows after
    ``observation_end`` are ignored. ``observation_end`` defaults to the last transaction's date
    (returns included).

    ``transactions``: a pandas frame or an ibis table; one grouping pass by (customer, day) and
    one by customer run in the backend, and only the per-customer result is brought to pandas.
    Customers are sorted by id.
    """
    unit = _unit_days(time_unit, days_per_month)
    t, con = _bind(transactions)
    _require(
        t,
        [customer_col, datetime_col, monetary_col],
        fix="name the columns with customer_col=, datetime_col= and monetary_col=",
    )
    t = t.filter(t[customer_col].notnull() & t[datetime_col].notnull())
    end = _to_date(observation_end) or _to_date(_scalar(t[datetime_col].cast("date").max(), con))
    holdout = calibration_end is not None
    columns = [customer_col, *RFM_COLUMNS, *(HOLDOUT_COLUMNS if holdout else [])]
    if end is None:  # no transactions at all
        return _empty_rfm(columns)
    cut = _to_date(calibration_end) if holdout else end
    if cut > end:
        raise ValueError(f"calibration_end {cut} is after observation_end {end}")

    days = _purchase_days(t, customer_col, datetime_col, monetary_col, end)
    in_cal = days["__day"] <= ibis.literal(cut)
    stats = {
        "__first": days["__day"].min(where=in_cal),
        "__last": days["__day"].max(where=in_cal),
        "__n": days.count(where=in_cal),
        "__total": exact_sum(days["__value"], where=in_cal),
        # the first purchase day is always in calibration when there is one there
        "__first_value": days["__value"].argmin(days["__day"]),
    }
    if holdout:
        stats["frequency_holdout"] = days.count(where=~in_cal)
    per = days.group_by(customer_col).aggregate(**stats)
    per = per.filter(per["__n"] > 0)
    cut_lit = ibis.literal(cut)
    summary = per.mutate(
        frequency=per["__n"] - 1,
        recency=per["__last"].delta(per["__first"], unit="day") / unit,
        T=cut_lit.delta(per["__first"], unit="day") / unit,
        monetary_value=ibis.ifelse(
            per["__n"] > 1, (per["__total"] - per["__first_value"]) / (per["__n"] - 1), 0.0
        ),
    )
    if holdout:
        summary = summary.mutate(duration_holdout=ibis.literal((end - cut).days / unit))
    frame = _fetch(summary.select(columns).order_by(customer_col), con)
    return _typed_rfm(frame, customer_col)


def _purchase_days(t, customer_col, datetime_col, monetary_col, end: dt.date):
    """(customer, ``__day``, ``__value``): one row per customer and purchase day up to ``end``.

    One pass over the rows: a day is a purchase day when it has a non-return row; its value is
    the net of all the customer's rows that day.
    """
    day = t[datetime_col].cast("date")
    lines = t.select(
        customer_col,
        __day=day,
        __value=ibis.coalesce(t[monetary_col].cast("float64"), 0.0),
        __purchase=~_is_return(t, monetary_col),
    )
    lines = lines.filter(lines["__day"] <= ibis.literal(end))
    days = lines.group_by([customer_col, "__day"]).aggregate(
        __value=exact_sum(lines["__value"]), __purchase=lines["__purchase"].any()
    )
    return days.filter(days["__purchase"]).drop("__purchase")


def _empty_rfm(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns[1:]})
    frame.index.name = columns[0]
    return _typed_rfm(frame.reset_index(), columns[0])


def _typed_rfm(frame: pd.DataFrame, customer_col: str) -> pd.DataFrame:
    frame = frame.set_index(customer_col)
    for col in frame.columns:
        kind = "int64" if col in ("frequency", "frequency_holdout") else "float64"
        frame[col] = frame[col].astype(kind)
    frame.columns.name = None
    return frame


# -- order level ---------------------------------------------------------------------------------
def orders(transactions: Any):
    """Order level (an ibis expression): ``customer_id, order_id, order_ts, revenue,
    is_purchase`` and ``margin`` when the transactions have one.

    ``order_ts`` is the order's first line's timestamp, ``revenue`` (currency) the sum of its
    lines, return lines included (so net of them). ``is_purchase``: at least one non-return
    line; a return document (every line a return) is not a purchase but keeps its negative
    revenue. Without an ``order_id`` column every row is an order. Takes canonical columns.
    """
    t, _ = _bind(transactions)  # a pandas frame: executed later on ibis' default backend
    _require(
        t,
        ["customer_id", "order_ts", "revenue"],
        fix="map the canonical columns in client.yml (sources.transactions.columns)",
    )
    if "order_id" not in t.columns:
        t = t.mutate(order_id="row-" + (ibis.row_number() + 1).cast("string"))
    stats = {
        "order_ts": t["order_ts"].min(),
        "revenue": exact_sum(t["revenue"]),
        "is_purchase": (~_is_return(t, "revenue")).any(),
    }
    if "margin" in t.columns:
        stats["margin"] = exact_sum(t["margin"])
    return t.group_by(["customer_id", "order_id"]).aggregate(**stats)


# -- per customer, shared by the tables below ----------------------------------------------------
def _margin_rate(audit) -> tuple[float, str]:
    """Gross margin as a fraction of revenue, and where it came from."""
    gross = float(audit.config.economics.gross_margin)
    t = _window(audit)
    if "margin" not in t.columns:
        return gross, "economics.gross_margin in client.yml"
    has = t["margin"].notnull()
    row = _fetch(
        t.aggregate(
            m=exact_sum(t["margin"], where=has),
            r=exact_sum(t["revenue"], where=has),
            rest=exact_sum(t["revenue"], where=~has),
        )
    )
    m, r = (float(row[c].fillna(0).iloc[0]) for c in ("m", "r"))
    rest = float(row["rest"].fillna(0).iloc[0])
    if r + rest <= 0:
        return gross, "economics.gross_margin in client.yml (no net revenue)"
    rate = (m + rest * gross) / (r + rest)
    if rest:
        return rate, "margin column; rows without a margin at economics.gross_margin"
    return rate, "margin column: total margin / total net revenue"


def _window(audit):
    """The audit's transactions up to ``observation_end`` (inclusive)."""
    t = audit.transactions
    return t.filter(t["order_ts"].cast("date") <= ibis.literal(audit.observation_end))


def _per_customer(audit):
    """Per customer with at least one purchase (ibis): first/last purchase ts, purchase orders,
    purchase days (same-day orders are one purchase, as in the models and step IV), their
    revenue, net revenue and margin incl. returns, and last-year / year-before flags."""
    t = _window(audit)
    end = audit.observation_end
    gross = float(audit.config.economics.gross_margin)
    if "margin" in t.columns:
        t = t.mutate(margin=ibis.coalesce(t["margin"], t["revenue"] * gross))
    else:
        t = t.mutate(margin=t["revenue"] * gross)
    o = orders(t)
    day = o["order_ts"].cast("date")
    last_cut, prev_cut = _year_before(end), _year_before(end, 2)
    buy = o["is_purchase"]
    in_last = buy & (day > ibis.literal(last_cut))
    in_prev = buy & (day > ibis.literal(prev_cut)) & (day <= ibis.literal(last_cut))
    per = o.group_by("customer_id").aggregate(
        first_purchase=o["order_ts"].min(where=buy),
        last_purchase=o["order_ts"].max(where=buy),
        orders=o.count(where=buy),
        purchase_days=day.nunique(where=buy),
        purchase_revenue=exact_sum(o["revenue"], where=buy),
        revenue=exact_sum(o["revenue"]),
        margin=exact_sum(o["margin"]),
        orders_last_12m=o.count(where=in_last),
        bought_last_12m=in_last.any(),
        bought_year_before=in_prev.any(),
    )
    return per.filter(per["orders"] > 0)


# -- simple CLV ----------------------------------------------------------------------------------
_TOTALS = (
    "customers",
    "orders",
    "revenue",
    "orders_last",
    "active_last",
    "base",
    "retained",
    "repeaters",
    "exposure_days",
    "margin",
)


def _totals(per, end: dt.date, by: str | None = None) -> pd.DataFrame:
    """Additive sums over ``_per_customer`` rows (one row, or one per value of ``by``):
    customers, purchase orders and their revenue, last-12-month orders and active customers,
    retention base and retained customers, repeaters, exposure days, margin."""
    exposure = ibis.greatest(
        ibis.literal(end).delta(per["first_purchase"].cast("date"), unit="day"), 1
    )
    sums = {
        "customers": per.count(),
        "orders": per["orders"].sum(),
        "revenue": exact_sum(per["purchase_revenue"]),
        "orders_last": per["orders_last_12m"].sum(),
        "active_last": per.count(where=per["bought_last_12m"]),
        "base": per.count(where=per["bought_year_before"]),
        "retained": per.count(where=per["bought_year_before"] & per["bought_last_12m"]),
        "repeaters": per.count(where=per["purchase_days"] >= 2),
        "exposure_days": exposure.sum(),
        "margin": exact_sum(per["margin"]),
    }
    expr = per.group_by(by).aggregate(**sums) if by else per.aggregate(**sums)
    frame = _fetch(expr)
    frame[list(_TOTALS)] = frame[list(_TOTALS)].astype("float64").fillna(0.0)
    return frame


def simple_clv_table(audit) -> pd.DataFrame:
    """The simple CLV, the retention-rate CLV and their factors: one row per quantity.

    Columns ``quantity, value, unit, definition, note``. Quantities: ``customers``, ``orders``,
    ``aov``, ``purchase_frequency_per_year``, ``retention_rate`` (with ``retention_customers``,
    the denominator, and a Wilson 95 % interval ``retention_rate_ci_low/high``),
    ``retention_years`` (capped), ``retention_years_uncapped`` (1 / (1 − r); NaN at r = 1),
    ``retention_period_cap_years`` (the cap), ``retention_cap_binds`` (1.0 when the cap binds,
    0.0 when not, NaN without r), ``gross_margin``, ``simple_clv``,
    ``annual_margin_per_active_customer``
    (m), ``annual_discount_rate`` (d), ``retention_formula_clv``, ``repeat_rate`` and, for
    comparison only, ``purchases_per_customer_year_observed`` and
    ``historical_margin_per_customer`` (margin so far, mean). Money in ``audit.currency``.
    A figure that cannot be computed is NaN and its ``note`` says why; the ``note`` of a
    product names the first missing factor.
    """
    totals = _totals(_per_customer(audit), audit.observation_end)
    return _simple_frame(audit, totals.iloc[0])


def _simple_frame(audit, tot: pd.Series) -> pd.DataFrame:
    """``simple_clv_table`` from the sums of ``_totals``."""
    end, start = audit.observation_end, audit.observation_start
    last_cut, prev_cut = _year_before(end), _year_before(end, 2)
    n_customers, n_orders = int(tot["customers"]), int(tot["orders"])
    notes: dict[str, str] = {}

    if n_orders:
        aov = float(tot["revenue"]) / n_orders
    else:
        aov, notes["aov"] = math.nan, "no purchases in the data window"

    active = int(tot["active_last"])
    if not _covers(start, last_cut):
        freq = math.nan
        notes["frequency"] = (
            f"the data window ({start} to {end}) is shorter than 12 months: "
            "an annual purchase frequency would be extrapolated"
        )
    elif active == 0:
        freq, notes["frequency"] = math.nan, "no purchases in the last 12 months"
    else:
        freq = int(tot["orders_last"]) / active

    base, retained = int(tot["base"]), int(tot["retained"])
    r, ci_low, ci_high = math.nan, math.nan, math.nan
    if not _covers(start, prev_cut):
        notes["retention"] = (
            f"the data window ({start} to {end}) is shorter than 24 months, "
            "so an annual retention rate cannot be measured"
        )
    elif base == 0:
        notes["retention"] = f"no customer bought between {prev_cut} and {last_cut}"
    else:
        r = retained / base
        ci_low, ci_high = wilson_interval(retained, base)
    cap = float(audit.config.economics.retention_period_cap_years)
    years, uncapped, binds = retention_period(r, cap)
    cap_note = ""
    if binds == 1.0:
        cap_note = f"capped at {cap:g} years (economics.retention_period_cap_years): " + (
            f"1 / (1 - r) = {uncapped:.1f} years"
            if math.isfinite(uncapped)
            else "every customer was retained (r = 1), so 1 / (1 - r) is unbounded"
        )

    margin, margin_source = _margin_rate(audit)
    d = float(audit.config.economics.annual_discount_rate)
    m = aov * freq * margin
    simple = aov * freq * years * margin
    formula = retention_clv(m, r, d) if not math.isnan(r) else math.nan
    if r >= 1 and d == 0:
        notes["formula"] = (
            "every customer was retained (r = 1) and the discount rate is 0: "
            "the infinite-horizon sum has no finite value"
        )
    repeat = int(tot["repeaters"]) / n_customers if n_customers else math.nan
    exposure_years = float(tot["exposure_days"]) / DAYS_PER_YEAR
    margin_so_far = float(tot["margin"]) / n_customers if n_customers else math.nan
    observed = n_orders / exposure_years if exposure_years > 0 else math.nan

    def first_note(*keys: str) -> str:
        return next((notes[k] for k in keys if k in notes), "")

    cur = audit.currency
    last = f"{last_cut + dt.timedelta(days=1)} to {end}"
    prev = f"{prev_cut + dt.timedelta(days=1)} to {last_cut}"
    rows = [
        ("customers", n_customers, "customers", "customers with at least one purchase", ""),
        ("orders", n_orders, "orders", "purchase orders (orders with a non-return line)", ""),
        (
            "aov",
            aov,
            cur,
            "net revenue of purchase orders / purchase orders, whole window",
            first_note("aov"),
        ),
        (
            "purchase_frequency_per_year",
            freq,
            "purchases per active customer per year",
            f"purchase orders {last} / customers with a purchase then ({active})",
            first_note("frequency"),
        ),
        (
            "retention_rate",
            r,
            "fraction per year",
            f"share of the {base} customers who bought {prev} who bought again {last}",
            first_note("retention"),
        ),
        (
            "retention_customers",
            base if _covers(start, prev_cut) else math.nan,
            "customers",
            f"customers who bought {prev} (denominator of the retention rate)",
            first_note("retention"),
        ),
        ("retention_rate_ci_low", ci_low, "fraction per year", "Wilson 95 % interval", ""),
        ("retention_rate_ci_high", ci_high, "fraction per year", "Wilson 95 % interval", ""),
        (
            "retention_years",
            years,
            "years",
            "min(1 / (1 - retention_rate), retention_period_cap_years): mean of a geometric "
            "lifetime in active years, capped",
            first_note("retention") or cap_note,
        ),
        (
            "retention_years_uncapped",
            uncapped,
            "years",
            "1 / (1 - retention_rate), before the cap",
            first_note("retention") or ("unbounded: r = 1" if r >= 1 else ""),
        ),
        (
            "retention_period_cap_years",
            cap,
            "years",
            "economics.retention_period_cap_years in client.yml",
            "",
        ),
        (
            "retention_cap_binds",
            binds,
            "1 = yes, 0 = no",
            "whether 1 / (1 - retention_rate) exceeds the cap (or r = 1)",
            first_note("retention") or cap_note,
        ),
        ("gross_margin", margin, "fraction of revenue", margin_source, ""),
        (
            "simple_clv",
            simple,
            cur,
            "aov × purchase_frequency_per_year × retention_years × gross_margin",
            first_note("aov", "frequency", "retention"),
        ),
        (
            "annual_margin_per_active_customer",
            m,
            cur,
            "m = aov × purchase_frequency_per_year × gross_margin",
            first_note("aov", "frequency"),
        ),
        (
            "annual_discount_rate",
            d,
            "fraction per year",
            "d = economics.annual_discount_rate in client.yml",
            "",
        ),
        (
            "retention_formula_clv",
            formula,
            cur,
            "m·r / (1 + d - r): margin of the years after the current one, discounted, "
            "infinite horizon",
            first_note("aov", "frequency", "retention", "formula"),
        ),
        (
            "repeat_rate",
            repeat,
            "fraction of customers",
            "customers with two or more purchase orders / customers",
            "no customer bought more than once" if n_customers and not repeat else "",
        ),
        (
            "purchases_per_customer_year_observed",
            observed,
            "purchases per customer-year",
            "purchase orders / Σ over customers of (observation_end - first purchase) in years "
            "of 365.25 days (at least one day each); for comparison, not used in the CLV",
            "" if exposure_years > 0 else "no purchases in the data window",
        ),
        (
            "historical_margin_per_customer",
            margin_so_far,
            cur,
            "margin so far (returns included) / customers; for comparison with the CLV",
            "" if n_customers else "no purchases in the data window",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "value", "unit", "definition", "note"])
    frame["value"] = frame["value"].astype("float64")
    return frame


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95 % by default); NaN when n = 0."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def retention_period(r: float, cap_years: float) -> tuple[float, float, float]:
    """``(years, uncapped, binds)`` for an annual retention rate ``r`` (fraction) and a cap
    (years): ``uncapped`` = 1 / (1 − r) (NaN at r ≥ 1: unbounded), ``years`` = min(uncapped,
    cap) with r ≥ 1 giving the cap, ``binds`` 1.0 when the cap binds, 0.0 when not; all NaN when
    r is NaN. Never infinite."""
    if math.isnan(r):
        return math.nan, math.nan, math.nan
    if r >= 1:
        return float(cap_years), math.nan, 1.0
    uncapped = 1.0 / (1.0 - r)
    binds = uncapped > cap_years
    return (float(cap_years) if binds else uncapped), uncapped, float(binds)


def retention_clv(m: float, r: float, d: float) -> float:
    """Closed form m·r / (1 + d - r) = Σ_{t≥1} m·r^t / (1 + d)^t (currency, like ``m``)."""
    if not 0 <= r < 1 + d:
        return math.nan
    return m * r / (1 + d - r)


# -- value so far --------------------------------------------------------------------------------
def historical_clv_table(audit) -> pd.DataFrame:
    """Value so far, one row per customer with at least one purchase, sorted by customer id.

    Columns: ``customer_id`` (as in the data; pseudonymised only for display),
    ``first_purchase``, ``last_purchase`` (timestamps of the first and last purchase orders),
    ``orders`` (purchase orders), ``purchase_days`` (days with a purchase order), ``revenue``
    (currency, net: every order incl. return documents), ``margin`` (currency: the margin
    column's sum when present, rows without one and data without one at revenue ×
    ``economics.gross_margin``), ``tenure_years`` (first purchase day to ``observation_end`` in
    years of 365.25 days).

    One row per customer as pandas (aggregated by the engine; ~100 bytes a customer): the
    report draws its distribution and lists the top customers.
    """
    per = _per_customer(audit)
    end = ibis.literal(audit.observation_end)
    table = per.select(
        "customer_id",
        "first_purchase",
        "last_purchase",
        "orders",
        "purchase_days",
        "revenue",
        "margin",
        tenure_years=end.delta(per["first_purchase"].cast("date"), unit="day") / DAYS_PER_YEAR,
    ).order_by("customer_id")
    frame = _fetch(table)
    for col in ("orders", "purchase_days"):
        frame[col] = frame[col].astype("int64")
    for col in ("revenue", "margin", "tenure_years"):
        frame[col] = frame[col].astype("float64")
    return frame


def historical_clv_summary(history: pd.DataFrame) -> dict[str, float]:
    """Summary of ``historical_clv_table`` (money in the data's currency, shares as fractions).

    Keys: ``customers``, ``total_margin``, ``mean_margin``, ``median_margin``, ``p90_margin``,
    ``p99_margin``, ``max_margin``, ``mean_revenue``, ``median_revenue``; ``top_customer_share``,
    ``top1_share`` and ``top20_share`` — the share of total net revenue of the single largest
    customer, of the top 1 % and of the top 20 % of customers by net revenue (at least one
    customer each; NaN when total net revenue is not positive); ``repeat_rate`` (customers
    who bought on two or more days / customers: same-day orders are one purchase, the
    definition of the models and of step IV's repeat rate).
    """
    n = len(history)
    margin, revenue = history["margin"].astype("float64"), history["revenue"].astype("float64")
    ranked = revenue.sort_values(ascending=False)
    total = float(revenue.sum())

    def share(k: int) -> float:
        return float(ranked.iloc[:k].sum() / total) if n and total > 0 else math.nan

    return {
        "customers": n,
        "total_margin": float(margin.sum()),
        "mean_margin": float(margin.mean()) if n else math.nan,
        "median_margin": float(margin.median()) if n else math.nan,
        "p90_margin": float(margin.quantile(0.9)) if n else math.nan,
        "p99_margin": float(margin.quantile(0.99)) if n else math.nan,
        "max_margin": float(margin.max()) if n else math.nan,
        "mean_revenue": float(revenue.mean()) if n else math.nan,
        "median_revenue": float(revenue.median()) if n else math.nan,
        "top_customer_share": share(1),
        "top1_share": share(max(1, math.ceil(0.01 * n))),
        "top20_share": share(max(1, math.ceil(0.2 * n))),
        "repeat_rate": float((history["purchase_days"] >= 2).mean()) if n else math.nan,
    }


# -- acquisition-cost ceiling --------------------------------------------------------------------
# Predictive CLV plugs in here: clvlib.models (next issue) fits BG/NBD + Gamma-Gamma on
# rfm_summary(audit.transactions, calibration_end=audit.calibration_end, ...) and its
# customer_lifetime_value(...) per customer becomes the discounted ceiling beside the simple one.
def default_segment(audit) -> str | None:
    """The column the ceiling is split by: the first of ``acquisition_channel``, ``channel``,
    ``region``, ``loyalty_member`` found in the customers table (``channel``: also the first
    order's channel in the transactions); ``None`` when there is none."""
    customers = audit.table("customers")
    for column in SEGMENT_CANDIDATES:
        if customers is not None and column in customers.columns:
            return column
        if column == "channel" and column in audit.transactions.columns:
            return column
    return None


def _segments(audit, by: str):
    """customer_id → ``segment`` (string; ibis): the customers table's column ``by``, else the
    value of ``by`` on the customer's first purchase line in the transactions."""
    customers = audit.table("customers")
    if customers is not None and by in customers.columns:
        c = customers.filter(customers["customer_id"].notnull())
        return c.group_by("customer_id").aggregate(segment=c[by].cast("string").min())
    t = _window(audit)
    if by in t.columns:
        buys = t.filter(~_is_return(t, "revenue"))
        value = buys[by].cast("string")
        # the first purchase line's value; of tied first lines the smallest (a fixed pick:
        # arg_min alone takes whichever tied row a thread saw first)
        first = ibis.struct({"ts": buys["order_ts"], "value": value})
        return buys.group_by("customer_id").aggregate(segment=value.argmin(first))
    available = sorted(
        set(audit.transactions.columns) | set(customers.columns if customers is not None else [])
    )
    raise DataError(
        f"cannot split customers by '{by}': neither the customers table nor the transactions "
        f"have that column (available: {', '.join(available)})",
        column=by,
        fix="pick one of the available columns, e.g. acquisition_channel, channel, region or "
        "loyalty_member, or map it in client.yml",
    )


def acquisition_ceiling_table(audit, by: str | None = None) -> pd.DataFrame:
    """The acquisition-cost ceiling: the most a new customer may cost, overall and by segment.

    A customer is worth at most their simple CLV in margin (AOV × purchases per year ×
    retention period × gross margin, undiscounted): paying that much to acquire them breaks
    even, paying more loses money. The first row (``segment == "all"``) is the overall simple
    CLV of ``simple_clv_table``. With ``by`` (a column of the customers table such as
    ``acquisition_channel``, ``region`` or ``loyalty_member``, or of the transactions such as
    ``channel``, taken from the customer's first purchase) there is one row per segment
    (customers without a value: ``"(unknown)"``), largest first. **A segment's ceiling uses the
    segment's own AOV and purchase frequency with the overall retention period and margin**:
    measuring retention needs two full years per segment, which small segments lack.

    Columns: ``segment``, ``customers``, ``orders``, ``aov`` (currency),
    ``purchase_frequency_per_year``, ``retention_years``, ``gross_margin``, ``clv_ceiling``
    (currency), ``historical_margin_mean`` (currency: margin per customer so far, for
    comparison), ``note`` (why a figure is NaN, or that a segment is small).
    """
    end = audit.observation_end
    per = _per_customer(audit)
    if by is None:
        stats, tot = None, _totals(per, end).iloc[0]
    else:
        joined = per.left_join(_segments(audit, by), "customer_id")
        joined = joined.mutate(segment=ibis.coalesce(joined["segment"], UNKNOWN_SEGMENT))
        stats = _totals(joined, end, by="segment")
        stats = stats.sort_values(["customers", "segment"], ascending=[False, True])
        tot = stats[list(_TOTALS)].sum()
    simple = _simple_frame(audit, tot).set_index("quantity")
    value, note = simple["value"], simple["note"]
    years, margin = value["retention_years"], value["gross_margin"]
    rows = [
        {
            "segment": "all",
            "customers": int(value["customers"]),
            "orders": int(value["orders"]),
            "aov": value["aov"],
            "purchase_frequency_per_year": value["purchase_frequency_per_year"],
            "retention_years": years,
            "gross_margin": margin,
            "clv_ceiling": value["simple_clv"],
            "historical_margin_mean": value["historical_margin_per_customer"],
            "note": note["simple_clv"],
        }
    ]
    freq_ok = not math.isnan(value["purchase_frequency_per_year"])
    for row in [] if stats is None else stats.itertuples(index=False):
        aov = row.revenue / row.orders if row.orders else math.nan
        active = int(row.active_last)
        text = note["simple_clv"]
        if not freq_ok:
            freq, text = math.nan, note["purchase_frequency_per_year"]
        elif active == 0:
            freq, text = math.nan, "no purchases in the last 12 months"
        else:
            freq = row.orders_last / active
            if active < SMALL_SEGMENT and not text:
                text = (
                    f"only {active} active customer(s) in the last 12 months: an uncertain figure"
                )
        rows.append(
            {
                "segment": str(row.segment),
                "customers": int(row.customers),
                "orders": int(row.orders),
                "aov": aov,
                "purchase_frequency_per_year": freq,
                "retention_years": years,
                "gross_margin": margin,
                "clv_ceiling": aov * freq * years * margin,
                "historical_margin_mean": row.margin / row.customers,
                "note": text,
            }
        )
    return pd.DataFrame(rows)
