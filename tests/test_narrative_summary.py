"""The executive summary and Appendix B say only what the recorded figures support (issue 16):
boxes are the recorded figures formatted, scenarios exist whenever a CLV does and no sentence
says otherwise, and no sentence carries a missing value ("—", nan, None, inf)."""

from __future__ import annotations

import json

import pytest

from clvlib import i18n
from clvlib.audit import PLACEHOLDER
from clvlib.narrative import summary
from clvlib.recommendations import impact_ceiling, recommendations
from clvlib.report import display
from clvlib.scenarios import scenario_table
from clvlib.texts import TEXTS

LOCALES = ("en", "pl")

#: step I of a three-year client with every figure (as the demo records it)
FULL = {
    "customers": 2000,
    "orders": 6942,
    "aov": 211.95,
    "purchase_frequency_per_year": 2.44,
    "retention_rate": 0.51,
    "gross_margin": 0.35,
    "simple_clv": 371.29,
    "repeat_rate": 0.7315,
    "top20_share": 0.588,
    "window_years": 3.0,
    "clv": {
        "mean": 163.03,
        "ci_low": 151.52,
        "ci_high": 177.6,
        "total": 326_067.1,
        "horizon_months": 36,
        "n_boot": 100,
        "interval_method": "bootstrap",
        "new_customer": {"value": 344.44, "ci_low": 324.9, "ci_high": 369.95},
    },
}
#: issue 16 defect 4: one year of a UK retailer, a predictive CLV of 995 (no interval: the
#: model sat on its bound), no retention rate, so no simple CLV
PREDICTIVE_ONLY = FULL | {
    "retention_rate": None,
    "simple_clv": None,
    "clv": {"mean": 995.0, "total": 3_980_000.0, "horizon_months": 36},
}
SIMPLE_ONLY = {k: v for k, v in FULL.items() if k != "clv"}
NO_CLV = SIMPLE_ONLY | {"retention_rate": None, "simple_clv": None}
CALCS = {"full": FULL, "predictive_only": PREDICTIVE_ONLY, "simple": SIMPLE_ONLY, "none": NO_CLV}


def formatters(locale: str, currency: str = "PLN"):
    def fmt(value, kind: str = "money") -> str:  # audit.fmt
        return i18n.fmt(value, kind, locale=locale, currency=currency)

    def text(key: str, **values):
        return display.text(locale, key, **values)

    return fmt, text


def rendered(finding, locale: str) -> str:
    return i18n.t(finding.key, locale, **finding.values)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_boxes_are_the_recorded_figures_formatted(locale):
    fmt, text = formatters(locale)
    paid = {"cac": 155.08, "ltv_cac": 2.49}
    boxes = {
        label: (value, sub)
        for label, value, sub in summary.headline_boxes(FULL, paid, fmt=fmt, text=text)
    }
    assert boxes["sum.box.clv"][0] == fmt(FULL["clv"]["mean"])
    assert fmt(FULL["clv"]["ci_low"]) in boxes["sum.box.clv"][1]
    assert boxes["sum.box.max_cac"][0] == fmt(FULL["clv"]["new_customer"]["value"])
    assert boxes["sum.box.cac"][0] == fmt(paid["cac"])
    assert boxes["sum.box.ltv_cac"][0] == fmt(paid["ltv_cac"], "num1")
    assert boxes["sum.box.repeat"][0] == fmt(FULL["repeat_rate"], "pct0")
    assert boxes["sum.box.top20"][0] == fmt(FULL["top20_share"], "pct0")


@pytest.mark.parametrize("name", CALCS)
@pytest.mark.parametrize("locale", LOCALES)
def test_a_clv_box_and_a_no_clv_sentence_never_stand_together(name, locale):
    """Issue 16 defect 4: a CLV box of 995 beside "neither the simple CLV nor the predictive
    CLV could be computed". A CLV box ↔ scenarios with known values and a sentence naming
    their basis; no CLV box ↔ the no-scenarios sentence."""
    calc = CALCS[name]
    fmt, text = formatters(locale)
    labels = [b[0] for b in summary.headline_boxes(calc, None, fmt=fmt, text=text)]
    (finding,) = summary.scenario_findings(calc, fmt=fmt)
    table = scenario_table(calc, {"retention": 0.05, "aov": 0.05, "frequency": 0.05})
    if "sum.box.clv" in labels:
        assert finding.key != "sum.no_scenarios"
        assert len(table) and table["clv_after"].notna().all(), table
    else:
        assert name == "none" and finding.key == "sum.no_scenarios"
        assert labels[0] == "sum.box.customers"
    assert not PLACEHOLDER.search(rendered(finding, locale))


def test_the_scenario_sentence_names_the_predictive_basis_without_a_retention_rate():
    fmt, _ = formatters("en", "GBP")
    (finding,) = summary.scenario_findings(PREDICTIVE_ONLY, fmt=fmt)
    assert finding.key == "sum.scenarios_basis.predictive_direct"
    assert fmt(995.0) in rendered(finding, "en") and "left out" in rendered(finding, "en")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_clv_box_says_upper_bound_and_holdout_miss_briefly(locale):
    fmt, text = formatters(locale)
    caveats = ["no_dropout_visible_upper_bound", "holdout_miss"]  # as step I records them
    calc = FULL | {"clv": FULL["clv"] | {"caveats": caveats}}
    sub = dict((b[0], b[2]) for b in summary.headline_boxes(calc, None, fmt=fmt, text=text))
    assert text("sum.sub.caveat.upper_bound") in sub["sum.box.clv"]
    assert text("sum.sub.caveat.holdout_miss") in sub["sum.box.clv"]
    calc = FULL | {"clv": FULL["clv"] | {"caveats": ["holdout_miss"]}}
    sub = dict((b[0], b[2]) for b in summary.headline_boxes(calc, None, fmt=fmt, text=text))
    assert text("sum.sub.caveat.upper_bound") not in sub["sum.box.clv"]
    older = FULL | {"model": {"dropout_at_bounds": ["a"]}, "holdout": {"miss": True}}
    sub = dict((b[0], b[2]) for b in summary.headline_boxes(older, None, fmt=fmt, text=text))
    assert text("sum.sub.caveat.upper_bound") in sub["sum.box.clv"]
    assert text("sum.sub.caveat.holdout_miss") in sub["sum.box.clv"]
    plain = dict((b[0], b[2]) for b in summary.headline_boxes(FULL, None, fmt=fmt, text=text))
    assert text("sum.sub.caveat.upper_bound") not in plain["sum.box.clv"]


@pytest.mark.parametrize("name", CALCS)
@pytest.mark.parametrize("locale", LOCALES)
def test_no_summary_or_methods_sentence_has_a_hole(name, locale):
    """Missing intervals, a missing n_boot, a missing retention rate: every sentence and box
    of the summary and Appendix B stays whole (the box of a missing figure is left out)."""
    calc = CALCS[name]
    fmt, text = formatters(locale)
    findings = summary.lead_findings(
        calc, fmt=fmt, client="X", start="2025-01-01", end="2025-12-31"
    )
    findings += summary.scenario_findings(calc, fmt=fmt)
    findings += summary.methods_findings(
        calc,
        fmt=fmt,
        text=text,
        margin_column=False,
        gross_margin=0.3,
        discount_rate=0.1,
        steps_run={"funnel", "channels"},
    )
    for finding in findings:
        assert not PLACEHOLDER.search(rendered(finding, locale)), finding
    for box in summary.headline_boxes(calc, {"cac": None, "ltv_cac": None}, fmt=fmt, text=text):
        assert not any(PLACEHOLDER.search(part) for part in box[1:]), box


#: issue 16 defect 3: 6,548 a month from Facebook to Newsletter valued at 1,886,420 a year, for
#: a client whose yearly margin (150,000) plus yearly spend (≈ 59,945) is ≈ 209,945
DEFECT = {
    "calculation": {"customers": 3000, "window_years": 3.0, "historical": {"mean_margin": 150.0}},
    "channels_detail": {
        "overall": {"window_start": "2023-01-01", "window_end": "2025-12-31", "spend": 180_000.0},
        "reallocation": [
            {"channel": "Facebook", "spend_change": -6548.0, "value_change": -1000.0,
             "marginal_ltv_cac": 1.1, "within_observed_range": True},
            {"channel": "Newsletter", "spend_change": 6548.0, "value_change": 158_201.7,
             "marginal_ltv_cac": 9.0, "within_observed_range": True},
        ],
    },
}  # fmt: skip


