"""Picture of the seasonal pattern of purchases (``clvlib.seasonality``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from clvlib.i18n import month_names
from clvlib.plots.base import PALETTE, axes, error_extents

__all__ = ["plot_seasonal_index"]

MONTHS_EN = month_names("en", "abbreviated")  # Jan … Dec (CLDR)


def plot_seasonal_index(
    table: pd.DataFrame,
    ax=None,
    *,
    title: str = "Purchases by month of year",
    xlabel: str = "month",
    ylabel: str = "index (1 = an average month)",
    month_labels: Sequence[str] = MONTHS_EN,
):
    """Bars of the month-of-year index (``measure_season``'s table: ``month``, ``index``,
    ``ci_low``, ``ci_high``; 1.0 = purchases per day of an average month, trend removed) with
    their 95 % intervals when known, and a dashed line at 1."""
    ax = axes(ax)
    x = np.arange(12)
    index = table["index"].to_numpy(dtype="float64")
    colours = [PALETTE[2] if v > 1 else PALETTE[1] for v in index]
    ax.bar(x, index, color=colours, width=0.7)
    if table["ci_low"].notna().any():
        yerr = error_extents(index, table["ci_low"], table["ci_high"])
        ax.errorbar(x, index, yerr=yerr, fmt="none", ecolor=PALETTE[0], capsize=3, lw=1)
    ax.axhline(1.0, color=PALETTE[3], linestyle="--", linewidth=1)
    ax.set_xticks(x, list(month_labels))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax
