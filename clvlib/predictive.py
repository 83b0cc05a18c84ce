"""Step I, predictive part: BTYD models on the client's data, validated on a holdout.

``validate_models(audit)`` fits the transaction models on the calibration period (the data window
less ``holdout_weeks``) and compares their holdout forecasts; ``purchase_day_counts(audit)``
feeds the weekly tracking table. ``predictive_clv(audit, name)`` refits the chosen model and the
Gamma-Gamma spend model on the whole window and gives CLV per customer, by segment with
bootstrap intervals, and the acquisition-cost ceiling of a new customer. Time unit: weeks
(7 days). Heavy grouping runs in the engine (DuckDB, Spark …); only per-day and per-customer
results reach pandas — the models need one row per customer (``rfm_summary``), and fit on its
unique rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import warnings

import ibis
import numpy as np
import pandas as pd

from clvlib import config
from clvlib.backends import exact_sum, fetch
from clvlib.calculation import DAYS_PER_MONTH, UNKNOWN_SEGMENT, _segments, rfm_summary
from clvlib.channel_models import (
    channel_ceilings,
    covariate_frame,
    fit_covariate_model,
    loyalty_members,
)
from clvlib.models import parallel
from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import (
    bootstrap_fits,
    clv_intervals,
    customer_lifetime_value,
    new_customer_value,
    new_customer_value_interval,
    segment_unit_sums,
)
from clvlib.models.gammagamma import GammaGamma, SpendFrequencyCorrelationWarning
from clvlib.models.holdout import (
    conditional_expectations,
    holdout_check,
    model_comparison,
    tracking_table,
)
from clvlib.models.mbgnbd import MBGNBD
from clvlib.models.paretonbd import ParetoNBD
from clvlib.run_cache import remembered

#: Models the audit fits and compares. Pareto/NBD, the reference model of most papers, is fast
#: at any β since ``models.pareto_tail`` (β → ∞ on a client nobody leaves took minutes before).
TRANSACTION_MODELS = {"BG/NBD": BGNBD, "MBG/NBD": MBGNBD, "Pareto/NBD": ParetoNBD}
#: A segment gets its own models (for its acquisition-cost ceiling) from this many customers…
MIN_SEGMENT_CUSTOMERS = 500
#: …of whom at least this many bought again (the spend model fits on them).
MIN_SEGMENT_REPEATERS = 50
#: The purchase models are fitted only when at least this many customers bought again: with
#: fewer, the likelihood barely constrains the four parameters (with none, its maximum lies on
#: the boundary: r → 0, α → ∞), so a forecast would be a number without information. Then the
#: predictive CLV is not computed (``null`` in metrics.json with the reason) and the
#: acquisition-cost ceiling falls back to the simple CLV.
MIN_MODEL_REPEATERS = 20
#: Below this many customers the executive summary warns that every figure rests on few.
THIN_DATA_CUSTOMERS = 100
#: The Gamma-Gamma spend model needs this many repeat customers with a positive mean spend;
#: below it (and for spend without variance, or a fit that runs to the parameter bounds) the
#: CLV uses a fixed spend per purchase: the mean over those customers (the mean first order
#: when there are none).
MIN_SPEND_REPEATERS = 20
#: Coefficient of variation of the repeaters' mean spend below which spend counts as constant.
CONSTANT_SPEND_CV = 1e-3
#: |log θ| at which a parameter sits on the optimiser's bounds (``BaseFitter`` uses ±20).
BOUND_LOG = 19.5
#: Relative limits beyond which a parameter counts as run away, per model class: a drop-out
#: probability p ~ Beta(a, b) with a < 1e-4 or b > 1e6 has a mean below ~1e-4 (no drop-out is
#: visible); the same for Pareto/NBD's drop-out rate μ ~ Gamma(s, β).
RELATIVE_LIMITS = {
    "BGNBD": {"a": (1e-4, np.inf), "b": (0.0, 1e6)},
    "MBGNBD": {"a": (1e-4, np.inf), "b": (0.0, 1e6)},
    "ParetoNBD": {"s": (1e-4, np.inf), "beta": (0.0, 1e6)},
}
#: The mean drop-out below which the large-scale limits above apply (BG/NBD, MBG/NBD: a/(a+b)
#: per purchase; Pareto/NBD: s/β per week, 0.005 % a year): with a and b both large (a
#: wholesaler losing ~1 % a year: a ≈ 5,600, b ≈ 6.4·10⁶, a/(a+b) ≈ 0.09 %) b > 1e6 only says
#: every customer shares the same small drop-out, which the data do show — not that none is
#: visible.
MEAN_DROPOUT_VISIBLE = {"BGNBD": 1e-4, "MBGNBD": 1e-4, "ParetoNBD": 1e-6}
#: The parameters of the drop-out process, per model class.
DROPOUT_PARAMS = {"BGNBD": ("a", "b"), "MBGNBD": ("a", "b"), "ParetoNBD": ("s", "beta")}
#: Ratio of purchases per day (month-of-year index) between holdout and calibration beyond which
#: the holdout counts as a different season (1.15: 15 % busier or quieter).
SEASON_RATIO = 1.15
DAYS_PER_WEEK = 7.0
#: ``holdout_weeks: auto``: a full year held out when the season is strong and the history holds
#: it and a year of calibration before it; otherwise ``config.default_holdout_weeks``.
FULL_SEASON_WEEKS = 52
#: A season explains a holdout miss when its expected effect points the same way and accounts
#: for at least this share of the miss (on the log scale of actual / forecast).
SEASON_CAUSE_SHARE = 0.5
#: Draws of the holdout simulation (``holdout_check``) and its seed.
HOLDOUT_DRAWS, HOLDOUT_SEED = 400, 0
#: Parameter draws of a segment's ceiling interval (``new_customer_value_interval``), its seed.
CEILING_DRAWS, CEILING_SEED = 400, 0


# -- what a run may keep between runs -------------------------------------------------------------
def fingerprint(frame: pd.DataFrame | pd.Series | None) -> str | None:
    """sha256 of a frame (or series): its index, columns, dtypes and every value, in order.

    The settings of a remembered fit (``run_cache.remembered``) carry the fingerprint of the
    frame it was fitted on, so a change anywhere upstream — a setting that reaches the
    customers' rows, a segment mapping — gives another key and never a stale fit."""
    if frame is None:
        return None
    digest = hashlib.sha256()
    values = pd.util.hash_pandas_object(frame, index=True, categorize=False).to_numpy()
    digest.update(np.ascontiguousarray(values).tobytes())
    columns = [frame.name] if isinstance(frame, pd.Series) else list(frame.columns)
    dtypes = [frame.dtype] if isinstance(frame, pd.Series) else list(frame.dtypes)
    digest.update(repr([str(c) for c in columns] + [str(d) for d in dtypes]).encode("utf-8"))
    return digest.hexdigest()


