"""Predictive, discounted, margin-based CLV per customer, and bootstrap intervals for totals.

CLV_i = margin × spend_i × Σ_{m=1..H} (E[Y_i(m)] − E[Y_i(m−1)]) / (1 + d_month)^m

where E[Y_i(m)] is the transaction model's expected purchases of customer i in the next m months
(``m × days_per_month`` days, converted to the data's time unit), spend_i the spend model's
expected value per purchase (currency) and d_month the monthly discount rate
(``(1 + annual)^(1/12) − 1`` when an annual rate is given). Purchases are discounted at the end
of the month they fall in.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

UNIT_DAYS = {"D": 1.0, "W": 7.0}


def monthly_rate(
    monthly_discount_rate: float | None = None, annual_discount_rate: float | None = None
) -> float:
    """The monthly discount rate from exactly one of a monthly or an annual rate (fractions)."""
    if (monthly_discount_rate is None) == (annual_discount_rate is None):
        raise ValueError("give exactly one of monthly_discount_rate or annual_discount_rate")
    if monthly_discount_rate is not None:
        return float(monthly_discount_rate)
    return float((1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0)


def _unit_days(time_unit: str, days_per_month: float) -> float:
    if time_unit == "M":
        return days_per_month
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be 'D', 'W' or 'M', not {time_unit!r}")
    return UNIT_DAYS[time_unit]


def discounted_purchases(
    model,
    rfm: pd.DataFrame,
    *,
    horizon_months: int,
    monthly_discount: float,
    time_unit: str = "W",
    days_per_month: float = 30.4375,
) -> np.ndarray:
    """Σ_m ΔE[Y(m)] / (1 + d)^m per row of ``rfm``: discounted expected purchases (count).

    Models with ``expected_purchases_alive`` (E[Y(t)] = P(alive) × that, a function of
    frequency and T only) are evaluated once per distinct (frequency, T) and P(alive) once per
    row; others once per distinct (frequency, recency, T) and month."""
    step = days_per_month / _unit_days(time_unit, days_per_month)  # one month in data units
    factored = hasattr(model, "expected_purchases_alive")
    columns = ["frequency", "T"] if factored else ["frequency", "recency", "T"]
    keys, inverse = _unique_rows(rfm, columns)
    predict = model.expected_purchases_alive if factored else model.expected_purchases
    total = np.zeros(len(keys))
    previous = np.zeros(len(keys))
    for month in range(1, int(horizon_months) + 1):
        current = predict(month * step, keys)
        total += (current - previous) / (1.0 + monthly_discount) ** month
        previous = current
    per_row = total[inverse]
    return per_row * model.p_alive(rfm) if factored else per_row


def _unique_rows(rfm: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    keys = rfm[columns].astype("float64")
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys))
    rows = uniques.to_frame(index=False)
    rows.columns = columns
    return rows, codes


def _spend(spend_model, rfm: pd.DataFrame) -> np.ndarray:
    if isinstance(spend_model, (int, float)):
        return np.full(len(rfm), float(spend_model))
    return np.asarray(spend_model.expected_spend(rfm), dtype=float)


def customer_lifetime_value(
    model,
    spend_model,
    rfm: pd.DataFrame,
    *,
    horizon_months: int,
    monthly_discount_rate: float | None = None,
    annual_discount_rate: float | None = None,
    time_unit: str = "W",
    days_per_month: float = 30.4375,
    margin: float = 1.0,
) -> pd.Series:
    """Discounted CLV per customer (currency), indexed like ``rfm``.

    ``model`` is a fitted transaction model (BG/NBD, MBG/NBD, Pareto/NBD: anything with
    ``expected_purchases(t, rfm)`` in the data's ``time_unit``); ``spend_model`` a fitted spend
    model with ``expected_spend(rfm)`` or a fixed amount per purchase (currency). ``margin`` is
    the fraction of spend kept. ``days_per_month`` sets how long a month is (lifetimes steps
    4.345 weeks = 30.415 days on weekly data).
    """
    discount = monthly_rate(monthly_discount_rate, annual_discount_rate)
    purchases = discounted_purchases(
        model,
        rfm,
        horizon_months=horizon_months,
        monthly_discount=discount,
        time_unit=time_unit,
        days_per_month=days_per_month,
    )
    return pd.Series(margin * _spend(spend_model, rfm) * purchases, index=rfm.index, name="clv")


def new_customer_value(
    model,
    spend_model,
    *,
    first_order_value: float,
    horizon_months: int,
    monthly_discount_rate: float | None = None,
    annual_discount_rate: float | None = None,
    time_unit: str = "W",
    days_per_month: float = 30.4375,
    margin: float = 1.0,
) -> float:
    """Expected discounted margin of a customer just acquired (currency): the first order plus
    the repeat purchases the models expect over the horizon,

    margin × [first_order_value + E[spend] × Σ_{m=1..H} (E[X(m)] − E[X(m−1)]) / (1 + d)^m],

    E[X(t)] the transaction model's ``expected_purchases_new_customer`` and E[spend] the spend
    model's population mean (``expected_spend_new_customer``) or a fixed amount. This is the
    most an acquisition may cost before it loses money over the horizon.
    """
    discount = monthly_rate(monthly_discount_rate, annual_discount_rate)
    step = days_per_month / _unit_days(time_unit, days_per_month)
    months = np.arange(0, int(horizon_months) + 1)
    cumulative = np.asarray(model.expected_purchases_new_customer(months * step), dtype=float)
    cumulative[0] = 0.0
    purchases = np.sum(np.diff(cumulative) / (1.0 + discount) ** months[1:])
    if isinstance(spend_model, (int, float)):
        spend = float(spend_model)
    else:
        spend = float(spend_model.expected_spend_new_customer())
    return float(margin * (first_order_value + spend * purchases))


def _with_drawn_params(model, rng) -> list:
    """Copies of ``model`` whose parameters are drawn from the asymptotic normal distribution of
    the maximum-likelihood estimates on the log scale (covariance_ / (θ θᵀ))."""
    names = list(model.param_names)
    theta = np.array([model.params_[k] for k in names])
    cov = model.covariance_.loc[names, names].to_numpy() / np.outer(theta, theta)
    draws = np.exp(rng.multivariate_normal(np.log(theta), cov, method="eigh"))
    out = []
    for row in np.atleast_2d(draws):
        fresh = copy.copy(model)
        fresh.params_ = dict(zip(names, row.tolist(), strict=True))
        out.append(fresh)
    return out


def new_customer_value_interval(
    model,
    spend_model,
    *,
    first_order_value: float,
    first_order_se: float = 0.0,
    n_draws: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    **value_kwargs,
) -> tuple[float, float]:
    """Percentile interval of :func:`new_customer_value` (currency) over ``n_draws`` parameter
    sets drawn from the fitted models' asymptotic normal distributions (log scale, Hessian
    covariance) and a normal draw of the mean first order (``first_order_se``). Needs no refit,
    so it suits many small segments; seeded."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(int(n_draws)):
        m = _with_drawn_params(model, rng)[0]
        s = (
            spend_model
            if isinstance(spend_model, (int, float))
            else _with_drawn_params(spend_model, rng)[0]
        )
        first = first_order_value + first_order_se * rng.standard_normal()
        values.append(new_customer_value(m, s, first_order_value=first, **value_kwargs))
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def clv_by_segment(clv: pd.Series, segments: pd.Series | None = None) -> pd.DataFrame:
    """Customers, total and mean CLV (currency) overall (row ``"all"``) and per segment.

    ``clv`` is one value per customer (e.g. :func:`customer_lifetime_value`), ``segments`` a
    label per customer aligned with it (missing labels count as ``"(unknown)"``). Indexed by
    segment, ``"all"`` first; columns ``customers``, ``total``, ``mean``. The point estimates of
    :func:`clv_intervals`, and what the notebooks' horizon/margin/discount controls recompute.
    """
    labels = pd.Series("all", index=clv.index) if segments is None else segments.reindex(clv.index)
    frame = pd.DataFrame(
        {"segment": labels.astype("object").fillna("(unknown)").to_numpy(), "clv": clv.to_numpy()}
    )
    by = frame.groupby("segment")["clv"].agg(["size", "sum", "mean"])
    overall = pd.DataFrame(
        {"size": [len(frame)], "sum": [frame["clv"].sum()], "mean": [frame["clv"].mean()]},
        index=["all"],
    )
    table = pd.concat([overall, by.drop(index="all", errors="ignore")])
    return table.rename(columns={"size": "customers", "sum": "total"})


