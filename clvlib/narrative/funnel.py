"""Step II — Funnel and communication: what the report can honestly say about the funnel,
abandoned carts, the second purchase, campaigns and message overload.

``*_findings(...)`` are pure: they take ``clvlib.funnel``'s tables and a formatter ``f`` (an
object with ``fmt(value, kind)`` and ``text(key, **values)``, e.g. the audit) and return
:class:`~clvlib.narrative.Finding` s whose values are never missing: when a figure is missing
the finding says what is missing ("no unsubscribe data") or the clause is left out. Keys in
``NOTES`` are caveats (shown boxed), keys in ``RECORDED`` go to the executive summary.
``show_*(audit, ...)`` display one section of ``notebooks/02_funnel.ipynb`` and return a part
(``{"metrics": {...}, "findings": [...], ...}``); ``funnel_metrics`` and ``recorded_findings``
turn the parts into what the notebook records.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvlib import compare, funnel, plots
from clvlib.narrative import Finding, say_all
from clvlib.report.display import Numbers
from clvlib.texts import TEXTS

NOTES = frozenset(
    {
        "funnel.no_sessions",
        "funnel.no_messages",
        "funnel.steps.empty",
        "funnel.carts.no_cart_step",
        "funnel.campaigns.no_opens",
        "funnel.campaigns.no_attribution",
        "funnel.fatigue.no_clicks",
        "funnel.fatigue.no_unsub",
        "funnel.fatigue.note",
    }
)
MUTED = frozenset({"funnel.carts.inferred"})
RECORDED = frozenset(
    {
        "funnel.carts.finding",
        "funnel.carts.finding_no_value",
        "funnel.second.window",
        "funnel.second.window_one_day",
        "funnel.fatigue.load",
        "funnel.fatigue.limit",
        "funnel.fatigue.limit_top",
        "funnel.fatigue.limit_unclear",
        "funnel.fatigue.limit_lightest",
    }
)


def missing(*values: Any) -> bool:
    """True when any value is None or NaN."""
    return any(v is None or pd.isna(v) for v in values)


def interval(f, low: Any, high: Any, kinds: tuple[str, ...], key: str = "funnel.ci") -> str:
    """``"95 % CI a–b"`` with the first format of ``kinds`` whose ends differ; the ``_tight``
    wording when they read the same in every one (a range whose ends coincide is one value)."""
    for kind in kinds:
        a, b = f.fmt(low, kind), f.fmt(high, kind)
        if a != b:
            return f.text(key, low=a, high=b)
    return f.text(f"{key}_tight")


def step_labels(f, steps) -> dict[str, str]:
    """The report's name of each funnel step (translated where ``clvlib.texts`` knows it)."""
    return {s: f.text(f"funnel.step.{s}") if f"funnel.step.{s}" in TEXTS else s for s in steps}


# -- pure findings -------------------------------------------------------------------------------
def steps_findings(steps: pd.DataFrame, labels: dict[str, str], f) -> list[Finding]:
    """Sessions, purchases, conversion and the step that loses the most (``funnel_table``)."""
    first = steps["sessions"].iloc[0] if len(steps) else 0
    if not first:
        return [Finding("funnel.steps.empty", {"steps": ", ".join(map(str, steps["step"]))})]
    last = steps.iloc[-1]
    values = {
        "sessions": f.fmt(first, "int"),
        "purchases": f.fmt(last["sessions"], "int"),
        "conversion": f.fmt(last["conversion_from_start"], "pct"),
    }
    later = steps.iloc[1:]
    lost = later["drop_off"].fillna(0)
    if not len(later) or lost.max() <= 0 or later["drop_off_rate"].isna().all():
        return [Finding("funnel.steps.no_loss", values)]
    worst = later.loc[later["drop_off_rate"].idxmax()]
    before = steps.loc[steps["step_number"] == worst["step_number"] - 1].iloc[0]
    values |= {
        "from_step": labels.get(before["step"], before["step"]),
        "to_step": labels.get(worst["step"], worst["step"]),
        "lost": f.fmt(worst["drop_off"], "int"),
        "lost_rate": f.fmt(worst["drop_off_rate"], "pct0"),
    }
    return [Finding("funnel.steps.finding", values)]


