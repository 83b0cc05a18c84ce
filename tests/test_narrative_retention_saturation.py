"""Steps IV and V's sentences (clvlib.narrative.retention / .saturation) on crafted tables with
missing values: no sentence carries a placeholder, a ranking is stated only when intervals
separate, a range whose ends coincide is one value.

Reference: REPORT.md "Writing" — a sentence never carries a missing value (leave the clause out
or say what is missing); state a difference only when the intervals separate, otherwise say no
difference was found; a range whose ends coincide is one value; no effect counted beyond what
the data has seen.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from clvlib import i18n
from clvlib import saturation as sat
from clvlib.narrative import retention as ret_story
from clvlib.narrative import saturation as sat_story

NAN = math.nan
PLACEHOLDER = re.compile(r"—|\bnan\b|\bNaN\b|\bNone\b|\binf\b|\{|\}")
LOCALES = ("en", "pl")


def formatter(locale: str) -> SimpleNamespace:
    """The two methods of an audit the findings use: ``fmt`` and ``text``."""
    return SimpleNamespace(
        fmt=lambda value, kind="money": i18n.fmt(value, kind, locale=locale, currency="PLN"),
        text=lambda key, **values: i18n.t(key, locale, **values),
    )


def sentences(findings, locale: str) -> list[str]:
    """Render findings as the report would; every one must be free of placeholders."""
    out = [i18n.t(f.key, locale, **f.values) for f in findings]
    for text in out:
        assert not PLACEHOLDER.search(text), text
    return out


# -- step IV -------------------------------------------------------------------------------------
def cohorts(months: int) -> pd.DataFrame:
    """Two cohorts of 100 customers followed for ``months`` months after acquisition."""
    rows = [
        {
            "cohort": c,
            "months_since_acquisition": k,
            "cohort_customers": 100,
            "active_customers": 100 if k == 0 else 20,
        }
        for c in ("2024-01-01", "2024-02-01")
        for k in range(months + 1)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("months", "key"),
    [
        (None, "ret.cohorts.none"),
        (0, "ret.cohorts.short"),
        (1, "ret.cohorts.finding_m1"),
        (5, "ret.cohorts.finding_m3"),
        (12, "ret.cohorts.finding"),
    ],
)
def test_cohort_sentence_says_how_far_the_history_reaches(locale, months, key):
    """Six months of history have no month-12 share: the sentence says the history is too
    short instead of "— in the twelfth"."""
    table = pd.DataFrame() if months is None else cohorts(months)
    found = ret_story.cohort_findings(table, formatter(locale))
    assert [f.key for f in found] == [key]
    sentences(found, locale)


def summary(**changes) -> dict:
    base = {
        "customers": 500,
        "repeaters": 200,
        "repeat_rate": 0.4,
        "repeat_rate_ci_low": 0.36,
        "repeat_rate_ci_high": 0.44,
        "median_gap_days": 47.0,
        "churn_after_days": 365,
        "churn_rate": 0.24,
        "churn_rate_ci_low": 0.23,
        "churn_rate_ci_high": 0.25,
    }
    return base | changes


@pytest.mark.parametrize("locale", LOCALES)
def test_churn_sentence_without_a_churn_rate_or_with_a_collapsed_interval(locale):
    f = formatter(locale)
    assert [x.key for x in ret_story.churn_findings(summary(), f)] == ["ret.churn.finding"]
    no_churn = ret_story.churn_findings(summary(churn_rate=NAN, churn_rate_ci_low=NAN), f)
    assert [x.key for x in no_churn] == ["ret.churn.finding_repeat"]
    thin = ret_story.churn_findings(summary(customers=12, repeaters=0), f)
    assert [x.key for x in thin] == ["ret.churn.thin"]
    # a 95 % interval 24.1 %–24.4 % reads 24 %–24 % at whole percent: one value
    one = ret_story.churn_findings(summary(churn_rate_ci_low=0.241, churn_rate_ci_high=0.244), f)
    assert one[0].values["churn_ci"] == f.fmt(0.24, "pct0")
    for found in (no_churn, thin, one):
        sentences(found, locale)


def loyalty(order=(0.2, 0.1, 0.3), year=(0.25, 0.1, 0.4)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "metric": "spend_per_order",
                "lift": order[0],
                "ci_low": order[1],
                "ci_high": order[2],
            },
            {
                "metric": "spend_per_customer_year",
                "lift": year[0],
                "ci_low": year[1],
                "ci_high": year[2],
            },
        ]
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_loyalty_difference_only_when_the_interval_excludes_zero(locale):
    f = formatter(locale)
    keys = lambda found: [x.key for x in found]  # noqa: E731
    assert keys(ret_story.loyalty_findings(None, None, f)) == ["ret.no_loyalty"]
    more = ret_story.loyalty_findings(loyalty(), None, f)
    assert keys(more) == ["ret.loyalty.order_more", "ret.loyalty.year_more"]
    same = ret_story.loyalty_findings(loyalty(order=(0.05, -0.02, 0.12), year=(NAN,) * 3), None, f)
    assert keys(same) == ["ret.loyalty.order_same"]  # the year clause is left out, not "—"
    less = ret_story.loyalty_findings(loyalty(order=(-0.2, -0.3, -0.1)), None, f)
    assert keys(less)[0] == "ret.loyalty.order_less"
    assert less[0].values["lift"] == f.fmt(0.2, "pct0")  # "20 % less", not "−20 % less"
    thin = ret_story.loyalty_findings(loyalty(order=(NAN, NAN, NAN)), None, f)
    assert keys(thin) == ["ret.loyalty.thin"]
    before_after = pd.DataFrame(
        [
            {
                "joiners": 3,
                "change": -0.2,
                "ci_low": -0.3,
                "ci_high": -0.1,
                "change_significant": True,
            }
        ]
    )
    bias = ret_story.loyalty_findings(loyalty(), before_after, f)[-1]
    assert bias.values["verdict"] == f.text("ret.loyalty.verdict_lower")
    nobody = before_after.assign(joiners=0, change=NAN, ci_low=NAN, ci_high=NAN)
    assert keys(ret_story.loyalty_findings(loyalty(), nobody, f))[-1] == "ret.loyalty.year_more"
    for found in (more, same, less, thin, [bias]):
        sentences(found, locale)


def reps(rows) -> pd.DataFrame:
    """A ``sales_rep_table`` frame; ``churn_se`` is the interval's half-width / 1.96."""
    cols = ["sales_rep", "customers", "churn_rate", "churn_ci_low", "churn_ci_high"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["churn_se"] = (frame["churn_ci_high"] - frame["churn_ci_low"]) / (2 * 1.959964)
    frame["small_sample"] = frame["customers"] < 30
    return frame


@pytest.mark.parametrize("locale", LOCALES)
def test_reps_ranked_only_when_the_test_finds_a_difference(locale):
    """Anna 22 % [18–27] vs Tomasz 26 % [21–31] (z = 0.04 / 0.034 ≈ 1.2): no ranking, the
    sentence says no difference was found. 22 % [18–25] vs 35 % [30–40] (z ≈ 4.2): the
    ranking with both intervals."""
    f = formatter(locale)
    overlapping = reps([("Anna", 200, 0.22, 0.18, 0.27), ("Tomasz", 180, 0.26, 0.21, 0.31)])
    found = ret_story.rep_findings(overlapping, f)
    assert [x.key for x in found] == ["ret.reps.no_difference"]
    text = sentences(found, locale)[0]
    if locale == "en":
        assert text.startswith("No difference between sales reps was found")
    separate = reps([("Anna", 200, 0.22, 0.18, 0.25), ("Tomasz", 180, 0.35, 0.30, 0.40)])
    found = ret_story.rep_findings(separate, f)
    assert found[0].key == "ret.reps.finding"
    assert (found[0].values["worst"], found[0].values["best"]) == ("Tomasz", "Anna")
    sentences(found, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_reps_alike_at_one_rounded_rate_are_not_a_range(locale):
    """Issue 17: the wholesaler's three reps lose 0.2 %, 0.3 % and 0.4 % of customers: the
    sentence said "ranges over 0% across 3 reps"; one rounded figure is said as one figure."""
    f = formatter(locale)
    alike = reps(
        [
            ("Weber", 300, 0.002, 0.0005, 0.008),
            ("Fischer", 280, 0.003, 0.001, 0.009),
            ("Keller", 260, 0.004, 0.001, 0.011),
        ]
    )
    found = ret_story.rep_findings(alike, f)
    assert [x.key for x in found] == ["ret.reps.no_difference_same"]
    text = sentences(found, locale)[0]
    assert "3" in text and f.fmt(0.0, "pct0") in text
    if locale == "en":
        assert "ranges" not in text


@pytest.mark.parametrize("locale", LOCALES)
def test_reps_without_data_one_rep_or_equal_rates(locale):
    f = formatter(locale)
    keys = lambda table: [x.key for x in ret_story.rep_findings(table, f)]  # noqa: E731
    assert keys(None) == ["ret.no_reps"]
    assert keys(reps([])) == ["ret.no_reps"]
    # customers without a rep are not a rep; the NaN churn of a rep is not ranked last
    one = reps(
        [
            ("(none)", 300, 0.5, 0.45, 0.55),
            ("Anna", 200, 0.22, 0.18, 0.25),
            ("Piotr", 10, NAN, NAN, NAN),
        ]
    )
    found = ret_story.rep_findings(one, f)
    assert [x.key for x in found] == ["ret.reps.one"] and found[0].values["rep"] == "Anna"
    assert keys(reps([("Piotr", 10, NAN, NAN, NAN)])) == ["ret.reps.unranked"]
    equal = reps([("Anna", 200, 0.221, 0.18, 0.27), ("Ewa", 150, 0.223, 0.17, 0.28)])
    found = ret_story.rep_findings(equal, f)
    assert found[0].key == "ret.reps.no_difference_same"  # not "ranges over 22 %"
    assert found[0].values["rate"] == f.fmt(0.22, "pct0")
    for table in (one, equal):
        sentences(ret_story.rep_findings(table, f), locale)


def test_rep_table_shows_a_dash_for_missing_intervals_not_a_broken_range():
    f = formatter("en")
    table = reps([("Anna", 200, 0.22, 0.18, 0.25), ("Piotr", 10, NAN, NAN, NAN)])
    table = table.assign(
        repeat_rate=0.4,
        retention_12m=0.5,
        clv_mean=[300.0, NAN],
        clv_ci_low=[250.0, NAN],
        clv_ci_high=[350.0, NAN],
        scorecard=NAN,
    )
    shown = ret_story.rep_display_table(table, f)
    assert list(shown["churn"]) == ["22% (18%–25%)", "—"]
    assert "scorecard" not in shown
    numbers = ret_story.rep_numbers(table)  # for tables.xlsx: the numbers, empty for "—"
    churn, clv = numbers["churn"], numbers["clv_mean_ci"]
    assert churn.kind == "pct0" and clv.kind == "money"
    assert churn.values.iloc[0].tolist() == [0.22, 0.18, 0.25]
    assert clv.values.iloc[0].tolist() == [300.0, 250.0, 350.0]
    assert churn.values.iloc[1].isna().all() and clv.values.iloc[1].isna().all()


# -- step V --------------------------------------------------------------------------------------
def segments(customers: dict[str, int], revenue_total: float = 1000.0) -> pd.DataFrame:
    n = sum(customers.values())
    rows = []
    for s in sat.SEGMENTS:
        c = customers.get(s, 0)
        rows.append(
            {
                "segment": s,
                "customers": c,
                "customer_share": c / n,
                "revenue_share": c / n if revenue_total else NAN,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("locale", LOCALES)
def test_segment_concentration_potential_crosssell_and_aov_without_values(locale):
    f = formatter(locale)
    keys = lambda found: [x.key for x in found]  # noqa: E731
    found = []
    one = sat_story.segment_findings(segments({"new": 40}), f)
    assert keys(one) == ["sat.segments.one"]
    no_revenue = sat_story.segment_findings(segments({"new": 40, "lost": 3}, 0.0), f)
    assert keys(no_revenue) == ["sat.segments.customers"]
    conc = sat_story.concentration_findings({"gini": NAN, "top20_share": NAN}, f)
    assert keys(conc) == ["sat.concentration.none"]
    assert keys(sat_story.potential_findings(None, f)) == ["sat.no_potential"]
    none = sat_story.potential_findings({"customers": 0, "clv_future": 0.0}, f)
    assert keys(none) == ["sat.potential.none"]
    assert keys(sat_story.crosssell_findings(None, None, f)) == ["sat.no_category"]
    breadth = pd.DataFrame({"categories": [1], "customers": [30], "customer_share": [1.0]})
    no_rules = sat_story.crosssell_findings(pd.DataFrame(), breadth, f)
    assert keys(no_rules) == ["sat.crosssell.no_rules"]
    aov = sat_story.aov_findings({"median": 50.0, "p75": 50.0, "upsell_headroom": 0.0}, None, f)
    assert keys(aov) == ["sat.aov.same"]
    assert sat_story.aov_findings({"median": NAN, "p75": NAN}, None, f) == []
    found += one + no_revenue + conc + none + no_rules + aov
    sentences(found, locale)


def response(rows) -> pd.DataFrame:
    cols = ["channel", "scale", "elasticity", "spend_min", "spend_max", "spend_mean"]
    frame = pd.DataFrame(rows, columns=cols)
    a, b, s = frame["scale"], frame["elasticity"], frame["spend_mean"]
    slope = a * b * s ** (b - 1)
    frame["marginal_cac"] = (1 / slope).where(slope > 0)
    frame["average_cac"] = s / (a * s**b)
    return frame


@pytest.mark.parametrize("locale", LOCALES)
def test_acquisition_sentences_for_every_kind_of_response(locale):
    """A linear client (b = 1 in every channel, the issue-16 crash), b near 1, b > 1, a flat
    channel, a channel with one month of spend and one without a value: one plain sentence per
    channel, no break-even figure outside the observed spend."""
    f = formatter(locale)
    table = sat.acquisition_saturation_table(
        response(
            [
                ("Facebook", 0.02, 1.0, 500.0, 3000.0, 1500.0),  # CAC 50 < 100: pays
                ("Newsletter", 0.005, 1.0, 100.0, 400.0, 250.0),  # CAC 200 > 100: never pays
                ("Google", 0.02, 0.999999, 500.0, 3000.0, 1500.0),  # b near 1: overflowed
                ("TikTok", 0.0005, 1.2, 500.0, 3000.0, 1500.0),  # increasing returns
                ("Flat", 5.0, 1e-6, 500.0, 3000.0, 1500.0),  # b ≈ 0
                ("Radio", 0.02, NAN, 800.0, 800.0, 800.0),  # one month: not fitted
                ("Partners", 0.02, 0.5, 500.0, 3000.0, 1500.0),  # no value below
            ]
        ),
        {
            "Facebook": 100.0,
            "Newsletter": 100.0,
            "Google": 100.0,
            "TikTok": 100.0,
            "Flat": 100.0,
            "Radio": 100.0,
        },
    )
    found = sat_story.acquisition_findings(table, f)
    by_channel = {x.values.get("channel"): x.key for x in found}
    assert by_channel["Facebook"] == "sat.acquisition.linear_pays"
    assert by_channel["Newsletter"] == "sat.acquisition.linear_loses"
    assert by_channel["Google"] == "sat.acquisition.headroom_far"
    assert by_channel["Flat"] == "sat.acquisition.saturated_all"
    assert by_channel["TikTok"] in (
        "sat.acquisition.increasing",
        "sat.acquisition.increasing_loses",
    )
    unfitted = [x for x in found if x.key == "sat.acquisition.unfitted"]
    no_clv = [x for x in found if x.key == "sat.acquisition.no_clv"]
    assert unfitted[0].values["channels"] == "Radio"
    assert no_clv[0].values["channels"] == "Partners"
    for x in found:  # a break-even figure only inside the spend seen
        assert ("break_even" in x.values) == (
            x.key
            in ("sat.acquisition.finding", "sat.acquisition.headroom", "sat.acquisition.increasing")
        )
    sentences(found, locale)
    cells = [sat_story.break_even_cell(r, f) for r in table.itertuples()]
    assert cells[0] == f.text("sat.break_even.pays_throughout")
    assert cells[1] == f.text("sat.break_even.pays_nowhere")
    numbers = sat_story.break_even_numbers(table, f)  # tables.xlsx: a number or the words
    parts = numbers.values
    assert numbers.kind == "money" and len(parts) == len(table)
    for cell, value, note in zip(cells, parts["value"], parts["note"], strict=True):
        if isinstance(note, str):  # words: the note says them, no number
            assert note == cell and math.isnan(value)
        elif cell == "—":
            assert math.isnan(value)
        else:
            assert f.fmt(value) == cell
    assert sum(isinstance(n, str) for n in parts["note"]) >= 2
    inside = pd.DataFrame({"break_even_kind": ["pays_below"], "break_even_spend": [1234.5]})
    (value,) = sat_story.break_even_numbers(inside, f).values["value"]
    assert value == 1234.5 and f.fmt(value) == sat_story.break_even_cell(
        next(inside.itertuples()), f
    )


def test_every_note_and_key_the_steps_choose_has_both_languages():
    """Every key the two modules may pick exists in clvlib.texts in en and pl (a missing key
    would raise in the middle of a report)."""
    from clvlib.texts import TEXTS

    keys = set(ret_story.NOTES) | set(sat_story.NOTES) | set(sat_story.ACQUISITION_KEYS.values())
    keys |= {"sat.break_even.pays_throughout", "sat.break_even.pays_nowhere"}
    for key in keys:
        assert {"en", "pl"} <= set(TEXTS[key]), key
