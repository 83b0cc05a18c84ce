"""Step II — Funnel and communication: where buyers drop out, what abandoned carts are worth,
when to follow up a first purchase, and what the messages achieve and cost.

Every aggregation over sessions, messages and transactions is an ibis expression run by the
backend; only per-step, per-channel, per-day or per-bucket results become pandas.

**Missing tables.** ``sessions`` and ``messages`` are optional. A function that needs one
returns ``None`` when the client did not provide it (``audit.table(name) is None``), so the
notebook can say which data would unlock the section; nothing is raised. Functions that take a
frame (``*_summary``, ``follow_up_window_table``, ``fatigue_limit``) never see ``None``.

Definitions (the report's methods appendix repeats them):

- *session reaching a step*: a session's depth is the furthest of ``funnel.steps`` among its
  rows; it reaches every step up to its depth (a session with a ``checkout`` row reached
  ``add_to_cart`` even when that row is missing), so the funnel never widens. Rows whose step is
  not in ``funnel.steps`` are ignored (the loader excludes them anyway).
- *conversion from previous / from start*: sessions reaching the step / sessions reaching the
  previous step, resp. the first step (fractions). The first step has no previous step: NaN.
- *abandoned cart*: a session reaching ``funnel.cart_step`` but not the last step. The canonical
  schema has no cart value, so the value at stake is an **estimate**: abandoned carts × AOV.
  Without a cart step (none configured and none inferred from the step names) there are no
  abandoned-cart figures.
- *AOV* (``purchase_aov``): net revenue of purchase orders / purchase orders up to
  ``observation_end``, as in step I (``clvlib.calculation``).
- *purchase day*: a calendar day with at least one purchase order (``calculation.orders``:
  an order with a non-return line); same-day orders merge, returns are not purchases.
- *open rate* = opened / sent, *CTR* = clicked / sent, *click-to-open* = clicked / opened,
  *unsubscribe rate* = messages with an unsubscribe / sent. A channel without a single recorded
  open does not track opens (SMS): its open rate and click-to-open are NaN, not 0.
- *messages per week* of a customer: messages received / weeks subscribed, where weeks
  subscribed run from the first day of the messages table to the customer's first unsubscribe
  (or the day after its last day), at least one week. See ``fatigue_table`` for why.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import numpy as np
import pandas as pd

from clvlib.backends import RATE_DECIMALS, exact_mean, exact_sum, fetch
from clvlib.calculation import orders, wilson_interval

UNKNOWN = "(unknown)"
QUANTILES = {"p10": 0.10, "p25": 0.25, "median": 0.50, "p75": 0.75, "p90": 0.90}
SECONDS_PER_WEEK = 7 * 86400


# -- plumbing ------------------------------------------------------------------------------------
def _fetch(expr) -> pd.DataFrame:
    """A small aggregated result as pandas (through Arrow), in a row order that does not
    depend on the engine's threads (``clvlib.backends.fetch``)."""
    return fetch(expr)


def _ratio(num: float, den: float) -> float:
    """num / den as a float, NaN when the denominator is zero or missing."""
    if den is None or pd.isna(den) or den == 0 or num is None or pd.isna(num):
        return math.nan
    return float(num) / float(den)


def _rates(num, den) -> pd.Series:
    """Element-wise num / den as floats, NaN where the denominator is zero or missing."""
    num = pd.Series(num, dtype="float64")
    den = pd.Series(den, index=num.index, dtype="float64")
    return (num / den.where(den != 0)).astype("float64")


def _wilson_columns(successes: pd.Series, n: pd.Series) -> tuple[list[float], list[float]]:
    """Wilson 95 % intervals row by row (NaN where the count is missing)."""
    pairs = [
        wilson_interval(int(k), int(m)) if pd.notna(k) else (math.nan, math.nan)
        for k, m in zip(successes, n, strict=True)
    ]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _require_column(t, column: str, table: str) -> None:
    if column not in t.columns:
        raise ValueError(
            f"the {table} table has no column {column!r} (it has: {', '.join(t.columns)})"
        )


def _purchases_window(audit):
    """The audit's transactions up to ``observation_end`` (inclusive)."""
    t = audit.transactions
    return t.filter(t["order_ts"].cast("date") <= ibis.literal(audit.observation_end))