def source_conversions(by_source: pd.DataFrame | None, last_step: str) -> pd.DataFrame:
    """Per traffic source with visits: ``source``, ``visits`` (sessions at the first step),
    ``purchases`` (sessions reaching ``last_step``) and ``conversion`` (purchases / visits),
    from ``funnel_table(by="source")``."""
    columns = ["source", "visits", "purchases", "conversion"]
    if by_source is None or not len(by_source):
        return pd.DataFrame(columns=columns)
    first = by_source[by_source["step_number"] == 1].set_index("source")["sessions"]
    last = by_source[by_source["step"] == last_step].set_index("source")["sessions"]
    frame = pd.DataFrame({"visits": first, "purchases": last}).dropna().reset_index(names="source")
    frame = frame[frame["visits"] > 0].astype({"visits": "int64", "purchases": "int64"})
    frame["conversion"] = frame["purchases"] / frame["visits"]
    return frame[columns].reset_index(drop=True)


def sources_comparison(by_source: pd.DataFrame | None, last_step: str):
    """Whether the traffic sources with the highest and the lowest visit-to-purchase conversion
    differ (``clvlib.compare.extremes_differ``: sessions as trials, a test at 5 % with every
    pair of sources accounted for); None for fewer than two sources with visits."""
    conv = source_conversions(by_source, last_step)
    if len(conv) < 2:
        return None
    return compare.extremes_differ(conv["purchases"].tolist(), conv["visits"].tolist())


def sources_findings(by_source: pd.DataFrame, last_step: str, f) -> list[Finding]:
    """The range of visit-to-purchase conversion over traffic sources: the best and the worst
    source named only when ``sources_comparison`` finds that they differ, else that no
    difference was found (one value when the ends coincide); nothing for fewer than two
    sources."""
    conv = source_conversions(by_source, last_step)
    if len(conv) < 2:
        return []
    decision = sources_comparison(by_source, last_step)
    low_row, high_row = conv.iloc[decision.low], conv.iloc[decision.high]
    low, high = f.fmt(low_row["conversion"], "pct"), f.fmt(high_row["conversion"], "pct")
    if low == high:
        sources = ", ".join(map(str, conv["source"]))
        return [Finding("funnel.sources.same", {"rate": low, "sources": sources})]
    if not decision.differs:
        values = {"low": low, "high": high, "sources": f.fmt(len(conv), "int")}
        return [Finding("funnel.sources.no_difference", values)]
    values = {
        "low": low,
        "low_source": str(low_row["source"]),
        "high": high,
        "high_source": str(high_row["source"]),
    }
    return [Finding("funnel.sources.finding", values)]


def carts_findings(
    row: pd.Series | None, cfg, labels: dict[str, str], f, *, rate: float
) -> list[Finding]:
    """Abandoned carts and their value (``abandoned_carts_table``'s overall row, None when the
    funnel has no cart step); ``cfg``: ``audit.config.funnel`` (``cart_step`` may be None)."""
    cart = getattr(cfg, "cart_step", None)
    if cart is None:
        steps = ", ".join(labels.get(s, s) for s in cfg.steps)
        return [Finding("funnel.carts.no_cart_step", {"steps": steps})]
    out = []
    how = getattr(cfg, "cart_step_source", "config")
    if how in ("name", "before_checkout"):
        how_text = f.text(f"funnel.carts.how.{how}")
        out.append(
            Finding("funnel.carts.inferred", {"step": labels.get(cart, cart), "how": how_text})
        )
    if row is None or missing(row["carts"]) or not row["carts"]:
        return out + [Finding("funnel.carts.none", {"step": labels.get(cart, cart)})]
    values = {
        "carts": f.fmt(row["abandoned_carts"], "int"),
        "rate": f.fmt(row["abandonment_rate"], "pct0"),
    }
    if missing(row["aov"], row["abandoned_value"]):
        return out + [Finding("funnel.carts.finding_no_value", values)]
    values |= {
        "value": f.fmt(row["abandoned_value"]),
        "aov": f.fmt(row["aov"]),
        "recovery": f.fmt(rate, "pct0"),
        "recovered": f.fmt(row["recovered_value"]),
    }
    return out + [Finding("funnel.carts.finding", values)]


