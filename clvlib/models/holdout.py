"""Calibration/holdout validation of a transaction model (as in Fader, Hardie & Lee 2005).

Inputs are ``rfm_summary(..., calibration_end=...)`` frames: ``frequency, recency, T`` of the
calibration period and ``frequency_holdout`` (repeat purchase days in the holdout) with
``duration_holdout`` (its length, same time unit).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from clvlib.models.clv import covariate_columns, unique_rows


def _predicted(model, rfm: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.expected_purchases(rfm["duration_holdout"].to_numpy(), rfm), float)


def holdout_summary(model, rfm: pd.DataFrame) -> dict[str, float]:
    """Actual vs predicted holdout purchases: totals, mean absolute error per customer and the
    correlation between them (counts of purchase days)."""
    actual = rfm["frequency_holdout"].to_numpy(dtype=float)
    predicted = _predicted(model, rfm)
    spread = actual.std() > 0 and predicted.std() > 0
    return {
        "customers": int(len(rfm)),
        "actual_total": float(actual.sum()),
        "predicted_total": float(predicted.sum()),
        "total_error": float(predicted.sum() / actual.sum() - 1) if actual.sum() else np.nan,
        "mae": float(np.abs(actual - predicted).mean()),
        "correlation": float(np.corrcoef(actual, predicted)[0, 1]) if spread else np.nan,
    }


def conditional_expectations(model, rfm: pd.DataFrame, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases per calibration frequency (0 … max, and
    ``max+`` pooled): the conditional-expectation check of the model."""
    frame = pd.DataFrame(
        {
            "frequency": np.minimum(rfm["frequency"].to_numpy(), max_frequency),
            "actual": rfm["frequency_holdout"].to_numpy(dtype=float),
            "predicted": _predicted(model, rfm),
        }
    )
    table = frame.groupby("frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table = table.reset_index()
    table["frequency"] = [
        f"{int(f)}+" if f == max_frequency else str(int(f)) for f in table["frequency"]
    ]
    return table


def model_comparison(models: dict[str, object], rfm: pd.DataFrame) -> pd.DataFrame:
    """One row per fitted model: log-likelihood, AIC, BIC and holdout errors, best AIC first."""
    rows = []
    for name, model in models.items():
        check = holdout_summary(model, rfm) if "frequency_holdout" in rfm else {}
        rows.append(
            {
                "model": name,
                "parameters": len(model.param_names),
                "log_likelihood": model.log_likelihood_,
                "aic": model.aic_,
                "bic": model.bic_,
                "holdout_mae": check.get("mae", np.nan),
                "holdout_total_error": check.get("total_error", np.nan),
            }
        )
    return pd.DataFrame(rows).sort_values("aic").reset_index(drop=True)


def tracking_table(
    model,
    first_purchases: pd.Series,
    repeat_purchases: pd.Series,
    *,
    start,
    end,
    calibration_end=None,
) -> pd.DataFrame:
    """Weekly cumulative repeat purchases, actual vs expected (Fader, Hardie & Lee 2005, fig. 3).

    ``first_purchases``: customers per first-purchase date (index: dates); ``repeat_purchases``:
    repeat purchase days per date, of the same customers. The expectation for week w is
    Σ_j n_j E[X(t_w − t_j)] over cohorts j of first purchase, with E[X(t)] the model's expected
    repeat purchases of a new customer (time unit: weeks). Columns: week, week_end (date),
    actual, expected (cumulative counts), period ("calibration"/"holdout").
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    week_ends = pd.date_range(start + pd.Timedelta(days=6), end + pd.Timedelta(days=6), freq="7D")
    week_ends = week_ends.where(week_ends <= end, end).unique()
    cohort_days = pd.to_datetime(first_purchases.index)
    counts = first_purchases.to_numpy(dtype=float)
    repeats = repeat_purchases.copy()
    repeats.index = pd.to_datetime(repeats.index)
    # elapsed weeks of every cohort by the end of each week's last day (weeks × cohorts), and
    # E[X(t)] of all of them in one call (elementwise: the values of a call per week)
    days = (week_ends.to_numpy()[:, None] - cohort_days.to_numpy()[None, :]) // np.timedelta64(
        1, "D"
    )
    elapsed = (days + 1) / 7.0
    active = elapsed > 0
    values = np.zeros(elapsed.shape)
    if active.any():
        values[active] = model.expected_purchases_new_customer(elapsed[active])
    rows = []
    for week, week_end in enumerate(week_ends, start=1):
        here = active[week - 1]
        expected = float(np.dot(counts[here], values[week - 1][here])) if here.any() else 0.0
        actual = float(repeats[repeats.index <= week_end].sum())
        period = (
            "holdout"
            if calibration_end is not None and week_end > pd.Timestamp(calibration_end)
            else "calibration"
        )
        rows.append(
            {
                "week": week,
                "week_end": week_end.date(),
                "actual": actual,
                "expected": expected,
                "period": period,
            }
        )
    return pd.DataFrame(rows)


# -- predictive interval of the holdout total ------------------------------------------------------
#: Largest customers × draws simulated at once; above it fewer parameter draws are taken.
MAX_SIMULATED = 20_000_000
#: Fewest parameter draws the interval is computed from.
MIN_DRAWS = 100


def _parameter_draws(model, n_draws: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """``n_draws`` parameter vectors (natural scale, ``model.param_names`` order) from the
    asymptotic normal distribution of the log-parameters (covariance ``covariance_`` by the delta
    method; covariate coefficients on their own scale), and whether they vary. When the fit has
    no usable covariance (a parameter at a bound, a singular Hessian: missing or infinite
    standard errors) every draw is the point estimate."""
    theta = np.array([model.params_[k] for k in model.param_names], dtype=float)
    fixed = np.tile(theta, (n_draws, 1))
    se = np.array(
        [getattr(model, "standard_errors_", {}).get(k, np.nan) for k in model.param_names],
        dtype=float,
    )
    covariance = getattr(model, "covariance_", None)
    if covariance is None or not np.all(np.isfinite(se)) or np.any(se <= 0):
        return fixed, False
    positive = model._positive()
    log_cov = model.internal_covariance()
    log_cov = (log_cov + log_cov.T) / 2
    if not np.all(np.isfinite(log_cov)) or np.linalg.eigvalsh(log_cov).min() < -1e-10:
        return fixed, False
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(positive, np.log(theta), theta)
    draws = rng.multivariate_normal(centre, log_cov, size=n_draws, method="eigh")
    return np.where(positive, np.exp(np.clip(draws, -20.0, 20.0)), draws), True


class _Customers:
    """What every simulated holdout reads, taken from ``rfm`` once: frequency, T and the
    holdout's length per customer, and the distinct rows P(alive) depends on (frequency,
    recency, T and any covariates) with each customer's index into them — P(alive) is
    evaluated once per distinct row (the same values, elementwise, as per customer)."""

    def __init__(self, model, rfm: pd.DataFrame) -> None:
        self.rfm = rfm
        self.x = rfm["frequency"].to_numpy(dtype=float)
        self.T = rfm["T"].to_numpy(dtype=float)
        self.duration = rfm["duration_holdout"].to_numpy(dtype=float)
        columns = ["frequency", "recency", "T", *covariate_columns(model)]
        self.keys, self.inverse = unique_rows(rfm, columns)


def _simulate_holdout(model, params: np.ndarray, customers: _Customers, rng) -> np.ndarray:
    """One draw of each customer's holdout purchases given the parameters ``params`` and the
    customer's calibration history (see :func:`holdout_interval`)."""
    kind = type(model).__name__
    fitted = copy.copy(model)
    fitted.params_ = dict(zip(model.param_names, params.tolist(), strict=True))
    x, T, duration = customers.x, customers.T, customers.duration
    alive = rng.random(len(x)) < fitted.p_alive(customers.keys)[customers.inverse]
    if getattr(fitted, "uses_covariates", False):  # each customer's own natural parameters
        params = fitted.customer_params(customers.rfm).to_numpy().T
    if kind in ("BGNBD", "MBGNBD"):
        r, alpha, a, b = params
        lam = rng.gamma(r + x, 1.0 / (alpha + T))
        # p | alive ~ Beta(a, b + x) (BG/NBD: x coin flips survived; MBG/NBD: x + 1), drawn as
        # a ratio of gammas, which stays defined for a → 0 (p = 0: never drops out)
        flips = x + (1.0 if kind == "MBGNBD" else 0.0)
        g_a, g_b = rng.gamma(a, 1.0, len(x)), rng.gamma(b + flips, 1.0)
        p = np.clip(g_a / np.maximum(g_a + g_b, 1e-300), 1e-12, 1.0)
        purchases = np.minimum(rng.poisson(lam * duration), rng.geometric(p))
    elif kind == "ParetoNBD":
        r, alpha, s, beta = params
        lam = rng.gamma(r + x, 1.0 / (alpha + T))
        mu = rng.gamma(s, 1.0 / (beta + T), len(x))
        lifetime = rng.exponential(1.0 / np.maximum(mu, 1e-300))
        purchases = rng.poisson(lam * np.minimum(duration, lifetime))
    else:
        raise NotImplementedError(f"no holdout simulation for {kind}")
    return np.where(alive, purchases, 0)