def kept(model):
    """``model`` as a run keeps it: a shallow copy without the row layouts and caches its fit
    left (``_layout_cache``, ``_prepared``, ``_cache``: copies of the data, rebuilt on demand),
    its pooled fit (covariate models) kept likewise; a fixed spend amount as it is."""
    if isinstance(model, (int, float)) or model is None:
        return model
    slim = copy.copy(model)
    for name in ("_layout_cache", "_prepared", "_cache"):
        slim.__dict__.pop(name, None)
    grouped = getattr(slim, "_grouped", None)
    if grouped is not None:
        slim._grouped = copy.copy(grouped)
        slim._grouped._cache = []
    if getattr(slim, "pooled_", None) is not None:
        slim.pooled_ = kept(slim.pooled_)
    return slim


def fit_transaction_model(audit, model_name: str, rfm: pd.DataFrame):
    """``TRANSACTION_MODELS[model_name]`` fitted on ``rfm``, kept by the run cache (the fit
    depends on the customers' rows and the model only)."""
    settings = {"rfm": fingerprint(rfm), "model": model_name}
    return remembered(
        audit, "transaction_model", settings,
        lambda: kept(TRANSACTION_MODELS[model_name]().fit(rfm)),
    )  # fmt: skip


def holdout_plan(audit, *, season: dict | None = None) -> dict:
    """The holdout the model is checked on, and whether it covers a full season.

    The season of repeat purchases is measured over the whole window (``seasonality``). With
    ``holdout_weeks: auto`` the holdout is ``FULL_SEASON_WEEKS`` (52) when the season is strong
    and the window holds 52 weeks of holdout after at least 52 of calibration
    (``source = "auto_full_season"``), else ``default_holdout_weeks`` (26 from 78 weeks of
    history, a third of shorter ones, 0 below 16 weeks):
    ``"auto_short_history"`` when the season is strong (or strong in the one year seen) but the
    window is too short, ``"auto_default"`` otherwise. A number in ``client.yml`` is kept
    (``"config"``; 0 = no holdout). Returns ``{"weeks", "source", "covers_full_season",
    "season_cut"`` (a strong season and a holdout of part of a year), ``"full_season_possible",
    "window_weeks", "season"}``."""
    from clvlib import seasonality

    if season is None:
        daily = seasonality.repeat_purchase_days(audit)
        season = seasonality.measure_season(
            daily, start=audit.observation_start, end=audit.observation_end
        )
    window = ((audit.observation_end - audit.observation_start).days + 1) / DAYS_PER_WEEK
    possible = window >= 2 * FULL_SEASON_WEEKS
    matters = bool(season["strong"] or season["strong_in_one_year"])
    setting = audit.config.holdout_weeks
    if setting != "auto":
        weeks, source = int(setting), "config"
    elif season["strong"] and possible:
        weeks, source = FULL_SEASON_WEEKS, "auto_full_season"
    else:
        weeks = config.default_holdout_weeks(window)
        source = "auto_short_history" if matters else "auto_default"
    covers = weeks >= FULL_SEASON_WEEKS
    return {
        "weeks": weeks,
        "source": source,
        "covers_full_season": covers,
        "season_cut": bool(matters and weeks > 0 and not covers),
        "full_season_possible": possible,
        "window_weeks": window,
        "season": season,
    }