def second_purchase_findings(summary: dict[str, Any], f) -> list[Finding]:
    """Repeat within the horizon with its interval, the timing, and the follow-up window
    (``second_purchase_summary``). A window whose ends coincide is one day."""
    horizon = str(summary["horizon_days"])
    if not summary["customers"]:
        return [Finding("funnel.second.none", {"horizon": horizon})]
    customers = f.fmt(summary["customers"], "int")
    if not summary["second_buyers"]:
        return [Finding("funnel.second.no_repeat", {"customers": customers, "horizon": horizon})]
    ci = interval(f, summary["rate_ci_low"], summary["rate_ci_high"], ("pct0", "pct1", "pct2"))
    rate = {"customers": customers, "horizon": horizon, "ci": ci}
    out = [
        Finding(
            "funnel.second.rate", rate | {"rate": f.fmt(summary["second_purchase_rate"], "pct0")}
        )
    ]
    days = {k: f.fmt(summary[k], "int") for k in ("median", "p25", "p75")}
    if days["p25"] == days["p75"]:
        out.append(Finding("funnel.second.timing_one_day", {"median": days["median"]}))
    else:
        out.append(Finding("funnel.second.timing", days))
    start, end = summary.get("follow_up_start_days"), summary.get("follow_up_end_days")
    if missing(start, end):
        out.append(
            Finding("funnel.second.no_window", {"min_reach": f.fmt(summary["min_reach"], "pct0")})
        )
    elif start == end:
        reach = f.fmt(summary["follow_up_reach"], "pct0")
        out.append(Finding("funnel.second.window_one_day", {"day": str(start), "reach": reach}))
    else:
        reach = f.fmt(summary["follow_up_reach"], "pct0")
        out.append(
            Finding("funnel.second.window", {"start": str(start), "end": str(end), "reach": reach})
        )
    return out


