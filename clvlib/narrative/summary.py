"""Executive summary and Appendix B (notebook ``06_summary``): what the summary may state.

Everything here reads the figures the steps recorded (``audit.recorded(step)``), so the
summary says nothing a step did not measure:

- the headline boxes are formatted from ``metrics.json``'s values (``headline_boxes``), so
  a box shows exactly the recorded figure; a box whose figure is missing is replaced by one
  that is known, never shown as "—";
- recommendations come from ``clvlib.recommendations`` (capped and unranked ones labelled);
- scenarios exist whenever a CLV does (``clvlib.scenarios.scenario_basis``) and a sentence
  says which CLV they move; "no scenarios" is said only when no CLV box is shown;
- the methods appendix states only definitions whose figures exist.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from clvlib import recommendations as recs
from clvlib import scenarios
from clvlib.narrative import Finding
from clvlib.report.display import Numbers

Fmt = Callable[..., str]  # audit.fmt(value, kind)
Text = Callable[..., str]  # audit.text(key, **values)

#: metrics.json sections the recommendation rules read
SECTIONS = (
    "calculation",
    "funnel",
    "channels",
    "channels_detail",
    "retention",
    "retention_detail",
    "saturation",
)
#: how each raw value of a recommendation's sentences is formatted (others: as text)
VALUE_KINDS = {
    "cac": "money",
    "clv": "money",
    "amount": "money",
    "max_spend": "money",
    "per_year": "int",
    "carts": "int",
    "days": "int",
    "recovery": "pct0",
    "reach": "pct0",
    "lift": "pct0",
    "share": "pct0",
    "cap": "num1",
    "limit": "num1",
    "source_ltv_cac": "num1",
    "target_ltv_cac": "num1",
    "start": "int",
    "end": "int",
    "customers": "int",
    "value": "money",
    "churn": "pct0",
    "median": "pct0",
    "near": "pct0",
    "threshold": "money",
}


def _known(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# -- headline figures ----------------------------------------------------------------------------
def lead_findings(calc: dict[str, Any], *, fmt: Fmt, client: str, start, end) -> list[Finding]:
    """The summary's opening sentence, and the thin-data warning when the base is small
    (fewer customers than ``predictive.THIN_DATA_CUSTOMERS`` or repeat buyers than
    ``predictive.MIN_MODEL_REPEATERS``)."""
    from clvlib import predictive, retention

    out = [
        Finding(
            "sum.lead",
            {
                "client": client,
                "customers": fmt(calc["customers"], "int"),
                "orders": fmt(calc["orders"], "int"),
                "start": fmt(start, "date"),
                "end": fmt(end, "date"),
            },
        )
    ]
    repeaters = round((calc.get("repeat_rate") or 0) * calc["customers"])
    thin = calc["customers"] < predictive.THIN_DATA_CUSTOMERS
    if thin or repeaters < predictive.MIN_MODEL_REPEATERS:
        values = {
            "customers": fmt(calc["customers"], "int"),
            "repeaters": fmt(repeaters, "int"),
            "needed": str(predictive.MIN_MODEL_REPEATERS),
            "small": str(retention.SMALL_SAMPLE),
        }
        out.append(Finding("sum.thin_data", values))
    return out


def clv_caveats(calc: dict[str, Any]) -> list[str]:
    """Names of the short caveats the CLV box carries (``sum.sub.caveat.<name>``).

    From step I's ``clv.caveats`` when recorded: ``upper_bound`` for one naming an upper
    bound (``no_dropout_visible_upper_bound``: no drop-out visible, so the CLV assumes nobody
    leaves), ``holdout_miss`` for ``holdout_miss``. Without that list: ``upper_bound`` when a
    drop-out parameter is reported at a bound (``model.dropout_at_bounds``) and
    ``holdout_miss`` when ``holdout.miss`` is true."""
    clv = calc.get("clv") or {}
    if "caveats" in clv:
        names = [str(c) for c in clv.get("caveats") or []]
        upper = any("upper_bound" in c for c in names)
        miss = "holdout_miss" in names
    else:
        upper = bool((calc.get("model") or {}).get("dropout_at_bounds"))
        miss = bool((calc.get("holdout") or {}).get("miss"))
    return [k for k, on in (("upper_bound", upper), ("holdout_miss", miss)) if on]


def _clv_box(calc: dict[str, Any], *, fmt: Fmt, text: Text) -> list[tuple[str, str, str]]:
    clv = calc.get("clv") or {}
    if _known(clv.get("mean")):
        horizon = clv.get("horizon_months")
        if _known(clv.get("ci_low")) and _known(clv.get("ci_high")):
            sub = text(
                "sum.sub.clv_predictive",
                horizon=str(horizon),
                low=fmt(clv["ci_low"]),
                high=fmt(clv["ci_high"]),
            )
        else:
            sub = text("sum.sub.clv_predictive_no_ci", horizon=str(horizon))
        extra = [text(f"sum.sub.caveat.{k}") for k in clv_caveats(calc)]
        boxes = [("sum.box.clv", fmt(clv["mean"]), "; ".join([sub, *extra]))]
        new = clv.get("new_customer") or {}
        if _known(new.get("value")):
            if _known(new.get("ci_low")) and _known(new.get("ci_high")):
                new_sub = text("sum.sub.max_cac", low=fmt(new["ci_low"]), high=fmt(new["ci_high"]))
            else:
                new_sub = text("sum.sub.max_cac_no_ci")
            boxes.append(("sum.box.max_cac", fmt(new["value"]), new_sub))
        return boxes
    if _known(calc.get("simple_clv")):
        return [("sum.box.clv", fmt(calc["simple_clv"]), text("sum.sub.clv"))]
    return []


def headline_boxes(
    calc: dict[str, Any], paid: dict[str, Any] | None, *, fmt: Fmt, text: Text
) -> list[tuple[str, str, str]]:
    """The executive summary's boxes: (label key, formatted value, sub-line).

    Each value is ``fmt`` of a figure recorded in ``metrics.json``: the CLV (predictive mean
    with its interval, else the simple CLV) and the value of a new customer (``calculation``),
    CAC and LTV:CAC of paid channels (``channels_detail.overall``; else AOV and purchase
    frequency), repeat rate and top-20 % share; the customer count first when no CLV is
    known. A figure that is missing gives no box."""
    candidates = _clv_box(calc, fmt=fmt, text=text)
    paid = paid or {}
    pairs = [
        ("sum.box.cac", paid.get("cac"), "money", "sum.sub.cac"),
        ("sum.box.ltv_cac", paid.get("ltv_cac"), "num1", "sum.sub.ltv_cac"),
    ]
    if not (_known(paid.get("cac")) and _known(paid.get("ltv_cac"))):
        pairs = [
            ("sum.box.aov", calc.get("aov"), "money", "sum.sub.aov"),
            (
                "sum.box.frequency",
                calc.get("purchase_frequency_per_year"),
                "num1",
                "sum.sub.frequency",
            ),
        ]
    pairs += [
        ("sum.box.repeat", calc.get("repeat_rate"), "pct0", "sum.sub.repeat"),
        ("sum.box.top20", calc.get("top20_share"), "pct0", "sum.sub.top20"),
    ]
    if not candidates:  # no CLV at all: the customer count takes the first box
        pairs.insert(0, ("sum.box.customers", calc.get("customers"), "int", "sum.sub.customers"))
    candidates += [(label, fmt(v, kind), text(sub)) for label, v, kind, sub in pairs if _known(v)]
    return candidates


def show_headlines(audit) -> dict[str, Any]:
    """Executive summary heading, lead sentence and boxes; returns step I's recorded figures
    (empty when step I did not run)."""
    audit.h1("sum.title", section="summary")
    calc = audit.recorded("calculation") or {}
    if not calc:
        return {}
    start, end = audit.observation_start, audit.observation_end
    for i, finding in enumerate(
        lead_findings(calc, fmt=audit.fmt, client=audit.config.client, start=start, end=end)
    ):
        finding.say(audit, css="lead" if i == 0 else "note")
    paid = (audit.recorded("channels_detail") or {}).get("overall")
    audit.boxes(headline_boxes(calc, paid, fmt=audit.fmt, text=audit.text))
    return calc


# -- recommendations -----------------------------------------------------------------------------
def recorded_metrics(audit) -> dict[str, Any]:
    """The sections the recommendation rules read, as recorded in this run."""
    return {name: audit.recorded(name) for name in SECTIONS}


def shown_values(values: dict[str, Any], fmt: Fmt) -> dict[str, str]:
    """A recommendation's raw values formatted for the report's locale."""
    return {k: fmt(v, VALUE_KINDS[k]) if k in VALUE_KINDS else str(v) for k, v in values.items()}


def recommendation_record(
    rec: dict[str, Any], ceiling: dict[str, float] | None, *, fmt: Fmt, text: Text
) -> dict[str, Any]:
    """One recommendation as ``metrics.json`` keeps it and the report shows it: ``id``,
    ``title``, ``evidence`` (sentences; a capped impact says so), ``estimated_impact``
    (currency a year or None), ``priority``, ``impact_capped``, ``not_ranked_reason``."""
    values = shown_values(rec["values"], fmt)
    evidence = text(rec["evidence_key"], **values)
    if rec.get("impact_capped") and ceiling is not None:
        capped = text(
            "rec.capped", raw=fmt(rec["impact_uncapped"]), ceiling=fmt(ceiling["ceiling"])
        )
        evidence = f"{evidence} {capped}"
    return {
        "id": rec["id"],
        "title": text(rec["title_key"], **values),
        "evidence": evidence,
        "estimated_impact": rec["estimated_impact"],
        "priority": rec["priority"],
        "impact_capped": bool(rec.get("impact_capped")),
        "not_ranked_reason": rec.get("not_ranked_reason"),
    }


def priority_label(record: dict[str, Any], text: Text) -> str:
    """The priority as the table shows it (unranked ones say why)."""
    if record["not_ranked_reason"]:
        return text(f"sum.priority.not_ranked.{record['not_ranked_reason']}")
    return text(f"sum.priority.{record['priority']}")


def shown_recommendations(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top five ranked recommendations, then those listed but not ranked."""
    ranked = [r for r in records if not r["not_ranked_reason"]][:5]
    return ranked + [r for r in records if r["not_ranked_reason"]]