def holdout_setting(audit) -> str:
    """``holdout_weeks`` as the assumptions table shows it: ``26``, or ``auto (52)`` with the
    weeks it chose."""
    setting = audit.config.holdout_weeks
    return f"auto ({audit.holdout_weeks})" if setting == "auto" else str(setting)


def model_gap(rfm: pd.DataFrame) -> dict | None:
    """Why the purchase models cannot be fitted on ``rfm`` (``None``: they can):
    ``{"reason": "too_few_repeaters", "customers", "repeaters", "needed"}``."""
    repeaters = int((rfm["frequency"] > 0).sum())
    if repeaters >= MIN_MODEL_REPEATERS:
        return None
    return {
        "reason": "too_few_repeaters",
        "customers": int(len(rfm)),
        "repeaters": repeaters,
        "needed": MIN_MODEL_REPEATERS,
    }


def at_bounds(model, *, standard_errors: bool = True) -> list[str]:
    """Parameters of a fitted model that the data do not pin down, in ``param_names`` order.

    A parameter counts when it is not finite, within a factor e^0.5 of the optimiser's bounds
    (|log θ| > ``BOUND_LOG``), beyond its model's relative limit (``RELATIVE_LIMITS``: e.g.
    BG/NBD a < 1e-4 or b > 1e6, where the mean drop-out probability a / (a + b) is practically
    zero) or — with ``standard_errors`` — when its standard error is missing, infinite or not
    positive (a singular information matrix)."""
    kind = type(model).__name__
    limits = dict(RELATIVE_LIMITS.get(kind, {}))
    if kind in MEAN_DROPOUT_VISIBLE and _mean_dropout(model) >= MEAN_DROPOUT_VISIBLE[kind]:
        limits.pop("b", None)  # a large b (or β) beside a large a (or s): a visible drop-out
        limits.pop("beta", None)
    errors = getattr(model, "standard_errors_", None) or {}
    free = set(getattr(model, "free_params", ()))  # covariate coefficients: real numbers
    shape_max = getattr(model, "shape_max", np.inf)  # Pareto/NBD's r, s stop at SHAPE_MAX
    bounded = []
    for name, value in model.params_.items():
        if name in free:
            continue
        if name in ("r", "s") and value >= shape_max * (1 - 1e-6):
            bounded.append(name)
            continue
        low, high = limits.get(name, (0.0, np.inf))
        se = errors.get(name, np.nan) if standard_errors and errors else 1.0
        if (
            not np.isfinite(value)
            or value <= 0
            or abs(np.log(value)) > BOUND_LOG
            or not low <= value <= high
            or not (np.isfinite(se) and se > 0)
        ):
            bounded.append(name)
    return bounded


