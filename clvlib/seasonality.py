"""The seasonal pattern of repeat purchases: a month-of-year index with intervals, and how strong.

``repeat_purchase_days(audit)`` counts repeat purchase days (a customer's purchase days after
their first) per calendar day in the engine — the purchases the BTYD models forecast; first
purchases follow acquisition, which step III covers. ``measure_season(daily, start=, end=)``
turns them into the index (``season_table``) and one verdict (``strong``).

Method. Purchases are counted per calendar month of the window (a partial first or last month
counts its covered days only) and fitted by a quasi-Poisson log-linear model

    log E[n_c] = log(days_c) + s_month(c) + γ₁ t_c + … + γ_k t_c^k,

with one effect per month of year and a polynomial trend in time t (years, centred; degree 1
below 36 months of history, 2 below 48, else 3), so growth or decline of the base is not read as
season. The month-of-year index is exp(s_m) over the mean of the twelve exp(s): purchases per
day in month m relative to an average month, trend removed. Overdispersion φ (≥ 1) is the
Pearson χ² of the month cells over their residual degrees of freedom, so year-to-year shocks
(a campaign, a lost account) widen the intervals. The 95 % intervals are quantiles of 4,000
seeded draws of the coefficients from a multivariate t with the residual degrees of freedom and
covariance φ (X'WX)⁻¹ (the index's normalisation and the peak-to-trough amplitude are then
exact functions of each draw). "No season" is tested by the quasi-likelihood F test of the
twelve month effects against one level, (ΔD / 11) / φ ~ F(11, df).

Strong season: at least ``PATTERN_MONTHS`` (24) months of history, the F test rejects at 5 %,
and the lower 95 % bound of the amplitude — half the gap between the busiest and the quietest
month's index, (max − min) / 2, which is ≈ A for a rate 1 + A cos(…) — is at least
``STRONG_AMPLITUDE`` (0.2: the busiest month ≥ 1.5 × the quietest). With 12–23 months each
month is seen about once: the same rule gives ``strong_in_one_year`` (said as seen in one year
only); with fewer than 15 month cells the trend and the season cannot be separated at all (no
intervals); below 12 months there is no index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: History (months) from which a season is called a pattern (each month seen twice).
PATTERN_MONTHS = 24
#: Below this history (months) no month-of-year index is computed.
MIN_MONTHS = 12
#: Fewer repeat purchase days than this (or a month of year without any) give no index: the
#: month effects of the fit would run to −∞.
MIN_PURCHASES = 120
#: Lower 95 % bound of the amplitude (max − min index) / 2 from which a season is strong.
STRONG_AMPLITUDE = 0.2
#: Level of the "no season" test.
TEST_LEVEL = 0.05
#: Coefficient draws for the intervals, and their seed.
N_DRAWS, SEED = 4000, 0
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = 30.4375


def repeat_purchase_days(audit) -> pd.Series:
    """Repeat purchase days per calendar day of the window (a customer's purchase days after
    their first purchase day; returns excluded), indexed by date; grouped in the engine."""
    import ibis

    t = audit.transactions
    buys = t.filter(~t["is_return"]).mutate(day=t["order_ts"].cast("date"))
    buys = buys.filter(buys["day"] <= ibis.literal(audit.observation_end))
    days = buys.select("customer_id", "day").distinct()
    first = days.group_by("customer_id").aggregate(first=days["day"].min())
    repeat = days.join(first, "customer_id")
    repeat = repeat.filter(repeat["day"] > repeat["first"])
    counts = repeat.group_by("day").aggregate(n=repeat.count()).to_pandas()
    series = counts.set_index("day")["n"].astype("float64")
    series.index = pd.to_datetime(series.index)
    return series.sort_index()


def month_cells(daily: pd.Series, *, start, end) -> pd.DataFrame:
    """One row per calendar month the window touches: ``year``, ``month``, ``days`` covered,
    ``purchases`` and ``t`` (the covered days' mid-point, years from the window's centre)."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    n = daily.reindex(days, fill_value=0.0).to_numpy(dtype=float)
    years = (days - days[0]).days.to_numpy() / DAYS_PER_YEAR
    frame = pd.DataFrame({"year": days.year, "month": days.month, "n": n, "t": years})
    cells = frame.groupby(["year", "month"], sort=True).agg(
        days=("n", "size"), purchases=("n", "sum"), t=("t", "mean")
    )
    cells["t"] -= years.mean()
    return cells.reset_index()


