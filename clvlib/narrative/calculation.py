"""Step I — Calculation: which findings about a customer's worth can honestly be stated.

The ``*_findings`` functions are pure (tables and figures in, :class:`Finding` s out; ``fmt``
formats a value as ``audit.fmt`` does, ``text`` looks a sentence up as ``audit.text`` does). A
factor that is missing is named with the reason it is missing (``missing_factors``), never
shown as a placeholder. The ``show_*`` functions display the sections of
``notebooks/01_calculation.ipynb`` and keep what the notebook records in a :class:`StepOne`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clvlib import calculation, compare, plots, predictive, seasonality
from clvlib.i18n import month_names
from clvlib.models.clv import NEW_CUSTOMER
from clvlib.models.profile import WEEKS_PER_YEAR, dropout_profile_interval
from clvlib.narrative import Finding, say_all
from clvlib.report.display import Numbers
from clvlib.resampling import EXACT_ROWS
from clvlib.run_cache import remembered

Fmt = Callable[..., str]
Text = Callable[..., str]
#: Display formats of the simple CLV's factors (``calc.components`` table).
FACTOR_FORMATS = {
    "aov": "money2",
    "purchase_frequency_per_year": "num2",
    "retention_rate": "pct",
    "retention_years": "num2",
    "retention_years_uncapped": "num1",  # shown only when the cap binds
    "gross_margin": "pct",
    "simple_clv": "money2",
}
PARAMETER_FORMATS = dict.fromkeys(("estimate", "standard_error", "ci_low", "ci_high"), "num4")
#: Bootstrap resamples and seed of the CLV intervals.
N_BOOT, SEED = 100, 0


# -- what is missing, and why ---------------------------------------------------------------------
def window_months(start, end) -> float:
    """Length of the data window in months of ``calculation.DAYS_PER_MONTH`` days."""
    return ((end - start).days + 1) / calculation.DAYS_PER_MONTH


def missing_factors(value: pd.Series, *, start, end) -> list[tuple[str, str]]:
    """``(factor, reason)`` for each factor of the simple CLV that ``simple_clv_table`` could
    not compute (``value``: its ``value`` column indexed by ``quantity``), in formula order:
    ``aov``/``no_purchases``; ``frequency``/``short_window`` (< 12 months of data) or
    ``no_recent_purchases``; ``retention``/``short_window`` (< 24 months), ``no_base`` (nobody
    bought in the year before the last) or ``all_retained`` (r = 1: unbounded period)."""
    missing = []
    if not np.isfinite(value["aov"]):
        missing.append(("aov", "no_purchases"))
    if not np.isfinite(value["purchase_frequency_per_year"]):
        covers = calculation._covers(start, calculation._year_before(end))
        missing.append(("frequency", "no_recent_purchases" if covers else "short_window"))
    if not np.isfinite(value["retention_years"]):
        if not calculation._covers(start, calculation._year_before(end, 2)):
            missing.append(("retention", "short_window"))
        elif value.get("retention_customers", 0) == 0 or not np.isfinite(value["retention_rate"]):
            missing.append(("retention", "no_base"))
        else:
            missing.append(("retention", "all_retained"))
    return missing


def reasons_text(missing: list[tuple[str, str]], *, months: float, fmt: Fmt, text: Text) -> str:
    """The reasons of ``missing_factors`` as one clause ("the annual retention rate cannot be
    measured: the data cover 12 months, fewer than the 24 it needs")."""
    shown = fmt(months, "num0")
    return "; ".join(text(f"calc.why.{f}.{reason}", months=shown) for f, reason in missing)


# -- pure findings --------------------------------------------------------------------------------
def simple_findings(value: pd.Series, *, reasons: str, fmt: Fmt) -> list[Finding]:
    """The simple CLV as a sentence, or which factor is missing and why, with the factors the
    data do give (``reasons``: ``reasons_text`` of the missing factors)."""
    if np.isfinite(value["simple_clv"]):
        values = {
            "aov": fmt(value["aov"]),
            "frequency": fmt(value["purchase_frequency_per_year"], "num1"),
            "retention": fmt(value["retention_rate"], "pct0"),
            "years": fmt(value["retention_years"], "num1"),
            "margin": fmt(value["gross_margin"], "pct0"),
            "clv": fmt(value["simple_clv"]),
        }
        if not cap_binds(value):
            return [Finding("calc.simple.finding", values)]
        del values["years"]
        values.update(_cap_values(value, fmt))
        key = (
            "calc.simple.finding_capped"
            if "uncapped" in values
            else "calc.simple.finding_capped_all"
        )
        return [Finding(key, values)]
    findings = [Finding("calc.simple.missing", {"reasons": reasons})]
    known = {"aov": fmt(value["aov"]), "margin": fmt(value["gross_margin"], "pct0")}
    if np.isfinite(value["aov"]) and np.isfinite(value["purchase_frequency_per_year"]):
        frequency = fmt(value["purchase_frequency_per_year"], "num1")
        findings.append(Finding("calc.simple.partial", {**known, "frequency": frequency}))
    elif np.isfinite(value["aov"]):
        findings.append(Finding("calc.simple.partial_aov", known))
    return findings


def cap_binds(value: pd.Series) -> bool:
    """Whether the cap on the retention period binds (``retention_cap_binds`` of
    ``simple_clv_table``: 1 / (1 − r) above ``economics.retention_period_cap_years`` or r = 1)."""
    return bool(value.get("retention_cap_binds", 0.0) == 1.0)


def _years_kind(years: float) -> str:
    return "num0" if float(years).is_integer() else "num1"


def _cap_values(value: pd.Series, fmt: Fmt) -> dict[str, str]:
    """The cap sentence's values: the retention rate (one decimal: near 100 % it matters), the
    cap and, when r < 1, the uncapped period 1 / (1 − r)."""
    cap = float(value["retention_period_cap_years"])
    values = {"retention": fmt(value["retention_rate"], "pct"), "cap": fmt(cap, _years_kind(cap))}
    if np.isfinite(value["retention_years_uncapped"]):
        values["uncapped"] = fmt(value["retention_years_uncapped"], "num0")
    return values


def retention_missing(missing: list[tuple[str, str]], value: pd.Series) -> list[tuple[str, str]]:
    """The factors the retention-rate CLV lacks: the simple CLV's missing factors, or, when
    they are all known but the sum diverges (r = 1 with no discount), ``retention`` /
    ``unbounded_sum``."""
    lacking = [m for m in missing if m[0] in ("aov", "frequency", "retention")]
    if not lacking and not np.isfinite(value["retention_formula_clv"]):
        if value["retention_rate"] >= 1:
            lacking = [("retention", "unbounded_sum")]
    return lacking


def retention_findings(
    value: pd.Series, *, discount_rate: float, reasons: str, fmt: Fmt
) -> list[Finding]:
    """The retention-rate CLV m·r / (1 + d − r), or why it is not computed."""
    if not np.isfinite(value["retention_formula_clv"]):
        return [Finding("calc.retention.missing", {"reasons": reasons})]
    values = {
        "m": fmt(value["annual_margin_per_active_customer"]),
        "r": fmt(value["retention_rate"], "pct0"),
        "d": fmt(discount_rate, "pct0"),
        "clv": fmt(value["retention_formula_clv"]),
    }
    return [Finding("calc.retention.finding", values)]


def historical_findings(summary: dict[str, float], *, fmt: Fmt) -> list[Finding]:
    """Margin so far per customer (``historical_clv_summary``); the top-20 % share only when
    net revenue is positive."""
    values = {
        "median": fmt(summary["median_margin"]),
        "mean": fmt(summary["mean_margin"]),
        "repeat": fmt(summary["repeat_rate"], "pct0"),
    }
    if not np.isfinite(summary["top20_share"]):
        return [Finding("calc.historical.finding_no_share", values)]
    values["top20"] = fmt(summary["top20_share"], "pct0")
    return [Finding("calc.historical.finding", values)]


def ceiling_findings(
    ceiling: pd.DataFrame, *, segment_label: str | None, reasons: str, fmt: Fmt
) -> list[Finding]:
    """The simple acquisition-cost ceiling (``acquisition_ceiling_table``), its range over the
    segments when there are two or more with a figure, or why there is none."""
    overall = ceiling.loc[ceiling["segment"] == "all", "clv_ceiling"].iloc[0]
    if not np.isfinite(overall):
        return [Finding("calc.ceiling.missing", {"reasons": reasons})]
    segments = ceiling[ceiling["segment"] != "all"].dropna(subset=["clv_ceiling"])
    if segment_label is None or len(segments) < 2:
        return [Finding("calc.ceiling.overall", {"ceiling": fmt(overall)})]
    low = segments.nsmallest(1, "clv_ceiling").iloc[0]
    high = segments.nlargest(1, "clv_ceiling").iloc[0]
    values = {
        "ceiling": fmt(overall),
        "segment_label": segment_label,
        "low": fmt(low["clv_ceiling"]),
        "low_segment": str(low["segment"]),
        "high": fmt(high["clv_ceiling"]),
        "high_segment": str(high["segment"]),
    }
    if values["low"] == values["high"]:  # a range whose ends read the same is one value
        same = {k: values[k] for k in ("ceiling", "segment_label")} | {"value": values["low"]}
        return [Finding("calc.ceiling.finding_equal", same)]
    return [Finding("calc.ceiling.finding", values)]


#: the sentences that state the segments' new-customer values as different, or as not
SEGMENT_KEYS = (("calc.clv.segment_finding",), ("calc.clv.segment_no_difference",))


def segment_comparison(known: pd.DataFrame) -> dict[str, Any] | None:
    """Whether the segments with the lowest and the highest new-customer value differ (issue
    17): their 95 % intervals (``ceiling_low``–``ceiling_high``, the segment or covariate
    models' parameter uncertainty) do not overlap (``compare.intervals_separate``: separate
    95 % intervals, a stricter rule than a 5 % test; a missing interval end is no evidence of a
    difference). ``metrics.json`` record with the zoo's ``differs``/``difference_keys``; None
    below two segments."""
    if len(known) < 2:
        return None
    low, high = known.nsmallest(1, "ceiling").iloc[0], known.nlargest(1, "ceiling").iloc[0]
    ends = [row.get(k, np.nan) for row in (low, high) for k in ("ceiling_low", "ceiling_high")]
    return {
        "differs": bool(compare.intervals_separate(*ends)),
        "method": "intervals_separate",
        "low_group": str(low["segment"]),
        "high_group": str(high["segment"]),
        "difference_keys": list(SEGMENT_KEYS[0]),
        "no_difference_keys": list(SEGMENT_KEYS[1]),
    }


def segment_value_findings(known: pd.DataFrame, *, segment_label: str, fmt: Fmt) -> list[Finding]:
    """The range of a new customer's value over the segments (``known``: ``segment_table``
    rows with a ``ceiling`` and its interval): one value when both ends read the same, the
    lowest and the highest segment named only when ``segment_comparison`` finds them
    different, else the range and that no difference was found; none below two."""
    decision = segment_comparison(known)
    if decision is None:
        return []
    low, high = known.nsmallest(1, "ceiling").iloc[0], known.nlargest(1, "ceiling").iloc[0]
    a, b = fmt(low["ceiling"]), fmt(high["ceiling"])
    if a == b:
        values = {"segment_label": segment_label, "value": a}
        return [Finding("calc.clv.segment_finding_equal", values)]
    if not decision["differs"]:
        values = {"segment_label": segment_label, "low": a, "high": b,
                  "segments": fmt(len(known), "int")}  # fmt: skip
        return [Finding("calc.clv.segment_no_difference", values)]
    values = {
        "segment_label": segment_label,
        "low": a,
        "low_segment": str(low["segment"]),
        "high": b,
        "high_segment": str(high["segment"]),
    }
    return [Finding("calc.clv.segment_finding", values)]


def covariate_findings(record: dict, *, text, fmt: Fmt) -> list[Finding]:
    """Which model valued the channels' new customers (``channel_models.channel_ceilings``'s
    record): the covariate model when the likelihood-ratio test says the channel (and loyalty)
    matter, else the one model for all customers; none when there was nothing to test."""
    if record["reason"] == "model_without_covariates" or (
        record["reason"] and record["reason"] != "no_covariates"
    ):
        return [Finding("calc.clv.covariates_untested", {"model": record["model"]})]
    if not record["columns"] or record["p_value"] is None:
        return []
    columns = text("calc.clv.covariate.and").join(
        text(f"calc.clv.covariate.{c}") for c in record["columns"]
    )
    p = record["p_value"]
    shown = f"p < {fmt(0.001, 'num3')}" if p < 0.001 else f"p = {fmt(p, 'num3')}"
    values = {"columns": columns, "model": record["model"], "p": shown}
    if not record["used"]:
        return [Finding("calc.clv.covariates_not_used", values)]
    values |= {"statistic": fmt(record["lr_statistic"], "num1"), "df": str(record["df"])}
    return [Finding("calc.clv.covariates_used", values)]


def holdout_findings(
    check: dict, season: dict | None, *, calibration_end, weeks: int, fmt: Fmt
) -> list[Finding]:
    """The holdout check in sentences: forecast and actual total (``holdout_check``), whether
    the actual total lies in the model's predictive interval (a miss is called one), the error
    per customer, and — when the holdout covers a busier or quieter part of the year than the
    calibration (``seasonal_shift``) — that, named as the likely cause of a miss in the same
    direction."""
    values = {
        "calibration_end": fmt(calibration_end, "date"),
        "predicted": fmt(check["predicted_total"], "int"),
        "weeks": str(weeks),
        "actual": fmt(check["actual_total"], "int"),
    }
    if check["actual_total"] > 0:
        findings = [Finding("calc.predictive.finding", {**values, "error": _error(check, fmt)})]
    else:
        findings = [Finding("calc.predictive.finding_none", values)]
    if check.get("miss") is not None:
        interval = {
            "low": fmt(check["interval_low"], "int"),
            "high": fmt(check["interval_high"], "int"),
        }
        verdict = "calc.predictive.miss" if check["miss"] else "calc.predictive.within"
        findings.append(Finding(verdict, interval))
    per_customer = {"mae": fmt(check["mae"], "num2")}
    if np.isfinite(check.get("correlation", np.nan)):
        per_customer["correlation"] = fmt(check["correlation"], "num2")
        findings.append(Finding("calc.predictive.per_customer", per_customer))
    else:
        findings.append(Finding("calc.predictive.per_customer_no_corr", per_customer))
    shift = (season or {}).get("shift")
    if shift:
        share = abs(season["ratio"] - 1) if shift == "busier" else 1 - season["ratio"]
        span = {
            "start": fmt(season["holdout_start"], "date"),
            "end": fmt(season["holdout_end"], "date"),
            "share": fmt(share, "pct0"),
        }
        findings.append(Finding(f"calc.predictive.season_{shift}", span))
    if season_explains(check, season):
        findings.append(Finding("calc.predictive.season_cause", _cause_values(check, season, fmt)))
    return findings


def summary_holdout_findings(findings: list[Finding]) -> list[Finding]:
    """The holdout sentences the executive summary repeats: the forecast against the actual
    total, a miss, and the season when it is the likely cause of the miss (with the sentence on
    the busier or quieter holdout when there is one)."""
    keys = {"calc.predictive.finding", "calc.predictive.finding_none", "calc.predictive.miss"}
    if findings and findings[-1].key == "calc.predictive.season_cause":
        keys |= {"calc.predictive.season_busier", "calc.predictive.season_quieter"}
        keys.add(findings[-1].key)
    return [f for f in findings if f.key in keys]


def _error(check: dict, fmt: Fmt) -> str:
    return fmt(check["total_error"], "pct")


def season_explains(check: dict, season: dict | None) -> bool:
    """Whether the season is the likely cause of a holdout miss.

    ``season`` carries the expected holdout / calibration ratio of purchases per day from the
    measured seasonal index (``ratio`` with its 95 % interval ``ratio_low``–``ratio_high``,
    ``seasonal_shift``). The season explains the miss when the model missed, the actual total
    lies on the side the season points to, the ratio's interval excludes 1 on that side, and the
    season accounts for at least ``predictive.SEASON_CAUSE_SHARE`` (half) of the miss:
    log(ratio) / log(actual / forecast) ≥ 0.5. Without an interval (a raw index from about one
    year of data, growth not separated) the season is not named as the cause."""
    season = season or {}
    ratio, low, high = (season.get(k, np.nan) for k in ("ratio", "ratio_low", "ratio_high"))
    actual, forecast = check.get("actual_total", 0.0), check.get("predicted_total", 0.0)
    if not check.get("miss") or actual <= 0 or forecast <= 0:
        return False
    if not all(v is not None and np.isfinite(v) for v in (ratio, low, high)):
        return False
    observed, expected = math.log(actual / forecast), math.log(ratio)
    side = low > 1 if observed > 0 else high < 1
    return bool(side and expected / observed >= predictive.SEASON_CAUSE_SHARE)


def _signed(value: float, fmt: Fmt) -> str:
    shown = fmt(value, "pct0")
    return f"+{shown}" if value > 0 and not shown.startswith("0") else shown


def _cause_values(check: dict, season: dict, fmt: Fmt) -> dict[str, str]:
    return {
        "expected": _signed(season["ratio"] - 1, fmt),
        "low": _signed(season["ratio_low"] - 1, fmt),
        "high": _signed(season["ratio_high"] - 1, fmt),
        "observed": _signed(check["actual_total"] / check["predicted_total"] - 1, fmt),
    }


def season_findings(season: dict, *, fmt: Fmt) -> list[Finding]:
    """The seasonal pattern of repeat purchases (``seasonality.measure_season``) in one
    sentence: strong (peak and trough month with index and interval), mild, none, seen in one
    year only, or too short a history to tell."""
    status, months = season["status"], fmt(season["months"], "num0")
    if status == "too_short":
        return [Finding("calc.predictive.season_too_short", {"months": months})]
    if status == "too_few":
        values = {
            "purchases": fmt(season["purchases"], "int"),
            "needed": fmt(seasonality.MIN_PURCHASES, "int"),
        }
        return [Finding("calc.predictive.season_too_few", values)]
    extremes = {
        "months": months,
        "peak": fmt(season["peak_month"], "month"),
        "peak_index": fmt(season["peak_index"], "num2"),
        "trough": fmt(season["trough_month"], "month"),
        "trough_index": fmt(season["trough_index"], "num2"),
    }
    if status == "one_year_raw":
        return [Finding("calc.predictive.season_one_year_raw", extremes)]
    extremes |= {
        k: fmt(season[k], "num2")
        for k in ("peak_low", "peak_high", "trough_low", "trough_high", "amplitude")
    }
    extremes |= {k: fmt(season[k], "num2") for k in ("amplitude_low", "amplitude_high")}
    extremes["strong"] = fmt(seasonality.STRONG_AMPLITUDE, "num1")
    if status == "one_year":
        key = "season_one_year_strong" if season["strong_in_one_year"] else "season_one_year"
        return [Finding(f"calc.predictive.{key}", extremes)]
    if season["strong"]:
        return [Finding("calc.predictive.season_strong", extremes)]
    if season["p_value"] < seasonality.TEST_LEVEL:
        return [Finding("calc.predictive.season_mild", extremes)]
    p_value = fmt(season["p_value"], "num2")
    return [Finding("calc.predictive.season_none", {**extremes, "p": p_value})]


def holdout_plan_findings(plan: dict, *, fmt: Fmt) -> list[Finding]:
    """Whether the holdout covers a full season (``predictive.holdout_plan``): said when the
    season is strong (or strong in the one year seen) — the holdout spans a full year, or it
    holds only part of the season because ``client.yml`` fixes a shorter one or the history is
    too short for a year of holdout after a year of calibration."""
    season = plan["season"]
    weeks = {"weeks": str(plan["weeks"]), "months": fmt(season["months"], "num0")}
    if plan["weeks"] and plan["covers_full_season"] and season["strong"]:
        return [Finding("calc.predictive.season_full", weeks)]
    if not plan["season_cut"]:
        return []
    if plan["source"] == "config" and plan["full_season_possible"]:
        return [Finding("calc.predictive.season_part_config", weeks)]
    return [Finding("calc.predictive.season_part_short", weeks)]


def season_metrics(season: dict) -> dict[str, Any]:
    """``calculation.seasonality`` in metrics.json: the verdict, peak and trough with their
    intervals, the amplitude, the no-season test and the index table."""
    keys = ("status", "months", "purchases", "strong", "strong_in_one_year", "peak_month")
    out = {k: season[k] for k in keys}
    out |= {
        "peak_index": season["peak_index"],
        "peak_ci": [season["peak_low"], season["peak_high"]],
        "trough_month": season["trough_month"],
        "trough_index": season["trough_index"],
        "trough_ci": [season["trough_low"], season["trough_high"]],
        "amplitude": season["amplitude"],
        "amplitude_ci": [season["amplitude_low"], season["amplitude_high"]],
        "strong_amplitude": seasonality.STRONG_AMPLITUDE,
        "p_value": season["p_value"],
        "dispersion": season["dispersion"],
        "df": season["df"],
        "trend_degree": season["trend_degree"],
        "basis": "repeat_purchase_days",
        "index": season["table"],
    }
    return out


def clv_findings(
    overall: pd.Series,
    customers: pd.DataFrame,
    *,
    horizon: int,
    dropout: list[str],
    months: float,
    fmt: Fmt,
) -> list[Finding]:
    """The predictive CLV over the horizon with its interval (``overall``: the ``all`` row of
    ``predictive_clv``'s intervals). When the drop-out parameters are at a bound (``dropout``,
    from ``predictive.dropout_at_bounds``) the share of customers likely still active is not a
    finding of its own: the caveat sentence says that nobody leaves by assumption and that the
    CLV is an upper bound."""
    values = {
        "horizon": str(horizon),
        "customers": fmt(len(customers), "int"),
        "total": fmt(overall["total"]),
        "total_low": fmt(overall["total_low"]),
        "total_high": fmt(overall["total_high"]),
        "mean": fmt(overall["mean"]),
        "low": fmt(overall["mean_low"]),
        "high": fmt(overall["mean_high"]),
        "median": fmt(customers["clv"].median()),
    }
    alive = fmt(float((customers["p_alive"] > 0.5).mean()), "pct0")
    if not dropout:
        return [Finding("calc.clv.finding", {**values, "alive": alive})]
    caveat = {
        "months": fmt(months, "num0"),
        "params": ", ".join(dropout),
        "horizon": str(horizon),
        "alive": alive,
    }
    return [Finding("calc.clv.finding_no_alive", values), Finding("calc.clv.no_dropout", caveat)]


def interval_caveats(
    overall: pd.Series, check: dict | None, *, dropout: list[str], season_cause: bool = False
) -> dict:
    """Why the CLV interval understates the uncertainty: ``{"caveats": [...], "low", "high"}``.

    ``caveats`` holds ``"holdout_miss"`` (the holdout total lay outside the model's predictive
    interval), ``"season"`` with it when the season explains the miss (``season_explains``:
    the caveat then names the season as the cause) and/or ``"parameter_at_bound"`` (drop-out
    not identified). After a miss the
    interval is widened by the holdout's ratio of actual to forecast purchases q: the low end
    becomes min(low, low·q) and the high end max(high, high·q) — a simple, stated scaling, not
    a new estimate. Otherwise ``low``/``high`` are the sampling interval itself."""
    low, high = float(overall["mean_low"]), float(overall["mean_high"])
    caveats = []
    if check and check.get("miss"):
        caveats.append("holdout_miss")
        if season_cause:
            caveats.append("season")
        if check["predicted_total"] > 0:
            q = check["actual_total"] / check["predicted_total"]
            low, high = min(low, low * q), max(high, high * q)
    if dropout:
        caveats.append("parameter_at_bound")
    return {"caveats": caveats, "low": low, "high": high}


def caveat_findings(caveats: dict, check: dict | None, *, fmt: Fmt) -> list[Finding]:
    """Sentences for ``interval_caveats``, to stand next to the CLV interval."""
    findings = []
    if "holdout_miss" in caveats["caveats"]:
        values = {"low": fmt(caveats["low"]), "high": fmt(caveats["high"])}
        if check["actual_total"] > 0:
            values["error"] = _error(check, fmt)
            season = "season" in caveats["caveats"]
            key = "calc.clv.interval_caveat_season" if season else "calc.clv.interval_caveat_miss"
            findings.append(Finding(key, values))
        else:
            findings.append(Finding("calc.clv.interval_caveat_miss_none", values))
    if "parameter_at_bound" in caveats["caveats"] and not findings:
        findings.append(Finding("calc.clv.interval_caveat_bound"))
    return findings


def new_customer_findings(
    new: pd.Series, *, horizon: int, simple: float, reasons: str, fmt: Fmt
) -> list[Finding]:
    """The value of a new customer (the acquisition-cost ceiling) beside the simple CLV, or
    beside the reason the simple CLV is missing."""
    values = {
        "value": fmt(new["mean"]),
        "low": fmt(new["mean_low"]),
        "high": fmt(new["mean_high"]),
        "horizon": str(horizon),
    }
    if np.isfinite(simple):
        return [Finding("calc.clv.ceiling", {**values, "simple": fmt(simple)})]
    return [Finding("calc.clv.ceiling_no_simple", {**values, "reasons": reasons})]


def no_model_findings(gap: dict, *, simple: float, reasons: str, fmt: Fmt) -> list[Finding]:
    """Too few repeat buyers for the purchase models: what stands in for the predictive CLV."""
    values = {
        "repeaters": fmt(gap["repeaters"], "int"),
        "customers": fmt(gap["customers"], "int"),
        "needed": fmt(gap["needed"], "int"),
    }
    if np.isfinite(simple):
        return [Finding("calc.clv.too_few_repeaters", {**values, "simple": fmt(simple)})]
    return [Finding("calc.clv.too_few_repeaters_no_simple", {**values, "reasons": reasons})]


#: The simple and the predictive CLV differing by more than this factor (either way) is explained.
GAP_FACTOR = 2.0
#: A window shorter than this (months) is a young history for the simple-vs-predictive gap.
YOUNG_MONTHS = 36
#: The values each ``calc.gap.*`` reason states (only those: a missing one is never passed).
_GAP_FIELDS = {
    "capped": ("retention", "uncapped", "cap"),
    "capped_all": ("retention", "cap"),
    "horizon": ("horizon", "rate", "years"),
    "dropout": ("repeat", "retention"),
    "young": ("months",),
    "short_period": ("retention", "years", "horizon"),
    "different": ("horizon",),
}


def simple_to_predictive(simple: float, predictive: float) -> float:
    """The simple CLV over the value of a new customer (both currency, > 0); NaN otherwise."""
    if not (np.isfinite(simple) and np.isfinite(predictive)) or simple <= 0 or predictive <= 0:
        return math.nan
    return float(simple / predictive)


def gap_reasons(value: pd.Series, ratio: float, *, horizon: int, months: float) -> list[str]:
    """Why the simple CLV (``value``: ``simple_clv_table`` by quantity) and the value of a new
    customer differ by ``ratio`` (simple / predictive, beyond ``GAP_FACTOR``), as
    ``calc.gap.*`` codes in order, each only when the figures support it.

    Simple above: ``capped``/``capped_all`` (the cap binds: near-100 % retention), ``horizon``
    (the simple period in years × 12 exceeds ``horizon`` months, undiscounted against
    discounted), ``dropout`` (the repeat rate is under half the retention rate: new customers
    leave after one purchase, unseen by a rate measured on established customers), ``young``
    (under ``YOUNG_MONTHS`` months of data). Simple below: ``short_period`` (the simple period
    is shorter than the horizon). ``different`` when no figure singles a reason out."""
    years, r, repeat = value["retention_years"], value["retention_rate"], value["repeat_rate"]
    reasons = []
    if ratio > 1:
        if cap_binds(value):
            uncapped = np.isfinite(value["retention_years_uncapped"])
            reasons.append("capped" if uncapped else "capped_all")
        if years * 12 > horizon:
            reasons.append("horizon")
        if np.isfinite(repeat) and np.isfinite(r) and repeat < r / 2:
            reasons.append("dropout")
        if months < YOUNG_MONTHS:
            reasons.append("young")
    elif years * 12 < horizon:
        reasons.append("short_period")
    return reasons or ["different"]


def gap_findings(
    value: pd.Series,
    predictive: float,
    *,
    horizon: int,
    discount_rate: float,
    months: float,
    fmt: Fmt,
    text: Text,
) -> list[Finding]:
    """When the simple CLV and the value of a new customer (``predictive``, currency) differ by
    more than ``GAP_FACTOR`` either way, one sentence saying why (``gap_reasons``); else none."""
    simple = float(value["simple_clv"])
    ratio = simple_to_predictive(simple, predictive)
    if not np.isfinite(ratio) or 1 / GAP_FACTOR <= ratio <= GAP_FACTOR:
        return []
    shown = {
        "retention": fmt(value["retention_rate"], "pct0"),
        "years": fmt(value["retention_years"], "num1"),
        "horizon": str(horizon),
        "rate": fmt(discount_rate, "pct0"),
        "repeat": fmt(value["repeat_rate"], "pct0"),
        "months": fmt(months, "num0"),
    }
    if cap_binds(value):
        shown.update(_cap_values(value, fmt))
    codes = gap_reasons(value, ratio, horizon=horizon, months=months)
    reasons = "; ".join(
        text(f"calc.gap.{code}", **{k: shown[k] for k in _GAP_FIELDS[code]}) for code in codes
    )
    values = {"simple": fmt(simple), "value": fmt(predictive), "reasons": reasons}
    if ratio > GAP_FACTOR:
        return [Finding("calc.clv.gap_high", {**values, "ratio": fmt(ratio, "num1")})]
    return [Finding("calc.clv.gap_low", {**values, "ratio": fmt(1 / ratio, "num1")})]


# -- the notebook's sections ----------------------------------------------------------------------
@dataclass
class StepOne:
    """What step I carries from section to section and records in ``metrics.json``."""

    findings: list[dict] = field(default_factory=list)  # for the executive summary
    not_computed: dict[str, str] = field(default_factory=dict)  # figure -> why it is null
    value: pd.Series | None = None  # simple_clv_table's values by quantity
    reasons: str = ""  # why the simple CLV's missing factors are missing
    missing: list[tuple[str, str]] = field(default_factory=list)
    summary: dict | None = None  # historical_clv_summary
    history: pd.DataFrame | None = None
    segment: str | None = None
    ceiling: pd.DataFrame | None = None
    validation: dict | None = None
    model: dict | None = None
    holdout: dict | None = None
    result: dict | None = None
    clv: dict | None = None
    spend_model: dict | None = None
    new_customer: pd.Series | None = None
    seasonality: dict | None = None  # season_metrics

    @property
    def margin(self) -> float:
        return float(self.value["gross_margin"])

    @property
    def simple(self) -> float:
        return float(self.value["simple_clv"])


def start(audit) -> StepOne:
    """Figure style, title and the step's question."""
    plots.style(audit.locale)
    audit.h1("calc.title", section="calculation")
    audit.say("calc.question", css="lead")
    return StepOne()


def show_simple(audit, step: StepOne) -> None:
    """The simple CLV as a worked formula with the client's numbers, or which factor is
    missing and why; then the factors' table."""
    simple = calculation.simple_clv_table(audit)
    step.value = value = simple.set_index("quantity")["value"]
    start_, end = audit.observation_start, audit.observation_end
    step.missing = missing_factors(value, start=start_, end=end)
    months = window_months(start_, end)
    step.reasons = reasons_text(step.missing, months=months, fmt=audit.fmt, text=audit.text)
    audit.h2("calc.simple.title")
    if np.isfinite(value["simple_clv"]):
        formula = {k: audit.fmt(value[q], FACTOR_FORMATS.get(q, "num2")) for k, q in _FORMULA}
        audit.say("calc.simple.formula", css="formula", **formula)
    say_all(audit, simple_findings(value, reasons=step.reasons, fmt=audit.fmt))
    factors = simple[simple["quantity"].isin(list(FACTOR_FORMATS))].copy()
    if not (cap_binds(value) and np.isfinite(value["retention_years_uncapped"])):
        factors = factors[factors["quantity"] != "retention_years_uncapped"]
    kinds = [FACTOR_FORMATS[q] for q in factors["quantity"]]  # one quantity, one format
    factors["shown"] = [audit.fmt(v, k) for v, k in zip(factors["value"], kinds, strict=True)]
    factors["quantity"] = factors["quantity"].map(lambda q: audit.text(f"calc.q.{q}"))
    audit.h3("calc.components")
    labels = {"quantity": "col.quantity", "shown": "col.value"}
    audit.show(
        factors[["quantity", "shown"]],
        labels=labels,
        formats={"shown": "pre"},
        numbers={"shown": Numbers(factors["value"], kinds)},
    )


_FORMULA = (
    ("aov", "aov"),
    ("frequency", "purchase_frequency_per_year"),
    ("years", "retention_years"),
    ("margin", "gross_margin"),
    ("clv", "simple_clv"),
)


def show_retention(audit, step: StepOne) -> None:
    """The retention-rate CLV, or why it is not computed."""
    audit.h2("calc.retention.title")
    rate = audit.config.economics.annual_discount_rate
    missing = retention_missing(step.missing, step.value)
    reasons = reasons_text(
        missing,
        months=window_months(audit.observation_start, audit.observation_end),
        fmt=audit.fmt,
        text=audit.text,
    )
    findings = retention_findings(step.value, discount_rate=rate, reasons=reasons, fmt=audit.fmt)
    say_all(audit, findings)


def show_history(audit, step: StepOne) -> None:
    """Margin so far per customer: the sentence, its distribution and the top ten."""
    step.history = history = calculation.historical_clv_table(audit)
    step.summary = calculation.historical_clv_summary(history)
    audit.h2("calc.historical.title")
    say_all(audit, historical_findings(step.summary, fmt=audit.fmt))
    ax = plots.plot_clv_distribution(
        history,
        title="",
        xlabel=audit.text("calc.axis.margin", currency=audit.currency),
        ylabel=audit.text("calc.axis.customers"),
    )
    audit.figure(ax, name="historical-clv", title="calc.historical.fig")
    columns = ["customer_id", "first_purchase", "orders", "revenue", "margin"]
    formats = {"first_purchase": "date", "orders": "int", "revenue": "money", "margin": "money"}
    audit.show(
        history.nlargest(10, "margin")[columns], caption="calc.top_customers", formats=formats
    )


def show_ceiling(audit, step: StepOne) -> str | None:
    """The simple acquisition-cost ceiling, overall and by the default segment; returns the
    segment column (``None``: no segment)."""
    step.segment = segment = calculation.default_segment(audit)
    step.ceiling = ceiling = calculation.acquisition_ceiling_table(audit, by=segment)
    audit.h2("calc.ceiling.title")
    label = audit.text(f"segment.{segment}") if segment else None
    findings = ceiling_findings(ceiling, segment_label=label, reasons=step.reasons, fmt=audit.fmt)
    say_all(audit, findings)
    step.findings.extend(f.record() for f in findings)
    if findings[0].key.startswith("calc.ceiling.finding"):
        ax = plots.plot_acquisition_ceiling(
            ceiling,
            title="",
            xlabel=audit.text("calc.axis.ceiling", currency=audit.currency),
            historical_label=audit.text("calc.legend.historical"),
            overall_label=audit.text("segment.all"),
        )
        audit.figure(ax, name="acquisition-ceiling", title="calc.ceiling.fig", segment_label=label)
    shown = ceiling.replace({"segment": {"all": audit.text("segment.all")}})
    columns = ["segment", "customers", "aov", "purchase_frequency_per_year", "clv_ceiling"]
    formats = {"customers": "int", "aov": "money", "purchase_frequency_per_year": "num2"}
    audit.show(shown[columns], formats={**formats, "clv_ceiling": "money"})
    audit.note("calc.ceiling.note")
    return segment


def show_validation(audit, step: StepOne) -> dict | None:
    """The purchase models fitted before the holdout and checked on it: the forecast against
    the actual total with its predictive interval (a miss called one), the season the holdout
    covers, the tracking and conditional-expectation plots, the model comparison. First the
    seasonal pattern of repeat purchases (``show_season``), which chooses an ``auto`` holdout."""
    plan = audit.holdout_plan
    step.validation = validation = predictive.validate_models(audit)
    audit.h2("calc.predictive.title")
    show_season(audit, step, plan["season"])
    step.holdout = _plan_metrics(plan)
    if validation is None:
        audit.note("calc.predictive.no_holdout")
        step.not_computed["holdout"] = "holdout_weeks_is_0"
        return None
    end = audit.fmt(validation["calibration_end"], "date")
    if validation.get("gap"):  # too few repeat buyers before the holdout to fit a model on
        gap = validation["gap"]
        counts = {k: audit.fmt(gap[k], "int") for k in ("repeaters", "customers", "needed")}
        audit.note("calc.predictive.too_few_repeaters", calibration_end=end, **counts)
        step.not_computed["holdout"] = gap["reason"]
        return validation
    weeks, check = audit.holdout_weeks, validation["summary"]
    audit.say(
        "calc.predictive.lead",
        css="lead",
        model=validation["chosen"],
        calibration_end=end,
        weeks=str(weeks),
    )
    say_all(audit, holdout_plan_findings(plan, fmt=audit.fmt))
    findings = holdout_findings(
        check,
        validation["season"],
        calibration_end=validation["calibration_end"],
        weeks=weeks,
        fmt=audit.fmt,
    )
    say_all(audit, findings)
    step.findings.extend(f.record() for f in summary_holdout_findings(findings))
    _show_validation_evidence(audit, validation)
    step.model = _model_metrics(validation["chosen"], validation["fitted"][validation["chosen"]])
    step.model["calibration_end"] = validation["calibration_end"]
    step.holdout |= _holdout_metrics(weeks, check, validation["season"])
    return validation


def show_season(audit, step: StepOne, season: dict) -> None:
    """The month-of-year index of repeat purchases: one sentence and, with an index, its
    chart (``plot_seasonal_index``); kept for ``metrics.json`` (``calculation.seasonality``)."""
    step.seasonality = season_metrics(season)
    audit.h3("calc.predictive.season_title")
    say_all(audit, season_findings(season, fmt=audit.fmt))
    if season["table"] is None:
        return
    labels = month_names(audit.locale, "abbreviated")
    ax = plots.plot_seasonal_index(
        season["table"],
        title="",
        xlabel=audit.text("calc.axis.month"),
        ylabel=audit.text("calc.axis.season_index"),
        month_labels=labels,
    )
    audit.figure(ax, name="seasonal-index", title="calc.predictive.fig.season")


def _plan_metrics(plan: dict) -> dict[str, Any]:
    """The holdout's length, where it comes from and whether it spans a full season."""
    return {
        "weeks": plan["weeks"],
        "weeks_source": plan["source"],
        "covers_full_season": plan["covers_full_season"],
        "season_cut": plan["season_cut"],
    }


def _show_validation_evidence(audit, validation: dict) -> None:
    legend = dict(
        actual_label=audit.text("calc.legend.actual"),
        expected_label=audit.text("calc.legend.model"),
    )
    ax = plots.plot_tracking(
        validation["tracking"],
        title="",
        xlabel=audit.text("calc.axis.week"),
        ylabel=audit.text("calc.axis.cumulative"),
        **legend,
    )
    audit.figure(ax, name="holdout-tracking", title="calc.predictive.fig.tracking")
    ax = plots.plot_conditional_expectations(
        validation["conditional"],
        title="",
        xlabel=audit.text("calc.axis.calibration_frequency"),
        ylabel=audit.text("calc.axis.holdout_mean"),
        **legend,
    )
    audit.figure(ax, name="holdout-conditional", title="calc.predictive.fig.conditional")
    audit.h3("calc.predictive.models")
    formats = {"parameters": "int", "log_likelihood": "num1", "aic": "num1", "bic": "num1"}
    formats.update(holdout_mae="num3", holdout_total_error="pct")
    audit.show(validation["comparison"], formats=formats)
    audit.h3("calc.predictive.parameters")
    chosen = validation["fitted"][validation["chosen"]]
    audit.show(chosen.summary(), formats=PARAMETER_FORMATS)


def _model_metrics(name: str, model) -> dict[str, Any]:
    bounded = predictive.at_bounds(model)
    return {
        "name": name,
        "params": model.params_,
        "log_likelihood": model.log_likelihood_,
        "standard_errors": model.standard_errors_,
        "calibration_end": None,
        "at_bounds": bounded,
        "dropout_at_bounds": predictive.dropout_at_bounds(model, bounded),
    }


def _holdout_metrics(weeks: int, check: dict, season: dict | None) -> dict[str, Any]:
    keys = ("actual_total", "predicted_total", "mae", "correlation", "total_error")
    metrics = {"weeks": weeks, **{k: check[k] for k in keys}}
    metrics.update(
        interval_low=check.get("interval_low"),
        interval_high=check.get("interval_high"),
        interval_level=check.get("interval_level"),
        interval_parameter_uncertainty=check.get("interval_parameter_uncertainty"),
        miss=check.get("miss"),
        seasonal_ratio=(season or {}).get("ratio"),
        seasonal_ratio_ci=[(season or {}).get("ratio_low"), (season or {}).get("ratio_high")],
        seasonal_shift=(season or {}).get("shift"),
        season_explains=season_explains(check, season),
    )
    return metrics


def show_predictive_clv(audit, step: StepOne, *, progress: bool = False) -> dict:
    """The predictive CLV per customer and by segment with its interval and caveats (a
    parameter at a bound, a missed holdout), the value of a new customer, and the frames later
    steps read. Returns ``predictive_clv``'s result (the widget cell takes it)."""
    name = (step.validation or {}).get("chosen", "BG/NBD")  # BG/NBD when not validated
    result = predictive.predictive_clv(
        audit,
        name,
        margin=step.margin,
        segment=step.segment,
        n_boot=N_BOOT,
        seed=SEED,
        progress=progress,
    )
    step.result = result
    audit.h2("calc.clv.title")
    if result["gap"]:  # too few repeat buyers: no purchase model, no predictive CLV
        gap = result["gap"]
        findings = no_model_findings(gap, simple=step.simple, reasons=step.reasons, fmt=audit.fmt)
        say_all(audit, findings, css="note")
        step.not_computed.update(model=gap["reason"], spend_model=gap["reason"], clv=gap["reason"])
        return result
    _show_clv_findings(audit, step, name)
    _show_clv_evidence(audit, step)
    _keep_customer_value(audit, step)
    return result


def _show_clv_findings(audit, step: StepOne, name: str) -> None:
    result, economics = step.result, audit.config.economics
    horizon = economics.horizon_months
    intervals = result["intervals"].set_index("segment")
    overall, step.new_customer = intervals.loc["all"], intervals.loc[NEW_CUSTOMER]
    bounded = predictive.at_bounds(result["model"])
    dropout = predictive.dropout_at_bounds(result["model"], bounded)
    audit.say(
        "calc.clv.lead",
        css="lead",
        model=name,
        end=audit.fmt(audit.observation_end, "date"),
        margin=audit.fmt(step.margin, "pct0"),
        horizon=str(horizon),
        rate=audit.fmt(economics.annual_discount_rate, "pct0"),
    )
    months = window_months(audit.observation_start, audit.observation_end)
    clv = clv_findings(
        overall, result["customers"], horizon=horizon, dropout=dropout, months=months, fmt=audit.fmt
    )
    check = step.holdout if step.holdout and step.holdout.get("miss") is not None else None
    cause = bool((step.holdout or {}).get("season_explains"))
    caveats = interval_caveats(overall, check, dropout=dropout, season_cause=cause)
    caveat = caveat_findings(caveats, check, fmt=audit.fmt)
    ceiling = new_customer_findings(
        step.new_customer, horizon=horizon, simple=step.simple, reasons=step.reasons, fmt=audit.fmt
    ) + _gap(audit, step, horizon=horizon, months=months)
    say_all(audit, clv + caveat + ceiling)
    profile = _dropout_profile(audit, result, dropout)
    others = [p for p in bounded if p not in dropout]
    if others:  # e.g. r, α not pinned down: the forecasts rest on the model's form
        audit.note("calc.clv.params_at_bounds", model=name, params=", ".join(others))
    # The summary states one ceiling: the models' value of a new customer replaces the simple one.
    step.findings = [f for f in step.findings if not f["key"].startswith("calc.ceiling.")]
    step.findings.extend(f.record() for f in clv + caveat + ceiling)
    step.clv = _clv_metrics(audit, step, name, overall, caveats)
    step.clv["dropout_profile"] = profile
    model = _model_metrics(name, result["model"])
    if step.model is None:  # not validated on a holdout: the whole-window fit
        step.model = model
    else:  # the report's figures come from the whole-window fit: its bounds are the caveat
        step.model.update(at_bounds=model["at_bounds"], dropout_at_bounds=dropout)
    step.model["whole_window_params"] = result["model"].params_


def _dropout_profile(audit, result: dict, dropout: list[str]) -> dict | None:
    """Where the drop-out parameters sit at a bound (no standard errors there), the
    profile-likelihood interval of the model's drop-out (``models.profile``), said in plain
    words; None otherwise."""
    if not dropout:
        return None

    def compute() -> dict | None:
        try:
            return dropout_profile_interval(result["model"], result["rfm"], horizon=WEEKS_PER_YEAR)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return None  # the caveat on the bound stands without the interval

    settings = {  # the profile depends on the customers and the model, not on the economics
        "rfm": predictive.fingerprint(result["rfm"]),
        "model": type(result["model"]).__name__,
        "params": result["model"].params_,
        "horizon_weeks": WEEKS_PER_YEAR,
    }
    profile = remembered(audit, "dropout_profile", settings, compute)
    if profile is None:
        return None
    say_all(audit, dropout_profile_findings(profile, fmt=audit.fmt))
    return profile


def dropout_profile_findings(profile: dict, *, fmt: Fmt) -> list[Finding]:
    """The profile-likelihood interval of the drop-out in a sentence: per purchase (BG/NBD,
    MBG/NBD) or within a year (Pareto/NBD); "no drop-out cannot be excluded" when it reaches 0."""
    per = "purchase" if profile["quantity"] == "mean_dropout_probability" else "year"
    high = fmt(profile["high"], "pct2")
    if profile["low_is_bound"]:
        return [Finding(f"calc.clv.dropout_profile_zero.{per}", {"high": high})]
    values = {"low": fmt(profile["low"], "pct2"), "high": high}
    return [Finding(f"calc.clv.dropout_profile.{per}", values)]


def _gap(audit, step: StepOne, *, horizon: int, months: float) -> list[Finding]:
    """``gap_findings`` of the simple CLV against the value of a new customer."""
    return gap_findings(
        step.value,
        float(step.new_customer["mean"]),
        horizon=horizon,
        discount_rate=audit.config.economics.annual_discount_rate,
        months=months,
        fmt=audit.fmt,
        text=audit.text,
    )


def _show_clv_evidence(audit, step: StepOne) -> None:
    result, horizon = step.result, audit.config.economics.horizon_months
    customers, spend_model = result["customers"], result["spend_model"]
    if result["spend_note"] == "spend_correlated":
        audit.note("calc.clv.spend_correlated", r=audit.fmt(spend_model.correlation_, "num2"))
    elif result["spend_note"]:  # a fixed spend per purchase instead of the Gamma-Gamma model
        audit.note(
            f"calc.clv.{result['spend_note']}",
            spend=audit.fmt(spend_model, "money2"),
            needed=audit.fmt(predictive.MIN_SPEND_REPEATERS, "int"),
        )
    xlabel = audit.text("calc.axis.clv", horizon=horizon, currency=audit.currency)
    ax = plots.plot_clv_distribution(
        customers,
        value_col="clv",
        title="",
        xlabel=xlabel,
        ylabel=audit.text("calc.axis.customers"),
    )
    audit.figure(ax, name="clv-distribution", title="calc.clv.fig.distribution", horizon=horizon)
    ax = plots.plot_p_alive(
        customers,
        title="",
        xlabel=audit.text("calc.axis.p_alive"),
        ylabel=audit.text("calc.axis.customers"),
    )
    audit.figure(ax, name="p-alive", title="calc.clv.fig.p_alive")
    _show_segments(audit, step)
    if not isinstance(spend_model, float):
        repeaters = audit.fmt(spend_model.n_obs_, "int")
        audit.h3("calc.clv.spend_parameters", repeaters=repeaters)
        audit.show(spend_model.summary(), formats=PARAMETER_FORMATS)
    method = "_one_step" if result["interval_method"] == "one_step" else ""
    audit.note(
        f"calc.clv.interval_note{method}",
        n_boot=str(N_BOOT),
        seed=str(SEED),
        exact=audit.fmt(EXACT_ROWS, "int"),
    )


def segment_table(intervals: pd.DataFrame, ceilings: pd.DataFrame) -> pd.DataFrame:
    """CLV by segment with each segment's new-customer value (``ceiling`` with its 95 %
    interval ``ceiling_low``/``ceiling_high``, NaN below the segment-model thresholds), largest
    segment first (``intervals`` indexed by segment)."""
    table = intervals.drop(index=["all", NEW_CUSTOMER]).reset_index()
    by = ceilings.set_index("segment")
    for column in ("ceiling", "ceiling_low", "ceiling_high"):
        table[column] = table["segment"].map(by[column]) if column in by else np.nan
    return table.sort_values("customers", ascending=False)


def _show_segments(audit, step: StepOne) -> None:
    result, segment = step.result, step.segment
    intervals = result["intervals"].set_index("segment")
    by_segment = segment_table(intervals, result["ceilings"])
    step.clv["by_segment"] = {"by": segment, "segments": by_segment if segment else None}
    if not segment or len(by_segment) < 2:
        _say_covariates(audit, result)  # one channel: loyalty may still have been tested
        return
    label = audit.text(f"segment.{segment}")
    known = by_segment.dropna(subset=["ceiling"])
    decision = segment_comparison(known)
    if decision is not None:
        step.clv["by_segment"]["comparison"] = decision
    say_all(audit, segment_value_findings(known, segment_label=label, fmt=audit.fmt))
    _say_covariates(audit, result)
    ax = plots.plot_clv_by_segment(
        by_segment,
        title="",
        xlabel=audit.text("calc.axis.clv_mean", currency=audit.currency),
        clv_label=audit.text("calc.legend.clv_mean"),
        ceiling_label=audit.text("calc.legend.ceiling"),
    )
    audit.figure(ax, name="clv-by-segment", title="calc.clv.fig.segments", segment_label=label)
    rows = segment_rows(intervals, result["ceilings"], step.new_customer)
    horizon = audit.config.economics.horizon_months
    audit.show(
        _segment_display(audit, rows),
        caption="calc.clv.segments",
        caption_values=dict(segment_label=label, horizon=horizon),
        formats={
            "customers": "int",
            **dict.fromkeys(("clv_mean", "clv_total", "new_customer"), "pre"),
        },
        numbers=segment_numbers(rows),
    )
    if result["ceilings"]["note"].eq("small_segment").any():
        audit.note(
            "calc.clv.small_segments",
            customers=audit.fmt(predictive.MIN_SEGMENT_CUSTOMERS, "int"),
            repeaters=audit.fmt(predictive.MIN_SEGMENT_REPEATERS, "int"),
        )


def _say_covariates(audit, result: dict) -> None:
    """Which model valued the channels' new customers (``covariate_findings``)."""
    if result.get("covariates"):
        say_all(audit, covariate_findings(result["covariates"], text=audit.text, fmt=audit.fmt))


def segment_rows(intervals, ceilings, new_customer) -> pd.DataFrame:
    """The CLV-by-segment table's rows: overall first, then segments by size, each with its
    CLV per customer and in total (currency, with 95 % intervals) and the value of a new
    customer (``ceiling``; overall: the new-customer model's mean)."""
    rows = intervals.drop(index=[NEW_CUSTOMER]).reset_index()
    rows = rows.assign(order=rows["segment"].ne("all"))
    rows = rows.sort_values(["order", "customers"], ascending=[True, False])
    rows["ceiling"] = rows["segment"].map(ceilings.set_index("segment")["ceiling"])
    rows.loc[rows["segment"] == "all", "ceiling"] = new_customer["mean"]
    return rows.reset_index(drop=True)


def segment_numbers(rows: pd.DataFrame) -> dict[str, Numbers]:
    """The numbers behind ``_segment_display``'s text columns, for ``tables.xlsx``."""
    return {
        "clv_mean": Numbers.interval(rows, "mean", "mean_low", "mean_high", "money"),
        "clv_total": Numbers.interval(rows, "total", "total_low", "total_high", "money"),
        "new_customer": Numbers(rows["ceiling"], "money"),
    }


def _segment_display(audit, rows: pd.DataFrame) -> pd.DataFrame:
    """The displayed CLV-by-segment table (``segment_rows``), values with intervals as text."""
    money = audit.fmt

    def span(mean, low, high):
        return [
            f"{money(m)} ({money(lo)}–{money(hi)})"
            for m, lo, hi in zip(mean, low, high, strict=True)
        ]

    return pd.DataFrame(
        {
            "segment": rows["segment"].replace({"all": audit.text("segment.all")}),
            "customers": rows["customers"],
            "clv_mean": span(rows["mean"], rows["mean_low"], rows["mean_high"]),
            "clv_total": span(rows["total"], rows["total_low"], rows["total_high"]),
            "new_customer": [money(v) if np.isfinite(v) else "–" for v in rows["ceiling"]],
        }
    )


def _clv_metrics(audit, step: StepOne, name: str, overall: pd.Series, caveats: dict) -> dict:
    result, economics, new = step.result, audit.config.economics, step.new_customer
    customers, spend_model = result["customers"], result["spend_model"]
    step.spend_model = (
        {"name": "fixed", "params": {"spend": spend_model}, "note": result["spend_note"]}
        if isinstance(spend_model, float)
        else {
            "name": "Gamma-Gamma",
            "params": spend_model.params_,
            "log_likelihood": spend_model.log_likelihood_,
            "standard_errors": spend_model.standard_errors_,
            "customers": spend_model.n_obs_,
            "frequency_spend_correlation": spend_model.correlation_,
            "note": result["spend_note"],
        }
    )
    dropout = "parameter_at_bound" in caveats["caveats"]
    return {
        "model": name,
        "horizon_months": economics.horizon_months,
        "annual_discount_rate": economics.annual_discount_rate,
        "margin": step.margin,
        "total": overall["total"],
        "total_ci_low": overall["total_low"],
        "total_ci_high": overall["total_high"],
        "mean": overall["mean"],
        "median": customers["clv"].median(),
        "ci_low": overall["mean_low"],
        "ci_high": overall["mean_high"],
        "n_boot": N_BOOT,
        "seed": SEED,
        "interval_method": result["interval_method"],
        "interval_caveat": caveats["caveats"],
        "widened_ci_low": caveats["low"] if caveats["caveats"] else None,
        "widened_ci_high": caveats["high"] if caveats["caveats"] else None,
        "caveats": (["no_dropout_visible_upper_bound"] if dropout else [])
        + (["holdout_miss"] if "holdout_miss" in caveats["caveats"] else []),
        "p_alive_mean": customers["p_alive"].mean(),
        "covariate_model": result.get("covariates"),
        "new_customer": {
            "value": new["mean"],
            "ci_low": new["mean_low"],
            "ci_high": new["mean_high"],
            "first_order_value": result["first_order_value"],
        },
    }


def _keep_customer_value(audit, step: StepOne) -> None:
    """For step III: each customer's expected lifetime margin (realised so far + predicted over
    the horizon) and each segment's new-customer value, kept for later notebooks of the run."""
    customers = step.result["customers"]
    so_far = step.history.set_index("customer_id")["margin"]
    lifetime = customers[["customer_id", "segment", "p_alive", "clv"]]
    lifetime = lifetime.rename(columns={"clv": "clv_future"})
    lifetime["margin_so_far"] = lifetime["customer_id"].map(so_far).fillna(0.0).to_numpy()
    lifetime["clv"] = lifetime["margin_so_far"] + lifetime["clv_future"]
    audit.save_frame("customer_value", lifetime)
    ceilings = step.result["ceilings"].assign(by=step.segment or "all")
    audit.save_frame("segment_new_customer_value", ceilings)


def record(audit, step: StepOne) -> dict[str, Any]:
    """Record step I in ``metrics.json`` (section ``calculation``) and return the record.

    The most a new customer may cost (``max_cac``): the models' value of a new customer over the
    horizon, or the simple CLV when the models could not be fitted (``max_cac_basis`` says
    which); ``null`` with its reason in ``not_computed`` when neither exists."""
    value, summary = step.value, step.summary
    simple = step.simple
    if step.new_customer is not None:
        new = step.new_customer
        max_cac, max_cac_ci, basis = new["mean"], [new["mean_low"], new["mean_high"]], "predictive"
    else:
        max_cac, max_cac_ci, basis = simple, None, "simple_clv"
        if not math.isfinite(simple):
            step.not_computed["max_cac"] = _missing_code(step.missing)
    for figure in ("simple_clv", "retention_formula_clv"):
        if not np.isfinite(value[figure]) and step.missing:
            step.not_computed.setdefault(figure, _missing_code(step.missing))
    segments = step.ceiling[step.ceiling["segment"] != "all"].dropna(subset=["clv_ceiling"])
    quantities = ("aov", "purchase_frequency_per_year", "retention_rate", "retention_years")
    values = {
        "customers": int(value["customers"]),
        "window_years": ((audit.observation_end - audit.observation_start).days + 1) / 365.25,
        "orders": int(value["orders"]),
        **{q: value[q] for q in quantities},
        "gross_margin": value["gross_margin"],
        "simple_clv": value["simple_clv"],
        "retention_formula_clv": value["retention_formula_clv"],
        "simple": _simple_metrics(value),
        "simple_to_predictive_ratio": _ratio_metric(step),
        "missing_factors": [{"factor": f, "reason": r} for f, r in step.missing],
        "max_cac": max_cac,
        "max_cac_ci": max_cac_ci,
        "max_cac_basis": basis,
        "max_cac_simple": simple,
        "max_cac_by_segment": {
            "by": step.segment,
            "segments": segments[["segment", "customers", "clv_ceiling"]],
        },
        "repeat_rate": summary["repeat_rate"],
        "top20_share": summary["top20_share"],
        "historical": {k: summary[k] for k in ("mean_margin", "median_margin", "p90_margin")},
        "model": step.model,
        "spend_model": step.spend_model,
        "clv": step.clv,
        "holdout": step.holdout,
        "seasonality": step.seasonality,
        "findings": step.findings,
        "not_computed": step.not_computed,  # figure -> reason, for the figures above that are null
    }
    audit.record("calculation", values)
    return values


def _simple_metrics(value: pd.Series) -> dict[str, Any]:
    """The cap on the simple CLV's retention period: ``retention_years_uncapped`` (1 / (1 − r);
    null when r = 1 or unknown), ``retention_cap_years``, ``cap_binds`` (null without r)."""
    uncapped = float(value["retention_years_uncapped"])
    binds = float(value["retention_cap_binds"])
    return {
        "retention_years_uncapped": uncapped if math.isfinite(uncapped) else None,
        "retention_cap_years": float(value["retention_period_cap_years"]),
        "cap_binds": bool(binds) if math.isfinite(binds) else None,
    }


def _ratio_metric(step: StepOne) -> float | None:
    """Simple CLV / value of a new customer (null without both)."""
    if step.new_customer is None:
        return None
    ratio = simple_to_predictive(step.simple, float(step.new_customer["mean"]))
    return ratio if math.isfinite(ratio) else None


def _missing_code(missing: list[tuple[str, str]]) -> str:
    """One code for metrics.json: the first missing factor and its reason, e.g.
    ``retention_short_window``."""
    factor, reason = missing[0]
    return f"{factor}_{reason}"