def _mean_dropout(model) -> float:
    """a/(a+b) (BG/NBD, MBG/NBD) or s/β (Pareto/NBD, per week) at the estimates; NaN when the
    parameters are not finite."""
    p = model.params_
    with np.errstate(all="ignore"):
        if "beta" in p:
            return float(p["s"] / p["beta"])
        return float(p["a"] / (p["a"] + p["b"]))


def dropout_at_bounds(model, bounded: list[str]) -> list[str]:
    """The drop-out parameters among ``bounded`` (``at_bounds``): BG/NBD and MBG/NBD a, b;
    Pareto/NBD s, β. When any is there, no drop-out is visible in the data and the model assumes
    customers stay (P(alive) → 1, CLV an upper bound). None while the mean drop-out is above
    ``MEAN_DROPOUT_VISIBLE``: a drop-out parameter at a bound then says how customers' drop-out
    varies (Pareto/NBD's s at its cap: all alike), not that nobody leaves."""
    kind = type(model).__name__
    if kind in MEAN_DROPOUT_VISIBLE and _mean_dropout(model) >= MEAN_DROPOUT_VISIBLE[kind]:
        return []
    names = DROPOUT_PARAMS.get(kind, ())
    return [name for name in bounded if name in names]


def customer_summary(audit, *, calibration_end: dt.date | None = None) -> pd.DataFrame:
    """``rfm_summary`` of the audit's transactions in weeks (calibration split when given)."""
    return rfm_summary(
        audit.transactions,
        observation_end=audit.observation_end,
        calibration_end=calibration_end,
        time_unit="W",
    )


def purchase_day_counts(audit, *, calibration_end: dt.date) -> tuple[pd.Series, pd.Series]:
    """Customers per first-purchase day (first purchase by ``calibration_end``) and their repeat
    purchase days per day, up to the observation end: the inputs of the tracking table."""
    t = audit.transactions
    purchases = t.filter(~t["is_return"]).mutate(day=t["order_ts"].cast("date"))
    days = purchases.select("customer_id", "day").distinct()
    first = days.group_by("customer_id").aggregate(first=days["day"].min())
    first = first.filter(first["first"] <= ibis.literal(calibration_end))
    joined = days.join(first, "customer_id")
    repeat = joined.filter(
        (joined["day"] > joined["first"]) & (joined["day"] <= ibis.literal(audit.observation_end))
    )
    cohorts = first.group_by("first").aggregate(n=first.count()).to_pandas()
    repeats = repeat.group_by("day").aggregate(n=repeat.count()).to_pandas()
    return (
        cohorts.set_index("first")["n"].sort_index(),
        repeats.set_index("day")["n"].sort_index(),
    )


def validate_models(audit, models: dict | None = None) -> dict:
    """Fit each transaction model on the calibration period and check it on the holdout.

    Returns ``{"calibration_end", "rfm", "fitted", "comparison", "chosen", "summary",
    "season", "conditional", "tracking"}``; ``chosen`` is the model with the lowest AIC (the
    holdout error is reported beside it); ``summary`` the holdout check with its predictive
    interval and ``miss`` (``holdout_check``); ``season`` the month-of-year comparison of the
    holdout with the calibration (``seasonal_shift``). ``None`` when ``holdout_weeks`` is 0;
    ``{"calibration_end", "rfm", "gap"}`` when the calibration period has too few repeat
    buyers (``model_gap``).

    The models are fitted side by side on all cores (``parallel.each``: each fit alone, so the
    same estimates as one after another); the fits, the comparison and the holdout check are
    kept by the run cache (they depend on the calibration customers only, not the economics).
    """
    calibration_end = audit.calibration_end
    if calibration_end is None:
        return None
    rfm = customer_summary(audit, calibration_end=calibration_end)
    gap = model_gap(rfm)
    if gap is not None:  # not enough repeat buyers in the calibration period to fit on
        return {"calibration_end": calibration_end, "rfm": rfm, "gap": gap}
    chosen_models = models or TRANSACTION_MODELS

    def fit_and_check() -> dict:
        fitted = parallel.each(lambda name: kept(chosen_models[name]().fit(rfm)), chosen_models)
        comparison = model_comparison(fitted, rfm)
        chosen = comparison.loc[0, "model"]
        model = fitted[chosen]
        return {
            "fitted": fitted,
            "comparison": comparison,
            "chosen": chosen,
            "summary": holdout_check(model, rfm, n_draws=HOLDOUT_DRAWS, seed=HOLDOUT_SEED),
            "conditional": conditional_expectations(model, rfm),
        }

    settings = {
        "rfm": fingerprint(rfm),  # the calibration split, holdout counts included
        "models": {name: _qualname(cls) for name, cls in chosen_models.items()},
        "holdout_draws": HOLDOUT_DRAWS,
        "holdout_seed": HOLDOUT_SEED,
    }
    checked = remembered(audit, "holdout_validation", settings, fit_and_check)
    model = checked["fitted"][checked["chosen"]]
    cohorts, repeats = purchase_day_counts(audit, calibration_end=calibration_end)
    return {
        "calibration_end": calibration_end,
        "rfm": rfm,
        "fitted": checked["fitted"],
        "comparison": checked["comparison"],
        "chosen": checked["chosen"],
        "summary": checked["summary"],
        "season": seasonal_shift(
            audit, calibration_end=calibration_end, season=audit.holdout_plan["season"]
        ),
        "conditional": checked["conditional"],
        "tracking": tracking_table(
            model,
            cohorts,
            repeats,
            start=audit.observation_start,
            end=audit.observation_end,
            calibration_end=calibration_end,
        ),
    }


