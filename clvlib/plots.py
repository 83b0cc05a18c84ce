"""Pictures of the tidy tables: every ``plot_*`` takes a frame from a ``*_table`` function and
an optional ``ax``, draws, and returns the ``ax`` so figures can be composed.

Titles come from the report (the finding as a sentence); axis labels carry units.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PALETTE = ["#1e3a5f", "#3b82a0", "#d97706", "#6b7280", "#10b981", "#b91c1c"]


def style() -> None:
    """The house look: white grid, DejaVu Sans (Polish diacritics), the report palette."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", font_scale=0.9)
    plt.rcParams.update(
        {
            "figure.figsize": (7.5, 3.6),
            "svg.fonttype": "path",
            "axes.titleweight": "bold",
            "axes.titlesize": 10,
        }
    )


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_clv_distribution(
    history: pd.DataFrame,
    ax=None,
    *,
    value_col: str = "margin",
    title: str = "Margin per customer so far",
    xlabel: str = "margin per customer",
    ylabel: str = "customers",
):
    """Histogram of value per customer (``historical_clv_table``) up to the 99th percentile,
    so a few very large customers do not squash the rest; dashed line at the median."""
    ax = _axes(ax)
    values = history[value_col].dropna()
    upper = values.quantile(0.99) if len(values) else 0
    sns.histplot(values[values <= upper], bins=40, ax=ax, color=PALETTE[0])
    if len(values):
        ax.axvline(values.median(), color=PALETTE[2], linestyle="--", linewidth=1.5)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_acquisition_ceiling(
    ceiling: pd.DataFrame,
    ax=None,
    *,
    title: str = "The most a new customer may cost",
    xlabel: str = "CLV ceiling per customer",
):
    """Horizontal bars of the CLV ceiling per segment (``acquisition_ceiling_table``), with the
    overall ceiling as a dashed line."""
    ax = _axes(ax)
    segments = ceiling[ceiling["segment"] != "all"].sort_values("clv_ceiling")
    ax.barh(segments["segment"].astype(str), segments["clv_ceiling"], color=PALETTE[1])
    overall = ceiling.loc[ceiling["segment"] == "all", "clv_ceiling"]
    if len(overall):
        ax.axvline(float(overall.iloc[0]), color=PALETTE[2], linestyle="--", linewidth=1.5)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax
