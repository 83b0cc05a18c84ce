"""Step I's sentences (``clvlib.narrative.calculation``) on crafted tables, and the holdout's
predictive interval on simulated BG/NBD data with known truth.

References: the BG/NBD generative story and its P(alive) (Fader, Hardie & Lee 2005, "Counting
your customers the easy way", eq. 11); REPORT.md "Writing": a sentence never carries a missing
value; a parameter at a bound and a holdout forecast outside its interval are said in plain
words next to the figure they affect.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest

from clvlib import predictive
from clvlib.audit import Audit
from clvlib.i18n import fmt as format_value
from clvlib.models.bgnbd import BGNBD
from clvlib.models.holdout import holdout_check, holdout_interval
from clvlib.narrative import calculation as step_one
from clvlib.report import display

PLACEHOLDER = re.compile(r"—|\bnan\b|\bNone\b|\binf\b", re.IGNORECASE)


def fmt_for(locale: str):
    """``audit.fmt`` of a GBP client in ``locale``."""

    def fmt(value, kind: str = "money") -> str:
        return format_value(value, kind, locale=locale, currency="GBP")

    return fmt


def text_for(locale: str):
    return partial(display.text, locale)


def render(findings, locale: str = "en") -> list[str]:
    return [display.text(locale, f.key, **f.values) for f in findings]


def assert_no_placeholder(sentences: list[str]) -> None:
    for sentence in sentences:
        assert not PLACEHOLDER.search(sentence), sentence


# -- defect 5: a missing factor is named with its reason, never shown as "—" -----------------------
def simple_values(**changes) -> pd.Series:
    """``simple_clv_table`` values of a window under 12 months: no frequency, no retention."""
    values = {
        "customers": 500.0,
        "orders": 900.0,
        "aov": 42.5,
        "purchase_frequency_per_year": np.nan,
        "retention_rate": np.nan,
        "retention_customers": np.nan,
        "retention_years": np.nan,
        "gross_margin": 0.3,
        "simple_clv": np.nan,
        "annual_margin_per_active_customer": np.nan,
        "retention_formula_clv": np.nan,
    }
    values.update(changes)
    return pd.Series(values)


TEN_MONTHS = dict(start=dt.date(2025, 2, 1), end=dt.date(2025, 11, 30))
EIGHTEEN_MONTHS = dict(start=dt.date(2024, 6, 1), end=dt.date(2025, 11, 30))


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_ten_months_name_frequency_and_retention_as_missing_with_the_reason(locale):
    value = simple_values()
    missing = step_one.missing_factors(value, **TEN_MONTHS)
    assert missing == [("frequency", "short_window"), ("retention", "short_window")]
    months = step_one.window_months(**TEN_MONTHS)
    reasons = step_one.reasons_text(
        missing, months=months, fmt=fmt_for(locale), text=text_for(locale)
    )
    findings = step_one.simple_findings(value, reasons=reasons, fmt=fmt_for(locale))
    assert [f.key for f in findings] == ["calc.simple.missing", "calc.simple.partial_aov"]
    sentences = render(findings, locale)
    assert_no_placeholder(sentences)
    assert "10" in sentences[0] and "12" in sentences[0] and "24" in sentences[0]
    if locale == "en":
        assert "purchase frequency per year cannot be measured" in sentences[0]
        assert "annual retention rate cannot be measured" in sentences[0]


def test_eighteen_months_misses_only_retention_and_keeps_the_frequency():
    value = simple_values(purchase_frequency_per_year=1.8)
    missing = step_one.missing_factors(value, **EIGHTEEN_MONTHS)
    assert missing == [("retention", "short_window")]
    reasons = step_one.reasons_text(missing, months=18, fmt=fmt_for("en"), text=text_for("en"))
    findings = step_one.simple_findings(value, reasons=reasons, fmt=fmt_for("en"))
    assert [f.key for f in findings] == ["calc.simple.missing", "calc.simple.partial"]
    sentences = render(findings)
    assert_no_placeholder(sentences)
    assert "<b>1.8</b> purchases a year" in sentences[1]


def test_retention_of_one_is_named_as_an_unbounded_period():
    value = simple_values(
        purchase_frequency_per_year=2.0, retention_rate=1.0, retention_customers=40.0
    )
    start = dt.date(2023, 1, 1)
    missing = step_one.missing_factors(value, start=start, end=dt.date(2025, 11, 30))
    assert missing == [("retention", "all_retained")]


def test_new_customer_value_without_simple_clv_says_why_not_a_dash():
    """The issue's sentence: "... the simple formula (AOV × frequency × retention period ×
    margin) gives —." on a one-year client."""
    new = pd.Series({"mean": 310.0, "mean_low": 290.0, "mean_high": 333.0})
    reasons = step_one.reasons_text(
        [("retention", "short_window")], months=12, fmt=fmt_for("en"), text=text_for("en")
    )
    findings = step_one.new_customer_findings(
        new, horizon=36, simple=np.nan, reasons=reasons, fmt=fmt_for("en")
    )
    assert [f.key for f in findings] == ["calc.clv.ceiling_no_simple"]
    (sentence,) = render(findings)
    assert_no_placeholder([sentence])
    assert "annual retention rate cannot be measured" in sentence


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_retention_formula_and_ceiling_without_retention_say_why(locale):
    value = simple_values()
    reasons = step_one.reasons_text(
        step_one.missing_factors(value, **TEN_MONTHS),
        months=12,
        fmt=fmt_for(locale),
        text=text_for(locale),
    )
    retention = step_one.retention_findings(
        value, discount_rate=0.1, reasons=reasons, fmt=fmt_for(locale)
    )
    ceiling = pd.DataFrame({"segment": ["all", "a", "b"], "clv_ceiling": [np.nan] * 3})
    ceilings = step_one.ceiling_findings(
        ceiling, segment_label="channel", reasons=reasons, fmt=fmt_for(locale)
    )
    gap = {"repeaters": 5, "customers": 80, "needed": 20}
    no_model = step_one.no_model_findings(gap, simple=np.nan, reasons=reasons, fmt=fmt_for(locale))
    keys = [f.key for f in retention + ceilings + no_model]
    assert keys == [
        "calc.retention.missing",
        "calc.ceiling.missing",
        "calc.clv.too_few_repeaters_no_simple",
    ]
    assert_no_placeholder(render(retention + ceilings + no_model, locale))