def _qualname(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def daily_purchases(audit) -> pd.Series:
    """Purchase days (customer × day with a purchase) per calendar day of the data window, as a
    pandas series indexed by date (grouped by the engine; one row per day)."""
    t = audit.transactions
    buys = t.filter(~t["is_return"]).mutate(day=t["order_ts"].cast("date"))
    buys = buys.filter(buys["day"] <= ibis.literal(audit.observation_end))
    days = buys.select("customer_id", "day").distinct()
    counts = days.group_by("day").aggregate(n=days.count()).to_pandas()
    series = counts.set_index("day")["n"].astype("float64")
    series.index = pd.to_datetime(series.index)
    return series.sort_index()


def month_of_year_index(daily: pd.Series, *, start, end) -> pd.Series:
    """Purchases per day by month of year (1 … 12) relative to the window's mean (1.0 = an
    average month): each calendar month's purchase days per covered day, averaged over the years
    the window holds that month. Months the window does not hold are missing."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    frame = pd.DataFrame({"n": daily.reindex(days, fill_value=0.0).to_numpy()}, index=days)
    per_month = frame.groupby([days.year, days.month])["n"].mean()
    by_month = per_month.groupby(level=1).mean()
    return by_month / by_month.mean() if by_month.mean() > 0 else by_month * np.nan


def seasonal_shift(
    audit,
    *,
    calibration_end: dt.date,
    daily: pd.Series | None = None,
    season: dict | None = None,
) -> dict:
    """Does the holdout cover a busier or quieter part of the year than the calibration?

    The mean month-of-year index over the holdout days over its mean over the calibration days:
    ``ratio`` > 1 means a busier stretch. The index is ``season``'s (``measure_season`` of
    repeat purchases, trend removed, with ``ratio_low``/``ratio_high`` from its intervals) when
    it has intervals; otherwise the raw index of all purchases (``month_of_year_index``: with
    about one year of data each month is seen once, so it also carries any growth or decline
    of the base, and the sentence says so; no interval). Returns ``{"ratio", "ratio_low",
    "ratio_high", "shift"`` (``"busier"``, ``"quieter"`` or None within ``SEASON_RATIO``),
    ``"holdout_start", "holdout_end", "years"`` (window length, years)}``."""
    from clvlib import seasonality

    start, end = audit.observation_start, audit.observation_end
    measured = season is not None and season.get("draws") is not None
    if measured:
        expected = seasonality.expected_ratio(
            season, start=start, end=end, calibration_end=calibration_end
        )
        ratio, low, high = expected["ratio"], expected["low"], expected["high"]
    else:
        daily = daily_purchases(audit) if daily is None else daily
        index = month_of_year_index(daily, start=start, end=end)
        days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
        level = pd.Series(index.reindex(days.month).to_numpy(), index=days)
        holdout = days > pd.Timestamp(calibration_end)
        ratio = float(level[holdout].mean() / level[~holdout].mean()) if holdout.any() else np.nan
        low = high = np.nan
    shift = None
    if np.isfinite(ratio) and ratio > SEASON_RATIO:
        shift = "busier"
    elif np.isfinite(ratio) and ratio < 1 / SEASON_RATIO:
        shift = "quieter"
    return {
        "ratio": ratio,
        "ratio_low": low,
        "ratio_high": high,
        "shift": shift,
        "holdout_start": calibration_end + dt.timedelta(days=1),
        "holdout_end": end,
        "years": ((end - start).days + 1) / 365.25,
    }


def first_purchase_values(audit) -> pd.Series:
    """customer_id → value of the customer's first purchase day (currency, purchase rows).

    One value per customer as pandas (aggregated by the engine): the segment ceilings average
    it over each segment's model rows."""
    t = audit.transactions
    buys = t.filter(~t["is_return"] & (t["order_ts"].cast("date") <= audit.observation_end))
    buys = buys.mutate(day=buys["order_ts"].cast("date"))
    per_day = buys.group_by(["customer_id", "day"]).aggregate(value=exact_sum(buys["revenue"]))
    first = per_day.group_by("customer_id").aggregate(
        first_value=per_day["value"].argmin(per_day["day"])
    )
    return (
        fetch(first.order_by("customer_id"))
        .set_index("customer_id")["first_value"]
        .astype("float64")
    )