def _poisson_fit(X: np.ndarray, y: np.ndarray, offset: np.ndarray, iters: int = 100):
    """Poisson log-linear fit by IRLS: coefficients, fitted means, (X'WX)⁻¹ and deviance."""
    beta = np.zeros(X.shape[1])
    mu = np.maximum(y, 0.5)
    eta = np.log(mu)
    for _ in range(iters):
        z = eta - offset + (y - mu) / mu
        XtW = X.T * mu
        new = np.linalg.solve(XtW @ X, XtW @ z)
        done = np.max(np.abs(new - beta)) < 1e-10
        beta = new
        eta = offset + X @ beta
        mu = np.exp(eta)
        if done:
            break
    cov = np.linalg.pinv((X.T * mu) @ X)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    deviance = float(2 * np.sum(term - (y - mu)))
    return beta, mu, cov, deviance


def _design(cells: pd.DataFrame, degree: int, *, months: bool = True) -> np.ndarray:
    t = cells["t"].to_numpy()
    trend = [t**k for k in range(1, degree + 1)]
    if months:
        dummies = [(cells["month"].to_numpy() == m).astype(float) for m in range(1, 13)]
    else:
        dummies = [np.ones(len(cells))]
    return np.column_stack(dummies + trend)


def trend_degree(months: float) -> int:
    """Degree of the log-polynomial trend for ``months`` of history."""
    return 1 if months < 36 else 2 if months < 48 else 3


def measure_season(
    daily: pd.Series, *, start, end, n_draws: int = N_DRAWS, seed: int = SEED
) -> dict:
    """The month-of-year index of ``daily`` (purchases per calendar day) over ``start``–``end``.

    Returns ``{"status", "months", "table", "strong", "strong_in_one_year", "amplitude",
    "amplitude_low", "amplitude_high", "peak_month", "peak_index", "peak_low", "peak_high",
    "trough_month", "trough_index", "trough_low", "trough_high", "dispersion", "df",
    "trend_degree", "f_stat", "p_value", "draws"}``. ``status``: ``"pattern"`` (≥ 24 months),
    ``"one_year"`` (12–23 months, intervals when a trend can be fitted beside the season),
    ``"too_few"`` (fewer than ``MIN_PURCHASES`` purchases or a month of year without any: no
    index),
    ``"one_year_raw"`` (too few month cells to separate trend from season: the index is the raw
    purchases per day, no intervals), ``"too_short"`` (< 12 months: no index, ``table`` None).
    ``table`` (``season_table``): month, index, ci_low, ci_high, raw_index, purchases, days,
    years_seen. ``draws``: the index's draws (n_draws × 12) for derived intervals."""
    months = ((pd.Timestamp(end) - pd.Timestamp(start)).days + 1) / DAYS_PER_MONTH
    cells = month_cells(daily, start=start, end=end)
    out = {"status": "too_short", "months": months, "table": None, **_EMPTY}
    out["purchases"] = float(cells["purchases"].sum())
    if months < MIN_MONTHS - 0.5 or cells["month"].nunique() < 12:
        return out
    by_month = cells.groupby("month")["purchases"].sum()
    if cells["purchases"].sum() < MIN_PURCHASES or (by_month <= 0).any():
        return {**out, "status": "too_few", "purchases": float(cells["purchases"].sum())}
    raw = _raw_index(cells)
    degree = min(trend_degree(months), max(0, len(cells) - 14))
    if degree == 0:
        table = _table(cells, raw, raw, np.full(12, np.nan), np.full(12, np.nan))
        return {**out, "status": "one_year_raw", "table": table, **_extremes(table)}
    return {**out, **_fit(cells, raw, degree, months, n_draws=n_draws, seed=seed)}


_EMPTY = dict.fromkeys(
    (
        "amplitude",
        "amplitude_low",
        "amplitude_high",
        "peak_month",
        "peak_index",
        "peak_low",
        "peak_high",
        "trough_month",
        "trough_index",
        "trough_low",
        "trough_high",
        "dispersion",
        "df",
        "trend_degree",
        "f_stat",
        "p_value",
        "draws",
    )
) | {"strong": False, "strong_in_one_year": False}


def _raw_index(cells: pd.DataFrame) -> np.ndarray:
    """Purchases per covered day per month of year over their mean (no trend removed)."""
    per_month = cells.groupby("month")[["purchases", "days"]].sum()
    rate = (per_month["purchases"] / per_month["days"]).reindex(range(1, 13)).to_numpy()
    return rate / rate.mean() if rate.mean() > 0 else np.full(12, np.nan)


