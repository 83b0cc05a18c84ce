"""Step III — Channels: what the report can honestly say about acquisition cost, customer
value, payback, the response of new customers to spend and moving budget.

``*_findings(...)`` are pure: they take ``clvlib.channels``' tables and a formatter ``f`` (an
object with ``fmt(value, kind)`` and ``text(key, **values)``, e.g. the audit) and return
:class:`~clvlib.narrative.Finding` s whose values are never missing. Keys in ``NOTES`` are
caveats (shown boxed), keys in ``RECORDED`` go to the executive summary. ``show_*(audit, ...)``
display one section of ``notebooks/03_channels.ipynb`` and return what the notebook records.

Rules: a range whose ends coincide once formatted is one value; a response curve is never read
outside the spend observed for its channel when an impact is counted
(``clvlib.channels.reallocation_table``): the uncapped move is shown, labelled, never counted.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvlib import channels, plots
from clvlib.narrative import Finding, say_all
from clvlib.narrative.funnel import interval, missing
from clvlib.report.display import Numbers

NOTES = frozenset(
    {
        "channels.no_customers",
        "channels.no_spend",
        "channels.no_new",
        "channels.response.flat",
        "channels.reallocation.caveat",
        "channels.reallocation.capped",
        "channels.reallocation.uncapped",
        "channels.reallocation.extrapolated",
        "channels.reallocation.none",
    }
)
RECORDED = frozenset(
    {
        "channels.overall",
        "channels.overall_no_new",
        "channels.flagged",
        "channels.none_flagged",
        "channels.none_flagged_one",
    }
)
SHARE = 0.10  # of the worst channel's mean monthly spend, moved to the best one
N_BOOT = 1000


def _show_all(audit, findings: list[Finding]) -> None:
    """Show findings: ``NOTES`` boxed, the others as finding sentences."""
    say_all(audit, findings, notes=NOTES)


def is_paid(table: pd.DataFrame) -> pd.Series:
    return table["paid"].fillna(False).astype(bool)


def channel_value_frame(segment_value: pd.DataFrame | None) -> pd.DataFrame | None:
    """Step I's value of a new customer per acquisition channel (its saved
    ``segment_new_customer_value`` frame) as ``channel_table``'s ``channel_value``; None when
    step I did not split by acquisition channel."""
    if segment_value is None or not (segment_value["by"] == "acquisition_channel").all():
        return None
    names = {"segment": "channel", "ceiling": "value", "ceiling_low": "low", "ceiling_high": "high"}
    frame = segment_value.rename(columns=names)[["channel", "value", "low", "high"]]
    return frame.dropna(subset=["value"])


# -- pure findings -------------------------------------------------------------------------------
def overall_figures(table: pd.DataFrame, start, end) -> dict[str, Any] | None:
    """Paid channels together: spend, new customers, CAC, mean CLV, LTV:CAC (currency; None
    figures where they cannot be computed), organic new customers and the window. None without
    a paid channel."""
    paid = table[is_paid(table)]
    if not len(paid):
        return None
    spend, new = float(paid["spend"].sum()), int(paid["new_customers"].sum())
    organic = int(table.loc[~is_paid(table), "new_customers"].sum())
    figures = {
        "spend": spend,
        "new_customers": new,
        "cac": None,
        "clv_mean": None,
        "ltv_cac": None,
        "organic_new_customers": organic,
        "window_start": start,
        "window_end": end,
    }
    valued = paid.dropna(subset=["clv_mean"])
    if new and valued["new_customers"].sum():
        clv = float((valued["clv_mean"] * valued["new_customers"]).sum())
        clv /= float(valued["new_customers"].sum())
        figures |= {"cac": spend / new, "clv_mean": clv, "ltv_cac": clv / (spend / new)}
    return figures


def overall_findings(overall: dict[str, Any] | None, f) -> list[Finding]:
    """What paid acquisition cost and brought, and the organic customers on top."""
    if overall is None:
        return []
    dates = {
        "start": f.fmt(overall["window_start"], "date"),
        "end": f.fmt(overall["window_end"], "date"),
    }
    spend = f.fmt(overall["spend"])
    if missing(overall["cac"], overall["ltv_cac"]):
        out = [Finding("channels.overall_no_new", dates | {"spend": spend})]
    else:
        values = dates | {
            "spend": spend,
            "new": f.fmt(overall["new_customers"], "int"),
            "cac": f.fmt(overall["cac"]),
            "clv": f.fmt(overall["clv_mean"]),
            "ltv_cac": f.fmt(overall["ltv_cac"], "num1"),
        }
        out = [Finding("channels.overall", values)]
    if overall["organic_new_customers"]:
        out.append(
            Finding(
                "channels.organic_more", {"organic": f.fmt(overall["organic_new_customers"], "int")}
            )
        )
    return out


def flag_findings(table: pd.DataFrame, f) -> list[Finding]:
    """Paid channels whose CAC is above the CLV (or the LTV:CAC range when none is), channels
    that spent without acquiring anyone, and thin margins of safety."""
    paid = table[is_paid(table)]
    out = []
    empty = paid.loc[paid["new_customers"] == 0, "channel"].tolist()
    if empty:
        out.append(Finding("channels.no_new", {"channels": ", ".join(map(str, empty))}))
    flagged = paid[paid["cac_above_clv"].fillna(False).astype(bool)]
    rated = paid.dropna(subset=["ltv_cac"])
    if len(flagged):
        out.append(
            Finding("channels.flagged", {"channels": ", ".join(map(str, flagged["channel"]))})
        )
    elif len(rated):
        low, high = rated.loc[rated["ltv_cac"].idxmin()], rated.loc[rated["ltv_cac"].idxmax()]
        a, b = f.fmt(low["ltv_cac"], "num1"), f.fmt(high["ltv_cac"], "num1")
        if a == b:
            names = ", ".join(map(str, rated["channel"]))
            out.append(Finding("channels.none_flagged_one", {"channels": names, "ltv_cac": a}))
        else:
            values = {
                "low": a,
                "low_channel": low["channel"],
                "high": b,
                "high_channel": high["channel"],
            }
            out.append(Finding("channels.none_flagged", values))
    thin = paid[~paid["cac_above_clv"].fillna(False).astype(bool) & (paid["clv_low"] < paid["cac"])]
    for _, row in thin.iterrows():
        values = {
            "channel": row["channel"],
            "clv_low": f.fmt(row["clv_low"]),
            "cac": f.fmt(row["cac"]),
        }
        out.append(Finding("channels.thin", values))
    return out


def payback_findings(
    paid: list[str], months: dict[str, float], followed: set[str], min_customers: int, f
) -> list[Finding]:
    """The fastest and slowest payback among paid channels (``payback_months``); channels whose
    margin has not covered the CAC yet, and those with too few customers to follow."""
    series = pd.Series({c: months.get(c, float("nan")) for c in paid}, dtype="float64")
    reached = series.dropna()
    out = []
    if len(reached) > 1:
        values = {
            "fast": reached.idxmin(),
            "fast_months": f.fmt(reached.min(), "int"),
            "slow": reached.idxmax(),
            "slow_months": f.fmt(reached.max(), "int"),
        }
        out.append(Finding("channels.payback.finding", values))
    elif len(reached):
        values = {"channel": reached.index[0], "months": f.fmt(reached.iloc[0], "int")}
        out.append(Finding("channels.payback.one", values))
    never = [c for c in series[series.isna()].index if c in followed]
    if never:
        out.append(Finding("channels.payback.never", {"channels": ", ".join(map(str, never))}))
    few = [c for c in series[series.isna()].index if c not in followed]
    if few:
        values = {"channels": ", ".join(map(str, few)), "min_customers": str(min_customers)}
        out.append(Finding("channels.payback.too_few", values))
    return out


def elasticity_text(f, row) -> str:
    """``b (95 % CI low–high)`` for the response table; one value when the ends coincide."""
    ci = interval(f, row["elasticity_low"], row["elasticity_high"], ("num2", "num3"), "channels.ci")
    return f"{f.fmt(row['elasticity'], 'num2')} ({ci})"


def response_findings(response: pd.DataFrame, min_periods: int, f) -> list[Finding]:
    """Channels whose spend never varied, and the lowest fitted elasticity with its marginal CAC
    (``spend_response_table``); a linear response (b = 1, no scatter) or one that does not rise
    with spend (b ≤ 0: no marginal CAC) gets its own wording."""
    out = []
    flat = (
        response.loc[response["note"].str.startswith("spend did not vary"), "channel"]
        if len(response)
        else []
    )
    if len(flat):
        out.append(Finding("channels.response.flat", {"channels": ", ".join(map(str, flat))}))
    fitted = response[response["fitted"].astype(bool)] if len(response) else response
    if not len(fitted):
        if not len(flat):
            out.append(Finding("channels.response.none", {"periods": str(min_periods)}))
        return out
    lowest = fitted.loc[fitted["elasticity"].idxmin()]
    ci = interval(
        f, lowest["elasticity_low"], lowest["elasticity_high"], ("num2", "num3"), "channels.ci"
    )
    values = {
        "periods": f.fmt(lowest["periods"], "int"),
        "channel": lowest["channel"],
        "b": f.fmt(lowest["elasticity"], "num2"),
        "ci": ci,
        "average": f.fmt(lowest["average_cac"]),
    }
    if missing(lowest["marginal_cac"]):
        out.append(Finding("channels.response.finding_no_marginal", values))
    else:
        out.append(
            Finding(
                "channels.response.finding", values | {"marginal": f.fmt(lowest["marginal_cac"])}
            )
        )
    return out


def _signed(f, value: float, kind: str = "num1") -> str:
    text = f.fmt(value, kind)
    return "+" + text if value > 0 and not text.startswith("+") else text


def reallocation_findings(
    counted: pd.DataFrame, uncapped: pd.DataFrame, f, *, share: float = SHARE
) -> list[Finding]:
    """The counted (in-range) move with its monthly and yearly value, whether it was capped,
    and the uncapped move as a labelled extrapolation (``reallocation_table``)."""
    out = []
    if len(counted) == 2:
        source, target = counted.iloc[0], counted.iloc[1]
        net = float(counted["value_change"].sum())
        values = {
            "amount": f.fmt(-source["spend_change"]),
            "source": source["channel"],
            "target": target["channel"],
            "source_change": _signed(f, source["new_customers_change"]),
            "target_change": _signed(f, target["new_customers_change"]),
            "value": _signed(f, net, "money"),
        }
        out.append(Finding("channels.reallocation.finding", values))
        ranges = {
            "yearly": _signed(f, float(source["yearly_gain"]), "money"),
            "source": source["channel"],
            "source_low": f.fmt(source["min_observed_spend"]),
            "source_high": f.fmt(source["max_observed_spend"]),
            "target": target["channel"],
            "target_low": f.fmt(target["min_observed_spend"]),
            "target_high": f.fmt(target["max_observed_spend"]),
        }
        out.append(Finding("channels.reallocation.yearly", ranges))
    if len(uncapped) == 2:
        source, target = uncapped.iloc[0], uncapped.iloc[1]
        requested = f.fmt(-source["requested_spend_change"])
        if len(counted) == 2:
            values = {
                "amount": f.fmt(-counted.iloc[0]["spend_change"]),
                "share": f.fmt(share, "pct0"),
                "source": source["channel"],
                "requested": requested,
            }
            out.append(Finding("channels.reallocation.capped", values))
        else:
            names = {"source": source["channel"], "target": target["channel"]}
            out.append(Finding("channels.reallocation.none", names))
        value = _signed(f, float(uncapped["value_change"].sum()), "money")
        out.append(
            Finding("channels.reallocation.uncapped", {"requested": requested, "value": value})
        )
        for _, row in uncapped[~uncapped["within_observed_range"].astype(bool)].iterrows():
            values = {
                "channel": row["channel"],
                "spend": f.fmt(row["spend_after"]),
                "low": f.fmt(row["min_observed_spend"]),
                "high": f.fmt(row["max_observed_spend"]),
            }
            out.append(Finding("channels.reallocation.extrapolated", values))
    return out


# -- the notebook's sections ---------------------------------------------------------------------
def show_intro(audit) -> dict[str, Any]:
    """The step's heading and question; what data the step lacks (``gaps``, ``no_channels``,
    ``no_spend``)."""
    plots.style(audit.locale)
    audit.h1("channels.title", section="channels")
    audit.say("channels.question", css="lead")
    gaps = channels.channel_data_gaps(audit)
    no_channels = any(g.startswith("customers") for g in gaps)
    return {"gaps": gaps, "no_channels": no_channels, "no_spend": "marketing_spend" in gaps}


def _basis_notes(audit, table: pd.DataFrame) -> None:
    horizon = str(audit.config.economics.horizon_months)
    if (table["clv_basis"] == "new_customer_model").any():
        audit.note("channels.basis_new", horizon=horizon)
    if (table["clv_basis"] == "predicted").any():
        audit.note("channels.basis", horizon=horizon, n_boot=audit.fmt(N_BOOT, "int"))
    if (table["clv_basis"] == "margin_so_far").any():
        audit.note("channels.basis_so_far")


def channel_display(table: pd.DataFrame, f) -> pd.DataFrame:
    """The channel table as shown: CAC ``organic`` for unpaid channels, CLV with its interval."""
    paid = is_paid(table)

    def clv(m, lo, hi):
        if missing(lo, hi):
            return f.fmt(m)
        span = (
            f.fmt(lo, "int")
            if f.fmt(lo, "int") == f.fmt(hi, "int")
            else f"{f.fmt(lo, 'int')}–{f.fmt(hi, 'int')}"
        )
        return f"{f.fmt(m)} ({span})"

    organic = f.text("channels.organic")
    return pd.DataFrame(
        {
            "channel": table["channel"],
            "new_customers": table["new_customers"],
            "spend": table["spend"],
            "cac": [f.fmt(c) if p else organic for c, p in zip(table["cac"], paid, strict=True)],
            "clv": [
                clv(*r) for r in table[["clv_mean", "clv_low", "clv_high"]].itertuples(index=False)
            ],
            "ltv_cac": [
                f.fmt(v, "num1") if p else "–" for v, p in zip(table["ltv_cac"], paid, strict=True)
            ],
            "payback_months": table["payback_months"],
            "repeat_rate": table["repeat_rate"],
        }
    )


def channel_numbers(table: pd.DataFrame) -> dict[str, Numbers]:
    """The numbers behind ``channel_display``'s text columns, for ``tables.xlsx``: CAC and
    LTV:CAC of paid channels (empty for organic ones), CLV with its interval."""
    paid = is_paid(table)
    return {
        "cac": Numbers(table["cac"].where(paid), "money"),
        "clv": Numbers.interval(table, "clv_mean", "clv_low", "clv_high", "money"),
        "ltv_cac": Numbers(table["ltv_cac"].where(paid), "num1"),
    }


TABLE_FORMATS = {
    "new_customers": "int",
    "spend": "money",
    "cac": "pre",
    "clv": "pre",
    "ltv_cac": "pre",
    "payback_months": "num0",
    "repeat_rate": "pct0",
}


def show_channel_table(audit, intro: dict[str, Any]) -> dict[str, Any]:
    """Cost of acquisition against customer value: sentences, figures and the channel table.
    Returns ``table`` (None without channels), ``overall``, ``rows`` (the ``channels`` list of
    metrics.json), ``findings`` and ``payback`` (the ``payback_table`` behind the table's
    payback months)."""
    if intro["no_channels"]:
        audit.note("channels.no_customers")
        return {"table": None, "overall": None, "rows": [], "findings": [], "payback": None}
    value = channel_value_frame(audit.saved_frame("segment_new_customer_value"))
    customer_value = audit.saved_frame("customer_value")  # written by step I in the same run
    table, payback = channels.channel_tables(
        audit, customer_value, n_boot=N_BOOT, seed=0, channel_value=value
    )
    audit.h2("channels.table.title")
    if intro["no_spend"]:
        audit.note("channels.no_spend")
    overall = overall_figures(table, *channels.spend_window(audit))
    found = overall_findings(overall, audit) + flag_findings(table, audit)
    _show_all(audit, found)
    ax = plots.plot_cac_vs_clv(
        table,
        title="",
        xlabel=audit.text("channels.axis.per_customer", currency=audit.currency),
        cac_label=audit.text("channels.legend.cac"),
        clv_label=audit.text("channels.legend.clv"),
        flagged_label=audit.text("channels.legend.flagged"),
    )
    audit.figure(ax, name="cac-vs-clv", title="channels.fig.cac_clv")
    audit.show(channel_display(table, audit), formats=TABLE_FORMATS, numbers=channel_numbers(table))
    _basis_notes(audit, table)
    if not intro["no_spend"]:
        ax = plots.plot_budget_vs_value(
            table,
            title="",
            xlabel=audit.text("channels.axis.share"),
            budget_label=audit.text("channels.legend.budget"),
            value_label=audit.text("channels.legend.value"),
        )
        audit.figure(ax, name="budget-vs-value", title="channels.fig.budget")
    rows = channels.channel_metrics(table)
    return {"table": table, "overall": overall, "rows": rows, "findings": found, "payback": payback}


def show_payback(audit, intro: dict[str, Any], part: dict[str, Any]) -> pd.DataFrame | None:
    """Months until the margin of a new customer covers its CAC, per paid channel; returns the
    ``payback_table`` shown (None when the step has no channels or spend)."""
    if intro["no_channels"] or intro["no_spend"] or part["table"] is None:
        return None
    min_customers = 30  # channel_table's default: later months rest on too few customers
    payback = part.get("payback")  # the table's own curves (channel_tables), else computed
    if payback is None:
        payback = channels.payback_table(audit, min_customers=min_customers)
    table = part["table"]
    paid = table.loc[is_paid(table), "channel"].tolist()
    audit.h2("channels.payback.title")
    months = channels.payback_months(payback)
    followed = set(payback["channel"]) if len(payback) else set()
    _show_all(audit, payback_findings(paid, months, followed, min_customers, audit))
    if len(payback):
        ax = plots.plot_payback(
            payback,
            title="",
            xlabel=audit.text("channels.axis.months"),
            ylabel=audit.text("channels.axis.margin", currency=audit.currency),
            cac_label=audit.text("channels.legend.cac"),
        )
        audit.figure(ax, name="payback", title="channels.fig.payback")
    return payback


def response_display(fitted: pd.DataFrame, f) -> pd.DataFrame:
    """The fitted response table as shown: elasticity with its interval in one cell."""
    elasticity = [elasticity_text(f, row) for _, row in fitted.iterrows()]
    columns = ["channel", "periods", "elasticity", "average_cac", "marginal_cac", "r_squared"]
    return fitted.assign(elasticity=elasticity)[columns]


def response_numbers(fitted: pd.DataFrame) -> dict[str, Numbers]:
    """The elasticity and its interval behind ``response_display``, for ``tables.xlsx``."""
    cols = ("elasticity", "elasticity_low", "elasticity_high")
    return {"elasticity": Numbers.interval(fitted, *cols, "num2")}


RESPONSE_FORMATS = {
    "periods": "int",
    "elasticity": "pre",
    "average_cac": "money",
    "marginal_cac": "money",
    "r_squared": "num2",
}


def show_response(audit, intro: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """Does more budget buy more customers: the fitted curves and the budget move. Returns
    ``response`` (the response table, None when not computed), ``rows`` (fitted rows) and
    ``reallocation`` (metrics.json rows: the counted move, then the uncapped variant when the
    observed range capped it, ``extrapolated`` True)."""
    out: dict[str, Any] = {"response": None, "rows": [], "reallocation": []}
    if intro["no_channels"] or intro["no_spend"] or part["table"] is None:
        return out
    periods = channels.spend_periods_table(audit)
    response = channels.spend_response_table(audit, periods=periods)
    out["response"] = response
    audit.h2("channels.response.title")
    _show_all(audit, response_findings(response, audit.config.channels.min_spend_periods, audit))
    fitted = response[response["fitted"].astype(bool)] if len(response) else response
    if not len(fitted):
        return out
    ax = plots.plot_spend_response(
        periods,
        response,
        title="",
        ylabel=audit.text("channels.axis.new"),
        xlabel=audit.text("channels.axis.spend", currency=audit.currency),
    )
    audit.figure(ax, name="spend-response", title="channels.fig.response")
    audit.show(
        response_display(fitted, audit),
        formats=RESPONSE_FORMATS,
        numbers=response_numbers(fitted),
    )
    out["rows"] = fitted.to_dict("records")
    out["reallocation"] = show_reallocation(audit, part["table"], response)
    return out


def show_reallocation(audit, table: pd.DataFrame, response: pd.DataFrame) -> list[dict[str, Any]]:
    """The counted budget move (within the observed spend) and its uncapped variant, labelled."""
    counted = channels.reallocation_table(table, response, share=SHARE)
    uncapped = channels.reallocation_table(table, response, share=SHARE, extrapolated=True)
    found = reallocation_findings(counted, uncapped, audit, share=SHARE)
    if not found:
        return []
    _show_all(audit, found)
    if len(counted):
        ax = plots.plot_reallocation(
            counted,
            title="",
            net_label=audit.text("channels.legend.net"),
            xlabel=audit.text("channels.axis.value_change", currency=audit.currency),
        )
        audit.figure(ax, name="reallocation", title="channels.fig.reallocation")
    audit.note("channels.reallocation.caveat")
    return pd.concat([counted, uncapped], ignore_index=True).to_dict("records")


def channels_detail(intro: dict[str, Any], part: dict[str, Any], response_part: dict[str, Any]):
    """The ``channels_detail`` section of metrics.json."""
    return {
        "overall": part["overall"],
        "spend_response": response_part["rows"],
        "reallocation": response_part["reallocation"],
        "data_gaps": intro["gaps"],
    }


def recorded_findings(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    """The step's sentences for the executive summary (keys in ``RECORDED``)."""
    return [f.record() for part in parts for f in part.get("findings", []) if f.key in RECORDED]