def customer_segments(audit, by: str | None) -> pd.Series | None:
    """customer_id → segment label (``"(unknown)"`` when missing); None without ``by``.

    One label per customer as pandas: the models' per-customer CLV is split by it."""
    if by is None:
        return None
    frame = fetch(_segments(audit, by).order_by("customer_id")).set_index("customer_id")["segment"]
    return frame.astype("object")


def fit_spend_model(
    rfm: pd.DataFrame, *, fallback: float = float("nan"), note_correlation: bool = True
) -> tuple[object, str | None]:
    """Gamma-Gamma on the repeat customers, and a note for the report (``None`` when clean).

    Falls back to a fixed spend per purchase (a float, currency) — the mean spend of the repeat
    customers with a positive one, or ``fallback`` (e.g. the mean first order) when there are
    none — with the note ``no_repeat_spend`` (no such customer), ``few_repeat_spend`` (fewer
    than ``MIN_SPEND_REPEATERS``), ``constant_spend`` (their spend hardly varies: the model has
    nothing to fit and the mean is exact) or ``spend_not_identified`` (the fit ran to the
    parameter bounds). Notes a correlation between frequency and spend (``spend_correlated``:
    the model assumes none) unless ``note_correlation`` is False (then the note is None: no
    warning is caught, as a worker thread must not — ``warnings.catch_warnings`` changes the
    process's filters)."""
    repeat = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]["monetary_value"]
    mean = float(repeat.mean()) if len(repeat) else float(fallback)
    if len(repeat) == 0:
        return mean, "no_repeat_spend"
    if len(repeat) < MIN_SPEND_REPEATERS:
        return mean, "few_repeat_spend"
    if float(repeat.std(ddof=0)) <= CONSTANT_SPEND_CV * mean:
        return mean, "constant_spend"
    if note_correlation:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SpendFrequencyCorrelationWarning)
            model = GammaGamma().fit(rfm)
    else:  # e.g. on a worker thread, where catching warnings is unsafe
        model, caught = GammaGamma().fit(rfm), []
    if at_bounds(model, standard_errors=False):
        return mean, "spend_not_identified"
    correlated = any(issubclass(w.category, SpendFrequencyCorrelationWarning) for w in caught)
    return model, ("spend_correlated" if correlated else None)