def recommendation_numbers(records: list[dict[str, Any]]) -> dict[str, Numbers]:
    """The estimated impacts (currency a year; empty when not estimated) behind
    ``recommendation_frame``'s impact column, for ``tables.xlsx``."""
    impacts = [r["estimated_impact"] for r in shown_recommendations(records)]
    return {"impact": Numbers(pd.Series(impacts, dtype=float), "money")}


def recommendation_frame(records: list[dict[str, Any]], *, fmt: Fmt, text: Text) -> pd.DataFrame:
    """The top five ranked recommendations, then those listed but not ranked."""
    shown = shown_recommendations(records)
    return pd.DataFrame(
        {
            "priority": [priority_label(r, text) for r in shown],
            "action": [r["title"] for r in shown],
            "evidence": [r["evidence"] for r in shown],
            "impact": [
                fmt(r["estimated_impact"]) if r["estimated_impact"] is not None else "–"
                for r in shown
            ],
        }
    )


def show_recommendations(audit, calc: dict[str, Any]) -> list[dict[str, Any]]:
    """The recommendations table (or the sentence that there is none); returns the list
    ``metrics.json`` keeps under ``recommendations``."""
    metrics = recorded_metrics(audit)
    found = recs.recommendations(metrics) if calc else []
    ceiling = recs.impact_ceiling(metrics)
    records = [recommendation_record(r, ceiling, fmt=audit.fmt, text=audit.text) for r in found]
    audit.h2("sum.recommendations")
    if records:
        audit.show(
            recommendation_frame(records, fmt=audit.fmt, text=audit.text),
            formats={"impact": "pre"},
            numbers=recommendation_numbers(records),
        )
    else:
        audit.note("sum.no_recommendations")
    return records


