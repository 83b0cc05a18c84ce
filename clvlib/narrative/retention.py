"""Step IV — Retention: what the report can honestly say about cohorts, churn, the loyalty
programme and the sales reps.

``*_findings(...)`` are pure: they take ``clvlib.retention``'s tables and a formatter ``f`` (an
object with ``fmt(value, kind)`` and ``text(key, **values)``, e.g. the audit) and return
:class:`~clvlib.narrative.Finding` s whose values are never missing. Keys in ``NOTES`` are
caveats (shown boxed, not recorded for the executive summary). ``show_*(audit, ...)`` display one
section of ``notebooks/04_retention.ipynb`` and return what the notebook records.

Rules: an interval whose ends coincide once formatted is one value; a difference is stated only
when the data support it, otherwise the report says that no difference was found: members vs
non-members when the bootstrap 95 % interval of the lift excludes 0, the rep whose customers are
lost most often against the one whose are lost least often when a test at 5 % with all pairs of
reps accounted for says so (``rep_comparison``, ``clvlib.compare``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvlib import compare, plots, retention
from clvlib.narrative import Finding, say_all
from clvlib.report.display import Numbers
from clvlib.report.run import STEP_NAMES

NOTES = frozenset(
    {
        "ret.cohorts.none",
        "ret.cohorts.short",
        "ret.churn.thin",
        "ret.no_loyalty",
        "ret.loyalty.thin",
        "ret.loyalty.bias",
        "ret.no_reps",
        "ret.reps.unranked",
        "ret.reps.one",
    }
)
NO_REP = "(none)"  # sales_rep_table's group of customers without a rep: not a rep to rank


def missing(*values: Any) -> bool:
    """True when any value is None or NaN."""
    return any(v is None or pd.isna(v) for v in values)


def span(f, low: Any, high: Any, kind: str = "pct0") -> str | None:
    """``"a–b"`` formatted by ``f.fmt``; one value when both ends read the same; None when an
    end is missing (the caller picks a sentence without the range)."""
    if missing(low, high):
        return None
    a, b = f.fmt(low, kind), f.fmt(high, kind)
    return a if a == b else f"{a}–{b}"


def complete(key: str, **values: str | None) -> Finding | None:
    """A Finding when every value is present, else None."""
    return None if any(v is None for v in values.values()) else Finding(key, dict(values))


# -- pure findings -------------------------------------------------------------------------------
def active_share(cohorts: pd.DataFrame, month: int) -> float:
    """Active customers / cohort customers over every cohort observed in month ``month`` after
    acquisition (a fraction); NaN when no cohort reaches that month."""
    cell = cohorts[cohorts["months_since_acquisition"] == month]
    total = cell["cohort_customers"].sum() if len(cell) else 0
    return float(cell["active_customers"].sum() / total) if total else float("nan")


def cohort_findings(cohorts: pd.DataFrame, f) -> list[Finding]:
    """The repeat share in months 1, 3 and 12 after acquisition, as far as the history reaches."""
    if not len(cohorts):
        return [Finding("ret.cohorts.none")]
    m1, m3, m12 = (active_share(cohorts, k) for k in (1, 3, 12))
    pct = {k: f.fmt(v, "pct0") for k, v in (("m1", m1), ("m3", m3), ("m12", m12))}
    if not missing(m1, m3, m12):
        return [Finding("ret.cohorts.finding", pct)]
    if not missing(m1, m3):
        return [Finding("ret.cohorts.finding_m3", {"m1": pct["m1"], "m3": pct["m3"]})]
    if not missing(m1):
        return [Finding("ret.cohorts.finding_m1", {"m1": pct["m1"]})]
    return [Finding("ret.cohorts.short")]


def churn_findings(summary: dict[str, Any], f) -> list[Finding]:
    """Repeat rate, median gap and churn with their intervals; a note when the sample is thin."""
    thin = Finding(
        "ret.churn.thin",
        {
            "customers": f.fmt(summary["customers"], "int"),
            "repeaters": f.fmt(summary["repeaters"], "int"),
            "needed": str(retention.SMALL_SAMPLE),
        },
    )
    if summary["customers"] < retention.SMALL_SAMPLE or not summary["repeaters"]:
        return [thin]
    s = summary
    repeat = {
        "repeat": None if missing(s["repeat_rate"]) else f.fmt(s["repeat_rate"], "pct0"),
        "repeat_ci": span(f, s["repeat_rate_ci_low"], s["repeat_rate_ci_high"]),
        "median_gap": None if missing(s["median_gap_days"]) else f.fmt(s["median_gap_days"], "int"),
    }
    churn = {
        "churn": None if missing(s["churn_rate"]) else f.fmt(s["churn_rate"], "pct0"),
        "days": str(s["churn_after_days"]),
        "churn_ci": span(f, s["churn_rate_ci_low"], s["churn_rate_ci_high"]),
    }
    found = complete("ret.churn.finding", **repeat, **churn) or complete(
        "ret.churn.finding_repeat", **repeat
    )
    return [found or thin]


def _lift(f, row: pd.Series, stem: str) -> Finding | None:
    """Members against non-members on one metric: more, less, or no difference found."""
    if missing(row["lift"], row["ci_low"], row["ci_high"]):
        return None
    if row["ci_low"] > 0:
        return Finding(
            f"{stem}_more",
            {"lift": f.fmt(row["lift"], "pct0"), "ci": span(f, row["ci_low"], row["ci_high"])},
        )
    if row["ci_high"] < 0:  # said as a positive "less": −12 % → 12 % less
        return Finding(
            f"{stem}_less",
            {"lift": f.fmt(-row["lift"], "pct0"), "ci": span(f, -row["ci_high"], -row["ci_low"])},
        )
    return Finding(f"{stem}_same", {"ci": span(f, row["ci_low"], row["ci_high"])})


def loyalty_findings(
    loyalty: pd.DataFrame | None, before_after: pd.DataFrame | None, f
) -> list[Finding]:
    """Members vs non-members per order and per customer-year, and the before/after check."""
    if loyalty is None:
        return [Finding("ret.no_loyalty")]
    rows = loyalty.set_index("metric")
    order = _lift(f, rows.loc["spend_per_order"], "ret.loyalty.order")
    if order is None:  # members or non-members missing among the buyers, or too few
        return [Finding("ret.loyalty.thin")]
    out = [order]
    year = _lift(f, rows.loc["spend_per_customer_year"], "ret.loyalty.year")
    if year is not None:
        out.append(year)
    if before_after is not None and len(before_after):
        ba = before_after.iloc[0]
        if ba["joiners"] > 0 and not missing(ba["change"], ba["ci_low"], ba["ci_high"]):
            verdict = (
                "ret.loyalty.verdict_selection"
                if not ba["change_significant"]
                else "ret.loyalty.verdict_effect"
                if ba["change"] > 0
                else "ret.loyalty.verdict_lower"
            )
            out.append(
                Finding(
                    "ret.loyalty.bias",
                    {
                        "change": f.fmt(ba["change"], "pct1"),
                        "ci": span(f, ba["ci_low"], ba["ci_high"], "pct1"),
                        "verdict": f.text(verdict),
                    },
                )
            )
    return out


def ranked_reps(reps: pd.DataFrame | None) -> pd.DataFrame:
    """The reps ``rep_findings`` compares, by churn rate (lowest first): reps (not the group
    without one) with a churn rate, its interval and its customer-level standard error; reps
    with fewer than ``retention.SMALL_SAMPLE`` customers only when fewer than two larger reps
    exist."""
    if reps is None or not len(reps):
        return pd.DataFrame(columns=REP_COLUMNS)
    ok = reps[(reps["sales_rep"].astype(str) != NO_REP)].dropna(
        subset=["churn_rate", "churn_ci_low", "churn_ci_high", "churn_se"]
    )
    large = ok[~ok["small_sample"].astype(bool)]
    return (large if len(large) >= 2 else ok).sort_values(["churn_rate", "sales_rep"])


def rep_comparison(reps: pd.DataFrame | None) -> compare.Comparison | None:
    """Whether the rep whose customers are lost most often differs from the one whose are lost
    least often (``clvlib.compare.extremes_differ_estimates`` on the churn rates and their
    customer-level standard errors: a Wald test at 5 %, Bonferroni over every pair of ranked
    reps, as the two were picked after looking). None with fewer than two ranked reps."""
    ranked = ranked_reps(reps)
    if len(ranked) < 2:
        return None
    return compare.extremes_differ_estimates(
        ranked["churn_rate"].tolist(), ranked["churn_se"].tolist()
    )


REP_DIFFERENCE_KEYS = ("ret.reps.finding",)
REP_NO_DIFFERENCE_KEYS = ("ret.reps.no_difference", "ret.reps.no_difference_same")


def rep_findings(reps: pd.DataFrame | None, f) -> list[Finding]:
    """Which rep's customers are lost most and least often, only when ``rep_comparison`` finds
    that the two differ; otherwise that no difference was found, with the range. Reps ranked
    as ``ranked_reps``; customers without a rep are not a rep."""
    if reps is None or not len(reps):
        return [Finding("ret.no_reps")]
    ranked = ranked_reps(reps)
    if not len(ranked):
        return [Finding("ret.reps.unranked")]
    if len(ranked) == 1:
        return [Finding("ret.reps.one", {"rep": str(ranked.iloc[0]["sales_rep"])})]
    decision = rep_comparison(reps)
    best, worst = ranked.iloc[decision.low], ranked.iloc[decision.high]
    if decision.differs:
        return [
            Finding(
                "ret.reps.finding",
                {
                    "worst": str(worst["sales_rep"]),
                    "worst_churn": f.fmt(worst["churn_rate"], "pct0"),
                    "worst_ci": span(f, worst["churn_ci_low"], worst["churn_ci_high"]),
                    "best": str(best["sales_rep"]),
                    "best_churn": f.fmt(best["churn_rate"], "pct0"),
                    "best_ci": span(f, best["churn_ci_low"], best["churn_ci_high"]),
                },
            )
        ]
    low, high = f.fmt(best["churn_rate"], "pct0"), f.fmt(worst["churn_rate"], "pct0")
    reps_n = f.fmt(len(ranked), "int")
    if low == high:  # "ranges over 0%" is no range: one figure for every rep
        return [Finding("ret.reps.no_difference_same", {"reps": reps_n, "rate": low})]
    rates = span(f, best["churn_rate"], worst["churn_rate"])
    return [Finding("ret.reps.no_difference", {"reps": reps_n, "range": rates})]


def rep_comparison_record(reps: pd.DataFrame | None) -> dict[str, Any] | None:
    """``metrics.json`` ``retention_detail.sales_rep_comparison``: the decision
    (``differs``, ``p_value``, ``threshold``, ``comparisons``, ``alpha``, ``method``), the
    reps compared (``low_rep``, ``high_rep``) and the sentence keys that state a difference and
    that state none (the zoo checks that the one said matches the decision). None with fewer
    than two ranked reps."""
    decision = rep_comparison(reps)
    if decision is None:
        return None
    ranked = ranked_reps(reps)
    return decision.record() | {
        "low_rep": str(ranked.iloc[decision.low]["sales_rep"]),
        "high_rep": str(ranked.iloc[decision.high]["sales_rep"]),
        "difference_keys": list(REP_DIFFERENCE_KEYS),
        "no_difference_keys": list(REP_NO_DIFFERENCE_KEYS),
    }


# -- the notebook's sections ---------------------------------------------------------------------
def _say(audit, findings: list[Finding]) -> list[Finding]:
    """Show findings (this step's notes boxed); return those the executive summary may repeat."""
    return say_all(audit, findings, notes=NOTES)


def show_intro(audit) -> None:
    """Plot style, the step's heading and its question."""
    plots.style(audit.locale)
    audit.h1("ret.title", section="retention")
    audit.say("ret.question", css="lead")


def show_cohorts(audit) -> pd.DataFrame:
    """Cohort sentence, heatmap (one cohort a quarter when there are four) and LTV curves."""
    cohorts = retention.cohort_table(audit)
    audit.h2("ret.cohorts.title")
    _say(audit, cohort_findings(cohorts, audit))
    if not len(cohorts):
        return cohorts
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731
    months = audit.text("channels.axis.months")
    quarterly = cohorts[pd.to_datetime(cohorts["cohort"]).dt.month.isin([1, 4, 7, 10])]
    one_a_quarter = quarterly["cohort"].nunique() >= 4
    shown = quarterly if one_a_quarter else cohorts
    ax = plots.plot_cohort_heatmap(shown, title="", xlabel=months, ylabel="", pct=pct)
    title = "ret.cohorts.fig" if one_a_quarter else "ret.cohorts.fig_all"
    audit.figure(ax, name="cohorts", title=title)
    ax = plots.plot_ltv_curves(
        cohorts, title="", xlabel=months, ylabel=audit.currency, fmt=lambda v: audit.fmt(v, "int")
    )
    audit.figure(ax, name="ltv-curves", title="ret.ltv.fig")
    return cohorts


def show_churn(audit) -> tuple[dict[str, Any], pd.DataFrame, list[Finding]]:
    """Repeat rate and churn sentence, the survival curve and the gaps between purchases.
    Returns ``retention_summary``, the survival table (``survival_table``: the churn panel's
    default state) and the findings said."""
    km = retention.survival_table(audit)
    gaps = retention.inter_purchase_table(audit)
    summary = retention.retention_summary(audit, km=km, gaps=gaps)
    audit.h2("ret.churn.title")
    said = _say(audit, churn_findings(summary, audit))
    since = audit.text("ret.axis.days_since_purchase")
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731
    if len(km):
        ax = plots.plot_survival(
            km, title="", xlabel=since, ylabel="", label="Kaplan–Meier", pct=pct
        )
        audit.figure(ax, name="survival", title="ret.survival.fig")
    if len(gaps) and not missing(summary["median_gap_days"]):
        ax = plots.plot_inter_purchase(
            gaps,
            median=summary["median_gap_days"],
            title="",
            xlabel=audit.text("ret.axis.days_between"),
            ylabel="",
            median_label=audit.text("funnel.legend.median"),
        )
        audit.figure(ax, name="inter-purchase", title="ret.gaps.fig")
    return summary, km, said


def show_loyalty(audit) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Members against other customers, the selection-bias check and the lift chart."""
    loyalty = retention.loyalty_table(audit)
    before_after = retention.loyalty_before_after(audit) if loyalty is not None else None
    audit.h2("ret.loyalty.title")
    said = _say(audit, loyalty_findings(loyalty, before_after, audit))
    if loyalty is not None:
        labels = {m: audit.text(f"ret.metric.{m}") for m in retention.LOYALTY_METRICS}
        ax = plots.plot_loyalty(
            loyalty, title="", xlabel="", metric_labels=labels, pct=lambda v: audit.fmt(v, "pct0")
        )
        audit.figure(ax, name="loyalty", title="ret.loyalty.fig")
    return loyalty, said


def rep_display_table(reps: pd.DataFrame, f) -> pd.DataFrame:
    """The reps table as shown: churn and CLV with their intervals as text ("—" when missing:
    tables may show it, sentences never); the scorecard column only when configured."""

    def interval(v, lo, hi, kind):
        if missing(v):
            return "—"
        ends = span(f, lo, hi, kind)
        return f.fmt(v, kind) if ends is None else f"{f.fmt(v, kind)} ({ends})"

    def column(cols, kind):
        return [interval(*r, kind) for r in reps[cols].itertuples(index=False)]

    shown = pd.DataFrame(
        {
            "sales_rep": reps["sales_rep"],
            "customers": reps["customers"],
            "repeat_rate": reps["repeat_rate"],
            "retention_12m": reps["retention_12m"],
            "churn": column(["churn_rate", "churn_ci_low", "churn_ci_high"], "pct0"),
            "clv_mean_ci": column(["clv_mean", "clv_ci_low", "clv_ci_high"], "money"),
            "scorecard": reps["scorecard"],
        }
    )
    return shown.drop(columns="scorecard") if shown["scorecard"].isna().all() else shown


def rep_numbers(reps: pd.DataFrame) -> dict[str, Numbers]:
    """Churn and CLV with their intervals behind ``rep_display_table``, for ``tables.xlsx``."""
    return {
        "churn": Numbers.interval(reps, "churn_rate", "churn_ci_low", "churn_ci_high", "pct0"),
        "clv_mean_ci": Numbers.interval(reps, "clv_mean", "clv_ci_low", "clv_ci_high", "money"),
    }


def show_reps(audit, customer_value: pd.DataFrame | None) -> tuple[Any, list[Finding]]:
    """Churn by sales rep: the ranking sentence (or that no difference was found), chart, table."""
    reps = retention.sales_rep_table(audit, customer_value=customer_value)
    audit.h2("ret.reps.title")
    said = _say(audit, rep_findings(reps, audit))
    if reps is None or not len(reps):
        return reps, said
    ax = plots.plot_sales_reps(reps, title="", xlabel="", pct=lambda v: audit.fmt(v, "pct0"))
    audit.figure(ax, name="sales-reps", title="ret.reps.fig")
    shown = rep_display_table(reps, audit)
    formats = {
        "customers": "int",
        "repeat_rate": "pct0",
        "retention_12m": "pct0",
        "churn": "pre",
        "clv_mean_ci": "pre",
        "scorecard": "num1",
    }
    audit.show(shown, formats=formats, numbers=rep_numbers(reps))
    if reps["small_sample"].astype(bool).any():
        audit.note("ret.reps.small", needed=str(retention.SMALL_SAMPLE))
    if "scorecard" in shown:
        audit.note("ret.reps.scorecard")
    return reps, said


REP_COLUMNS = [
    "sales_rep",
    "customers",
    "churn_rate",
    "churn_ci_low",
    "churn_ci_high",
    "churn_se",
    "clv_mean",
    "small_sample",
]


def record(audit, summary, loyalty, reps, findings: list[Finding]) -> None:
    """``metrics.json``: ``retention``, ``retention_detail`` and this step's ``findings``."""
    audit.record("retention", retention.retention_metrics(summary, loyalty, reps))
    has_reps = reps is not None and len(reps)
    rows = reps[REP_COLUMNS].to_dict("records") if has_reps else []
    comparison = rep_comparison_record(reps) if has_reps else None
    audit.record("retention_detail", {"sales_reps": rows, "sales_rep_comparison": comparison})
    audit.record("findings", {STEP_NAMES[4]: [x.record() for x in findings]})


__all__ = [
    "NOTES",
    "churn_findings",
    "cohort_findings",
    "loyalty_findings",
    "record",
    "ranked_reps",
    "rep_comparison",
    "rep_comparison_record",
    "rep_display_table",
    "rep_findings",
    "rep_numbers",
    "show_churn",
    "show_cohorts",
    "show_intro",
    "show_loyalty",
    "show_reps",
    "span",
]