def predictive_clv(
    audit,
    model_name: str,
    *,
    margin: float,
    segment: str | None = None,
    n_boot: int = 100,
    seed: int = 0,
    progress: bool = False,
) -> dict:
    """The chosen transaction model and the spend model refitted on the whole data window, and
    the CLV they imply over ``economics.horizon_months`` at ``economics.annual_discount_rate``
    with ``margin`` (fraction of spend).

    Returns ``{"rfm", "gap": None, "model", "spend_model", "spend_note", "customers",
    "intervals", "ceilings", "first_order_value"}``, or ``{"rfm", "gap"}`` when too few
    customers bought again for the purchase models (``model_gap``): ``customers`` one row per
    customer (``p_alive``, ``expected_purchases`` over the horizon, ``expected_spend`` per
    purchase, ``clv`` in currency, ``segment``); ``intervals`` total and mean CLV with seeded
    bootstrap intervals, overall, per segment and for a new customer (row ``NEW_CUSTOMER``),
    ``interval_method`` how (``clv_intervals``: ``bootstrap`` or, above 100,000 customers,
    ``one_step``);
    ``ceilings`` the new-customer value per segment: per acquisition channel from one model
    with the channel (and loyalty membership) as covariates when the likelihood-ratio test
    says they matter, else from the pooled model (``channel_models.channel_ceilings``;
    ``covariates`` its record); per other segment from the segment's own models (``note``
    says when a segment is too small for them).
    """
    economics = audit.config.economics
    horizon, rate = economics.horizon_months, economics.annual_discount_rate
    rfm = customer_summary(audit)
    gap = model_gap(rfm)
    if gap is not None:
        return {"rfm": rfm, "gap": gap}
    model = fit_transaction_model(audit, model_name, rfm)
    segments = customer_segments(audit, segment)
    seg = (
        pd.Series("all", index=rfm.index)
        if segments is None
        else segments.reindex(rfm.index).fillna(UNKNOWN_SEGMENT)
    )
    first = first_purchase_values(audit).reindex(rfm.index)
    first_order_value = float(first.mean())
    data = {"rfm": fingerprint(rfm), "model": model_name, "fallback": first_order_value}
    spend_model, spend_note = remembered(
        audit, "spend_model", data,
        lambda: _kept_fit(fit_spend_model(rfm, fallback=first_order_value)),
    )  # fmt: skip
    replicates = remembered(
        audit, "clv_bootstrap_fits", {**data, "n_boot": n_boot, "seed": seed},
        lambda: bootstrap_fits(model, spend_model, rfm, n_boot=n_boot, seed=seed,
                               progress=progress),
    )  # fmt: skip
    unit_sums = remembered(  # E[Y(t)] for every replicate: kept for a margin-only re-run
        audit, "clv_unit_sums",
        {**data, "n_boot": n_boot, "seed": seed, "horizon_months": horizon,
         "annual_discount_rate": rate, "segments": fingerprint(seg)},
        lambda: segment_unit_sums(model, spend_model, rfm, replicates=replicates,
                                  segments=None if segments is None else seg,
                                  horizon_months=horizon, annual_discount_rate=rate),
    )  # fmt: skip
    horizon_weeks = horizon * DAYS_PER_MONTH / DAYS_PER_WEEK
    expected_spend = (
        np.full(len(rfm), float(spend_model))
        if isinstance(spend_model, float)
        else spend_model.expected_spend(rfm)
    )
    clv_kwargs = dict(horizon_months=horizon, annual_discount_rate=rate, margin=margin)
    customers = pd.DataFrame(
        {
            "customer_id": rfm.index,
            "segment": seg.to_numpy(),
            "frequency": rfm["frequency"].to_numpy(),
            "recency": rfm["recency"].to_numpy(),
            "T": rfm["T"].to_numpy(),
            "p_alive": model.p_alive(rfm),
            "expected_purchases": model.expected_purchases(horizon_weeks, rfm),
            "expected_spend": expected_spend,
            "clv": customer_lifetime_value(model, spend_model, rfm, **clv_kwargs).to_numpy(),
        }
    )
    intervals = clv_intervals(
        model,
        spend_model,
        rfm,
        segments=None if segments is None else seg,
        n_boot=n_boot,
        seed=seed,
        first_order_value=first_order_value,
        replicates=replicates,
        unit_sums=unit_sums,
        **clv_kwargs,
    )
    covariates = None
    if segment == "acquisition_channel" and segments is not None:
        members = loyalty_members(audit)
        fitted = remembered(  # the covariate fit does not depend on the economics
            audit, "channel_covariate_model",
            {"rfm": data["rfm"], "model": model_name, "channels": fingerprint(seg),
             "members": fingerprint(members)},
            lambda: _kept_fit(fit_covariate_model(model_name,
                                                    *covariate_frame(rfm, seg, members))),
        )  # fmt: skip
        ceilings, covariates = channel_ceilings(
            rfm, seg, first, model_name, model, spend_model,
            members=members, fitted=fitted, **clv_kwargs,
        )  # fmt: skip
    else:
        fits = remembered(
            audit, "segment_fits",
            {"rfm": data["rfm"], "model": model_name, "segments": fingerprint(seg),
             "first": fingerprint(first)},
            lambda: segment_fits(rfm, seg, first, model_name),
        )  # fmt: skip
        ceilings = segment_ceilings(rfm, seg, first, model_name, fits=fits, **clv_kwargs)
    return {
        "covariates": covariates,
        "rfm": rfm,
        "gap": None,
        "model": model,
        "spend_model": spend_model,
        "spend_note": spend_note,
        "customers": customers,
        "intervals": intervals,
        "interval_method": intervals.attrs["method"],
        "ceilings": ceilings,
        "first_order_value": first_order_value,
    }


