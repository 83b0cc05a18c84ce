"""Pictures of step V: RFM segments, value tiers, the Lorenz curve, potential per segment,
category breadth and pairs, order values and acquisition saturation."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from clvlib.plots.base import PALETTE, axes, label_overflow, percent, plain, wrap_label

__all__ = [
    "plot_segments",
    "plot_value_tiers",
    "plot_lorenz",
    "plot_potential",
    "plot_category_breadth",
    "plot_category_rules",
    "plot_order_values",
    "plot_acquisition_saturation",
]


def _percent(value: float) -> str:
    return percent(value, 0)


def _names(values, labels: Mapping[str, str] | None) -> list[str]:
    return [wrap_label((labels or {}).get(v, v), 12) for v in values]


def plot_segments(
    segments: pd.DataFrame,
    ax=None,
    *,
    title: str = "RFM segments: share of customers and of revenue",
    ylabel: str = "share",
    customers_label: str = "customers",
    revenue_label: str = "net revenue",
    segment_labels: Mapping[str, str] | None = None,
    pct: Callable[[float], str] = _percent,
):
    """Paired bars per segment (``segment_table``): share of customers and share of net
    revenue (fractions, shown with ``pct``). ``segment_labels`` maps segment names to text."""
    ax = axes(ax)
    x = np.arange(len(segments))
    w = 0.4
    ax.bar(x - w / 2, segments["customer_share"], w, color=PALETTE[1], label=customers_label)
    ax.bar(x + w / 2, segments["revenue_share"], w, color=PALETTE[0], label=revenue_label)
    ax.set_xticks(x, _names(segments["segment"], segment_labels), fontsize=8)
    ax.yaxis.set_major_formatter(lambda v, _: pct(v))
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.legend(fontsize=8)
    return ax


def plot_value_tiers(
    tiers: pd.DataFrame,
    ax=None,
    *,
    title: str = "Value tiers: share of customers and of value",
    ylabel: str = "share",
    customers_label: str = "customers",
    value_label: str = "value",
    fmt: Callable[[float], str] = plain,
    pct: Callable[[float], str] = _percent,
):
    """Paired bars per tier (``value_tiers_table``): share of customers and share of value;
    each value bar is labelled with the tier's threshold (currency, ``fmt``)."""
    ax = axes(ax)
    x = np.arange(len(tiers))
    w = 0.4
    ax.bar(x - w / 2, tiers["customer_share"], w, color=PALETTE[1], label=customers_label)
    bars = ax.bar(x + w / 2, tiers["value_share"], w, color=PALETTE[0], label=value_label)
    labels = ["" if pd.isna(t) else f"≥ {fmt(t)}" for t in tiers["threshold"]]
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)
    ax.set_xticks(x, list(tiers["tier"]))
    ax.yaxis.set_major_formatter(lambda v, _: pct(v))
    ax.margins(y=0.15)
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.legend(fontsize=8)
    return ax


def plot_lorenz(
    lorenz: pd.DataFrame,
    ax=None,
    *,
    gini: float | None = None,
    title: str = "Concentration of net revenue (Lorenz curve)",
    xlabel: str = "share of customers (ascending by revenue)",
    ylabel: str = "share of net revenue",
    equality_label: str = "equal revenue",
    gini_label: str = "Gini",
    pct: Callable[[float], str] = _percent,
):
    """The Lorenz curve (``lorenz_table``) against the diagonal of equality; with ``gini`` the
    coefficient is written in the upper left."""
    ax = axes(ax)
    ax.plot([0, 1], [0, 1], color=PALETTE[3], linestyle="--", linewidth=1, label=equality_label)
    ax.plot(lorenz["customer_share"], lorenz["revenue_share"], color=PALETTE[0], linewidth=2)
    ax.fill_between(
        lorenz["customer_share"], lorenz["revenue_share"], lorenz["customer_share"],
        color=PALETTE[0], alpha=0.1,
    )  # fmt: skip
    if gini is not None and not pd.isna(gini):
        ax.text(0.03, 0.92, f"{gini_label} = {gini:.2f}", transform=ax.transAxes, fontsize=9)
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.yaxis.set_major_formatter(lambda v, _: pct(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(0, 1), ylim=(0, 1))
    if equality_label:
        ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_potential(
    potential: pd.DataFrame,
    ax=None,
    *,
    title: str = "Value so far and predicted remaining value by segment",
    ylabel: str = "margin",
    past_label: str = "margin so far",
    future_label: str = "predicted remaining value",
    segment_labels: Mapping[str, str] | None = None,
):
    """Paired bars per segment (``potential_table``): margin so far and Σ ``clv_future``
    (currency)."""
    ax = axes(ax)
    x = np.arange(len(potential))
    w = 0.4
    ax.bar(x - w / 2, potential["margin_so_far"], w, color=PALETTE[3], label=past_label)
    ax.bar(x + w / 2, potential["clv_future"], w, color=PALETTE[4], label=future_label)
    ax.set_xticks(x, _names(potential["segment"], segment_labels), fontsize=8)
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, ylabel=ylabel, xlabel="")
    ax.legend(fontsize=8)
    return ax


