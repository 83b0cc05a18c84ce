"""Pictures of step IV: cohort retention, LTV curves, the time to the next purchase, the loyalty
programme and the sales reps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import seaborn as sns

from clvlib.plots.base import PALETTE, axes, error_extents, plain, year_month
from clvlib.plots.funnel import percent

__all__ = [
    "plot_cohort_heatmap",
    "plot_ltv_curves",
    "plot_inter_purchase",
    "plot_survival",
    "plot_loyalty",
    "plot_sales_reps",
]


def plot_cohort_heatmap(
    cohorts: pd.DataFrame,
    ax=None,
    *,
    value: str = "active_share",
    max_months: int | None = 12,
    title: str = "Active customers by acquisition cohort",
    xlabel: str = "months since acquisition",
    ylabel: str = "cohort (first purchase month)",
    pct: Callable[[float], str] = percent,
):
    """A heat map of ``value`` (``active_share`` or ``revenue_retention``; fractions) from
    ``cohort_table``: one row per cohort (oldest on top), one column per month since
    acquisition up to ``max_months``; cells annotated with ``pct`` when there are at most 13
    columns."""
    ax = axes(ax)
    data = (
        cohorts
        if max_months is None
        else cohorts[cohorts["months_since_acquisition"] <= max_months]
    )
    wide = data.pivot(index="cohort", columns="months_since_acquisition", values=value)
    wide.index = [year_month(c) for c in wide.index]
    values = wide.to_numpy(dtype="float64")
    annot = wide.shape[1] <= 13
    labels = np.vectorize(lambda v: "" if np.isnan(v) else pct(v))(values) if annot else False
    sns.heatmap(wide.astype("float64"), ax=ax, annot=labels, fmt="", cmap="Blues", cbar=False,
                vmin=0, vmax=1, annot_kws={"fontsize": 6})  # fmt: skip
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_ltv_curves(
    cohorts: pd.DataFrame,
    ax=None,
    *,
    every: int = 3,
    title: str = "Cumulative revenue per customer by cohort",
    xlabel: str = "months since acquisition",
    ylabel: str = "revenue per customer (currency)",
    fmt: Callable[[float], str] = plain,
):
    """One line per cohort (every ``every``-th cohort, so the picture stays readable) of
    ``cumulative_revenue_per_customer`` from ``cohort_table``; later cohorts are lighter."""
    ax = axes(ax)
    names = sorted(cohorts["cohort"].unique())[::every]
    colours = sns.color_palette("Blues_r", n_colors=max(len(names), 1) + 2)
    for colour, cohort in zip(colours, names, strict=False):
        rows = cohorts[cohorts["cohort"] == cohort]
        ax.plot(rows["months_since_acquisition"], rows["cumulative_revenue_per_customer"],
                color=colour, label=year_month(cohort))  # fmt: skip
    ax.yaxis.set_major_formatter(lambda v, _: fmt(v))
    ax.legend(frameon=False, fontsize=7, ncol=2)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_inter_purchase(
    gaps: pd.DataFrame,
    ax=None,
    *,
    bin_days: int = 14,
    median: float | None = None,
    title: str = "Days between consecutive purchases",
    xlabel: str = "days",
    ylabel: str = "gaps",
    median_label: str = "median",
):
    """Inter-purchase gaps (``inter_purchase_table``) in bins of ``bin_days`` days; ``median``
    (e.g. ``retention_summary(...)["median_gap_days"]``) as a dashed line."""
    ax = axes(ax)
    bins = (gaps["days"] - 1) // bin_days
    counts = gaps.groupby(bins)["gaps"].sum()
    ax.bar(counts.index.to_numpy() * bin_days + 1, counts.to_numpy(), width=bin_days,
           align="edge", color=PALETTE[1])  # fmt: skip
    if median is not None and pd.notna(median):
        ax.axvline(median, color=PALETTE[0], linestyle="--", label=median_label)
        ax.legend(frameon=False)
    ax.yaxis.set_major_formatter(lambda v, _: plain(v))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_survival(
    km: pd.DataFrame,
    ax=None,
    *,
    title: str = "Customers who have not bought again",
    xlabel: str = "days since a purchase",
    ylabel: str = "not yet bought again",
    label: str = "Kaplan–Meier (95% CI)",
    pct: Callable[[float], str] = percent,
):
    """The Kaplan–Meier step curve (``survival_table`` or ``kaplan_meier``) with its 95 % band;
    the value at the right end is the churn rate."""
    ax = axes(ax)
    ax.step(km["time"], km["survival"], where="post", color=PALETTE[0], label=label)
    ax.fill_between(km["time"], km["ci_low"], km["ci_high"], step="post", color=PALETTE[0],
                    alpha=0.2, linewidth=0)  # fmt: skip
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: pct(v))
    ax.legend(frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def plot_loyalty(
    loyalty: pd.DataFrame,
    ax=None,
    *,
    title: str = "Loyalty members vs non-members: lift",
    metric_labels: dict[str, str] | None = None,
    xlabel: str = "members / non-members − 1 (95% CI)",
    pct: Callable[[float], str] = percent,
):
    """The lift of each metric (``loyalty_table``) as a point with its bootstrap 95 % interval,
    a line at 0 (no difference)."""
    ax = axes(ax)
    names = [(metric_labels or {}).get(m, m.replace("_", " ")) for m in loyalty["metric"]]
    y = np.arange(len(loyalty))[::-1]
    lift = loyalty["lift"].to_numpy(dtype="float64")
    err = error_extents(lift, loyalty["ci_low"], loyalty["ci_high"])
    ax.errorbar(lift, y, xerr=err, fmt="o", color=PALETTE[0], capsize=4)
    ax.axvline(0, color=PALETTE[3], linewidth=1)
    ax.set_yticks(y, names)
    ax.set_ylim(-0.7, len(loyalty) - 0.3)
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax


CI_COLUMNS = {
    "churn_rate": ("churn_ci_low", "churn_ci_high"),
    "repeat_rate": ("repeat_rate_ci_low", "repeat_rate_ci_high"),
    "retention_12m": ("retention_ci_low", "retention_ci_high"),
}


def plot_sales_reps(
    reps: pd.DataFrame,
    ax=None,
    *,
    value: str = "churn_rate",
    title: str = "Customers lost after a purchase, by sales rep",
    xlabel: str = "churn rate (95% CI)",
    small_label: str = " (few customers)",
    pct: Callable[[float], str] = percent,
):
    """``value`` (``churn_rate``, ``repeat_rate`` or ``retention_12m``) per rep with its 95 %
    interval (``sales_rep_table``), one row per rep in the table's order (top = first);
    reps flagged ``small_sample`` get ``small_label`` and a grey marker; a configured
    scorecard is written at the right."""
    ax = axes(ax)
    low_col, high_col = CI_COLUMNS[value]
    y = np.arange(len(reps))[::-1]
    v = reps[value].to_numpy(dtype="float64")
    err = error_extents(v, reps[low_col], reps[high_col])
    small = reps["small_sample"].to_numpy(dtype=bool)
    for mask, colour in ((~small, PALETTE[0]), (small, PALETTE[3])):
        if mask.any():
            ax.errorbar(v[mask], y[mask], xerr=[e[mask] for e in err], fmt="o", color=colour,
                        capsize=4)  # fmt: skip
    names = [f"{r}{small_label if s else ''}" for r, s in zip(reps["sales_rep"], small,
                                                              strict=True)]  # fmt: skip
    ax.set_yticks(y, names)
    if "scorecard" in reps and reps["scorecard"].notna().any():
        for yi, score in zip(y, reps["scorecard"], strict=True):
            if pd.notna(score):
                ax.annotate(f"{score:g}/5", (1.01, yi), xycoords=("axes fraction", "data"),
                            va="center", fontsize=8, color=PALETTE[2])  # fmt: skip
    ax.xaxis.set_major_formatter(lambda v, _: pct(v))
    ax.set(title=title, xlabel=xlabel, ylabel="")
    return ax