def _kept_fit(fitted: tuple[object, str | None]) -> tuple[object, str | None]:
    """A ``(model, note)`` fit as a run keeps it (``kept``)."""
    spend, note = fitted
    return kept(spend), note


def segment_fits(
    rfm: pd.DataFrame, segments: pd.Series, first: pd.Series, model_name: str
) -> dict[str, tuple[object, object]]:
    """Per segment with at least ``MIN_SEGMENT_CUSTOMERS`` customers and
    ``MIN_SEGMENT_REPEATERS`` repeat customers: (transaction model, spend model) fitted on its
    customers alone (the spend model a fixed amount where ``fit_spend_model`` falls back to
    one), the segments on all cores (``parallel.each``). They do not depend on the economics,
    so a run may keep them."""
    groups = dict(list(rfm.groupby(segments.to_numpy())))
    eligible = [
        name
        for name, members in groups.items()
        if len(members) >= MIN_SEGMENT_CUSTOMERS
        and int((members["frequency"] > 0).sum()) >= MIN_SEGMENT_REPEATERS
    ]

    def fit(name) -> tuple[object, object]:
        members = groups[name]
        fallback = float(first.reindex(members.index).mean())
        model = TRANSACTION_MODELS[model_name]().fit(members)
        spend, _ = fit_spend_model(members, fallback=fallback, note_correlation=False)
        return kept(model), kept(spend)

    with warnings.catch_warnings():  # for the worker threads too, while they run
        warnings.simplefilter("ignore")  # the overall fit reports model warnings
        return parallel.each(fit, eligible)


def segment_ceilings(
    rfm: pd.DataFrame,
    segments: pd.Series,
    first: pd.Series,
    model_name: str,
    *,
    fits: dict[str, tuple[object, object]] | None = None,
    **clv_kwargs,
) -> pd.DataFrame:
    """New-customer value (the acquisition-cost ceiling, currency) per segment from models
    fitted on the segment's customers alone (``segment_fits``, or ``fits`` from an earlier
    call on the same customers); NaN with ``note = "small_segment"`` below
    ``MIN_SEGMENT_CUSTOMERS`` customers or ``MIN_SEGMENT_REPEATERS`` repeat customers.
    ``ceiling_low``/``ceiling_high``: 95 % interval from the segment models' asymptotic
    parameter distributions and the standard error of the mean first order
    (:func:`new_customer_value_interval`, seeded).
    Columns: segment, customers, repeat_customers, first_order_value, ceiling, ceiling_low,
    ceiling_high, note."""
    if fits is None:
        fits = segment_fits(rfm, segments, first, model_name)
    rows = []
    for name, members in rfm.groupby(segments.to_numpy()):
        repeaters = int((members["frequency"] > 0).sum())
        first_orders = first.reindex(members.index)
        row = {
            "segment": name,
            "customers": len(members),
            "repeat_customers": repeaters,
            "first_order_value": float(first_orders.mean()),
            "ceiling": np.nan,
            "ceiling_low": np.nan,
            "ceiling_high": np.nan,
            "note": "small_segment",
        }
        if name in fits:
            model, spend = fits[name]
            row["ceiling"] = new_customer_value(
                model, spend, first_order_value=row["first_order_value"], **clv_kwargs
            )
            row["ceiling_low"], row["ceiling_high"] = new_customer_value_interval(
                model,
                spend,
                first_order_value=row["first_order_value"],
                first_order_se=float(first_orders.std() / np.sqrt(first_orders.count())),
                n_draws=CEILING_DRAWS,
                seed=CEILING_SEED,
                **clv_kwargs,
            )
            row["note"] = None
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values(["customers", "segment"], ascending=[False, True], ignore_index=True)
