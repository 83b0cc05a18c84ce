"""Step V — Saturation and potential: what the report can honestly say about segments, value
concentration, the remaining potential, cross-sell, order value and acquisition saturation.

``*_findings(...)`` are pure: they take ``clvlib.saturation``'s tables and a formatter ``f`` (an
object with ``fmt(value, kind)`` and ``text(key, **values)``, e.g. the audit) and return
:class:`~clvlib.narrative.Finding` s whose values are never missing. Keys in ``NOTES`` are
caveats (shown boxed). ``show_*(audit, ...)`` display one section of
``notebooks/05_saturation.ipynb`` and return what the notebook records.

Acquisition saturation follows ``clvlib.saturation.break_even``: a break-even spend is a number
only inside the spend range observed; a linear response (b = 1), a break-even beyond the
highest spend or at infinity is said in words, never computed as a figure.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clvlib import calculation, plots, saturation
from clvlib.narrative import Finding, say_all
from clvlib.narrative.retention import missing
from clvlib.report.display import Numbers
from clvlib.report.run import STEP_NAMES

NOTES = frozenset(
    {
        "sat.concentration.none",
        "sat.no_potential",
        "sat.potential.none",
        "sat.no_category",
        "sat.acquisition.unfitted",
        "sat.acquisition.no_clv",
    }
)
RECORDED = frozenset({"sat.segments.finding", "sat.segments.one", "sat.potential.finding"})


def _say(audit, findings: list[Finding]) -> list[Finding]:
    """Show findings (this step's notes boxed); return the others."""
    return say_all(audit, findings, notes=NOTES)


def segment_label(f, segment: str) -> str:
    """The segment's name in the report's language."""
    return f.text("sat.segment." + segment.replace(" ", "_").replace("'", ""))


# -- pure findings -------------------------------------------------------------------------------
def segment_findings(segments: pd.DataFrame, f) -> list[Finding]:
    """Champions and the customers at risk: their shares of customers and of net revenue."""
    filled = segments[segments["customers"] > 0]
    if not len(filled):
        return []
    if len(filled) == 1:
        return [
            Finding("sat.segments.one", {"segment": segment_label(f, filled.iloc[0]["segment"])})
        ]
    by = segments.set_index("segment")
    risk = by.loc[["at risk", "can't lose them"]]
    shares = {
        "champions_customers": by.loc["champions", "customer_share"],
        "risk_customers": risk["customer_share"].sum(min_count=1),
        "champions_revenue": by.loc["champions", "revenue_share"],
        "risk_revenue": risk["revenue_share"].sum(min_count=1),
    }
    values = {k: f.fmt(v, "pct0") for k, v in shares.items()}
    if not missing(*shares.values()):
        return [Finding("sat.segments.finding", values)]
    if not missing(shares["champions_customers"], shares["risk_customers"]):
        keep = ("champions_customers", "risk_customers")
        return [Finding("sat.segments.customers", {k: values[k] for k in keep})]
    return []


def concentration_findings(concentration: dict[str, Any], f) -> list[Finding]:
    """Top-20 % share and Gini, or why they are not measured."""
    top20, gini = concentration.get("top20_share"), concentration.get("gini")
    if missing(top20, gini):
        return [Finding("sat.concentration.none")]
    return [
        Finding(
            "sat.concentration.finding",
            {"top20": f.fmt(top20, "pct0"), "gini": f.fmt(gini, "num2")},
        )
    ]


def potential_findings(target_summary: dict[str, Any] | None, f) -> list[Finding]:
    """The reactivation target: its size and predicted value."""
    if target_summary is None:
        return [Finding("sat.no_potential")]
    n, value = target_summary.get("customers"), target_summary.get("clv_future")
    if missing(n, value) or not n:
        return [Finding("sat.potential.none")]
    return [Finding("sat.potential.finding", {"targets": f.fmt(n, "int"), "value": f.fmt(value)})]


def crosssell_findings(
    rules: pd.DataFrame | None, breadth: pd.DataFrame | None, f
) -> list[Finding]:
    """One-category customers and the strongest pair of categories."""
    if rules is None or breadth is None or not len(breadth):
        return [Finding("sat.no_category")]
    single = breadth.loc[breadth["categories"] == 1, "customer_share"].sum()
    if not len(rules):
        return [Finding("sat.crosssell.no_rules", {"single": f.fmt(single, "pct0")})]
    top = rules.iloc[0]
    values = {
        "single": f.fmt(single, "pct0"),
        "antecedent": str(top["antecedent"]),
        "consequent": str(top["consequent"]),
        "lift": f.fmt(top["lift"], "num2"),
        "confidence": f.fmt(top["confidence"], "pct0"),
    }
    if missing(top["lift"], top["confidence"], single):
        return []
    return [Finding("sat.crosssell.finding", values)]


def aov_findings(values: dict[str, Any], free: pd.DataFrame | None, f) -> list[Finding]:
    """Median and upper-quartile order value, and the orders just below free delivery."""
    out = []
    median, p75 = values.get("median"), values.get("p75")
    if not missing(median, p75):
        said = {"median": f.fmt(median), "p75": f.fmt(p75)}
        if said["median"] == said["p75"]:  # a range whose ends coincide is one value
            out.append(Finding("sat.aov.same", {"median": said["median"]}))
        else:
            headroom = f.fmt(values.get("upsell_headroom", p75 - median))
            out.append(Finding("sat.aov.finding", {**said, "headroom": headroom}))
    if free is not None and len(free):
        row = free.iloc[0]
        if not missing(row["near_share"], row["threshold"], row["uplift"]):
            out.append(
                Finding(
                    "sat.free_delivery",
                    {
                        "near": f.fmt(row["near_share"], "pct0"),
                        "threshold": f.fmt(row["threshold"]),
                        "uplift": f.fmt(row["uplift"]),
                    },
                )
            )
    return out


ACQUISITION_KEYS = {  # (returns, break_even_kind, saturated at the mean spend) → text key
    ("diminishing", "pays_below", True): "sat.acquisition.finding",
    ("diminishing", "pays_below", False): "sat.acquisition.headroom",
    ("diminishing", "pays_throughout", False): "sat.acquisition.headroom_far",
    ("diminishing", "pays_nowhere", True): "sat.acquisition.saturated_all",
    ("increasing", "pays_throughout", False): "sat.acquisition.headroom_far",
    ("increasing", "pays_nowhere", True): "sat.acquisition.increasing_loses",
    ("increasing", "pays_above", True): "sat.acquisition.increasing",
    ("increasing", "pays_above", False): "sat.acquisition.increasing",
    ("constant", "pays_throughout", False): "sat.acquisition.linear_pays",
    ("constant", "pays_nowhere", True): "sat.acquisition.linear_loses",
}


def _acquisition_row(row, f) -> Finding | None:
    """The sentence for one channel of ``acquisition_saturation_table``."""
    channel = str(row.channel)
    if row.returns == "none":
        return Finding("sat.acquisition.no_response", {"channel": channel})
    if missing(row.marginal_cac, row.clv, row.spend_mean, row.spend_min, row.spend_max):
        return None
    if row.clv <= 0:
        return Finding("sat.acquisition.no_value", {"channel": channel, "clv": f.fmt(row.clv)})
    key = ACQUISITION_KEYS.get((row.returns, row.break_even_kind, bool(row.saturated)))
    if key is None:  # the mean spend and the fitted curve disagree (rounding at the boundary)
        key = "sat.acquisition.saturated" if row.saturated else "sat.acquisition.headroom_far"
    values = {
        "channel": channel,
        "marginal": f.fmt(row.marginal_cac),
        "clv": f.fmt(row.clv),
        "spend": f.fmt(row.spend_mean),
        "spend_min": f.fmt(row.spend_min),
        "spend_max": f.fmt(row.spend_max),
    }
    if row.break_even_kind in ("pays_below", "pays_above"):
        values["break_even"] = f.fmt(row.break_even_spend)
    return Finding(key, values)


def acquisition_findings(table: pd.DataFrame, f) -> list[Finding]:
    """One sentence per judged channel; channels without a fitted response or without a value
    are named together; a closing sentence when no fitted channel is saturated."""
    out = [x for row in table.itertuples() if (x := _acquisition_row(row, f)) is not None]
    unknown = table[table["break_even_kind"] == "unknown"]
    unfitted = unknown[unknown["elasticity"].isna() | unknown["marginal_cac"].isna()]
    no_clv = unknown.drop(unfitted.index)
    no_clv = no_clv[no_clv["clv"].isna()]
    if len(unfitted):
        out.append(
            Finding("sat.acquisition.unfitted", {"channels": ", ".join(unfitted["channel"])})
        )
    if len(no_clv):
        out.append(Finding("sat.acquisition.no_clv", {"channels": ", ".join(no_clv["channel"])}))
    judged = table.dropna(subset=["marginal_cac", "clv"])
    if len(judged) and not judged["saturated"].astype(bool).any():
        out.append(Finding("sat.acquisition.none"))
    return out


def break_even_cell(row, f) -> str:
    """The table's break-even column: a number inside the observed range, else words."""
    if row.break_even_kind in ("pays_below", "pays_above"):
        return f.fmt(row.break_even_spend)
    if row.break_even_kind in ("pays_throughout", "pays_nowhere"):
        return f.text("sat.break_even." + row.break_even_kind)
    return "—"


def break_even_numbers(table: pd.DataFrame, f) -> Numbers:
    """``break_even_cell``'s column for ``tables.xlsx``: the spend (currency a month) where
    the table shows a number, and the words where it shows words (as a note)."""
    numeric = table["break_even_kind"].isin(["pays_below", "pays_above"])
    worded = table["break_even_kind"].isin(["pays_throughout", "pays_nowhere"])
    words = [f.text("sat.break_even." + k) if w else None
             for k, w in zip(table["break_even_kind"], worded, strict=True)]  # fmt: skip
    parts = pd.DataFrame(
        {
            "value": table["break_even_spend"].where(numeric).to_numpy(dtype=float),
            "note": pd.Series(words, dtype=object),
        }
    )
    return Numbers(parts, "money")


# -- the notebook's sections ---------------------------------------------------------------------
def show_intro(audit) -> pd.DataFrame:
    """Plot style, the step's heading and question; returns step I's per-customer history."""
    plots.style(audit.locale)
    history = calculation.historical_clv_table(audit)
    audit.h1("sat.title", section="saturation")
    audit.say("sat.question", css="lead")
    return history


def show_segments(audit, history: pd.DataFrame) -> dict[str, Any]:
    """RFM segments (sentence, chart, table) and the proposed loyalty tiers."""
    scores = saturation.rfm_scores_table(audit, history=history)
    segments = saturation.segment_table(audit, scores=scores)
    audit.h2("sat.segments.title")
    said = _say(audit, segment_findings(segments, audit))
    labels = {s: segment_label(audit, s) for s in segments["segment"]}
    pct = lambda v: audit.fmt(v, "pct0")  # noqa: E731
    ax = plots.plot_segments(
        segments,
        title="",
        ylabel="",
        segment_labels=labels,
        pct=pct,
        customers_label=audit.text("col.customers"),
        revenue_label=audit.text("col.revenue"),
    )
    audit.figure(ax, name="segments", title="sat.segments.fig")
    shown = segments.assign(segment=segments["segment"].map(labels))
    audit.show(
        shown[["segment", "customers", "customer_share", "revenue_share"]],
        formats={"customers": "int", "customer_share": "pct0", "revenue_share": "pct0"},
    )
    tiers = show_tiers(audit, history)
    return {
        "scores": scores,
        "segments": segments,
        "labels": labels,
        "tiers": tiers,
        "findings": said,
    }


def show_tiers(audit, history: pd.DataFrame) -> pd.DataFrame:
    """The loyalty-programme tiers table."""
    tiers = saturation.value_tiers_table(audit, history=history)
    names = {
        name: audit.text("sat.tier.rest")
        if name == "rest"
        else audit.text("sat.tier." + name.split()[0], share=audit.fmt(share, "pct0"))
        for name, share in saturation.DEFAULT_TIERS
    }
    shown = tiers.assign(tier=tiers["tier"].map(names))
    audit.show(
        shown[["tier", "customers", "threshold", "value_share"]],
        caption="sat.tiers",
        labels={"value_share": "col.revenue_share"},
        formats={"customers": "int", "threshold": "money", "value_share": "pct0"},
    )
    return tiers


def show_concentration(audit, history: pd.DataFrame) -> dict[str, Any]:
    """Top-20 % share, Gini and the Lorenz curve."""
    concentration = saturation.concentration_summary(audit, history=history)
    audit.h2("sat.concentration.title")
    _say(audit, concentration_findings(concentration, audit))
    if not missing(concentration["gini"]):
        lorenz = saturation.lorenz_table(audit, history=history, points=101)
        ax = plots.plot_lorenz(
            lorenz,
            gini=concentration["gini"],
            title="",
            xlabel="",
            ylabel="",
            equality_label="",
            pct=lambda v: audit.fmt(v, "pct0"),
        )
        audit.figure(ax, name="lorenz", title="sat.lorenz.fig")
    return concentration


def show_potential(audit, segmented: dict[str, Any]) -> tuple[dict | None, list[Finding]]:
    """Remaining potential per segment and the reactivation target (needs step I's CLV)."""
    customer_value = audit.saved_frame("customer_value")
    audit.h2("sat.potential.title")
    if customer_value is None or "p_alive" not in customer_value:
        return None, _say(audit, potential_findings(None, audit))
    scores = segmented["scores"]
    potential = saturation.potential_table(audit, customer_value, scores=scores)
    targets = saturation.reactivation_targets(audit, customer_value, scores=scores)
    summary = saturation.reactivation_summary(targets, customer_value)
    said = _say(audit, potential_findings(summary, audit))
    ax = plots.plot_potential(
        potential,
        title="",
        ylabel=audit.currency,
        past_label=audit.text("sat.legend.past"),
        future_label=audit.text("sat.legend.future"),
        segment_labels=segmented["labels"],
    )
    audit.figure(ax, name="potential", title="sat.potential.fig")
    return {"reactivation": summary, "by_segment": potential.to_dict("records")}, said


def show_crosssell(audit) -> None:
    """Category breadth, the strongest pair and the rules table."""
    rules = saturation.category_rules_table(audit)
    breadth = saturation.category_breadth_table(audit)
    audit.h2("sat.crosssell.title")
    _say(audit, crosssell_findings(rules, breadth, audit))
    if rules is not None and len(rules):
        audit.show(
            rules.head(10)[["antecedent", "consequent", "support", "confidence", "lift"]],
            caption="sat.rules",
            formats={"support": "pct1", "confidence": "pct0", "lift": "num2"},
        )


def show_order_values(
    audit,
) -> tuple[dict[str, Any], pd.DataFrame | None, pd.DataFrame | None]:
    """Order-value distribution, up-sell headroom and the free-delivery threshold. Returns
    ``order_value_summary``, ``free_delivery_table`` (None without a threshold) and the
    distribution drawn (``order_value_table``; None when none is drawn): the free-delivery
    panel's default state."""
    values = saturation.order_value_summary(audit)
    free = saturation.free_delivery_table(audit)
    audit.h2("sat.aov.title")
    _say(audit, aov_findings(values, free, audit))
    distribution = None
    if values["orders"] and not missing(values["median"], values["p75"]):
        distribution = saturation.order_value_table(audit)
        ax = plots.plot_order_values(
            distribution,
            median=values["median"],
            p75=values["p75"],
            threshold=audit.config.saturation.free_delivery_threshold,
            title="",
            xlabel=audit.currency,
            ylabel="",
            median_label=audit.text("funnel.legend.median"),
            p75_label=audit.text("sat.legend.p75"),
            threshold_label=audit.text("sat.legend.free_delivery"),
        )
        audit.figure(ax, name="order-values", title="sat.aov.fig")
    return values, free, distribution


def acquisition_table(audit) -> pd.DataFrame | None:
    """``acquisition_saturation_table`` from step III's recorded spend response and channel
    CLVs; None when step III recorded neither."""
    detail = audit.recorded("channels_detail") or {}
    response = pd.DataFrame(detail.get("spend_response") or [])
    rows = audit.recorded("channels") or []
    if not len(response) or not rows:
        return None
    clv = {r["channel"]: r["clv_mean"] for r in rows if r.get("clv_mean") is not None}
    return saturation.acquisition_saturation_table(response, clv)


def show_acquisition(audit) -> pd.DataFrame | None:
    """Per channel: does the next customer still pay, and up to which monthly spend."""
    table = acquisition_table(audit)
    if table is None:
        return None
    audit.h2("sat.acquisition.title")
    _say(audit, acquisition_findings(table, audit))
    known = table.dropna(subset=["marginal_cac", "clv"])
    if not len(known):
        return table
    ax = plots.plot_acquisition_saturation(
        known,
        title="",
        xlabel=audit.text("channels.axis.per_customer", currency=audit.currency),
        marginal_label=audit.text("sat.legend.marginal"),
        average_label=audit.text("sat.legend.average"),
        clv_label=audit.text("sat.legend.clv"),
    )
    audit.figure(ax, name="acquisition-saturation", title="sat.acquisition.fig")
    shown = known.assign(break_even_spend=[break_even_cell(r, audit) for r in known.itertuples()])
    columns = [
        "channel",
        "spend_min",
        "spend_max",
        "spend_mean",
        "marginal_cac",
        "clv",
        "break_even_spend",
    ]
    money = dict.fromkeys(["spend_min", "spend_max", "spend_mean", "marginal_cac", "clv"], "money")
    audit.show(
        shown[columns],
        formats={**money, "break_even_spend": "pre"},
        numbers={"break_even_spend": break_even_numbers(known, audit)},
        labels={"clv": "col.new_customer_value"},
        caption="sat.acquisition.caption",
    )
    audit.note("sat.acquisition.break_even_note")
    return table


def record(audit, history, segmented, values, potential, free, findings) -> None:
    """``metrics.json``: ``saturation`` and this step's ``findings``."""
    metrics = saturation.saturation_metrics(audit, history=history, segments=segmented["segments"])
    metrics.update(
        {
            "tiers": segmented["tiers"].to_dict("records"),
            "order_values": values,
            "potential": potential,
            "free_delivery": free.iloc[0].to_dict() if free is not None else None,
        }
    )
    audit.record("saturation", metrics)
    kept = [x.record() for x in findings if x.key in RECORDED]
    audit.record("findings", {STEP_NAMES[5]: kept})


__all__ = [
    "NOTES",
    "acquisition_findings",
    "acquisition_table",
    "aov_findings",
    "break_even_cell",
    "break_even_numbers",
    "concentration_findings",
    "crosssell_findings",
    "potential_findings",
    "record",
    "segment_findings",
    "show_acquisition",
    "show_concentration",
    "show_crosssell",
    "show_intro",
    "show_order_values",
    "show_potential",
    "show_segments",
]