# -- scenarios -----------------------------------------------------------------------------------
def scenario_frame(
    calc: dict[str, Any], lever_sizes: dict[str, float], funnel: dict[str, Any], *, spend=None
) -> pd.DataFrame:
    """``scenarios.scenario_table`` with the message-cap row when step II supports it."""
    scen = scenarios.scenario_table(calc, lever_sizes, spend=spend)
    clv = calc.get("clv") or {}
    if _known(clv.get("mean")) and clv.get("horizon_months"):
        capped = scenarios.message_cap_scenario(
            funnel or {},
            margin=calc.get("gross_margin") or 0.0,
            horizon_months=clv["horizon_months"],
        )
        if capped is not None:
            scen = pd.concat([scen, pd.DataFrame([capped])], ignore_index=True)
    return scen


def scenario_findings(calc: dict[str, Any], *, fmt: Fmt) -> list[Finding]:
    """The sentence under the scenarios: which CLV the levers move, or (only when no CLV at
    all is known, so no CLV box is shown either) that there are no scenarios."""
    basis = scenarios.scenario_basis(calc)
    if basis == "none":
        return [Finding("sum.no_scenarios")]
    clv = calc["clv"]["mean"] if basis != "simple" else calc["simple_clv"]
    out = [Finding(f"sum.scenarios_basis.{basis}", {"clv": fmt(clv)})]
    if basis != "predictive_direct" and scenarios.retention_capped(calc):
        simple = calc["simple"]
        values = {"rate": fmt(calc["retention_rate"], "pct1"),
                  "cap": fmt(simple["retention_cap_years"], "num0")}  # fmt: skip
        out.append(Finding("sum.scenarios_retention_capped", values))
    return out