# -- defect 4: a model at a bound, a missed holdout ------------------------------------------------
def simulate_split(r, alpha, a, b, n, *, calibration, holdout, rng) -> pd.DataFrame:
    """BG/NBD customers with a first purchase spread over the first 80 % of the calibration
    period, observed to its end and then over a holdout (weeks): the calibration summary
    (frequency, recency, T) and the holdout's purchases, as ``rfm_summary`` gives them."""
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n) if a > 0 else np.zeros(n)
    first = rng.uniform(0, 0.8 * calibration, n)
    T = calibration - first
    end = T + holdout
    x, tx, x_holdout = np.zeros(n), np.zeros(n), np.zeros(n)
    t, alive = np.zeros(n), np.ones(n, dtype=bool)
    while alive.any():
        t = t + rng.exponential(1.0, n) / lam
        buys = alive & (t <= end)
        before = buys & (t <= T)
        x[before] += 1
        tx[before] = t[before]
        x_holdout[buys & (t > T)] += 1
        alive = buys & (rng.random(n) >= p)
    return pd.DataFrame(
        {
            "frequency": x,
            "recency": tx,
            "T": T,
            "frequency_holdout": x_holdout,
            "duration_holdout": np.full(n, float(holdout)),
        }
    )


def fit(rfm: pd.DataFrame, *, n_starts: int = 4) -> BGNBD:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BGNBD(n_starts=n_starts).fit(rfm)


