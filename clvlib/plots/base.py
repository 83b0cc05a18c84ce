"""The house look and small helpers shared by every ``plot_*`` function."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

PALETTE = ["#1e3a5f", "#3b82a0", "#d97706", "#6b7280", "#10b981", "#b91c1c"]


def style() -> None:
    """The house look: white grid, DejaVu Sans (it has the Polish diacritics), the palette."""
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
    """A thousands-separated whole number for tick labels."""
    return f"{value:,.0f}"