def show_scenarios(audit, calc: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario table with its basis sentence; returns the rows ``metrics.json`` keeps
    under ``scenarios`` (empty when no CLV is known)."""
    if not calc:
        return []
    levers = audit.config.scenarios
    spend = ((audit.recorded("channels_detail") or {}).get("overall") or {}).get("spend")
    sizes = {
        "retention": levers.retention_pp,
        "aov": levers.aov_pct,
        "frequency": levers.frequency_pct,
    }
    if spend:
        sizes["cac"] = levers.cac_pct
    scen = scenario_frame(calc, sizes, audit.recorded("funnel") or {}, spend=spend)
    audit.h2("sum.scenarios")
    findings = scenario_findings(calc, fmt=audit.fmt)
    if scenarios.scenario_basis(calc) == "none":
        findings[0].say(audit, css="note")
        return []

    def size(lever: str, x: float) -> str:
        if lever == "retention":
            return audit.fmt(100 * x, "num0")
        return audit.fmt(x, "num1" if lever == "messages" else "pct0")

    shown = scen[["clv_after", "clv_change", "value_change", "spend_change"]].copy()
    shown.insert(
        0,
        "lever",
        [audit.text(f"scen.{r.lever}", x=size(r.lever, r.change)) for r in scen.itertuples()],
    )
    money = {
        "clv_after": "money",
        "clv_change": "pct",
        "value_change": "money",
        "spend_change": "money",
    }
    audit.show(shown, formats=money)
    for finding in findings:
        finding.say(audit)
    # a source line, not a boxed note: the summary must stay on one page (a boxed note spilled
    # onto a page of its own on the demo)
    audit.say("sum.impact_note", css="source")
    return scen.to_dict("records")


# -- key findings ------------------------------------------------------------------------------
def show_key_findings(audit, calc: dict[str, Any]) -> None:
    """The sentences the steps recorded, in step order, and which steps did not run."""
    from clvlib.report.run import STEP_NAMES

    audit.h2("sum.findings", new_page=True)
    later = audit.recorded("findings") or {}  # steps II-V: {section: [findings]}
    sections = [calc.get("findings", [])] + [later.get(STEP_NAMES[n], []) for n in (2, 3, 4, 5)]
    for section_findings in sections:
        for finding in section_findings:
            audit.say(finding["key"], **finding["values"])
    not_run = [audit.text(f"step.{n}") for n in (2, 3, 4, 5) if not audit.recorded(STEP_NAMES[n])]
    if not_run:
        audit.note("sum.not_run", steps=", ".join(not_run))


# -- appendix B: methods ---------------------------------------------------------------------------
def methods_findings(
    calc: dict[str, Any],
    *,
    fmt: Fmt,
    text: Text,
    margin_column: bool,
    gross_margin: float,
    discount_rate: float,
    steps_run: set[str],
    has_recommendations: bool = False,
    retention_cap_years: float = 10.0,
) -> list[Finding]:
    """Appendix B's definitions: always purchase, returns, time, margin, discounting, simple
    CLV, retention formula and pseudonyms; the predictive CLV when step I fitted it (its
    interval method when recorded); scenarios and recommendations when a CLV or a
    recommendation exists; funnel and channels when those steps ran (``steps_run``); how
    differences are tested when step II or IV ran."""
    from clvlib.resampling import EXACT_ROWS

    days = fmt(30.4375, "num4")
    years_kind = "num0" if float(retention_cap_years).is_integer() else "num1"
    margin_rule = (
        text("meth.margin.column")
        if margin_column
        else text("meth.margin.rate", margin=fmt(gross_margin, "pct0"))
    )
    out = [
        Finding("meth.def.purchase"),
        Finding("meth.def.returns"),
        Finding("meth.def.time", {"days_per_month": days}),
        Finding("meth.def.margin", {"margin_rule": margin_rule}),
        Finding("meth.def.discount", {"rate": fmt(discount_rate, "pct0")}),
        Finding("meth.def.simple_clv", {"cap": fmt(retention_cap_years, years_kind)}),
        Finding("meth.def.retention_formula"),
    ]
    clv = calc.get("clv") or {}
    if _known(clv.get("mean")) and clv.get("horizon_months"):
        method = clv.get("interval_method", "bootstrap")
        intervals = ""
        if clv.get("n_boot"):
            intervals = text(
                f"meth.intervals.{method}", n_boot=str(clv["n_boot"]), exact=fmt(EXACT_ROWS, "int")
            )
        values = {
            "horizon": str(clv["horizon_months"]),
            "days_per_month": days,
            "intervals": intervals,
        }
        out.append(Finding("meth.def.predictive", values))
    holdout = calc.get("holdout") or {}
    if _known(holdout.get("interval_low")) and _known(holdout.get("interval_high")):
        level = fmt(holdout.get("interval_level") or 0.95, "pct0")
        out.append(Finding("meth.def.holdout", {"level": level}))
    if has_recommendations or scenarios.scenario_basis(calc) != "none":
        out.append(Finding("meth.def.scenarios"))
    out += [Finding(f"meth.def.{s}") for s in ("funnel", "channels") if s in steps_run]
    if {"funnel", "retention"} & steps_run:  # the steps that compare groups (clvlib.compare)
        out.append(Finding("meth.def.differences"))
    return out + [Finding("meth.def.pseudonyms")]


def show_methods(audit, calc: dict[str, Any]) -> None:
    """Appendix B heading and its definitions."""
    audit.h1("meth.title", section="appendix_methods")
    audit.h2("meth.definitions")
    economics = audit.config.economics
    findings = methods_findings(
        calc,
        fmt=audit.fmt,
        text=audit.text,
        margin_column="margin" in audit.transactions.columns,
        gross_margin=economics.gross_margin,
        discount_rate=economics.annual_discount_rate,
        retention_cap_years=economics.retention_period_cap_years,
        steps_run={s for s in ("funnel", "channels", "retention") if audit.recorded(s)},
        has_recommendations=bool(audit.recorded("recommendations")),
    )
    for finding in findings:
        finding.say(audit)


def assumption_rows(audit) -> list[tuple[str, str, Any, str]]:
    """The assumptions taken from ``client.yml``: (key, as the table shows it, the value,
    its kind). A value of kind ``text`` is words (a currency code, yes/no, "auto")."""
    from clvlib import predictive

    config, fmt = audit.config, audit.fmt
    economics, levers = config.economics, config.scenarios
    threshold = config.saturation.free_delivery_threshold
    holdout = predictive.holdout_setting(audit)
    cap = config.communication.contact_cap_per_week
    pseudonymize = audit.text("yes" if config.privacy.pseudonymize_ids else "no")
    return [
        ("currency", config.currency, config.currency, "text"),
        ("locale", config.locale, config.locale, "text"),
        ("observation_start", fmt(audit.observation_start, "date"), audit.observation_start,
         "date"),
        ("observation_end", fmt(audit.observation_end, "date"), audit.observation_end, "date"),
        ("holdout_weeks", holdout, audit.holdout_weeks, "int"),
        ("economics.gross_margin", fmt(economics.gross_margin, "pct0"), economics.gross_margin,
         "pct0"),
        ("economics.annual_discount_rate", fmt(economics.annual_discount_rate, "pct0"),
         economics.annual_discount_rate, "pct0"),
        ("economics.horizon_months", str(economics.horizon_months), economics.horizon_months,
         "int"),
        ("economics.retention_period_cap_years",
         fmt(economics.retention_period_cap_years, "num1"),
         economics.retention_period_cap_years, "num1"),
        ("retention.churn_after_days", str(config.retention.churn_after_days),
         config.retention.churn_after_days, "int"),
        ("funnel.cart_recovery_rate", fmt(config.funnel.cart_recovery_rate, "pct0"),
         config.funnel.cart_recovery_rate, "pct0"),
        ("communication.contact_cap_per_week", fmt(cap, "num1"), cap, "num1"),
        ("channels.min_spend_periods", str(config.channels.min_spend_periods),
         config.channels.min_spend_periods, "int"),
        ("saturation.free_delivery_threshold", fmt(threshold) if threshold else "—",
         threshold or None, "money"),
        ("scenarios.retention_pp", fmt(100 * levers.retention_pp, "num1") + " pp",
         100 * levers.retention_pp, "num1"),
        ("scenarios.aov_pct", fmt(levers.aov_pct, "pct0"), levers.aov_pct, "pct0"),
        ("scenarios.frequency_pct", fmt(levers.frequency_pct, "pct0"), levers.frequency_pct,
         "pct0"),
        ("scenarios.cac_pct", fmt(levers.cac_pct, "pct0"), levers.cac_pct, "pct0"),
        ("privacy.pseudonymize_ids", pseudonymize, pseudonymize, "text"),
    ]  # fmt: skip


def assumptions_table(audit) -> pd.DataFrame:
    """The assumptions taken from ``client.yml``, formatted (a table: may show —)."""
    return pd.DataFrame([r[:2] for r in assumption_rows(audit)], columns=["key", "value"])


def assumptions_numbers(audit) -> dict[str, Numbers]:
    """The values behind ``assumptions_table``, for ``tables.xlsx``: numbers and dates with
    each row's format; words (and "auto" for a chosen holdout) as a note."""
    rows = assumption_rows(audit)
    numbers = [None if kind == "text" else value for _, _, value, kind in rows]
    notes = [
        shown if kind == "text" else "auto" if key == "holdout_weeks" and shown != str(value)
        else None
        for key, shown, value, kind in rows
    ]  # fmt: skip
    parts = pd.DataFrame(
        {"value": pd.Series(numbers, dtype=object), "note": pd.Series(notes, dtype=object)}
    )
    return {"value": Numbers(parts, [kind for *_, kind in rows])}


def show_assumptions(audit) -> None:
    """Appendix B: the assumptions table."""
    audit.h2("meth.assumptions")
    audit.show(assumptions_table(audit), numbers=assumptions_numbers(audit))
