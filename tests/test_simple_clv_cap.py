"""Issue 17: the simple CLV stays a simple CLV.

With retention near 100 % the retention period 1 / (1 − r) runs to decades (r = 0.99: 100
years) and the simple CLV explodes; ``economics.retention_period_cap_years`` (10 years by
default) caps it, the report says when the cap binds, and says why the simple and the predictive
figures differ by more than a factor of two. Reference: the simple CLV is AOV × purchases a
year × min(1 / (1 − r), cap) × margin (clvlib.calculation's module docstring), so the figure is
checked against its own factors by hand. The clients are drawn from the client space
(``clvlib.data.worlds``): seeds 2 and 5 with ``behaviour="no_dropout"`` and 36 months of history
have an annual retention of 99.5 % and 97.2 % (1 / (1 − r) = 210 and 35 years); seeds 1 and 2
with ``behaviour="bgnbd"`` (heavy drop-out) 55 % and 51 %.
"""

from __future__ import annotations

import math
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
import yaml

import clvlib
from clvlib import calculation
from clvlib.audit import Audit
from clvlib.data.worlds import sample_world, write_client
from clvlib.i18n import fmt as format_value
from clvlib.narrative import calculation as step_one
from clvlib.report import display

PLACEHOLDER = r"—|\bnan\b|\bNone\b|\binf\b"
# channel_effects off: world 2 then keeps the retention just below 100 % its docstring quotes
CLEAN = {"history_months": 36, "dirty_rows": False, "returns_share": 0.0, "channel_effects": False}


def fmt_for(locale: str):
    def fmt(value, kind: str = "money") -> str:
        return format_value(value, kind, locale=locale, currency="EUR")

    return fmt


def render(findings, locale: str = "en") -> list[str]:
    return [display.text(locale, f.key, **f.values) for f in findings]


def assert_no_placeholder(sentences: list[str]) -> None:
    import re

    for sentence in sentences:
        assert not re.search(PLACEHOLDER, sentence, re.IGNORECASE), sentence


def world_audit(tmp_path_factory, seed: int, behaviour: str, cap: float | None = None):
    """An audit of a client drawn from the client space (``cap``: the client.yml setting)."""
    folder = tmp_path_factory.mktemp(f"cap-{behaviour}-{seed}")
    config = write_client(sample_world(seed, behaviour=behaviour, **CLEAN), folder / "client")
    if cap is not None:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data.setdefault("economics", {})["retention_period_cap_years"] = cap
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clvlib.open_audit(config)


def simple_of(audit) -> pd.Series:
    return calculation.simple_clv_table(audit).set_index("quantity")["value"]


@pytest.fixture(scope="module")
def loyal(tmp_path_factory):
    """No drop-out, retention near 100 %: seeds 2 and 5 (see the module docstring)."""
    return {s: simple_of(world_audit(tmp_path_factory, s, "no_dropout")) for s in (2, 5)}


@pytest.fixture(scope="module")
def leaving(tmp_path_factory):
    """Heavy drop-out: seeds 1 and 2 of ``behaviour="bgnbd"``."""
    return {s: simple_of(world_audit(tmp_path_factory, s, "bgnbd")) for s in (1, 2)}


# -- the cap binds, and is said -------------------------------------------------------------------
@pytest.mark.parametrize("seed", [2, 5])
@pytest.mark.parametrize("locale", ["en", "pl"])
def test_cap_binds_for_a_loyal_client_and_the_sentence_says_so(loyal, seed, locale):
    value = loyal[seed]
    assert value["retention_rate"] > 0.9  # 1 / (1 − r) > 10 years
    assert value["retention_years_uncapped"] > 10
    assert value["retention_years"] == 10.0 and value["retention_cap_binds"] == 1.0
    by_hand = value["aov"] * value["purchase_frequency_per_year"] * 10.0 * value["gross_margin"]
    assert value["simple_clv"] == pytest.approx(by_hand)
    findings = step_one.simple_findings(value, reasons="", fmt=fmt_for(locale))
    assert [f.key for f in findings] == ["calc.simple.finding_capped"]
    (sentence,) = render(findings, locale)
    assert_no_placeholder([sentence])
    assert "economics.retention_period_cap_years" in sentence
    assert findings[0].values["cap"] == "10"
    uncapped = format_value(value["retention_years_uncapped"], "num0", locale=locale)
    assert uncapped in sentence  # the period the formula would have given


