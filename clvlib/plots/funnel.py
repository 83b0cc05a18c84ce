"""Pictures of step II: the sales funnel, abandoned carts, time to the second purchase,
campaigns and message fatigue."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns

from clvlib.plots.base import PALETTE, axes, error_extents, plain, wrap_label
from clvlib.plots.base import percent as base_percent

__all__ = [
    "plot_funnel",
    "plot_funnel_by_source",
    "plot_abandoned_carts",
    "plot_second_purchase",
    "plot_follow_up_window",
    "plot_campaigns",
    "plot_fatigue",
]


def percent(value: float) -> str:
    """A fraction as a percentage, one decimal below 10 % and none needed: 0.25 → ``25%``,
    0.0527 → ``5.3%``, 0.01 → ``1%``."""
    digits = 0 if abs(value) >= 0.1 or round(100 * value, 1) == round(100 * value) else 1
    return base_percent(value, digits)


def _percent_axis(axis, pct: Callable[[float], str]) -> None:
    axis.set_major_formatter(lambda v, _: pct(v))


def plot_funnel(
    funnel: pd.DataFrame,
    ax=None,
    *,
    title: str = "Sales funnel",
    xlabel: str = "sessions",
    step_labels: Mapping[str, str] | None = None,
    fmt: Callable[[float], str] = plain,
    pct: Callable[[float], str] = percent,
):
    """Sessions reaching each step (``funnel_table`` without ``by``) as horizontal bars, the
    first step on top; each bar is labelled with its sessions (``fmt``) and its conversion from
    the previous step (``pct``; pass ``audit.fmt`` wrappers for the report's locale).
    ``step_labels`` maps step names to text."""
    ax = axes(ax)
    names = [(step_labels or {}).get(s, s) for s in funnel["step"]][::-1]
    sessions = funnel["sessions"].to_numpy()[::-1]
    conversion = funnel["conversion_from_previous"].to_numpy()[::-1]
    colours = [PALETTE[2] if i == 0 else PALETTE[1] for i in range(len(names))]
    bars = ax.barh(names, sessions, color=colours)
    labels = [
        fmt(n) if pd.isna(c) else f"{fmt(n)}  ({pct(c)})"
        for n, c in zip(sessions, conversion, strict=True)
    ]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=8)
    ax.margins(x=0.25)
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax


def plot_funnel_by_source(
    funnel: pd.DataFrame,
    ax=None,
    *,
    by: str = "source",
    title: str = "Conversion from the previous step by traffic source",
    step_labels: Mapping[str, str] | None = None,
    total_label: str | None = "visit → purchase",
    pct: Callable[[float], str] = percent,
):
    """A heat map of the conversion from the previous step (``funnel_table(by=...)``): one row
    per group of ``by``, one column per step after the first, and, unless ``total_label`` is
    None, a last column with the conversion from the first step to the last. Cells are
    annotated with ``pct``; rows are sorted by that overall conversion, best first (ties by
    name)."""
    ax = axes(ax)
    steps = list(dict.fromkeys(funnel["step"]))
    wide = funnel.pivot(index=by, columns="step", values="conversion_from_previous")[steps[1:]]
    overall = funnel.pivot(index=by, columns="step", values="conversion_from_start")[steps[-1]]
    wide = wide.rename(columns=lambda s: wrap_label((step_labels or {}).get(s, s)))
    if total_label is not None:
        wide[total_label] = overall
    wide = wide.loc[overall.sort_values(ascending=False, kind="stable").index]
    values = wide.to_numpy(dtype="float64")
    annot = np.vectorize(lambda v: "" if np.isnan(v) else pct(v))(values)
    sns.heatmap(
        wide.astype("float64"),
        ax=ax,
        annot=annot,
        fmt="",
        cmap="Blues",
        cbar=False,
        linewidths=0.5,
        annot_kws={"fontsize": 8},
    )
    ax.set(title=title, xlabel="", ylabel="")
    ax.tick_params(axis="x", rotation=0)
    return ax


def plot_abandoned_carts(
    carts: pd.DataFrame,
    ax=None,
    *,
    by: str | None = None,
    title: str = "Abandoned carts: value at stake and what a reminder wins back",
    xlabel: str = "value (currency; abandoned carts × AOV, an estimate)",
    abandoned_label: str = "abandoned carts",
    recovered_label: str = "recovered by a reminder campaign",
    overall_label: str = "all sessions",
    fmt: Callable[[float], str] = plain,
):
    """Value of abandoned carts (``abandoned_carts_table``) as horizontal bars with the value a
    reminder campaign would recover drawn over them; one bar per group of ``by`` (largest on
    top) or one for the whole table. Bars are labelled with ``fmt``."""
    ax = axes(ax)
    rows = carts.sort_values("abandoned_value") if by else carts
    names = rows[by].astype(str) if by else [overall_label] * len(rows)
    bars = ax.barh(names, rows["abandoned_value"], color=PALETTE[1], label=abandoned_label)
    ax.barh(names, rows["recovered_value"], color=PALETTE[2], label=recovered_label)
    ax.bar_label(bars, labels=[fmt(v) for v in rows["abandoned_value"]], padding=3, fontsize=8)
    ax.margins(x=0.15)
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax


def _shade_window(ax, summary: Mapping[str, Any] | None, label: str | None) -> None:
    if not summary or summary.get("follow_up_end_days") is None:
        return
    start, end = summary["follow_up_start_days"], summary["follow_up_end_days"]
    if start == end:  # a one-day window: shade that day
        start, end = start - 0.5, end + 0.5
    ax.axvspan(
        start,
        end,
        color=PALETTE[4],
        alpha=0.15,
        label=label,
    )


def plot_second_purchase(
    second: pd.DataFrame,
    ax=None,
    *,
    summary: Mapping[str, Any] | None = None,
    bin_days: int = 7,
    title: str = "When the second purchase comes",
    xlabel: str = "days after the first purchase",
    ylabel: str = "second purchases",
    median_label: str = "median",
    window_label: str = "recommended follow-up window",
):
    """Second purchases per ``bin_days`` days after the first (``second_purchase_table``) as
    bars; with ``summary`` (``second_purchase_summary``) the median as a dashed line and the
    recommended follow-up window shaded."""
    ax = axes(ax)
    bins = (second["days"] - 1) // bin_days
    counts = second.groupby(bins)["second_buyers"].sum()
    starts = counts.index.to_numpy() * bin_days
    ax.bar(starts, counts.to_numpy(), width=bin_days, align="edge", color=PALETTE[1])
    if summary and summary.get("median") is not None and pd.notna(summary["median"]):
        ax.axvline(summary["median"], color=PALETTE[0], linestyle="--", label=median_label)
    _shade_window(ax, summary, window_label)
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_follow_up_window(
    window: pd.DataFrame,
    ax=None,
    *,
    summary: Mapping[str, Any] | None = None,
    min_reach: float = 0.75,
    title: str = "Whom a follow-up message still reaches",
    xlabel: str = "message sent … days after the first purchase",
    ylabel: str = "second buyers not yet bought",
    threshold_label: str = "minimum reach",
    window_label: str = "recommended follow-up window",
    pct: Callable[[float], str] = percent,
):
    """Share of the eventual second buyers who have not bought again by each send day
    (``follow_up_window_table``), the ``min_reach`` threshold as a dashed line and, with
    ``summary``, the recommended window shaded."""
    ax = axes(ax)
    ax.plot(window["send_day"], window["reachable_share"], marker="o", color=PALETTE[0])
    ax.axhline(min_reach, color=PALETTE[2], linestyle="--", label=threshold_label)
    _shade_window(ax, summary, window_label)
    _percent_axis(ax.yaxis, pct)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


CAMPAIGN_RATES = {"open_rate": "open rate", "ctr": "click-through (CTR)",
                  "click_to_open": "click-to-open"}  # fmt: skip


def plot_campaigns(
    campaigns: pd.DataFrame,
    ax=None,
    *,
    by: str = "channel",
    rates: Sequence[str] = ("open_rate", "ctr", "click_to_open"),
    rate_labels: Mapping[str, str] | None = None,
    title: str = "Campaign response by channel",
    ylabel: str = "share of messages",
    pct: Callable[[float], str] = percent,
):
    """Grouped bars of the response rates (``campaign_table``; fractions) per channel. A rate
    that cannot be computed (opens not tracked, NaN) has no bar."""
    ax = axes(ax)
    names = {**CAMPAIGN_RATES, **(rate_labels or {})}
    long = campaigns.melt(id_vars=[by], value_vars=list(rates), var_name="rate")
    long["rate"] = long["rate"].map(lambda r: names.get(r, r))
    sns.barplot(
        long.dropna(subset=["value"]),
        x=by,
        y="value",
        hue="rate",
        hue_order=[names.get(r, r) for r in rates],
        order=list(campaigns[by]),
        palette=PALETTE[: len(rates)],
        ax=ax,
    )
    _percent_axis(ax.yaxis, pct)
    ax.legend(frameon=False, title=None)
    ax.set(title=title, xlabel="", ylabel=ylabel)
    return ax


def plot_fatigue(
    fatigue: pd.DataFrame,
    ax=None,
    *,
    cap: float | None = None,
    limit: float | None = None,
    title: str = "Message overload: response and unsubscribes",
    xlabel: str = "messages per customer and week",
    ctr_label: str = "click-through per message (95% CI)",
    unsubscribe_label: str = "unsubscribes per message (95% CI)",
    cap_label: str = "contact cap",
    limit_label: str = "more messages stop paying",
    pct: Callable[[float], str] = percent,
):
    """CTR (left axis) and unsubscribes per message (right axis) by messages per week
    (``fatigue_table``) with their Wilson 95 % intervals; ``cap`` (the contact cap) as a dashed
    line and ``limit`` (``fatigue_limit(...)["messages_per_week"]``) as a dotted one. Returns
    the left axes; the right one is ``ax.right_ax``."""
    ax = axes(ax)
    x = fatigue["messages_per_week"].to_numpy(dtype="float64")
    right = ax.twinx()
    ax.right_ax = right
    series = [
        (ax, "ctr", "ctr_ci_low", "ctr_ci_high", PALETTE[0], "o", ctr_label),
        (right, "unsubscribe_rate", "unsubscribe_ci_low", "unsubscribe_ci_high", PALETTE[5],
         "s", unsubscribe_label),
    ]  # fmt: skip
    for axis, col, low, high, colour, marker, label in series:
        y = fatigue[col].to_numpy(dtype="float64")
        err = error_extents(y, fatigue[low], fatigue[high])
        axis.errorbar(x, y, yerr=err, color=colour, marker=marker, capsize=3, label=label)
        axis.set_ylim(bottom=0)
        _percent_axis(axis.yaxis, pct)
        axis.tick_params(axis="y", colors=colour)
    right.grid(False)
    if cap is not None:
        ax.axvline(cap, color=PALETTE[3], linestyle="--", label=cap_label)
    if limit is not None:
        ax.axvline(limit, color=PALETTE[2], linestyle=":", linewidth=2, label=limit_label)
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], frameon=False, fontsize=8,
              loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # fmt: skip
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax
