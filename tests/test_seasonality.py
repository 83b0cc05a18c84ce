"""The season of repeat purchases (``clvlib.seasonality``) and the holdout it chooses.

References: a hand-built daily series whose month-of-year index is known in closed form, and
clients drawn from the client space (``clvlib.data.worlds``): behaviour ``seasonal`` multiplies
the purchase rate by 1 + A cos(2π (day of year − 340) / 365.25) with A in ground_truth.json
(the true index is that rate averaged over each month, ``true_month_index``); behaviour
``bgnbd`` has no season (only the paid channels' acquisition budget varies a little)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from clvlib import predictive, seasonality
from clvlib.audit import holes, open_audit
from clvlib.data.worlds import sample_world, write_client
from clvlib.i18n import fmt as format_value
from clvlib.i18n import t
from clvlib.narrative import calculation as step_one

RATES = 1 + 0.5 * np.cos(2 * np.pi * (np.arange(1, 13) - 12) / 12)  # peak December


def hand_built(start: str, end: str, *, growth: float = 0.0) -> pd.Series:
    """Purchases per day: RATES[month] × 100 × e^(growth · years since start), no noise."""
    days = pd.date_range(start, end, freq="D")
    years = (days - days[0]).days.to_numpy() / 365.25
    return pd.Series(100 * RATES[days.month - 1] * np.exp(growth * years), index=days)


def test_the_index_of_a_hand_built_series_is_its_monthly_rate_over_their_mean():
    daily = hand_built("2022-01-01", "2024-12-31")
    season = seasonality.measure_season(daily, start=dt.date(2022, 1, 1), end=dt.date(2024, 12, 31))
    table = season["table"]
    np.testing.assert_allclose(table["index"], RATES / RATES.mean(), rtol=1e-6)
    assert season["status"] == "pattern" and season["strong"]
    assert (season["peak_month"], season["trough_month"]) == (12, 6)
    assert season["amplitude"] == pytest.approx((RATES.max() - RATES.min()) / 2 / RATES.mean())
    assert (table["ci_low"] <= table["index"]).all() and (table["index"] <= table["ci_high"]).all()


def test_growth_is_not_read_as_season():
    """30 % a year of growth: the raw index of a window starting in January makes the late
    months look busier; the detrended index is the monthly rate (to 1 %, the trend is fitted
    on month mid-points)."""
    start, end = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
    daily = hand_built("2022-01-01", "2024-12-31", growth=np.log(1.3))
    season = seasonality.measure_season(daily, start=start, end=end)
    truth = RATES / RATES.mean()
    np.testing.assert_allclose(season["table"]["index"], truth, rtol=0.01)
    assert abs(season["table"]["raw_index"].iloc[11] / truth[11] - 1) > 0.05


def test_flat_purchases_have_no_season_and_short_histories_say_so():
    flat = pd.Series(50.0, index=pd.date_range("2022-01-01", "2024-12-31", freq="D"))
    season = seasonality.measure_season(flat, start=dt.date(2022, 1, 1), end=dt.date(2024, 12, 31))
    assert not season["strong"] and season["p_value"] > 0.5
    np.testing.assert_allclose(season["table"]["index"], 1.0, atol=1e-6)
    year = seasonality.measure_season(
        hand_built("2024-01-01", "2024-12-31"), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)
    )
    assert year["status"] == "one_year_raw" and not year["strong"]
    np.testing.assert_allclose(year["table"]["raw_index"], RATES / RATES.mean(), rtol=1e-3)
    short = seasonality.measure_season(
        hand_built("2024-05-01", "2024-12-31"), start=dt.date(2024, 5, 1), end=dt.date(2024, 12, 31)
    )
    assert short["status"] == "too_short" and short["table"] is None
    keys = [f.key for f in step_one.season_findings(short, fmt=fmt)]
    assert keys == ["calc.predictive.season_too_short"]
    start, end = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
    none = seasonality.measure_season(pd.Series(dtype=float), start=start, end=end)
    few = seasonality.measure_season(flat.iloc[::11] / 50, start=start, end=end)  # 100 days
    assert none["status"] == few["status"] == "too_few" and not few["strong"]
    (finding,) = step_one.season_findings(few, fmt=fmt)
    assert finding.key == "calc.predictive.season_too_few" and finding.values["purchases"] == "100"


def fmt(value, kind="money"):
    return format_value(value, kind, locale="en", currency="PLN")


# -- clients from the client space ----------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cache = {}

    def make(seed: int, behaviour: str, months: int, holdout="auto"):
        key = (seed, behaviour, months)
        if key not in cache:
            world = sample_world(seed, behaviour=behaviour, history_months=months, customers=1500)
            folder = tmp_path_factory.mktemp(f"w{seed}{behaviour}{months}")
            audit = open_audit(write_client(world, folder), None)
            truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
            cache[key] = (audit, truth)
        audit, truth = cache[key]
        config = audit.config.model_copy(update={"holdout_weeks": holdout})
        return dataclasses.replace(audit, config=config), truth

    return make


def _find(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        return next((v for v in (_find(x, key) for x in node.values()) if v is not None), None)
    return None


def test_seasonal_clients_index_covers_the_truth_and_is_strong(client):
    """6 seasonal clients × 12 months: the 95 % intervals cover the true index in 69 of 72
    months (96 %) when written; at least 80 % required. "strong" fires on every one."""
    covered, total = 0, 0
    for seed in range(6):
        audit, truth = client(seed, "seasonal", 36)
        season = audit.holdout_plan["season"]
        true = seasonality.true_month_index(
            _find(truth, "seasonal_amplitude"),
            peak_day=_find(truth, "seasonal_peak_day"),
            start=audit.observation_start,
            end=audit.observation_end,
        ).to_numpy()
        table = season["table"]
        covered += int(((table["ci_low"] <= true) & (true <= table["ci_high"])).sum())
        total += 12
        assert season["strong"], seed
        assert season["peak_month"] in (11, 12, 1)
    assert covered / total >= 0.8


def test_clients_without_a_season_are_not_called_strong(client):
    """10 BG/NBD clients (24 … 60 months): "strong" fires on none when written (≥ 90 % kept)."""
    months = (24, 36, 48, 60, 30)
    strong = [
        client(seed, "bgnbd", months[seed % 5])[0].holdout_plan["season"]["strong"]
        for seed in range(10)
    ]
    assert sum(strong) <= 1


# -- the holdout it chooses ------------------------------------------------------------------------
def test_a_strong_season_with_three_years_gets_a_full_year_holdout(client):
    audit, _ = client(3, "seasonal", 36)
    plan = audit.holdout_plan
    assert (plan["weeks"], plan["source"], plan["covers_full_season"]) == (
        52,
        "auto_full_season",
        True,
    )
    assert audit.calibration_end == audit.observation_end - dt.timedelta(weeks=52)
    keys = [f.key for f in step_one.holdout_plan_findings(plan, fmt=fmt)]
    assert keys == ["calc.predictive.season_full"]
    assert (
        step_one.season_findings(plan["season"], fmt=fmt)[0].key == "calc.predictive.season_strong"
    )


def test_a_strong_season_in_eighteen_months_cannot_be_covered_and_that_is_said(client):
    audit, _ = client(3, "seasonal", 18)
    plan = audit.holdout_plan
    assert plan["season"]["strong_in_one_year"] and not plan["season"]["strong"]
    assert (plan["weeks"], plan["source"], plan["covers_full_season"]) == (
        26,
        "auto_short_history",
        False,
    )
    (finding,) = step_one.holdout_plan_findings(plan, fmt=fmt)
    assert finding.key == "calc.predictive.season_part_short"
    for locale in ("en", "pl"):
        sentence = t(finding.key, locale, **finding.values)
        assert not holes(finding.values)
        assert "18" in sentence and "26" in sentence
    assert "holds only part of the season" in t(finding.key, "en", **finding.values)
    season_key = step_one.season_findings(plan["season"], fmt=fmt)[0].key
    assert season_key == "calc.predictive.season_one_year_strong"


def test_a_fixed_26_week_holdout_on_a_seasonal_client_holds_part_of_the_season(client):
    audit, _ = client(3, "seasonal", 36, holdout=26)
    plan = audit.holdout_plan
    assert (plan["weeks"], plan["source"], plan["covers_full_season"]) == (26, "config", False)
    keys = [f.key for f in step_one.holdout_plan_findings(plan, fmt=fmt)]
    assert keys == ["calc.predictive.season_part_config"]


def test_a_client_without_a_season_keeps_26_weeks(client):
    audit, _ = client(1, "bgnbd", 36)
    plan = audit.holdout_plan
    assert (plan["weeks"], plan["source"], plan["covers_full_season"]) == (
        26,
        "auto_default",
        False,
    )
    assert step_one.holdout_plan_findings(plan, fmt=fmt) == []
    assert audit.calibration_end == audit.observation_end - dt.timedelta(weeks=26)


# -- the season as the cause of a miss ---------------------------------------------------------
def check(actual: float, predicted: float = 1000.0) -> dict:
    return {
        "actual_total": actual,
        "predicted_total": predicted,
        "total_error": predicted / actual - 1,
        "mae": 1.0,
        "correlation": 0.5,
        "interval_low": 900.0,
        "interval_high": 1100.0,
        "miss": not 900 <= actual <= 1100,
    }


@pytest.mark.parametrize(
    "actual, ratio, low, high, explains",
    [
        (1300.0, 1.25, 1.15, 1.35, True),  # same way, log 1.25 / log 1.3 = 0.85 of the miss
        (1300.0, 0.80, 0.70, 0.90, False),  # the season points the other way
        (1600.0, 1.10, 1.02, 1.18, False),  # same way but a fifth of the miss
        (1300.0, 1.25, 0.95, 1.60, False),  # the season's interval does not exclude 1
        (700.0, 0.75, 0.70, 0.80, True),  # a quieter holdout explains a shortfall
        (1050.0, 1.25, 1.15, 1.35, False),  # no miss
    ],
)
def test_the_season_explains_a_miss_only_when_it_points_the_same_way_and_accounts_for_it(
    actual, ratio, low, high, explains
):
    season = {"ratio": ratio, "ratio_low": low, "ratio_high": high, "shift": None}
    assert step_one.season_explains(check(actual), season) is explains


def test_the_clv_caveat_names_the_season_when_it_explains_the_miss():
    overall = pd.Series({"mean_low": 90.0, "mean_high": 110.0})
    caveats = step_one.interval_caveats(overall, check(1300.0), dropout=[], season_cause=True)
    assert caveats["caveats"] == ["holdout_miss", "season"]
    (finding,) = step_one.caveat_findings(caveats, check(1300.0), fmt=fmt)
    assert finding.key == "calc.clv.interval_caveat_season"


def test_seasonal_shift_uses_the_measured_index_with_its_interval(client):
    audit, _ = client(3, "seasonal", 36, holdout=26)
    season = audit.holdout_plan["season"]
    shift = predictive.seasonal_shift(audit, calibration_end=audit.calibration_end, season=season)
    assert shift["ratio_low"] < shift["ratio"] < shift["ratio_high"]
    assert shift["shift"] == "busier"  # July–December against the rest: the Q4 peak