def plot_category_breadth(
    breadth: pd.DataFrame,
    ax=None,
    *,
    title: str = "Categories bought per customer",
    xlabel: str = "categories bought",
    ylabel: str = "customers",
):
    """Customers by number of distinct categories bought (``category_breadth_table``)."""
    ax = axes(ax)
    ax.bar(breadth["categories"].astype(str), breadth["customers"], color=PALETTE[1])
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_category_rules(
    rules: pd.DataFrame,
    ax=None,
    *,
    top: int = 10,
    title: str = "Categories bought together (lift)",
    xlabel: str = "lift (1 = as by chance)",
):
    """The ``top`` rules by lift (``category_rules_table``) as horizontal bars labelled with
    their confidence; a line marks lift 1."""
    ax = axes(ax)
    head = rules.head(top).iloc[::-1]
    names = [f"{a} → {b}" for a, b in zip(head["antecedent"], head["consequent"], strict=True)]
    bars = ax.barh(names, head["lift"], color=PALETTE[0])
    ax.bar_label(bars, labels=[percent(c) for c in head["confidence"]], padding=2, fontsize=8)
    ax.axvline(1.0, color=PALETTE[5], linewidth=1, linestyle="--")
    ax.tick_params(axis="y", labelsize=8)
    ax.margins(x=0.15)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax


def plot_order_values(
    distribution: pd.DataFrame,
    ax=None,
    *,
    threshold: float | None = None,
    median: float | None = None,
    p75: float | None = None,
    title: str = "Order values",
    xlabel: str = "order value",
    ylabel: str = "orders",
    threshold_label: str = "free delivery",
    median_label: str = "median",
    p75_label: str = "75th percentile",
):
    """Orders per value bucket (``order_value_table``; the open last bucket is drawn one width
    wide) with optional vertical lines at the free-delivery ``threshold``, the ``median`` and
    ``p75`` (currency, from ``order_value_summary``)."""
    ax = axes(ax)
    width = (distribution["upper"] - distribution["lower"]).replace(np.inf, np.nan)
    width = width.fillna(width.dropna().iloc[-1] if width.notna().any() else 1.0)
    ax.bar(
        distribution["lower"], distribution["orders"], width=width, align="edge",
        color=PALETTE[1], edgecolor="white",
    )  # fmt: skip
    for value, label, colour in (
        (threshold, threshold_label, PALETTE[2]),
        (median, median_label, PALETTE[0]),
        (p75, p75_label, PALETTE[4]),
    ):
        if value is not None and not pd.isna(value):
            ax.axvline(value, color=colour, linewidth=1.5, linestyle="--", label=label)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    open_last = np.isinf(distribution["upper"].to_numpy(float))
    if len(distribution) and open_last[-1] and distribution["orders"].iloc[-1] > 0:
        label_overflow(ax, distribution["lower"].iloc[-1])
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_acquisition_saturation(
    table: pd.DataFrame,
    ax=None,
    *,
    title: str = "Marginal cost of a new customer vs its value",
    xlabel: str = "currency per new customer",
    marginal_label: str = "marginal CAC",
    average_label: str = "average CAC",
    clv_label: str = "CLV",
):
    """Per channel (``acquisition_saturation_table``): marginal CAC bars (red when saturated),
    average CAC as dots and the CLV as a tick."""
    ax = axes(ax)
    y = np.arange(len(table))
    colours = [PALETTE[5] if pd.notna(s) and bool(s) else PALETTE[1] for s in table["saturated"]]
    ax.barh(y, table["marginal_cac"].fillna(0), color=colours, label=marginal_label)
    ax.scatter(table["average_cac"], y, color=PALETTE[0], zorder=3, label=average_label)
    ax.scatter(table["clv"], y, marker="|", s=300, color=PALETTE[2], zorder=3, label=clv_label)
    ax.set_yticks(y, list(table["channel"]))
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel="")
    ax.legend(fontsize=8)
    return ax