# -- the funnel ----------------------------------------------------------------------------------
def _depth_counts(audit, by: str | None) -> pd.DataFrame | None:
    """Sessions by deepest step index (0-based) and, with ``by``, group: ``[by], depth,
    sessions``. None without a sessions table."""
    s = audit.table("sessions")
    if s is None:
        return None
    if by is not None:
        _require_column(s, by, "sessions")
    steps = list(audit.config.funnel.steps)
    index = s["step"].cases(*[(name, i) for i, name in enumerate(steps)], else_=None)
    s = s.mutate(__depth=index).filter(lambda r: r["__depth"].notnull())
    stats = {"depth": s["__depth"].max()}
    if by is not None:  # one source per session; the first by name if its rows disagree
        stats[by] = ibis.coalesce(s[by].cast("string").min(), UNKNOWN)
    per_session = s.group_by("session_id").aggregate(**stats)
    keys = [by, "depth"] if by is not None else ["depth"]
    counts = per_session.group_by(keys).aggregate(sessions=per_session.count())
    frame = _fetch(counts)
    frame["depth"] = frame["depth"].astype("int64")
    frame["sessions"] = frame["sessions"].astype("int64")
    return frame


def _reaching(depths: pd.DataFrame, n_steps: int) -> list[int]:
    """Sessions reaching step k (depth ≥ k) for k = 0 … n_steps - 1."""
    by_depth = depths.groupby("depth")["sessions"].sum()
    by_depth = by_depth.reindex(range(n_steps), fill_value=0)
    return [int(v) for v in by_depth[::-1].cumsum()[::-1]]


def _funnel_rows(steps: list[str], reaching: list[int]) -> pd.DataFrame:
    sessions = pd.Series(reaching, dtype="int64")
    previous = sessions.shift(1)
    frame = pd.DataFrame(
        {
            "step": steps,
            "step_number": range(1, len(steps) + 1),
            "sessions": sessions,
            "conversion_from_previous": _rates(sessions, previous),
            "conversion_from_start": _rates(sessions, sessions.iloc[0] if len(sessions) else 0),
            "drop_off": previous - sessions,
        }
    )
    frame["drop_off_rate"] = 1.0 - frame["conversion_from_previous"]
    return frame


def funnel_table(audit, *, by: str | None = None) -> pd.DataFrame | None:
    """The sales funnel from ``sessions``: one row per step of ``funnel.steps`` (in order).

    Columns: ``step``, ``step_number`` (1 = first), ``sessions`` (sessions reaching the step),
    ``conversion_from_previous`` and ``conversion_from_start`` (fractions; NaN for the first
    step's previous or an empty denominator), ``drop_off`` (sessions lost since the previous
    step) and ``drop_off_rate`` (1 - conversion from previous). With ``by`` (a sessions column,
    e.g. ``"source"``) the same per group, the group in a first column; sessions without a value
    fall under ``"(unknown)"``. A session reaches every step up to its furthest one (see the
    module docstring). None when there is no sessions table.

    ``metrics.json``: ``funnel.steps`` = the rows of the table without ``by``.
    """
    steps = list(audit.config.funnel.steps)
    depths = _depth_counts(audit, by)
    if depths is None:
        return None
    if by is None:
        return _funnel_rows(steps, _reaching(depths, len(steps)))
    parts = []
    for group, rows in depths.groupby(by, sort=True):
        part = _funnel_rows(steps, _reaching(rows, len(steps)))
        part.insert(0, by, group)
        parts.append(part)
    columns = [by, *_funnel_rows(steps, [0] * len(steps)).columns]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


# -- abandoned carts -----------------------------------------------------------------------------
def purchase_aov(audit) -> float:
    """Average order value (currency): net revenue of purchase orders / purchase orders up to
    ``observation_end`` (return lines inside an order reduce it; return documents are not
    orders). NaN without purchases. The same definition as step I's AOV."""
    o = orders(_purchases_window(audit))
    o = o.filter(o["is_purchase"])
    row = _fetch(o.aggregate(revenue=exact_sum(o["revenue"]), n=o.count()))
    return _ratio(row["revenue"].iloc[0], row["n"].iloc[0])