def test_holdout_interval_covers_the_actual_total_in_about_95_percent_of_repeats():
    """Coverage on 40 simulated BG/NBD clients with known truth (r 0.25, α 4, a 0.8, b 2.5;
    500 customers, 52 calibration and 26 holdout weeks; one optimiser start and 200 draws, to keep
    the test short): the 95 % predictive interval of the
    holdout total must hold the actual total in ≥ 34 of 40 repeats (a 95 % interval misses
    more than 6 of 40 with probability < 1.3 %) and not be so wide that it always does (its
    width under 60 % of the forecast)."""
    rng = np.random.default_rng(20251)
    covered, widths = 0, []
    for repeat in range(40):
        rfm = simulate_split(0.25, 4.0, 0.8, 2.5, 500, calibration=52, holdout=26, rng=rng)
        check = holdout_check(fit(rfm, n_starts=1), rfm, n_draws=200, seed=repeat)
        covered += not check["miss"]
        widths.append((check["interval_high"] - check["interval_low"]) / check["predicted_total"])
    assert covered >= 34, covered
    assert np.median(widths) < 0.6


def test_holdout_interval_is_seeded_and_brackets_the_forecast():
    rfm = simulate_split(
        0.5, 6.0, 0.7, 3.0, 400, calibration=40, holdout=20, rng=np.random.default_rng(3)
    )
    model = fit(rfm)
    one, two = holdout_interval(model, rfm, seed=4), holdout_interval(model, rfm, seed=4)
    assert one == two
    predicted = holdout_check(model, rfm)["predicted_total"]
    assert one["low"] < predicted < one["high"]
    assert one["mean"] == pytest.approx(predicted, rel=0.05)
    assert one["parameter_uncertainty"]


def no_dropout_rfm() -> pd.DataFrame:
    """A wholesaler's year: nobody drops out (p = 0), 12 months observed."""
    return simulate_split(
        1.5, 20.0, 0.0, 1.0, 800, calibration=52, holdout=0.0, rng=np.random.default_rng(11)
    )


def test_no_visible_dropout_puts_bg_nbd_at_a_bound_and_names_it():
    model = fit(no_dropout_rfm())
    bounded = predictive.at_bounds(model)
    dropout = predictive.dropout_at_bounds(model, bounded)
    assert dropout, model.params_
    assert set(dropout) <= {"a", "b"}


def test_at_bounds_is_relative_and_reads_the_standard_errors():
    model = BGNBD()
    model.params_ = {"r": 0.8, "alpha": 12.0, "a": 5e-5, "b": 3.0}
    model.standard_errors_ = {"r": 0.1, "alpha": 1.0, "a": 1e-5, "b": 0.5}
    assert predictive.at_bounds(model) == ["a"]
    model.params_ = {"r": 0.8, "alpha": 12.0, "a": 0.5, "b": 2.1e8}
    assert predictive.at_bounds(model) == ["b"]
    # a wholesaler losing ~1 % a year: a and b both large, a/(a+b) ≈ 0.09 % — visible drop-out
    model.params_ = {"r": 2.1, "alpha": 6.7, "a": 5616.0, "b": 6.39e6}
    model.standard_errors_ = {"r": 0.1, "alpha": 0.5, "a": 9500.0, "b": 1.2e10}
    assert predictive.at_bounds(model) == []
    model.params_ = {"r": 0.8, "alpha": 12.0, "a": 0.5, "b": 3.0}
    model.standard_errors_ = {"r": 0.1, "alpha": 1.0, "a": 1e-5, "b": 0.5}
    model.standard_errors_["alpha"] = np.nan
    assert predictive.at_bounds(model) == ["alpha"]
    assert predictive.at_bounds(model, standard_errors=False) == []
    assert predictive.dropout_at_bounds(model, ["alpha"]) == []


def clv_inputs():
    overall = pd.Series(
        {
            "total": 250_000.0,
            "total_low": 243_000.0,
            "total_high": 257_000.0,
            "mean": 995.0,
            "mean_low": 966.0,
            "mean_high": 1024.0,
        }
    )
    customers = pd.DataFrame({"clv": [400.0, 900.0, 1700.0], "p_alive": [1.0, 1.0, 1.0]})
    return overall, customers