@pytest.mark.parametrize("seed", [1, 2])
def test_cap_does_not_bind_with_heavy_dropout(leaving, seed):
    value = leaving[seed]
    assert value["retention_rate"] < 0.7
    assert value["retention_cap_binds"] == 0.0
    assert value["retention_years"] == pytest.approx(1 / (1 - value["retention_rate"]))
    assert value["retention_years"] == value["retention_years_uncapped"]
    findings = step_one.simple_findings(value, reasons="", fmt=fmt_for("en"))
    assert [f.key for f in findings] == ["calc.simple.finding"]


def test_the_setting_changes_the_figure(tmp_path_factory, loyal):
    """Cap 5 vs the default 10 on the same client: the simple CLV halves, exactly."""
    five = simple_of(world_audit(tmp_path_factory, 2, "no_dropout", cap=5))
    assert five["retention_years"] == 5.0 and five["retention_period_cap_years"] == 5.0
    assert five["simple_clv"] == pytest.approx(loyal[2]["simple_clv"] / 2)
    assert five["retention_years_uncapped"] == pytest.approx(loyal[2]["retention_years_uncapped"])


# -- r = 1: the cap, never inf ---------------------------------------------------------------------
def all_retained(discount: float = 0.10) -> Audit:
    """Two customers who both bought in each of two years (r = 1), hand-built."""
    rows = [
        ("A", "1", "2023-01-01", 100.0),
        ("A", "2", "2024-03-01", 100.0),
        ("B", "3", "2023-05-01", 50.0),
        ("B", "4", "2024-05-01", 50.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_ts", "revenue"])
    frame["order_ts"] = pd.to_datetime(frame["order_ts"])
    audit = Audit.from_frames(frame, observation_end="2024-12-31")
    economics = audit.config.economics.model_copy(update={"annual_discount_rate": discount})
    audit.config = audit.config.model_copy(update={"economics": economics})
    return audit


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_all_retained_gives_the_cap_never_inf(locale):
    value = simple_of(all_retained())
    assert value["retention_rate"] == 1.0
    assert value["retention_years"] == 10.0 and value["retention_cap_binds"] == 1.0
    assert math.isnan(value["retention_years_uncapped"])  # unbounded: not inf
    assert not np.isinf(value.to_numpy(dtype=float)).any()
    assert value["simple_clv"] == pytest.approx(75 * 1 * 10 * 0.35)  # AOV 75, 1 a year
    findings = step_one.simple_findings(value, reasons="", fmt=fmt_for(locale))
    assert [f.key for f in findings] == ["calc.simple.finding_capped_all"]
    assert_no_placeholder(render(findings, locale))
    metrics = step_one._simple_metrics(value)
    assert metrics == {
        "retention_years_uncapped": None,
        "retention_cap_years": 10.0,
        "cap_binds": True,
    }


def test_all_retained_without_discount_says_the_sum_has_no_finite_value():
    """r = 1 and d = 0: m·r / (1 + d − r) divided by zero (ZeroDivisionError) before."""
    value = simple_of(all_retained(discount=0.0))
    assert math.isnan(value["retention_formula_clv"])
    missing = step_one.retention_missing([], value)
    assert missing == [("retention", "unbounded_sum")]
    reasons = step_one.reasons_text(
        missing, months=24, fmt=fmt_for("en"), text=partial(display.text, "en")
    )
    findings = step_one.retention_findings(
        value, discount_rate=0.0, reasons=reasons, fmt=fmt_for("en")
    )
    (sentence,) = render(findings)
    assert findings[0].key == "calc.retention.missing" and "no finite value" in sentence


# -- why the simple and the predictive CLV differ ------------------------------------------------
def hand_value(**changes) -> pd.Series:
    """``simple_clv_table`` values of a loyal client: r = 99 %, 1 / (1 − r) = 100 years, capped
    at 10; AOV 500 × 4 a year × 10 years × 30 % = 6,000."""
    values = {
        "aov": 500.0,
        "purchase_frequency_per_year": 4.0,
        "retention_rate": 0.99,
        "retention_years": 10.0,
        "retention_years_uncapped": 100.0,
        "retention_period_cap_years": 10.0,
        "retention_cap_binds": 1.0,
        "gross_margin": 0.3,
        "simple_clv": 6000.0,
        "repeat_rate": 0.9,
    }
    values.update(changes)
    return pd.Series(values)


def gap(value: pd.Series, predictive: float, *, months: float = 48, locale: str = "en"):
    return step_one.gap_findings(
        value,
        predictive,
        horizon=36,
        discount_rate=0.10,
        months=months,
        fmt=fmt_for(locale),
        text=partial(display.text, locale),
    )


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_more_than_twice_the_predictive_value_is_explained_by_the_cap_and_horizon(locale):
    findings = gap(hand_value(), 1500.0, locale=locale)  # ratio 4
    assert [f.key for f in findings] == ["calc.clv.gap_high"]
    (sentence,) = render(findings, locale)
    assert_no_placeholder([sentence])
    assert findings[0].values["ratio"] == format_value(4.0, "num1", locale=locale)
    reasons = step_one.gap_reasons(hand_value(), 4.0, horizon=36, months=48)
    assert reasons == ["capped", "horizon"]  # repeat 90 % ≥ r / 2; 48 months of data
    assert "economics.retention_period_cap_years" in sentence


def test_within_a_factor_of_two_nothing_is_said():
    assert gap(hand_value(), 4000.0) == []  # ratio 1.5
    assert gap(hand_value(), 12000.0) == []  # ratio 0.5: the bound itself
    assert gap(hand_value(), math.nan) == []


def test_dropout_and_young_history_are_reasons_only_when_the_figures_say_so():
    uncapped = hand_value(
        retention_rate=0.8,
        retention_years=5.0,
        retention_years_uncapped=5.0,
        retention_cap_binds=0.0,
        simple_clv=3000.0,
        repeat_rate=0.25,
    )
    assert step_one.gap_reasons(uncapped, 3.0, horizon=36, months=30) == [
        "horizon",
        "dropout",
        "young",
    ]
    sentence = render(gap(uncapped, 1000.0, months=30))[0]
    assert "25%" in sentence and "30 months" in sentence
    loyal = uncapped.copy()
    loyal["repeat_rate"] = 0.6
    assert step_one.gap_reasons(loyal, 3.0, horizon=120, months=60) == ["different"]


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_less_than_half_the_predictive_value_is_explained_by_the_short_period(locale):
    short = hand_value(
        retention_rate=0.2,
        retention_years=1.25,
        retention_years_uncapped=1.25,
        retention_cap_binds=0.0,
        simple_clv=750.0,
    )
    findings = gap(short, 2000.0, locale=locale)  # new customer 2.7 × the simple CLV
    assert [f.key for f in findings] == ["calc.clv.gap_low"]
    assert step_one.gap_reasons(short, 750 / 2000, horizon=36, months=48) == ["short_period"]
    assert_no_placeholder(render(findings, locale))
    assert findings[0].values["ratio"] == format_value(2000 / 750, "num1", locale=locale)


# -- ranges whose two ends read the same are one value ------------------------------------------
@pytest.mark.parametrize("locale", ["en", "pl"])
def test_ceiling_range_with_equal_ends_is_said_as_one_value(locale):
    """Two segments whose ceilings format alike ("from EUR 300 (A) to EUR 300 (B)" before)."""
    ceiling = pd.DataFrame({"segment": ["all", "A", "B"], "clv_ceiling": [300.2, 300.1, 300.4]})
    findings = step_one.ceiling_findings(
        ceiling, segment_label="channel", reasons="", fmt=fmt_for(locale)
    )
    assert [f.key for f in findings] == ["calc.ceiling.finding_equal"]
    (sentence,) = render(findings, locale)
    assert sentence.count(format_value(300, "money", locale=locale, currency="EUR")) == 2
    ceiling.loc[2, "clv_ceiling"] = 420.0  # a real range stays a range
    findings = step_one.ceiling_findings(
        ceiling, segment_label="channel", reasons="", fmt=fmt_for(locale)
    )
    assert [f.key for f in findings] == ["calc.ceiling.finding"]


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_new_customer_value_range_with_equal_ends_is_said_as_one_value(locale):
    known = pd.DataFrame({"segment": ["A", "B", "C"], "ceiling": [512.3, 511.9, 512.2],
                          "ceiling_low": [480.0, 300.0, 490.0],
                          "ceiling_high": [540.0, 530.0, 535.0]})  # fmt: skip
    findings = step_one.segment_value_findings(known, segment_label="region", fmt=fmt_for(locale))
    assert [f.key for f in findings] == ["calc.clv.segment_finding_equal"]
    assert_no_placeholder(render(findings, locale))
    known.loc[1, ["ceiling", "ceiling_high"]] = [200.0, 260.0]  # B's interval below the others
    findings = step_one.segment_value_findings(known, segment_label="region", fmt=fmt_for(locale))
    assert [f.key for f in findings] == ["calc.clv.segment_finding"]
    assert (
        step_one.segment_value_findings(known.head(1), segment_label="r", fmt=fmt_for("en")) == []
    )


def world_two_calc(*, cap_binds: bool | None) -> dict:
    """Step I's metrics of world 2 (r = 99.5 %, cap 10 years) as the scenarios read them."""
    simple = {"retention_cap_years": 10.0}
    if cap_binds is not None:
        simple["cap_binds"] = cap_binds
    return {
        "aov": 96.0,
        "purchase_frequency_per_year": 11.8,
        "retention_rate": 0.995,
        "gross_margin": 0.35,
        "simple_clv": 96 * 11.8 * 0.35 * 10,
        "customers": 600,
        "simple": simple,
    }


def test_retention_lever_under_the_cap_neither_runs_away_nor_reverses():
    """r = 99.5 % (world 2): +5 pp went to min(1.045, 0.99) = 0.99 and *halved* the CLV
    (1 / 0.01 against 1 / 0.005); with the cap both periods are 10 years: no change."""
    from clvlib import scenarios

    calc = world_two_calc(cap_binds=None)
    table = scenarios.scenario_table(calc, {"retention": 0.05})
    assert table["clv_change"].iloc[0] == pytest.approx(0.0)
    calc["retention_rate"] = 0.8  # 5 years -> 0.85: 6.67 years, below the cap: +33 %
    table = scenarios.scenario_table(calc, {"retention": 0.05})
    assert table["clv_change"].iloc[0] == pytest.approx((1 / 0.15) / 5 - 1)


def test_retention_lever_has_no_row_when_the_cap_binds_and_the_summary_says_why():
    """Issue 17: at a binding cap the retention lever's row read "0.0 %, 0.00" (a lever that
    does nothing) without a word; now it has no row and the summary says why, with the rate
    and the cap; below the cap the row stays."""
    from clvlib import scenarios
    from clvlib.narrative.summary import scenario_findings

    calc = world_two_calc(cap_binds=True)
    table = scenarios.scenario_table(calc, {"retention": 0.05, "aov": 0.05})
    assert list(table["lever"]) == ["aov"]
    for locale in ("en", "pl"):
        findings = scenario_findings(calc, fmt=fmt_for(locale))
        assert [f.key for f in findings] == [
            "sum.scenarios_basis.simple",
            "sum.scenarios_retention_capped",
        ]
        assert_no_placeholder(render(findings, locale))
    calc["simple"]["cap_binds"], calc["retention_rate"] = False, 0.8
    assert list(scenarios.scenario_table(calc, {"retention": 0.05})["lever"]) == ["retention"]
    assert [f.key for f in scenario_findings(calc, fmt=fmt_for("en"))] == [
        "sum.scenarios_basis.simple"
    ]
