"""Pictures of step III: acquisition channels, CAC against CLV, payback and spend response."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from clvlib.plots.base import PALETTE, axes, error_extents, plain

__all__: list[str] = [
    "plot_cac_vs_clv",
    "plot_budget_vs_value",
    "plot_payback",
    "plot_spend_response",
    "plot_reallocation",
]

FLAG_COLOUR = PALETTE[5]


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def plot_cac_vs_clv(
    channels: pd.DataFrame,
    ax=None,
    *,
    title: str = "What a new customer costs and what it is worth",
    xlabel: str = "per new customer (currency)",
    cac_label: str = "CAC",
    clv_label: str = "mean CLV (95% CI)",
    flagged_label: str = "CAC above CLV",
):
    """Per channel of ``channel_table`` (first row on top): the CAC as a bar — red where
    ``cac_above_clv`` — and the mean CLV with its interval as a dot with error bars (currency).
    Organic channels have a CAC of 0 (no bar)."""
    ax = axes(ax)
    rows = channels.iloc[::-1]
    positions = np.arange(len(rows))
    flagged = rows["cac_above_clv"].fillna(False).astype(bool).to_numpy()
    cac = rows["cac"].astype("float64").fillna(0.0)
    colours = [FLAG_COLOUR if f else PALETTE[1] for f in flagged]
    ax.barh(positions, cac, color=colours)
    handles = [Patch(color=PALETTE[1], label=cac_label)]
    if flagged.any():
        handles.append(Patch(color=FLAG_COLOUR, label=flagged_label))
    clv = rows["clv_mean"].astype("float64")
    points = ax.errorbar(
        clv,
        positions,
        xerr=error_extents(clv, rows["clv_low"], rows["clv_high"]),
        fmt="o",
        color=PALETTE[2],
        ecolor=PALETTE[0],
        capsize=3,
        zorder=3,
        label=clv_label,
    )
    ax.set_yticks(list(positions), rows["channel"].astype(str))
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.legend(
        handles=[*handles, points],
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=3,
    )
    ax.set(title=title, xlabel=xlabel)
    return ax


def plot_budget_vs_value(
    channels: pd.DataFrame,
    ax=None,
    *,
    title: str = "Share of the budget vs share of the value created",
    xlabel: str = "share of the total",
    budget_label: str = "budget (spend)",
    value_label: str = "value (CLV of new customers)",
):
    """Paired horizontal bars per channel of ``channel_table``: ``budget_share`` and
    ``value_share`` (fractions, drawn as percentages). A channel that takes more budget than
    the value it brings stands out by a longer upper bar."""
    ax = axes(ax)
    rows = channels.iloc[::-1]
    positions = np.arange(len(rows))
    height = 0.4
    budget = rows["budget_share"].astype("float64").fillna(0.0)
    value = rows["value_share"].astype("float64").fillna(0.0)
    ax.barh(positions + height / 2, budget, height, color=PALETTE[0], label=budget_label)
    ax.barh(positions - height / 2, value, height, color=PALETTE[4], label=value_label)
    ax.set_yticks(list(positions), rows["channel"].astype(str))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2)
    ax.set(title=title, xlabel=xlabel)
    return ax


def plot_payback(
    payback: pd.DataFrame,
    ax=None,
    *,
    title: str = "Margin per new customer against its acquisition cost",
    xlabel: str = "months since acquisition",
    ylabel: str = "cumulative margin per new customer (currency)",
    cac_label: str = "CAC",
    paid_only: bool = True,
):
    """Cumulative margin per new customer by month since acquisition (``payback_table``), one
    line per channel, with its CAC as a dashed line of the same colour: where the line crosses
    its CAC the channel has paid back. ``paid_only`` leaves out channels with no CAC."""
    ax = axes(ax)
    shown = payback
    if paid_only:
        shown = payback[payback["cac"].astype("float64") > 0]
    for i, (name, curve) in enumerate(shown.groupby("channel", sort=False)):
        colour = _colour(i)
        ax.plot(
            curve["month"], curve["cumulative_margin_per_customer"], color=colour, label=str(name)
        )
        cac = float(curve["cac"].iloc[0])
        if cac > 0:
            ax.axhline(cac, color=colour, linestyle="--", linewidth=1)
    if len(shown):
        ax.plot([], [], color=PALETTE[3], linestyle="--", linewidth=1, label=cac_label)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_spend_response(
    periods: pd.DataFrame,
    response: pd.DataFrame,
    ax=None,
    *,
    title: str = "New customers against spend per month",
    xlabel: str = "spend per month (currency)",
    ylabel: str = "new customers per month",
):
    """Each period as a dot (``spend_periods_table``: spend, new customers) and, for the fitted
    channels of ``spend_response_table``, the curve a·spend^b over the observed spend range; the
    legend gives the elasticity b. Only channels with positive spend are drawn."""
    ax = axes(ax)
    fits = response.set_index("channel") if len(response) else pd.DataFrame()
    paid = periods[periods["spend"] > 0]
    for i, (name, group) in enumerate(paid.groupby("channel", sort=True)):
        colour = _colour(i)
        label = str(name)
        fit = fits.loc[name] if name in fits.index else None
        if fit is not None and bool(fit["fitted"]):
            grid = np.linspace(float(fit["spend_min"]), float(fit["spend_max"]), 50)
            curve = float(fit["scale"]) * grid ** float(fit["elasticity"])
            ax.plot(grid, curve, color=colour, linewidth=1.5)
            label = f"{name} (b = {float(fit['elasticity']):.2f})"
        ax.scatter(group["spend"], group["new_customers"], color=colour, s=14, label=label)
    if len(paid):
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_reallocation(
    reallocation: pd.DataFrame,
    ax=None,
    *,
    title: str = "Moving budget: estimated change in value per month",
    xlabel: str = "change in value of new customers per month (currency)",
    net_label: str = "net",
):
    """The change in value per period of each channel of ``reallocation_table`` as a horizontal
    bar (red: the channel giving budget, green: the one receiving it) and the net change."""
    ax = axes(ax)
    if not len(reallocation):
        ax.set(title=title, xlabel=xlabel)
        return ax
    labels = list(reallocation["channel"].astype(str)) + [net_label]
    values = list(reallocation["value_change"].astype("float64"))
    values.append(sum(values))
    colours = [FLAG_COLOUR if v < 0 else PALETTE[4] for v in values[:-1]] + [PALETTE[0]]
    positions = np.arange(len(values))[::-1]
    ax.barh(positions, values, color=colours)
    ax.axvline(0, color=PALETTE[3], linewidth=1)
    ax.set_yticks(list(positions), labels)
    ax.xaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel)
    return ax