@pytest.mark.parametrize("locale", ["en", "pl"])
def test_dropout_at_a_bound_replaces_the_p_alive_finding_by_the_caveat(locale):
    overall, customers = clv_inputs()
    findings = step_one.clv_findings(
        overall, customers, horizon=36, dropout=["a", "b"], months=12, fmt=fmt_for(locale)
    )
    assert [f.key for f in findings] == ["calc.clv.finding_no_alive", "calc.clv.no_dropout"]
    sentences = render(findings, locale)
    assert_no_placeholder(sentences)
    if locale == "en":
        assert "more likely still active" not in sentences[0]
        assert "No drop-out is visible in these 12 months" in sentences[1]
        assert "nobody leaves within the 36-month horizon" in sentences[1]
        assert "upper bound" in sentences[1]
    plain = step_one.clv_findings(
        overall, customers, horizon=36, dropout=[], months=12, fmt=fmt_for(locale)
    )
    assert [f.key for f in plain] == ["calc.clv.finding"]


def holdout(**changes) -> dict:
    check = {
        "actual_total": 1200.0,
        "predicted_total": 900.0,
        "total_error": 900.0 / 1200.0 - 1,
        "mae": 0.8,
        "correlation": 0.6,
        "interval_low": 860.0,
        "interval_high": 945.0,
        "miss": True,
    }
    check.update(changes)
    return check


def test_a_missed_holdout_is_called_a_miss_and_a_busier_season_its_likely_cause():
    season = {
        "ratio": 1.4,
        "ratio_low": 1.25,
        "ratio_high": 1.55,
        "shift": "busier",
        "holdout_start": dt.date(2025, 9, 1),
        "holdout_end": dt.date(2025, 11, 30),
    }
    findings = step_one.holdout_findings(
        holdout(), season, calibration_end=dt.date(2025, 8, 31), weeks=13, fmt=fmt_for("en")
    )
    keys = [f.key for f in findings]
    assert keys == [
        "calc.predictive.finding",
        "calc.predictive.miss",
        "calc.predictive.per_customer",
        "calc.predictive.season_busier",
        "calc.predictive.season_cause",
    ]
    sentences = render(findings)
    assert_no_placeholder(sentences)
    assert "That is a miss" in sentences[1] and "860–945" in sentences[1]
    assert "40% more purchases per day" in sentences[3]
    assert "+40% repeat purchases per day" in sentences[4] and "+33% against" in sentences[4]
    assert_no_placeholder(render(findings, "pl"))  # no dash as punctuation either
    summary = [f.key for f in step_one.summary_holdout_findings(findings)]
    assert summary == [
        "calc.predictive.finding",
        "calc.predictive.miss",
        "calc.predictive.season_busier",
        "calc.predictive.season_cause",
    ]
    within = step_one.holdout_findings(
        holdout(actual_total=900.0, miss=False, correlation=np.nan),
        None,
        calibration_end=dt.date(2025, 8, 31),
        weeks=13,
        fmt=fmt_for("en"),
    )
    assert [f.key for f in within] == [
        "calc.predictive.finding",
        "calc.predictive.within",
        "calc.predictive.per_customer_no_corr",
    ]


def test_a_quieter_holdout_does_not_explain_a_forecast_that_was_too_low():
    season = {
        "ratio": 0.7,
        "shift": "quieter",
        "holdout_start": dt.date(2025, 6, 1),
        "holdout_end": dt.date(2025, 8, 31),
    }
    findings = step_one.holdout_findings(
        holdout(), season, calibration_end=dt.date(2025, 5, 31), weeks=13, fmt=fmt_for("en")
    )
    keys = [f.key for f in findings]
    assert "calc.predictive.season_quieter" in keys
    assert "calc.predictive.season_cause" not in keys


def test_interval_caveat_after_a_miss_widens_by_the_holdout_ratio_and_says_so():
    overall, _ = clv_inputs()
    check = holdout(actual_total=900.0, predicted_total=1200.0, total_error=1200 / 900 - 1)
    caveats = step_one.interval_caveats(overall, check, dropout=["a"])
    assert caveats["caveats"] == ["holdout_miss", "parameter_at_bound"]
    assert caveats["low"] == pytest.approx(966.0 * 0.75)
    assert caveats["high"] == pytest.approx(1024.0)
    (sentence,) = render(step_one.caveat_findings(caveats, check, fmt=fmt_for("en")))
    assert "reflects the sampling of customers only" in sentence
    assert "lower bound of the uncertainty" in sentence and "(forecast error 33.3%)" in sentence
    bound_only = step_one.interval_caveats(overall, None, dropout=["a"])
    assert bound_only["caveats"] == ["parameter_at_bound"]
    (bound,) = render(step_one.caveat_findings(bound_only, None, fmt=fmt_for("en")))
    assert "drop-out at the limit" in bound
    assert step_one.interval_caveats(overall, holdout(miss=False), dropout=[])["caveats"] == []