def abandoned_carts_table(
    audit,
    *,
    aov: float | None = None,
    recovery_rate: float | None = None,
    by: str | None = None,
    steps: pd.DataFrame | None = None,
) -> pd.DataFrame | None:
    """Abandoned carts and what they are worth: one row, or one per group of ``by``.

    Columns: ``carts`` (sessions reaching ``funnel.cart_step``), ``abandoned_carts`` (of those,
    sessions not reaching the last step), ``abandonment_rate`` (abandoned / carts), ``aov``
    (currency: the ``aov`` argument, else ``purchase_aov(audit)``), ``abandoned_value`` (currency,
    an AOV **estimate**: abandoned carts × AOV, as the data carry no cart values),
    ``recovery_rate`` (``funnel.cart_recovery_rate`` unless given; the share of abandoned carts a
    reminder campaign wins back), ``recovered_carts`` and ``recovered_value`` (currency) = the
    abandoned figures × recovery rate. None when there is no sessions table, or when the funnel
    has no cart step (``funnel.cart_step`` None: neither configured nor inferred from the names).

    ``steps``: ``funnel_table(audit, by=by)`` when the caller has it (the queries are not run
    again).

    ``metrics.json``: ``funnel.abandoned_carts`` = ``{count: abandoned_carts, value:
    abandoned_value}`` of the table without ``by``.
    """
    cfg = audit.config.funnel
    if getattr(cfg, "cart_step", None) is None:
        return None
    funnel = funnel_table(audit, by=by) if steps is None else steps
    if funnel is None:
        return None
    rate = float(cfg.cart_recovery_rate if recovery_rate is None else recovery_rate)
    value = float(purchase_aov(audit) if aov is None else aov)
    cart = funnel[funnel["step"] == cfg.cart_step].reset_index(drop=True)  # groups in the
    last = funnel[funnel["step"] == cfg.steps[-1]].reset_index(drop=True)  # same order
    frame = pd.DataFrame(
        {"carts": cart["sessions"], "abandoned_carts": cart["sessions"] - last["sessions"]}
    )
    if by is not None:
        frame.insert(0, by, cart[by])
    frame["abandonment_rate"] = _rates(frame["abandoned_carts"], frame["carts"])
    frame["aov"] = value
    frame["abandoned_value"] = frame["abandoned_carts"] * value
    frame["recovery_rate"] = rate
    frame["recovered_carts"] = frame["abandoned_carts"] * rate
    frame["recovered_value"] = frame["abandoned_value"] * rate
    return frame


# -- time from the first to the second purchase --------------------------------------------------
def _first_two_purchase_days(audit):
    """Per customer with a purchase (ibis): ``first``, ``second`` purchase day (NULL: none)."""
    o = orders(_purchases_window(audit))
    o = o.filter(o["is_purchase"])
    days = o.select("customer_id", day=o["order_ts"].cast("date")).distinct()
    rank = ibis.row_number().over(group_by="customer_id", order_by="day")
    days = days.mutate(rank=rank)
    return days.group_by("customer_id").aggregate(
        first=days["day"].min(), second=days["day"].min(where=days["rank"] == 1)
    )


def second_purchase_table(audit, *, horizon_days: int = 180) -> pd.DataFrame:
    """How long after the first purchase the second comes: a life table, one row per day
    1 … ``horizon_days`` after the first purchase day.

    **Right-censoring.** A customer who bought recently has not had time to buy again, so only
    customers whose first purchase day is at least ``horizon_days`` before ``observation_end``
    are *eligible*, and each is followed for exactly ``horizon_days`` days: a second purchase
    later than that does not count (it could be seen only for the older customers). Every
    eligible customer is thus observed for the whole horizon and nothing is censored. (The
    first purchase is the first in the data: customers who also bought before the window
    starts are not told apart.)

    Columns: ``days`` (first to second purchase day, in days), ``at_risk`` (eligible customers
    without a second purchase before that day), ``second_buyers`` (second purchase on that day),
    ``cumulative_second_buyers``, ``cumulative_rate`` (share of eligible customers who bought
    again by that day) and ``cumulative_share`` (share of the eventual second buyers — those
    buying again within the horizon — who did so by that day; the gap's distribution function).
    The number of eligible customers is ``at_risk`` on day 1. Purchase days as in the module
    docstring (same-day orders merge, returns are not purchases).
    """
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, not {horizon_days!r}")
    per = _first_two_purchase_days(audit)
    last_first = audit.observation_end - dt.timedelta(days=horizon_days)
    per = per.filter(per["first"] <= ibis.literal(last_first))
    gap = per["second"].delta(per["first"], unit="day")
    per = per.mutate(gap=ibis.ifelse(gap <= horizon_days, gap, ibis.null("int64")))
    counts = _fetch(per.group_by("gap").aggregate(customers=per.count()))
    eligible = int(counts["customers"].sum())
    bought = counts.dropna(subset=["gap"]).astype({"gap": "int64"})
    per_day = bought.set_index("gap")["customers"].reindex(range(1, horizon_days + 1), fill_value=0)
    cumulative = per_day.cumsum()
    total = int(cumulative.iloc[-1])
    return pd.DataFrame(
        {
            "days": np.arange(1, horizon_days + 1),
            "at_risk": (eligible - (cumulative - per_day)).to_numpy(dtype="int64"),
            "second_buyers": per_day.to_numpy(dtype="int64"),
            "cumulative_second_buyers": cumulative.to_numpy(dtype="int64"),
            "cumulative_rate": [_ratio(c, eligible) for c in cumulative],
            "cumulative_share": [_ratio(c, total) for c in cumulative],
        }
    )


def follow_up_window_table(second: pd.DataFrame, *, step_days: int = 7) -> pd.DataFrame:
    """Whom a follow-up message sent d days after the first purchase still reaches, for
    d = ``step_days``, 2 × ``step_days`` … up to the horizon (``second_purchase_table``).

    Columns: ``send_day`` (days after the first purchase day), ``reachable`` (eventual second
    buyers who have not bought again by the end of that day: gap > d) and ``reachable_share``
    (reachable / eventual second buyers, a fraction; NaN without second buyers).
    """
    if step_days < 1:
        raise ValueError(f"step_days must be at least 1, not {step_days!r}")
    total = int(second["second_buyers"].sum())
    by_day = second.set_index("days")["cumulative_second_buyers"]
    send = [d for d in range(step_days, int(second["days"].max()) + 1, step_days)]
    reachable = [total - int(by_day.loc[d]) for d in send]
    return pd.DataFrame(
        {
            "send_day": send,
            "reachable": reachable,
            "reachable_share": [_ratio(r, total) for r in reachable],
        }
    )


def _quantile_day(second: pd.DataFrame, q: float) -> float:
    """The smallest day by which a share ``q`` of the eventual second buyers bought (the
    inverse of the empirical distribution function); NaN without second buyers."""
    hit = second.loc[second["cumulative_share"] >= q - 1e-12, "days"]
    return float(hit.iloc[0]) if len(hit) else math.nan


def second_purchase_summary(
    second: pd.DataFrame, *, min_reach: float = 0.75, step_days: int = 7
) -> dict[str, Any]:
    """Headline figures of ``second_purchase_table``.

    Keys: ``horizon_days``; ``customers`` (eligible); ``second_buyers`` (within the horizon);
    ``second_purchase_rate`` (fraction) with its Wilson 95 % interval ``rate_ci_low``,
    ``rate_ci_high``; the gap's quantiles ``p10``, ``p25``, ``median``, ``p75``, ``p90`` (days;
    the smallest day by which that share of the second buyers bought); and the recommended
    follow-up window ``follow_up_start_days`` (= ``step_days``, the first week) to
    ``follow_up_end_days`` (the latest send day of ``follow_up_window_table`` that still reaches
    at least ``min_reach`` of the eventual second buyers) with ``follow_up_reach`` (the share
    reached at the end). When even the first send day reaches less than ``min_reach`` the window
    is None: follow up sooner than ``step_days``.
    """
    customers = int(second["at_risk"].iloc[0]) if len(second) else 0
    buyers = int(second["second_buyers"].sum())
    low, high = wilson_interval(buyers, customers)
    window = follow_up_window_table(second, step_days=step_days)
    ok = window[window["reachable_share"] >= min_reach]
    summary: dict[str, Any] = {
        "horizon_days": int(second["days"].max()) if len(second) else 0,
        "customers": customers,
        "second_buyers": buyers,
        "second_purchase_rate": _ratio(buyers, customers),
        "rate_ci_low": low,
        "rate_ci_high": high,
        **{name: _quantile_day(second, q) for name, q in QUANTILES.items()},
        "min_reach": min_reach,
        "follow_up_start_days": None,
        "follow_up_end_days": None,
        "follow_up_reach": None,
    }
    if len(ok) and ok["send_day"].iloc[0] == step_days:
        # reach falls with the send day, so the rows that reach enough are a leading run
        summary["follow_up_start_days"] = step_days
        summary["follow_up_end_days"] = int(ok["send_day"].iloc[-1])
        summary["follow_up_reach"] = float(ok["reachable_share"].iloc[-1])
    return summary


