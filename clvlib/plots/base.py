"""The house look and small helpers shared by every ``plot_*`` function."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from clvlib.i18n import fmt_number, fmt_pct, fmt_year_month

PALETTE = ["#1e3a5f", "#3b82a0", "#d97706", "#6b7280", "#10b981", "#b91c1c"]
NBSP = "\u00a0"
_NUMBERS = {"locale": "en"}  # how tick numbers are written; set by style(locale)


def style(locale: str = "en") -> None:
    """The house look: white grid, DejaVu Sans (it has the Polish diacritics), the palette;
    ``locale`` (any CLDR locale: pl, en_GB, de_DE …) sets how tick numbers are written
    (``plain``)."""
    _NUMBERS["locale"] = locale
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", font_scale=0.9)
    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "figure.figsize": (7.5, 3.6),
            "svg.fonttype": "path",
            "axes.titleweight": "bold",
            "axes.titlesize": 10,
        }
    )


def axes(ax):
    """``ax``, or a new figure's axes when None."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plain(value: float) -> str:
    """A whole number for tick labels in the locale set by ``style``: ``12 500`` (pl),
    ``12,500`` (en), ``12.500`` (de_DE)."""
    return fmt_number(value, _NUMBERS["locale"], 0)


def percent(value: float, decimals: int = 0) -> str:
    """A fraction as a percentage for labels in the locale set by ``style``: ``25%`` (en),
    ``25 %`` (de_DE)."""
    return fmt_pct(value, _NUMBERS["locale"], decimals)


def year_month(value) -> str:
    """A calendar month for labels in the locale set by ``style``: ``01.2024`` (pl),
    ``01/2024`` (en_GB)."""
    return fmt_year_month(pd.Timestamp(value), _NUMBERS["locale"])


def wrap_label(label: str, width: int = 12) -> str:
    """A tick label broken onto lines of about ``width`` characters, so neighbours don't
    overlap."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def label_overflow(ax, lower: float) -> None:
    """Write "≥ lower" above the right-most bar of a histogram whose last bin collects every
    value from ``lower`` up (clipped or open-ended), so it does not read as a spike."""
    bars = [p for p in ax.patches if p.get_height() > 0]
    if not bars:
        return
    last = max(bars, key=lambda p: p.get_x())
    ax.annotate(
        f"\u2265{NBSP}{plain(lower)}",
        (last.get_x() + last.get_width() / 2, last.get_height()),
        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7,
        color=PALETTE[3],
    )  # fmt: skip


def error_extents(value, low, high) -> list[np.ndarray]:
    """``[value − low, high − value]`` for matplotlib's ``xerr``/``yerr``, never negative.

    An estimate can sit a rounding error outside its own interval (a rate of 0 with a Wilson
    interval from 0, a bootstrap interval of a bounded figure), and matplotlib refuses negative
    extents: the report crashed on such a client. Missing ends stay missing (no bar)."""
    value = np.asarray(value, dtype="float64")
    below = value - np.asarray(low, dtype="float64")
    above = np.asarray(high, dtype="float64") - value
    return [np.where(np.isnan(e), e, np.maximum(e, 0.0)) for e in (below, above)]