# -- the whole step on a one-year, orders-only client with no visible drop-out -------------------
def boundary_transactions(n: int = 400, seed: int = 5) -> pd.DataFrame:
    """Orders of ``n`` customers over 2025 who never drop out (p = 0), first purchases in the
    first half of the year, a purchase rate λ ~ Gamma(2, 16) a week."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-01")
    rows = []
    for customer in range(n):
        lam = rng.gamma(2.0, 1 / 16.0)
        day = rng.uniform(0, 180)
        while day < 365:
            ts = (start + pd.Timedelta(days=day)).floor("s")
            rows.append((f"C{customer}", ts, rng.gamma(2.0, 30.0)))
            day += rng.exponential(7.0 / lam)
    frame = pd.DataFrame(rows, columns=["customer_id", "order_ts", "revenue"])
    frame["order_id"] = [f"O{i}" for i in range(len(frame))]
    return frame


def test_one_year_client_at_a_bound_reports_caveats_and_no_placeholder(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(display, "emit", lambda markup: shown.append(markup) or markup)
    monkeypatch.setattr(step_one, "N_BOOT", 5)
    audit = Audit.from_frames(
        boundary_transactions(), observation_end="2025-12-31", holdout_weeks=13
    )
    step = step_one.start(audit)
    step_one.show_simple(audit, step)
    step_one.show_retention(audit, step)
    step_one.show_history(audit, step)
    step_one.show_ceiling(audit, step)
    step_one.show_validation(audit, step)
    step_one.show_predictive_clv(audit, step)
    calc = step_one.record(audit, step)
    paragraphs = [re.sub("<[^>]+>", "", p) for m in shown for p in re.findall(r"<p.*?</p>", m)]
    assert_no_placeholder(paragraphs)
    assert calc["simple_clv"] != calc["simple_clv"]  # NaN: one year has no retention rate
    assert {"factor": "retention", "reason": "short_window"} in calc["missing_factors"]
    assert calc["not_computed"]["simple_clv"] == "retention_short_window"
    assert calc["model"]["at_bounds"], calc["model"]
    assert "no_dropout_visible_upper_bound" in calc["clv"]["caveats"]
    assert "parameter_at_bound" in calc["clv"]["interval_caveat"]
    assert {"interval_low", "interval_high", "miss"} <= set(calc["holdout"])
    keys = [f["key"] for f in calc["findings"]]
    assert "calc.clv.no_dropout" in keys and "calc.clv.finding" not in keys
    assert "calc.clv.ceiling_no_simple" in keys
    assert any("No drop-out is visible" in p for p in paragraphs)


def test_dropout_profile_is_said_as_a_range_or_as_not_excluding_zero():
    """The profile-likelihood interval of the drop-out (models.profile) in words: reaching 0 it
    says that customers practically never leaving cannot be excluded; per purchase for BG/NBD,
    per year for Pareto/NBD."""
    from clvlib.narrative.calculation import dropout_profile_findings

    def fmt(value, kind):
        return f"{100 * value:.2f} %"

    zero = {"quantity": "mean_dropout_probability", "low": 0.0, "high": 0.004, "low_is_bound": True}
    (finding,) = dropout_profile_findings(zero, fmt=fmt)
    assert finding.key == "calc.clv.dropout_profile_zero.purchase"
    assert finding.values == {"high": "0.40 %"}
    year = {
        "quantity": "share_lost_within_horizon",
        "low": 0.01,
        "high": 0.05,
        "low_is_bound": False,
    }
    (finding,) = dropout_profile_findings(year, fmt=fmt)
    assert finding.key == "calc.clv.dropout_profile.year"
    assert finding.values == {"low": "1.00 %", "high": "5.00 %"}