# -- campaigns -----------------------------------------------------------------------------------
def _count_set(m, column: str):
    """Rows where ``column`` is set (ibis), or a NULL count when the column is missing."""
    if column in m.columns:
        return m.count(where=m[column].notnull())
    return ibis.null("int64")


def _attributed(audit, m, by: str) -> pd.DataFrame:
    """Per group: distinct attributed orders and their net revenue from the transactions."""
    if "order_id" not in m.columns:
        return pd.DataFrame({by: [], "attributed_orders": [], "attributed_revenue": []})
    pairs = m.filter(m["order_id"].notnull()).select(by, order_id=m["order_id"].cast("string"))
    pairs = pairs.distinct()
    t = _purchases_window(audit)
    if "order_id" in t.columns:
        t = t.filter(t["order_id"].notnull())
        value = t.group_by(order_id=t["order_id"].cast("string")).aggregate(
            __revenue=exact_sum(t["revenue"])
        )
        pairs = pairs.left_join(value, "order_id").select(by, "order_id", "__revenue")
    else:
        pairs = pairs.mutate(__revenue=ibis.null("float64"))
    stats = pairs.group_by(by).aggregate(
        attributed_orders=pairs.count(), attributed_revenue=exact_sum(pairs["__revenue"])
    )
    return _fetch(stats)


def campaign_table(audit, *, by: str = "channel") -> pd.DataFrame | None:
    """What the messages achieve, per message channel (or another messages column ``by``,
    e.g. ``"campaign"``); rows by messages sent, largest first.

    Columns: ``sent``, ``customers`` (distinct recipients), ``opened``, ``clicked``,
    ``unsubscribed`` (messages with the timestamp set), ``open_rate`` (opened / sent; NaN when
    the channel has no recorded open at all — opens not tracked, as for SMS), ``ctr`` (clicked /
    sent), ``click_to_open`` (clicked / opened, NaN likewise), ``unsubscribe_rate``
    (unsubscribed / sent), ``attributed_orders`` (distinct non-empty ``order_id``) and
    ``attributed_revenue`` (currency: those orders' net revenue from the transactions, returns
    included; NaN when the transactions have no order number). An optional column the messages
    lack gives NaN counts. An order attributed to messages of two channels counts in both.
    None when there is no messages table.

    ``metrics.json``: ``funnel.campaigns`` = ``channel, sent, opened, clicked, open_rate, ctr,
    unsubscribed`` of each row.
    """
    m = audit.table("messages")
    if m is None:
        return None
    _require_column(m, by, "messages")
    m = m.mutate(**{by: ibis.coalesce(m[by].cast("string"), UNKNOWN)})
    stats = m.group_by(by).aggregate(
        sent=m.count(),
        customers=m["customer_id"].nunique(),
        opened=_count_set(m, "opened_at"),
        clicked=_count_set(m, "clicked_at"),
        unsubscribed=_count_set(m, "unsubscribed_at"),
    )
    frame = _fetch(stats).merge(_attributed(audit, m, by), on=by, how="left")
    frame["attributed_orders"] = frame["attributed_orders"].fillna(0).astype("int64")
    frame["attributed_revenue"] = frame["attributed_revenue"].astype("float64")
    if "order_id" in m.columns and "order_id" in audit.transactions.columns:
        no_orders = frame["attributed_orders"] == 0
        frame.loc[no_orders, "attributed_revenue"] = 0.0
    counts = ["sent", "customers", "opened", "clicked", "unsubscribed"]
    frame[counts] = frame[counts].astype("float64")
    tracked = frame["opened"].fillna(0) > 0
    frame["open_rate"] = (frame["opened"] / frame["sent"]).where(tracked)
    frame["ctr"] = frame["clicked"] / frame["sent"]
    frame["click_to_open"] = (frame["clicked"] / frame["opened"]).where(tracked)
    frame["unsubscribe_rate"] = frame["unsubscribed"] / frame["sent"]
    for col in counts:  # whole numbers unless the column is missing
        if frame[col].notna().all():
            frame[col] = frame[col].astype("int64")
    order = [by, *counts, "open_rate", "ctr", "click_to_open", "unsubscribe_rate",
             "attributed_orders", "attributed_revenue"]  # fmt: skip
    frame = frame.sort_values(["sent", by], ascending=[False, True], ignore_index=True)
    return frame[order]


# -- message load and fatigue --------------------------------------------------------------------
def _message_span(m) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Start (first sending day, 00:00) and end (the day after the last, 00:00) of the
    messages table; None when it is empty."""
    row = _fetch(m.aggregate(first=m["sent_at"].min(), last=m["sent_at"].max()))
    first, last = row["first"].iloc[0], row["last"].iloc[0]
    if pd.isna(first):
        return None
    return pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def _customer_rates(m, start: pd.Timestamp, end: pd.Timestamp):
    """Per messaged customer (ibis): ``messages``, ``clicks``, ``unsubscribed`` and
    ``rate`` = messages per week subscribed (at least one week; see ``fatigue_table``)."""
    stats = {
        "messages": m.count(),
        "clicks": _count_set(m, "clicked_at"),
        "unsubscribed": _count_set(m, "unsubscribed_at"),
    }
    end_lit = ibis.literal(end.to_pydatetime())
    if "unsubscribed_at" in m.columns:
        stats["stop"] = ibis.coalesce(m["unsubscribed_at"].min(), end_lit)
    per = m.group_by("customer_id").aggregate(**stats)
    stop = ibis.least(per["stop"], end_lit) if "stop" in per.columns else end_lit
    seconds = stop.delta(ibis.literal(start.to_pydatetime()), unit="second")
    weeks = ibis.greatest(seconds.cast("float64") / SECONDS_PER_WEEK, 1.0)
    return per.mutate(rate=per["messages"].cast("float64") / weeks)


def message_load_summary(
    audit, *, contact_cap_per_week: float | None = None
) -> dict[str, Any] | None:
    """How many messages customers get: keys ``start``, ``end`` (dates: the first and last
    sending day), ``weeks`` (the span, days / 7), ``customers`` (messaged), ``messages``,
    ``mean_messages_per_week`` and ``median_messages_per_week`` (per customer, while
    subscribed — see ``fatigue_table``), ``contact_cap_per_week`` (the argument, else
    ``communication.contact_cap_per_week``), ``customers_above_cap`` (rate strictly above the
    cap) and ``share_above_cap`` (of messaged customers, a fraction). None when there is no
    messages table (or it is empty)."""
    m = audit.table("messages")
    if m is None:
        return None
    span = _message_span(m)
    if span is None:
        return None
    start, end = span
    cap = float(
        audit.config.communication.contact_cap_per_week
        if contact_cap_per_week is None
        else contact_cap_per_week
    )
    per = _customer_rates(m, start, end)
    row = _fetch(
        per.aggregate(
            customers=per.count(),
            messages=per["messages"].sum(),
            mean=exact_mean(per["rate"], decimals=RATE_DECIMALS),
            median=per["rate"].median(),
            above=per.count(where=per["rate"] > cap),
        )
    ).iloc[0]
    return {
        "start": start.date(),
        "end": (end - pd.Timedelta(days=1)).date(),
        "weeks": (end - start).days / 7,
        "customers": int(row["customers"]),
        "messages": int(row["messages"]),
        "mean_messages_per_week": float(row["mean"]),
        "median_messages_per_week": float(row["median"]),
        "contact_cap_per_week": cap,
        "customers_above_cap": int(row["above"]),
        "share_above_cap": _ratio(row["above"], row["customers"]),
    }


def _merge_sparse_top(buckets: pd.DataFrame, min_customers: int) -> pd.DataFrame:
    """Fold the highest buckets into their lower neighbour until the top one has at least
    ``min_customers`` customers (or one bucket is left); the top bucket is open-ended."""
    buckets = buckets.sort_values("bucket", ignore_index=True)
    sums = ["customers", "messages", "clicks", "unsubscribed", "rate_sum"]
    while len(buckets) > 1 and buckets["customers"].iloc[-1] < min_customers:
        top = buckets.iloc[-1]
        buckets = buckets.iloc[:-1].copy()
        for col in sums:
            buckets.loc[buckets.index[-1], col] += top[col]
    buckets["open_ended"] = False
    buckets.loc[buckets.index[-1], "open_ended"] = True
    return buckets


def _expected_clicks(ctr: float, unsubscribe_rate: float, rate: float, weeks: float) -> float:
    """Expected clicks of one customer over ``weeks``: ctr·rate clicks a week while subscribed,
    unsubscribing at h = unsubscribe_rate·rate a week: ctr·rate·(1 - e^(-h·weeks)) / h."""
    if pd.isna(ctr) or pd.isna(rate):
        return math.nan
    per_week = ctr * rate
    hazard = 0.0 if pd.isna(unsubscribe_rate) else unsubscribe_rate * rate
    if hazard <= 0:
        return per_week * weeks
    return per_week * (1.0 - math.exp(-hazard * weeks)) / hazard


def fatigue_table(
    audit,
    *,
    bucket_width: float = 0.5,
    min_customers: int = 30,
    horizon_weeks: float = 52.0,
) -> pd.DataFrame | None:
    """Message overload: customers bucketed by messages per week, with response and
    unsubscribes per bucket.

    **Bucketing.** A customer's rate is messages received / weeks *subscribed*: from the first
    day of the messages table to the customer's first unsubscribe (the end of the table for
    the others), at least one week. Unsubscribers stop receiving messages, so their rate over
    the whole span understates how often they were contacted: bucketing by that *received*
    rate moves them into low buckets, biasing unsubscribe rates downward in high buckets and
    upward in low ones (on the demo, 5 messages a week showed 0.11 % unsubscribes per message
    against a true 0.91 %). Measured while subscribed, the rate is what the customer actually
    experienced. Remaining bias: customers who joined during the span are counted over the whole
    span (their rate is too low). Rates are rounded to the nearest multiple of ``bucket_width``
    (messages per week); rates below 1.5 × ``bucket_width`` form the first bucket; the highest
    buckets are merged until the top (open-ended) one has ``min_customers``.

    Columns: ``messages_per_week`` (bucket centre), ``rate_low``, ``rate_high`` (the bucket's
    range; ``rate_high`` inf for the top bucket), ``customers``, ``messages``,
    ``mean_messages_per_week`` (customers' mean rate), ``clicks``, ``ctr`` (clicked messages /
    messages) with its Wilson 95 % interval ``ctr_ci_low``, ``ctr_ci_high`` (messages as
    independent trials), ``unsubscribed``, ``unsubscribe_rate`` (unsubscribes per message, the
    maximum-likelihood estimate of a per-message unsubscribe probability) with
    ``unsubscribe_ci_low``, ``unsubscribe_ci_high``, ``clicks_per_customer_week`` (ctr × mean
    rate) and ``expected_clicks_per_customer``: the clicks one customer at the bucket's mean
    rate is expected to give over ``horizon_weeks`` weeks when unsubscribes end the clicks
    (see ``fatigue_limit``). None when there is no messages table (or it is empty).

    ``metrics.json``: ``funnel.fatigue`` = ``messages_per_week, customers, ctr,
    unsubscribe_rate`` of each row.
    """
    if bucket_width <= 0:
        raise ValueError(f"bucket_width must be positive, not {bucket_width!r}")
    m = audit.table("messages")
    if m is None:
        return None
    span = _message_span(m)
    if span is None:
        return None
    per = _customer_rates(m, *span)
    rounded = (per["rate"] / bucket_width).round().cast("int64")
    per = per.mutate(bucket=ibis.greatest(rounded, 1))
    grouped = per.group_by("bucket").aggregate(
        customers=per.count(),
        messages=per["messages"].sum(),
        clicks=per["clicks"].sum(),
        unsubscribed=per["unsubscribed"].sum(),
        rate_sum=exact_sum(per["rate"], decimals=RATE_DECIMALS),
    )
    buckets = _fetch(grouped).astype("float64")
    buckets = _merge_sparse_top(buckets, min_customers)
    return _fatigue_rows(buckets, bucket_width, horizon_weeks)


def _fatigue_rows(buckets: pd.DataFrame, width: float, horizon_weeks: float) -> pd.DataFrame:
    centre = buckets["bucket"] * width
    frame = pd.DataFrame(
        {
            "messages_per_week": centre,
            "rate_low": np.where(buckets["bucket"] <= 1, 0.0, centre - width / 2),
            "rate_high": np.where(buckets["open_ended"], np.inf, centre + width / 2),
            "customers": buckets["customers"].astype("int64"),
            "messages": buckets["messages"].astype("int64"),
            "mean_messages_per_week": buckets["rate_sum"] / buckets["customers"],
            "clicks": buckets["clicks"],
        }
    )
    frame["ctr"] = frame["clicks"] / frame["messages"]
    frame["ctr_ci_low"], frame["ctr_ci_high"] = _wilson_columns(frame["clicks"], frame["messages"])
    frame["unsubscribed"] = buckets["unsubscribed"]
    frame["unsubscribe_rate"] = frame["unsubscribed"] / frame["messages"]
    low, high = _wilson_columns(frame["unsubscribed"], frame["messages"])
    frame["unsubscribe_ci_low"], frame["unsubscribe_ci_high"] = low, high
    for col in ("clicks", "unsubscribed"):
        if frame[col].notna().all():
            frame[col] = frame[col].astype("int64")
    frame["clicks_per_customer_week"] = frame["ctr"] * frame["mean_messages_per_week"]
    inputs = frame[["ctr", "unsubscribe_rate", "mean_messages_per_week"]].itertuples(index=False)
    frame["expected_clicks_per_customer"] = [
        _expected_clicks(c, u, r, horizon_weeks) for c, u, r in inputs
    ]
    return frame.reset_index(drop=True)


def fatigue_limit(fatigue: pd.DataFrame) -> dict[str, Any]:
    """Where more messages stop paying, from ``fatigue_table``.

    Rule: more messages bring more clicks a week but also more unsubscribes, and an
    unsubscriber never clicks again. A customer at rate m with click-through c and per-message
    unsubscribe probability u clicks c·m a week until unsubscribing at hazard h = u·m a week,
    so over H weeks (``fatigue_table(horizon_weeks=H)``, 52 by default) expect
    c·m·(1 - e^(-h·H)) / h clicks (column ``expected_clicks_per_customer``). The limit is the
    bucket where that is largest: above it an extra message a week costs more future clicks
    through unsubscribes than it brings now. Point estimates: buckets with few customers are
    noisy (see the intervals).

    Keys: ``messages_per_week`` (bucket centre; None when no bucket has clicks),
    ``expected_clicks_per_customer``, ``ctr``, ``unsubscribe_rate`` (of that
    bucket), ``clicks_keep_rising`` (True when the limit is the top bucket: no turning point
    within the observed rates), ``at_lightest`` (True when it is the lightest of two or more
    buckets: clicks fall from the lowest load observed on, so the limit sits at the edge of the
    data and a lighter load might pay more).
    """
    values = fatigue["expected_clicks_per_customer"]
    if not values.notna().any():
        keys = ["messages_per_week", "expected_clicks_per_customer", "ctr", "unsubscribe_rate"]
        return {**dict.fromkeys(keys), "clicks_keep_rising": None, "at_lightest": None}
    best = int(values.idxmax())
    row = fatigue.loc[best]
    return {
        "messages_per_week": float(row["messages_per_week"]),
        "expected_clicks_per_customer": float(row["expected_clicks_per_customer"]),
        "ctr": float(row["ctr"]),
        "unsubscribe_rate": float(row["unsubscribe_rate"]),
        "clicks_keep_rising": best == len(fatigue) - 1,
        "at_lightest": best == 0 and len(fatigue) > 1,
    }


def sessions_window_days(audit) -> int | None:
    """Calendar days from the first to the last session (inclusive); None without sessions."""
    s = audit.table("sessions")
    if s is None:
        return None
    span = s.aggregate(first=s["ts"].min(), last=s["ts"].max()).to_pandas().iloc[0]
    if pd.isna(span["first"]):
        return None
    return int((span["last"].normalize() - span["first"].normalize()).days) + 1