def holdout_interval(
    model,
    rfm: pd.DataFrame,
    *,
    level: float = 0.95,
    n_draws: int = 400,
    seed: int = 0,
) -> dict[str, float | bool | int]:
    """Predictive interval of the holdout total of repeat purchases (purchase days).

    Method (simulation conditional on each customer's calibration history, with parameter
    uncertainty): for each of ``n_draws`` draws, (1) draw the model's parameters from the
    asymptotic normal distribution of the log-parameters (maximum-likelihood estimate, inverse
    observed information by the delta method; the point estimate when the fit has no usable
    covariance, e.g. a parameter at a bound — then ``parameter_uncertainty`` is False and the
    interval is too narrow); (2) for every customer draw whether they are still active at the
    end of calibration with their P(alive | x, t_x, T), and, if so, their purchase rate from its
    posterior λ ~ Gamma(r + x, α + T) (rate parameter; time in the data's unit) and their drop-out
    from its posterior — BG/NBD p ~ Beta(a, b + x), MBG/NBD p ~ Beta(a, b + x + 1), Pareto/NBD
    μ ~ Gamma(s, β + T); (3) simulate the holdout of length ``duration_holdout``: Poisson
    purchases at rate λ, the customer leaving after each purchase with probability p (BG/NBD,
    MBG/NBD: min(Poisson(λ·t), Geometric(p)) purchases) or at an exponential time with rate μ
    (Pareto/NBD); (4) sum over customers. The interval holds the central ``level`` of the
    simulated totals. ``rfm``: ``rfm_summary(..., calibration_end=...)`` (``frequency``,
    ``recency``, ``T``, ``duration_holdout``; time unit as the fit). Above
    ``MAX_SIMULATED`` customers × draws, fewer draws are taken (at least ``MIN_DRAWS``).

    Returns ``{"low", "high", "mean"`` (totals, purchases), ``"level", "draws",
    "parameter_uncertainty"}``. Seeded: the same inputs give the same interval.
    """
    rng = np.random.default_rng(seed)
    n = max(len(rfm), 1)
    n_draws = int(max(MIN_DRAWS, min(n_draws, MAX_SIMULATED // n)))
    draws, varied = _parameter_draws(model, n_draws, rng)
    customers = _Customers(model, rfm)
    totals = np.array([_simulate_holdout(model, d, customers, rng).sum() for d in draws], float)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(totals, [tail, 1.0 - tail])
    return {
        "low": float(low),
        "high": float(high),
        "mean": float(totals.mean()),
        "level": level,
        "draws": n_draws,
        "parameter_uncertainty": varied,
    }


def holdout_check(
    model, rfm: pd.DataFrame, *, level: float = 0.95, n_draws: int = 400, seed: int = 0
) -> dict:
    """``holdout_summary`` with the predictive interval of the total (:func:`holdout_interval`):
    adds ``interval_low``, ``interval_high``, ``interval_level``,
    ``interval_parameter_uncertainty`` and ``miss`` (the actual total lies outside the interval).
    Without a simulation for the model's kind the interval keys are NaN and ``miss`` None."""
    summary = holdout_summary(model, rfm)
    try:
        interval = holdout_interval(model, rfm, level=level, n_draws=n_draws, seed=seed)
    except NotImplementedError:
        return {**summary, "interval_low": np.nan, "interval_high": np.nan, "miss": None}
    actual = summary["actual_total"]
    return {
        **summary,
        "interval_low": interval["low"],
        "interval_high": interval["high"],
        "interval_level": level,
        "interval_parameter_uncertainty": interval["parameter_uncertainty"],
        "miss": bool(actual < interval["low"] or actual > interval["high"]),
    }