#: The row of ``clv_intervals`` that holds a newly acquired customer's value.
NEW_CUSTOMER = "(new customer)"


def clv_intervals(
    model,
    spend_model,
    rfm: pd.DataFrame,
    *,
    horizon_months: int,
    annual_discount_rate: float,
    margin: float = 1.0,
    segments: pd.Series | None = None,
    n_boot: int = 100,
    seed: int = 0,
    level: float = 0.95,
    time_unit: str = "W",
    days_per_month: float = 30.4375,
    first_order_value: float | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Point estimates and bootstrap intervals of total and mean CLV, overall and per segment.

    Each bootstrap replicate resamples customers with replacement (multinomial counts on the
    unique model rows, so refits stay fast), refits copies of both models and recomputes the CLV
    of the *observed* customers: the interval reflects the uncertainty of the fitted parameters.
    Seeded: the same inputs give the same intervals. Columns: segment, customers, total, mean,
    total_low, total_high, mean_low, mean_high (currency). With ``first_order_value`` (currency,
    the mean first order) a last row ``NEW_CUSTOMER`` holds :func:`new_customer_value` in
    ``mean`` with its interval — the acquisition-cost ceiling.
    """
    from tqdm.auto import tqdm

    def values(m, s) -> pd.DataFrame:
        clv = customer_lifetime_value(
            m,
            s,
            rfm,
            horizon_months=horizon_months,
            annual_discount_rate=annual_discount_rate,
            time_unit=time_unit,
            days_per_month=days_per_month,
            margin=margin,
        )
        table = clv_by_segment(clv, segments)
        if first_order_value is not None:
            value = new_customer_value(
                m,
                s,
                first_order_value=first_order_value,
                horizon_months=horizon_months,
                annual_discount_rate=annual_discount_rate,
                time_unit=time_unit,
                days_per_month=days_per_month,
                margin=margin,
            )
            new = pd.DataFrame({"customers": [np.nan], "total": [np.nan], "mean": [value]})
            table = pd.concat([table, new.set_axis([NEW_CUSTOMER])])
        return table

    point = values(model, spend_model)
    rng = np.random.default_rng(seed)
    draws_sum, draws_mean = [], []
    for _ in tqdm(range(n_boot), desc="bootstrap CLV", disable=not progress):
        counts = pd.Series(
            rng.multinomial(len(rfm), np.full(len(rfm), 1.0 / len(rfm))), index=rfm.index
        )
        sample = rfm.assign(weights=counts.to_numpy())
        sample = sample[sample["weights"] > 0]
        m = _refit(model, sample)
        s = spend_model if isinstance(spend_model, (int, float)) else _refit(spend_model, sample)
        boot = values(m, s)
        draws_sum.append(boot["total"])
        draws_mean.append(boot["mean"])
    alpha = (1 - level) / 2
    sums, means = pd.concat(draws_sum, axis=1), pd.concat(draws_mean, axis=1)
    out = pd.DataFrame(
        {
            "segment": point.index,
            "customers": point["customers"].to_numpy(),
            "total": point["total"].to_numpy(),
            "mean": point["mean"].to_numpy(),
            "total_low": sums.quantile(alpha, axis=1).reindex(point.index).to_numpy(),
            "total_high": sums.quantile(1 - alpha, axis=1).reindex(point.index).to_numpy(),
            "mean_low": means.quantile(alpha, axis=1).reindex(point.index).to_numpy(),
            "mean_high": means.quantile(1 - alpha, axis=1).reindex(point.index).to_numpy(),
        }
    )
    return out


def _refit(model, sample: pd.DataFrame):
    """A copy of ``model`` refitted on ``sample``, warm-started at the original estimates."""
    fresh = copy.copy(model)
    for name in [k for k in vars(fresh) if k.endswith("_")]:
        delattr(fresh, name)
    fresh.n_starts = 1
    fresh.initial_params = dict(model.params_)
    return fresh.fit(sample)