def _fit(cells, raw, degree, months, *, n_draws, seed) -> dict:
    y, offset = cells["purchases"].to_numpy(), np.log(cells["days"].to_numpy(dtype=float))
    X = _design(cells, degree)
    beta, mu, cov, deviance = _poisson_fit(X, y, offset)
    df = len(cells) - X.shape[1]
    pearson = float(np.sum((y - mu) ** 2 / mu))
    phi = max(1.0, pearson / df)
    _, _, _, deviance0 = _poisson_fit(_design(cells, degree, months=False), y, offset)
    f_stat = max(0.0, (deviance0 - deviance) / 11 / phi)
    p_value = float(stats.f.sf(f_stat, 11, df))
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(len(beta)), phi * cov, size=n_draws, method="svd")
    draws = beta + z / np.sqrt(rng.chisquare(df, size=(n_draws, 1)) / df)
    index_draws = _index(draws[:, :12])
    point = _index(beta[:12][None, :])[0]
    low, high = np.percentile(index_draws, [2.5, 97.5], axis=0)
    table = _table(cells, point, raw, low, high)
    amp_draws = (index_draws.max(axis=1) - index_draws.min(axis=1)) / 2
    amp_low, amp_high = np.percentile(amp_draws, [2.5, 97.5])
    rule = p_value < TEST_LEVEL and amp_low >= STRONG_AMPLITUDE
    pattern = months >= PATTERN_MONTHS - 0.5
    return {
        "status": "pattern" if pattern else "one_year",
        "table": table,
        "strong": bool(rule and pattern),
        "strong_in_one_year": bool(rule and not pattern),
        "amplitude": float((point.max() - point.min()) / 2),
        "amplitude_low": float(amp_low),
        "amplitude_high": float(amp_high),
        **_extremes(table),
        "dispersion": phi,
        "df": int(df),
        "trend_degree": degree,
        "f_stat": f_stat,
        "p_value": p_value,
        "draws": index_draws,
    }


def _index(effects: np.ndarray) -> np.ndarray:
    level = np.exp(effects - effects.max(axis=1, keepdims=True))
    return level / level.mean(axis=1, keepdims=True)


def _table(cells, index, raw, low, high) -> pd.DataFrame:
    per_month = cells.groupby("month").agg(
        purchases=("purchases", "sum"), days=("days", "sum"), years_seen=("year", "nunique")
    )
    return pd.DataFrame(
        {
            "month": np.arange(1, 13),
            "index": index,
            "ci_low": low,
            "ci_high": high,
            "raw_index": raw,
            "purchases": per_month["purchases"].reindex(range(1, 13)).to_numpy(),
            "days": per_month["days"].reindex(range(1, 13)).to_numpy(),
            "years_seen": per_month["years_seen"].reindex(range(1, 13)).to_numpy(),
        }
    )


def _extremes(table: pd.DataFrame) -> dict:
    peak = table.loc[table["index"].idxmax()]
    trough = table.loc[table["index"].idxmin()]
    out = {}
    for name, row in (("peak", peak), ("trough", trough)):
        out |= {
            f"{name}_month": int(row["month"]),
            f"{name}_index": float(row["index"]),
            f"{name}_low": float(row["ci_low"]),
            f"{name}_high": float(row["ci_high"]),
        }
    return out


def season_table(season: dict) -> pd.DataFrame | None:
    """The month-of-year index frame of ``measure_season`` (None below 12 months)."""
    return season["table"]


def expected_ratio(season: dict, *, start, end, calibration_end) -> dict:
    """The seasonal index's mean over the holdout days over its mean over the calibration days
    (``ratio``; 1.0: the holdout is as busy as the calibration, season-wise) with a 95 %
    interval from the index's draws (``low``, ``high``; missing without draws). An
    approximation of the holdout's actual / forecast purchases a model without seasons gives
    when the season is all it misses (it weighs calibration days equally, not by customers)."""
    table = season.get("table")
    if table is None:
        return {"ratio": np.nan, "low": np.nan, "high": np.nan}
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    holdout = np.asarray(days > pd.Timestamp(calibration_end))
    if not holdout.any() or holdout.all():
        return {"ratio": np.nan, "low": np.nan, "high": np.nan}
    share = np.zeros((2, 12))
    for row, mask in enumerate((holdout, ~holdout)):
        share[row] = np.bincount(days.month[mask] - 1, minlength=12) / mask.sum()
    ratio = float(share[0] @ table["index"].to_numpy() / (share[1] @ table["index"].to_numpy()))
    draws = season.get("draws")
    if draws is None:
        return {"ratio": ratio, "low": np.nan, "high": np.nan}
    ratios = (draws @ share[0]) / (draws @ share[1])
    low, high = np.percentile(ratios, [2.5, 97.5])
    return {"ratio": ratio, "low": float(low), "high": float(high)}


def true_month_index(amplitude: float, *, peak_day: float, start, end) -> pd.Series:
    """The month-of-year index of a rate 1 + A cos(2π (day of year − peak) / 365.25) over the
    window's days (the client space's ``seasonal`` behaviour), normalised like the measured
    one: month 1 … 12 → mean rate in the month over the mean of the twelve."""
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    rate = 1 + amplitude * np.cos(2 * np.pi * (days.day_of_year - peak_day) / DAYS_PER_YEAR)
    by_month = pd.Series(np.asarray(rate), index=days).groupby(days.month).mean()
    return by_month / by_month.mean()