def _records(metrics, locale):
    fmt, text = formatters(locale)
    ceiling = impact_ceiling(metrics)
    return [
        summary.recommendation_record(r, ceiling, fmt=fmt, text=text)
        for r in recommendations(metrics)
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_capped_impact_is_said_with_both_figures(locale):
    fmt, text = formatters(locale)
    (record,) = _records(DEFECT, locale)
    assert record["impact_capped"] and record["priority"] == "not_ranked"
    assert (
        fmt(1_886_420.4) in record["evidence"]
        and fmt(record["estimated_impact"]) in record["evidence"]
    )
    assert summary.priority_label(record, text) == text("sum.priority.not_ranked.impact_capped")


@pytest.mark.parametrize("locale", LOCALES)
def test_an_extrapolated_move_says_why_it_has_no_figure(locale):
    fmt, _ = formatters(locale)
    metrics = json.loads(json.dumps(DEFECT))
    metrics["channels_detail"]["reallocation"][1] |= {
        "extrapolated": True,
        "max_observed_spend": 434.0,
    }
    (record,) = _records(metrics, locale)
    assert record["estimated_impact"] is None and record["not_ranked_reason"] == "extrapolation"
    assert fmt(434.0) in record["evidence"] and "Newsletter" in record["evidence"]
    for sentence in (record["title"], record["evidence"]):
        assert not PLACEHOLDER.search(sentence) and "{" not in sentence, sentence
    frame = summary.recommendation_frame([record], fmt=fmt, text=formatters(locale)[1])
    assert list(frame["impact"]) == ["–"]
    impact = summary.recommendation_numbers([record])["impact"]  # tables.xlsx: empty, not "–"
    assert impact.kind == "money" and impact.values.isna().tolist() == [True]


def test_every_summary_text_exists_in_both_languages():
    keys = [k for k in TEXTS if k.split(".")[0] in ("sum", "rec", "scen", "meth")]
    assert all(set(TEXTS[k]) >= {"en", "pl"} for k in keys)


# The whole report (boxes in audit.html = metrics.json, no hole in the summary or Appendix B, no
# impact above the ceiling) is checked on every client of the audit zoo: tests/test_zoo.py.


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_appendix_b_defines_the_holdout_interval_when_step_one_computed_it(locale):
    """A statistician signing Appendix B needs the holdout interval's method beside the miss it
    supports; it is defined only when step I recorded the interval."""
    fmt, text = formatters(locale, "PLN")
    kwargs = dict(fmt=fmt, text=text, margin_column=False, gross_margin=0.35,
                  discount_rate=0.1, steps_run=set())  # fmt: skip
    with_interval = {
        "holdout": {"interval_low": 10.0, "interval_high": 20.0, "interval_level": 0.95}
    }
    keys = [f.key for f in summary.methods_findings(with_interval, **kwargs)]
    assert "meth.def.holdout" in keys
    assert "meth.def.holdout" not in [f.key for f in summary.methods_findings({}, **kwargs)]
    finding = next(
        f for f in summary.methods_findings(with_interval, **kwargs) if f.key == "meth.def.holdout"
    )
    assert finding.values == {"level": fmt(0.95, "pct0")}


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_appendix_b_says_how_differences_are_tested_when_groups_were_compared(locale):
    """Issue 17: steps II and IV name a highest and a lowest group only after a test; the
    methods appendix says which (and not when neither step ran)."""
    fmt, text = formatters(locale)
    common = dict(fmt=fmt, text=text, margin_column=False, gross_margin=0.3, discount_rate=0.1)
    keys = lambda steps: [f.key for f in summary.methods_findings({}, steps_run=steps, **common)]  # noqa: E731
    assert "meth.def.differences" in keys({"retention"})
    assert "meth.def.differences" in keys({"funnel", "channels"})
    assert "meth.def.differences" not in keys({"channels"})
    sentence = TEXTS["meth.def.differences"][locale]
    assert "Bonferroni" in sentence and "Fisher" in sentence