def tracked_channels(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The message channels with a click-through: clicks recorded and messages sent, in table
    order (the groups ``campaign_comparison`` compares and its positions refer to)."""
    tracked = campaigns.dropna(subset=["ctr", "clicked"])
    return tracked[tracked["sent"] > 0]


def campaign_comparison(campaigns: pd.DataFrame):
    """Whether the message channels with the highest and the lowest click-through differ
    (``clvlib.compare.extremes_differ`` on ``clicked`` of ``sent``, messages as trials, every
    pair of channels accounted for); positions are those of the channels with a click-through
    in table order. None for fewer than two such channels."""
    tracked = tracked_channels(campaigns)
    if len(tracked) < 2:
        return None
    clicked = tracked["clicked"].astype("int64").tolist()
    return compare.extremes_differ(clicked, tracked["sent"].astype("int64").tolist())


def campaign_findings(campaigns: pd.DataFrame, f) -> list[Finding]:
    """Click-through by message channel (the best and the worst channel named only when
    ``campaign_comparison`` finds that they differ, else that no difference was found),
    untracked opens and what the messages are credited with (``campaign_table``); each clause
    only where its data exist."""
    sent = f.fmt(campaigns["sent"].sum(), "int")
    tracked = tracked_channels(campaigns)
    out = []
    if not len(tracked):
        out.append(Finding("funnel.campaigns.no_clicks", {"sent": sent}))
    else:
        decision = campaign_comparison(campaigns)
        low, high = (0, 0) if decision is None else (decision.low, decision.high)
        best, worst = tracked.iloc[high], tracked.iloc[low]
        best_ctr, worst_ctr = f.fmt(best["ctr"], "pct"), f.fmt(worst["ctr"], "pct")
        if best_ctr == worst_ctr:
            channels = ", ".join(map(str, tracked["channel"]))
            out.append(
                Finding(
                    "funnel.campaigns.ctr_one",
                    {"sent": sent, "channels": channels, "ctr": best_ctr},
                )
            )
        else:
            values = {
                "sent": sent,
                "best": best["channel"],
                "best_ctr": best_ctr,
                "worst": worst["channel"],
                "worst_ctr": worst_ctr,
            }
            key = (
                "funnel.campaigns.ctr" if decision.differs else "funnel.campaigns.ctr_no_difference"
            )
            if not decision.differs:
                values = {"sent": sent, "low": worst_ctr, "high": best_ctr,
                          "channels": f.fmt(len(tracked), "int")}  # fmt: skip
            out.append(Finding(key, values))
    untracked = campaigns.loc[campaigns["open_rate"].isna(), "channel"].tolist()
    if untracked:
        out.append(
            Finding("funnel.campaigns.no_opens", {"channels": ", ".join(map(str, untracked))})
        )
    orders = int(campaigns["attributed_orders"].sum())
    revenue = campaigns["attributed_revenue"]
    if not orders and revenue.isna().all():
        out.append(Finding("funnel.campaigns.no_attribution"))
    elif revenue.isna().any():
        out.append(
            Finding("funnel.campaigns.attributed_no_value", {"orders": f.fmt(orders, "int")})
        )
    else:
        values = {"orders": f.fmt(orders, "int"), "revenue": f.fmt(revenue.sum())}
        out.append(Finding("funnel.campaigns.attributed", values))
    return out


def _direction(first: float, last: float, a: str, b: str, differs: bool = True) -> str:
    """ "flat" when both ends read the same, "no_difference" when the test finds none, else
    "rises" or "falls"."""
    if a == b:
        return "flat"
    if not differs:
        return "no_difference"
    return "rises" if last > first else "falls"


FATIGUE_RATES = {"ctr": "clicks", "unsubscribe": "unsubscribed"}  # rate → its count column


def fatigue_comparison(fatigue: pd.DataFrame, rate: str):
    """Whether click-through (``rate="ctr"``) or unsubscribes per message
    (``rate="unsubscribe"``) differ between the lightest and the heaviest message-load bucket
    (``clvlib.compare.extremes_differ`` on the two buckets' counts of their messages: one
    comparison fixed in advance, a test at 5 %). None when the counts are not recorded."""
    if len(fatigue) < 2:
        return None
    first, last = fatigue.iloc[0], fatigue.iloc[-1]
    count = FATIGUE_RATES[rate]
    if missing(first[count], last[count]) or not (first["messages"] and last["messages"]):
        return None
    counts = [int(first[count]), int(last[count])]
    return compare.extremes_differ(counts, [int(first["messages"]), int(last["messages"])])


def fatigue_limit_known(fatigue: pd.DataFrame) -> bool:
    """Whether the fatigue limit can be stated: clicks and unsubscribes recorded in every bucket."""
    return bool(fatigue["ctr"].notna().all() and fatigue["unsubscribe_rate"].notna().all())


def fatigue_findings(
    fatigue: pd.DataFrame, load: dict[str, Any], limit: dict[str, Any], cap: float, f
) -> list[Finding]:
    """Message load above the cap, how click-through and unsubscribes change from the lightest
    to the heaviest bucket ("rises"/"falls" only when ``fatigue_comparison`` finds a
    difference, else that none was found), and where more messages stop paying (``fatigue_table``,
    ``message_load_summary``, ``fatigue_limit``). Without clicks or unsubscribe data the
    finding says which data are missing instead of the clause."""
    per_week = lambda v: f.fmt(v, "num1")  # noqa: E731
    out = [
        Finding(
            "funnel.fatigue.load",
            {"above": f.fmt(load["share_above_cap"], "pct0"), "cap": per_week(cap)},
        )
    ]
    first, last = fatigue.iloc[0], fatigue.iloc[-1]
    loads = {
        "first": per_week(first["messages_per_week"]),
        "last": per_week(last["messages_per_week"]),
    }
    if missing(first["ctr"], last["ctr"]):
        out.append(Finding("funnel.fatigue.no_clicks"))
    else:
        a, b = f.fmt(first["ctr"], "pct"), f.fmt(last["ctr"], "pct")
        decision = fatigue_comparison(fatigue, "ctr")
        way = _direction(first["ctr"], last["ctr"], a, b, decision is None or decision.differs)
        out.append(Finding(f"funnel.fatigue.ctr_{way}", loads | {"ctr_first": a, "ctr_last": b}))
    if missing(first["unsubscribe_rate"], last["unsubscribe_rate"]):
        out.append(Finding("funnel.fatigue.no_unsub"))
    else:
        a, b = f.fmt(first["unsubscribe_rate"], "pct2"), f.fmt(last["unsubscribe_rate"], "pct2")
        decision = fatigue_comparison(fatigue, "unsubscribe")
        differs = decision is None or decision.differs
        way = _direction(first["unsubscribe_rate"], last["unsubscribe_rate"], a, b, differs)
        values = {"unsub_first": a} if way == "flat" else {"unsub_first": a, "unsub_last": b}
        out.append(Finding(f"funnel.fatigue.unsub_{way}", values))
    if fatigue_limit_known(fatigue) and not missing(limit.get("messages_per_week")):
        if limit.get("clicks_keep_rising"):
            key = "funnel.fatigue.limit_top"
        elif not fatigue_seen(fatigue):
            key = "funnel.fatigue.limit_unclear"
        else:  # a peak at the lightest load observed is the edge of the data, not a turning point
            lightest = limit.get("at_lightest")
            key = "funnel.fatigue.limit_lightest" if lightest else "funnel.fatigue.limit"
        out.append(Finding(key, {"limit": per_week(limit["messages_per_week"])}))
    return out


def fatigue_seen(fatigue: pd.DataFrame) -> bool:
    """Whether the response changes with the load: click-through or unsubscribes differ between
    the lightest and the heaviest bucket (``fatigue_comparison``). A peak of expected clicks
    inside the observed loads is a limit only then; otherwise it is noise of the buckets."""
    tested = (fatigue_comparison(fatigue, rate) for rate in FATIGUE_RATES)
    return any(t is not None and t.differs for t in tested)


def supported_limit(fatigue: pd.DataFrame, limit: dict[str, Any]) -> float | None:
    """The fatigue limit (messages a week) the report stands behind: clicks and unsubscribes
    recorded in every bucket, a peak inside the observed loads, and ``fatigue_seen``; else
    None (no line drawn, no capping scenario, no recommendation)."""
    if not fatigue_limit_known(fatigue) or limit.get("clicks_keep_rising"):
        return None
    return limit["messages_per_week"] if fatigue_seen(fatigue) else None


COMPARISON_KEYS = {  # comparison → (sentence keys stating a difference, stating none)
    "sources": (("funnel.sources.finding",), ("funnel.sources.no_difference",)),
    "campaigns_ctr": (("funnel.campaigns.ctr",), ("funnel.campaigns.ctr_no_difference",)),
    "fatigue_ctr": (
        ("funnel.fatigue.ctr_rises", "funnel.fatigue.ctr_falls"),
        ("funnel.fatigue.ctr_no_difference",),
    ),
    "fatigue_unsubscribe": (
        ("funnel.fatigue.unsub_rises", "funnel.fatigue.unsub_falls"),
        ("funnel.fatigue.unsub_no_difference",),
    ),
}


def comparison_record(name: str, decision, labels: list[str] | None = None):
    """``metrics.json`` ``funnel.<name>_comparison``: the decision of ``clvlib.compare``
    (``differs``, ``p_value``, ``threshold``, ``comparisons``, ``alpha``, ``method``, positions
    ``low``/``high``), with ``labels`` the names of the groups compared (``low_group``,
    ``high_group``), and the sentence keys that state a difference and that state none (the
    zoo checks that the one said matches the decision). None without a decision."""
    if decision is None:
        return None
    difference, none = COMPARISON_KEYS[name]
    out = decision.record() | {
        "difference_keys": list(difference),
        "no_difference_keys": list(none),
    }
    if labels is not None:
        out |= {"low_group": str(labels[decision.low]), "high_group": str(labels[decision.high])}
    return out


# -- the notebook's sections ---------------------------------------------------------------------
def _part(metrics: dict[str, Any], findings: list[Finding] | None = None, **extra: Any):
    return {"metrics": metrics, "findings": list(findings or []), **extra}


def _show_all(audit, findings: list[Finding]) -> None:
    """Show findings: ``NOTES`` boxed, ``MUTED`` muted, the others as finding sentences."""
    say_all(audit, findings, notes=NOTES, muted=MUTED)


def show_intro(audit) -> None:
    """The step's heading and question."""
    plots.style(audit.locale)
    audit.h1("funnel.title", section="funnel")
    audit.say("funnel.question", css="lead")


def show_funnel(audit) -> dict[str, Any]:
    """The funnel overall and by traffic source: sentences, figures and the step table.
    Part metrics: ``steps`` (None without sessions), ``sessions_window_days``; the part also
    holds the tables ``steps`` and, with a source column, ``by_source`` (``funnel_table``)."""
    steps = funnel.funnel_table(audit)
    metrics = {
        "steps": None,
        "sessions_window_days": funnel.sessions_window_days(audit),
        "sources_comparison": None,
    }
    if steps is None:
        audit.note("funnel.no_sessions")
        return _part(metrics, steps=None)
    audit.h2("funnel.steps.title")
    labels = step_labels(audit, steps["step"])
    found = steps_findings(steps, labels, audit)
    _show_all(audit, found)
    metrics["steps"] = steps[
        ["step", "sessions", "conversion_from_previous", "conversion_from_start"]
    ].to_dict("records")
    if found[0].key == "funnel.steps.empty":
        return _part(metrics, steps=None)
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731
    ax = plots.plot_funnel(
        steps,
        title="",
        xlabel=audit.text("funnel.axis.sessions"),
        step_labels=labels,
        fmt=lambda v: audit.fmt(v, "int"),
        pct=pct,
    )
    audit.figure(ax, name="funnel", title="funnel.steps.fig")
    shown = steps.assign(step=steps["step"].map(labels))
    formats = {
        "sessions": "int",
        "conversion_from_previous": "pct",
        "conversion_from_start": "pct",
        "drop_off": "int",
    }
    audit.show(shown[["step", *formats]], formats=formats)
    if "source" in audit.table("sessions").columns:
        by_source = funnel.funnel_table(audit, by="source")
        sources = sources_findings(by_source, steps["step"].iloc[-1], audit)
        _show_all(audit, sources)
        conv = source_conversions(by_source, steps["step"].iloc[-1])
        decision = sources_comparison(by_source, steps["step"].iloc[-1])
        metrics["sources_comparison"] = comparison_record(
            "sources", decision, conv["source"].tolist()
        )
        if sources:
            ax = plots.plot_funnel_by_source(
                by_source,
                title="",
                step_labels=labels,
                pct=pct,
                total_label=audit.text("funnel.legend.total"),
            )
            audit.figure(ax, name="funnel-by-source", title="funnel.sources.fig")
        return _part(metrics, steps=steps, by_source=by_source)
    return _part(metrics, steps=steps)


def show_carts(audit, funnel_part: dict[str, Any], *, aov: float | None) -> dict[str, Any]:
    """Abandoned carts and their value, by source when the sessions have one. Part metrics:
    ``abandoned_carts`` (None without sessions, a cart step or carts)."""
    metrics: dict[str, Any] = {"abandoned_carts": None}
    if funnel_part.get("steps") is None:
        return _part(metrics)
    cfg = audit.config.funnel
    rate = float(cfg.cart_recovery_rate)
    carts = funnel.abandoned_carts_table(
        audit, aov=aov, recovery_rate=rate, steps=funnel_part["steps"]
    )
    audit.h2("funnel.carts.title")
    row = carts.iloc[0] if carts is not None and len(carts) else None
    found = carts_findings(row, cfg, step_labels(audit, cfg.steps), audit, rate=rate)
    _show_all(audit, found)
    if found[-1].key not in ("funnel.carts.finding", "funnel.carts.finding_no_value"):
        return _part(metrics, found)
    metrics["abandoned_carts"] = {
        "count": int(row["abandoned_carts"]),
        "value": row["abandoned_value"],
        "value_basis": "abandoned_carts_x_aov",
        "aov": row["aov"],
        "recovery_rate": rate,
        "recovered_value": row["recovered_value"],
    }
    if found[-1].key == "funnel.carts.finding" and "source" in audit.table("sessions").columns:
        by_source = funnel.abandoned_carts_table(
            audit, aov=aov, recovery_rate=rate, by="source", steps=funnel_part.get("by_source")
        )
        ax = plots.plot_abandoned_carts(
            by_source,
            by="source",
            title="",
            xlabel=audit.text("funnel.axis.value", currency=audit.currency),
            abandoned_label=audit.text("funnel.legend.abandoned"),
            recovered_label=audit.text("funnel.legend.recovered"),
            overall_label=audit.text("funnel.legend.all"),
            fmt=lambda v: audit.fmt(v),
        )
        audit.figure(ax, name="abandoned-carts", title="funnel.carts.fig")
    return _part(metrics, found)


def show_second_purchase(audit) -> dict[str, Any]:
    """Time from the first to the second purchase and the follow-up window. Part metrics:
    ``second_purchase`` (``second_purchase_summary``)."""
    second = funnel.second_purchase_table(audit)
    summary = funnel.second_purchase_summary(second)
    audit.h2("funnel.second.title")
    found = second_purchase_findings(summary, audit)
    _show_all(audit, found)
    if summary["second_buyers"]:
        ax = plots.plot_second_purchase(
            second,
            summary=summary,
            title="",
            xlabel=audit.text("funnel.axis.days"),
            ylabel=audit.text("funnel.axis.second"),
            median_label=audit.text("funnel.legend.median"),
            window_label=audit.text("funnel.legend.window"),
        )
        audit.figure(ax, name="second-purchase", title="funnel.second.fig")
    return _part({"second_purchase": summary}, found)


CAMPAIGN_FORMATS = {
    "sent": "int",
    "opened": "int",
    "clicked": "int",
    "open_rate": "pct",
    "ctr": "pct2",
    "unsubscribe_rate": "pct2",
    "attributed_orders": "int",
    "attributed_revenue": "money",
}


def show_campaigns(audit) -> dict[str, Any]:
    """Campaign response per message channel. Part metrics: ``campaigns``; the part's
    ``campaigns`` is the table (None without messages)."""
    campaigns = funnel.campaign_table(audit)
    if campaigns is None or not len(campaigns):
        audit.note("funnel.no_messages")
        return _part({"campaigns": None}, campaigns=None)
    audit.h2("funnel.campaigns.title")
    found = campaign_findings(campaigns, audit)
    _show_all(audit, found)
    labels = {k: audit.text(f"funnel.legend.{k}") for k in ("open_rate", "ctr", "click_to_open")}
    ax = plots.plot_campaigns(
        campaigns,
        title="",
        ylabel=audit.text("funnel.axis.share"),
        pct=lambda v: audit.fmt(v, "pct0"),
        rate_labels=labels,
    )
    audit.figure(ax, name="campaigns", title="funnel.campaigns.fig")
    audit.show(campaigns[["channel", *CAMPAIGN_FORMATS]], formats=CAMPAIGN_FORMATS)
    keys = [
        "channel",
        "sent",
        "opened",
        "clicked",
        "open_rate",
        "ctr",
        "unsubscribed",
        "attributed_orders",
        "attributed_revenue",
    ]
    channels = tracked_channels(campaigns)["channel"].tolist()
    decision = comparison_record("campaigns_ctr", campaign_comparison(campaigns), channels)
    metrics = {
        "campaigns": campaigns[keys].to_dict("records"),
        "campaigns_ctr_comparison": decision,
    }
    return _part(metrics, found, campaigns=campaigns)


def fatigue_display(fatigue: pd.DataFrame, f) -> pd.DataFrame:
    """The fatigue table as shown: rates with their interval in one cell (— when unknown)."""

    def cell(v, lo, hi):
        return (
            f.fmt(v, "pct2")
            if missing(lo, hi)
            else f"{f.fmt(v, 'pct2')} ({f.fmt(lo, 'pct2')}–{f.fmt(hi, 'pct2')})"
        )

    rates = {
        "ctr_ci": ["ctr", "ctr_ci_low", "ctr_ci_high"],
        "unsubscribe_ci": ["unsubscribe_rate", "unsubscribe_ci_low", "unsubscribe_ci_high"],
    }
    shown = fatigue[["messages_per_week", "customers", "messages"]].copy()
    for name, cols in rates.items():
        shown[name] = [cell(*r) for r in fatigue[cols].itertuples(index=False)]
    return shown


def fatigue_numbers(fatigue: pd.DataFrame) -> dict[str, Numbers]:
    """The rates and their intervals behind ``fatigue_display``, for ``tables.xlsx``."""
    return {
        "ctr_ci": Numbers.interval(fatigue, "ctr", "ctr_ci_low", "ctr_ci_high", "pct2"),
        "unsubscribe_ci": Numbers.interval(
            fatigue, "unsubscribe_rate", "unsubscribe_ci_low", "unsubscribe_ci_high", "pct2"
        ),
    }


def show_fatigue(audit, campaigns_part: dict[str, Any]) -> dict[str, Any]:
    """Message overload: load above the cap, response and unsubscribes by messages per week,
    the limit. Part metrics: ``message_load``, ``fatigue``, ``fatigue_limit_messages_per_week``
    (``supported_limit``: None when clicks or unsubscribes are not recorded, clicks still rise
    at the top load, or the response does not differ with the load) and
    ``fatigue_peak_messages_per_week`` (where expected clicks peak in these data, supported
    or not)."""
    metrics = {
        "message_load": None,
        "fatigue": None,
        "fatigue_limit_messages_per_week": None,
        "fatigue_ctr_comparison": None,
        "fatigue_unsubscribe_comparison": None,
    }
    has_messages = campaigns_part.get("campaigns") is not None
    fatigue = funnel.fatigue_table(audit) if has_messages else None
    if fatigue is None or len(fatigue) < 2:
        return _part(metrics)
    cap = audit.config.communication.contact_cap_per_week
    load = funnel.message_load_summary(audit, contact_cap_per_week=cap)
    limit = funnel.fatigue_limit(fatigue)
    drawn = supported_limit(fatigue, limit)
    audit.h2("funnel.fatigue.title")
    found = fatigue_findings(fatigue, load, limit, cap, audit)
    _show_all(audit, found)
    ax = plots.plot_fatigue(
        fatigue,
        cap=cap,
        limit=drawn,
        title="",
        xlabel=audit.text("funnel.axis.per_week"),
        pct=lambda v: audit.fmt(v, "pct1"),
        ctr_label=audit.text("funnel.legend.ctr_ci"),
        unsubscribe_label=audit.text("funnel.legend.unsubscribe_ci"),
        cap_label=audit.text("funnel.legend.cap"),
        limit_label=audit.text("funnel.legend.limit"),
    )
    audit.figure(ax, name="fatigue", title="funnel.fatigue.fig")
    formats = {
        "messages_per_week": "num1",
        "customers": "int",
        "messages": "int",
        "ctr_ci": "pre",
        "unsubscribe_ci": "pre",
    }
    audit.show(fatigue_display(fatigue, audit), formats=formats, numbers=fatigue_numbers(fatigue))
    audit.note("funnel.fatigue.note")
    columns = [
        "messages_per_week",
        "customers",
        "ctr",
        "unsubscribe_rate",
        "expected_clicks_per_customer",
    ]
    metrics |= {
        "message_load": load,
        "fatigue": fatigue[columns].to_dict("records"),
        "fatigue_limit_messages_per_week": drawn,
        "fatigue_peak_messages_per_week": limit["messages_per_week"],
        "fatigue_ctr_comparison": comparison_record(
            "fatigue_ctr", fatigue_comparison(fatigue, "ctr")
        ),
        "fatigue_unsubscribe_comparison": comparison_record(
            "fatigue_unsubscribe", fatigue_comparison(fatigue, "unsubscribe")
        ),
    }
    return _part(metrics, found)


def funnel_metrics(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``funnel`` section of metrics.json from the notebook's parts."""
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part["metrics"])
    return merged


def recorded_findings(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The step's sentences for the executive summary (keys in ``RECORDED``)."""
    return [f.record() for part in parts for f in part["findings"] if f.key in RECORDED]
