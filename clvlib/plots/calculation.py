"""Pictures of step I: value so far, the acquisition-cost ceiling, the simple CLV, holdout
validation, predictive CLV and P(alive)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import seaborn as sns

from clvlib.plots.base import PALETTE, axes, error_extents, label_overflow, plain

__all__ = [
    "plot_clv_distribution",
    "plot_acquisition_ceiling",
    "plot_simple_clv",
    "plot_tracking",
    "plot_conditional_expectations",
    "plot_p_alive",
    "plot_clv_by_segment",
]


def plot_clv_distribution(
    history: pd.DataFrame,
    ax=None,
    *,
    value_col: str = "margin",
    clip_quantile: float = 0.99,
    bins: int = 40,
    title: str = "Margin per customer so far",
    xlabel: str = "margin per customer so far (currency)",
    ylabel: str = "customers",
):
    """Histogram of value so far per customer (``historical_clv_table``; ``value_col`` in
    currency). Values above the ``clip_quantile`` quantile are drawn in the last bin (clipped,
    not dropped, and labelled "≥ value"), so a few very large customers do not squash the
    rest; the dashed line marks the median."""
    ax = axes(ax)
    values = history[value_col].dropna().astype("float64")
    if len(values):
        upper = values.quantile(clip_quantile)
        sns.histplot(values.clip(upper=upper), bins=bins, ax=ax, color=PALETTE[0])
        if (values > upper).any():
            label_overflow(ax, upper)
        ax.axvline(values.median(), color=PALETTE[2], linestyle="--", linewidth=1.5)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_acquisition_ceiling(
    ceiling: pd.DataFrame,
    ax=None,
    *,
    title: str = "The most a new customer may cost",
    xlabel: str = "CLV ceiling per customer (currency)",
    historical_label: str | None = "margin so far per customer (mean)",
    overall_label: str = "all customers",
):
    """Horizontal bars of the CLV ceiling per segment (``acquisition_ceiling_table``), the
    overall ceiling as a dashed line and, unless ``historical_label`` is None, the mean margin
    so far per customer as a dot for comparison. Without segments the overall row is the bar.
    Segments whose ceiling cannot be computed (NaN) are left out."""
    ax = axes(ax)
    segments = ceiling[ceiling["segment"] != "all"]
    overall = ceiling[ceiling["segment"] == "all"]
    shown = segments if len(segments) else overall.assign(segment=overall_label)
    shown = shown.dropna(subset=["clv_ceiling"]).sort_values("clv_ceiling")
    labels = shown["segment"].astype(str)
    ax.barh(labels, shown["clv_ceiling"], color=PALETTE[1])
    if historical_label is not None and len(shown):
        ax.scatter(
            shown["historical_margin_mean"],
            labels,
            color=PALETTE[2],
            zorder=3,
            label=historical_label,
        )
    if len(segments) and len(overall) and pd.notna(overall["clv_ceiling"].iloc[0]):
        ax.axvline(
            float(overall["clv_ceiling"].iloc[0]),
            color=PALETTE[0],
            linestyle="--",
            linewidth=1.5,
            label=overall_label,
        )
    ax.set(title=title, xlabel=xlabel, ylabel="")
    if ax.get_legend_handles_labels()[0]:  # below the x label, clear of the bars
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return ax


SIMPLE_CLV_STEPS = {
    "aov": "average order value",
    "revenue_per_year": "× purchases a year = revenue a year",
    "lifetime_revenue": "× retention years = revenue over the lifetime",
    "simple_clv": "× margin = simple CLV",
}


def plot_simple_clv(
    simple: pd.DataFrame,
    ax=None,
    *,
    title: str = "How the simple CLV builds up",
    xlabel: str = "per customer (currency)",
    labels: Mapping[str, str] | None = None,
    fmt: Callable[[float], str] = plain,
):
    """The simple CLV built up factor by factor from ``simple_clv_table``: AOV, × purchases a
    year, × retention years, × margin; one bar per stage (currency), each labelled with its
    value formatted by ``fmt`` (pass ``audit.fmt`` for the report's locale). ``labels`` maps
    the stages ``aov``, ``revenue_per_year``, ``lifetime_revenue``, ``simple_clv`` to text.
    Stages that cannot be computed (NaN) are left out."""
    ax = axes(ax)
    names = {**SIMPLE_CLV_STEPS, **(labels or {})}
    v = simple.set_index("quantity")["value"]
    stages = {
        "aov": v["aov"],
        "revenue_per_year": v["aov"] * v["purchase_frequency_per_year"],
        "lifetime_revenue": v["aov"] * v["purchase_frequency_per_year"] * v["retention_years"],
        "simple_clv": v["simple_clv"],
    }
    stages = {k: float(x) for k, x in stages.items() if pd.notna(x)}
    keys = list(stages)[::-1]  # first stage on top
    colours = [PALETTE[2] if k == "simple_clv" else PALETTE[1] for k in keys]
    bars = ax.barh([names[k] for k in keys], [stages[k] for k in keys], color=colours)
    ax.bar_label(bars, labels=[fmt(stages[k]) for k in keys], padding=3, fontsize=8)
    ax.margins(x=0.15)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax


def plot_tracking(
    tracking: pd.DataFrame,
    ax=None,
    *,
    title: str = "Cumulative repeat purchases: actual vs model",
    xlabel: str = "week",
    ylabel: str = "cumulative repeat purchases",
    actual_label: str = "actual",
    expected_label: str = "model",
):
    """Weekly cumulative repeat purchases (``tracking_table``), actual vs expected, with the end
    of the calibration period marked."""
    ax = axes(ax)
    ax.plot(tracking["week"], tracking["actual"], color=PALETTE[0], label=actual_label)
    ax.plot(
        tracking["week"],
        tracking["expected"],
        color=PALETTE[2],
        linestyle="--",
        label=expected_label,
    )
    holdout = tracking[tracking["period"] == "holdout"]
    if len(holdout):
        ax.axvline(holdout["week"].iloc[0] - 0.5, color=PALETTE[3], linewidth=1)
    ax.legend(frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_conditional_expectations(
    table: pd.DataFrame,
    ax=None,
    *,
    title: str = "Holdout purchases by calibration frequency",
    xlabel: str = "repeat purchases in the calibration period",
    ylabel: str = "mean purchases in the holdout",
    actual_label: str = "actual",
    expected_label: str = "model",
):
    """Mean actual vs predicted holdout purchases per calibration frequency
    (``conditional_expectations``)."""
    ax = axes(ax)
    positions = range(len(table))
    ax.plot(positions, table["actual"], marker="o", color=PALETTE[0], label=actual_label)
    ax.plot(
        positions,
        table["predicted"],
        marker="s",
        linestyle="--",
        color=PALETTE[2],
        label=expected_label,
    )
    ax.set_xticks(list(positions), table["frequency"])
    ax.legend(frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_p_alive(
    customers: pd.DataFrame,
    ax=None,
    *,
    bins: int = 20,
    title: str = "Probability that a customer is still active",
    xlabel: str = "P(alive) at the end of the data",
    ylabel: str = "customers",
):
    """Histogram of P(alive) per customer (``predictive_clv(...)["customers"]``, 0–1)."""
    ax = axes(ax)
    sns.histplot(customers["p_alive"].dropna(), bins=bins, binrange=(0, 1), ax=ax, color=PALETTE[1])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(0, 1))
    return ax


def plot_clv_by_segment(
    table: pd.DataFrame,
    ax=None,
    *,
    title: str = "Predicted CLV per customer by segment",
    xlabel: str = "CLV per customer (currency)",
    clv_label: str = "existing customers: mean CLV (95% CI)",
    ceiling_label: str | None = "new customer: acquisition-cost ceiling",
):
    """Mean predicted CLV per segment with its bootstrap interval as horizontal bars, and the
    new-customer ceiling of the segment as a diamond (``table`` columns: segment, mean,
    mean_low, mean_high and, when ``ceiling_label`` is given, ceiling; currency)."""
    ax = axes(ax)
    rows = table.iloc[::-1]
    positions = range(len(rows))
    ax.barh(positions, rows["mean"], color=PALETTE[1], label=clv_label)
    ax.errorbar(
        rows["mean"],
        positions,
        xerr=error_extents(rows["mean"], rows["mean_low"], rows["mean_high"]),
        fmt="none",
        ecolor=PALETTE[0],
        capsize=3,
    )
    if ceiling_label is not None and "ceiling" in rows:
        ax.scatter(
            rows["ceiling"], positions, marker="D", color=PALETTE[2], zorder=3, label=ceiling_label
        )
    ax.set_yticks(list(positions), rows["segment"])
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
    ax.set(title=title, xlabel=xlabel)
    return ax
