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
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clvlib.models import parallel
from clvlib.resampling import EXACT_ROWS

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
    unique: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> np.ndarray:
    """Σ_m ΔE[Y(m)] / (1 + d)^m per row of ``rfm``: discounted expected purchases (count).

    Models with ``expected_purchases_alive`` (E[Y(t)] = P(alive) × that, a function of
    frequency and T only) are evaluated once per distinct (frequency, T) and P(alive) once per
    row; others once per distinct (frequency, recency, T), on all cores (``expected_by_month``);
    then the months are discounted and added in order. ``unique``: those distinct rows and
    each row's index into them (``unique_rows(rfm, key_columns(model))``), when the caller
    evaluates many models on the same customers."""
    factored = hasattr(model, "expected_purchases_alive")
    keys, inverse = unique if unique is not None else unique_rows(rfm, key_columns(model))
    predict = model.expected_purchases_alive if factored else model.expected_purchases
    by_month = expected_by_month(
        predict,
        keys,
        horizon_months=horizon_months,
        time_unit=time_unit,
        days_per_month=days_per_month,
    )
    total = np.zeros(len(keys))
    previous = np.zeros(len(keys))
    for month in range(1, int(horizon_months) + 1):
        current = by_month[month - 1]
        total += (current - previous) / (1.0 + monthly_discount) ** month
        previous = current
    per_row = total[inverse]
    return per_row * model.p_alive(rfm) if factored else per_row


def expected_by_month(
    predict, rows: pd.DataFrame, *, horizon_months: int, time_unit: str, days_per_month: float
) -> np.ndarray:
    """``predict(t, rows)`` (expected purchases in the next t, one value per row) at the end of
    every month 1 … ``horizon_months``: a (months × rows) array. The rows are split into blocks
    on ``parallel.threads()`` threads. A model whose formulas broadcast (``months_at_once``)
    gets all months of a block in one call, t a column of months (the per-call cost of reading
    the columns and of each step of the formula is paid once instead of per month); others are
    called month by month. Each value is computed alone either way (the special functions are
    elementwise), so the result is the same bits on any number of threads and either way."""
    step = days_per_month / _unit_days(time_unit, days_per_month)  # one month in data units
    months = range(1, int(horizon_months) + 1)
    if not len(rows) or not len(months):
        return np.zeros((len(months), len(rows)))
    at_once = getattr(getattr(predict, "__self__", None), "months_at_once", False)
    times = np.array([month * step for month in months])[:, None]  # data units, a column

    def block_by_month(block: pd.DataFrame) -> np.ndarray:
        if at_once:
            values = np.asarray(predict(times, block), dtype=float)
            return np.broadcast_to(values, (len(times), len(block)))
        return np.stack([np.asarray(predict(month * step, block), dtype=float) for month in months])

    return parallel.by_row_blocks(block_by_month, rows)


def key_columns(model) -> list[str]:
    """The columns a transaction model's discounted purchases depend on (before P(alive)):
    with covariates, the covariate columns too."""
    covariates = covariate_columns(model)
    if hasattr(model, "expected_purchases_alive"):
        return ["frequency", "T", *covariates]
    return ["frequency", "recency", "T", *covariates]


def covariate_columns(model) -> list[str]:
    """The covariate columns a fitted transaction model reads ([] without covariates)."""
    return list(model.covariate_columns) if getattr(model, "uses_covariates", False) else []


def _column_values(series: pd.Series) -> np.ndarray:
    """A column as float64 (numbers) or as objects (a categorical covariate)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return np.asarray(series, dtype="float64")
    return np.asarray(series, dtype=object)


def unique_rows(rfm: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct rows of ``columns`` (in order of first appearance) and each row's index
    into them. Hash-based: each column is factorised, the codes combined into one integer.
    Numeric columns come back as float64, others (categorical covariates) as objects."""
    n = len(rfm)
    values = [_column_values(rfm[c]) for c in columns]
    combined = np.zeros(n, dtype=np.int64)
    span = 1
    for column in values:
        codes, uniques = pd.factorize(column)
        if span * max(len(uniques), 1) >= 2**62:  # too many combinations for one integer
            return _unique_rows_multiindex(rfm, columns)
        combined = combined * len(uniques) + codes
        span *= max(len(uniques), 1)
    inverse, distinct = pd.factorize(combined)
    first = np.empty(len(distinct), dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)
    rows = pd.DataFrame({c: v[first] for c, v in zip(columns, values, strict=True)})
    return rows, inverse


def _unique_rows_multiindex(rfm: pd.DataFrame, columns: list[str]):
    keys = pd.DataFrame({c: _column_values(rfm[c]) for c in columns})
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
    unique: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> pd.Series:
    """Discounted CLV per customer (currency), indexed like ``rfm``.

    ``model`` is a fitted transaction model (BG/NBD, MBG/NBD, Pareto/NBD: anything with
    ``expected_purchases(t, rfm)`` in the data's ``time_unit``); ``spend_model`` a fitted spend
    model with ``expected_spend(rfm)`` or a fixed amount per purchase (currency). ``margin`` is
    the fraction of spend kept. ``days_per_month`` sets how long a month is (lifetimes steps
    4.345 weeks = 30.415 days on weekly data). ``unique``: see :func:`discounted_purchases`.
    """
    discount = monthly_rate(monthly_discount_rate, annual_discount_rate)
    purchases = discounted_purchases(
        model,
        rfm,
        horizon_months=horizon_months,
        monthly_discount=discount,
        time_unit=time_unit,
        days_per_month=days_per_month,
        unique=unique,
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
    covariates: dict | pd.DataFrame | None = None,
) -> float:
    """Expected discounted margin of a customer just acquired (currency): the first order plus
    the repeat purchases the models expect over the horizon,

    margin × [first_order_value + E[spend] × Σ_{m=1..H} (E[X(m)] − E[X(m−1)]) / (1 + d)^m],

    E[X(t)] the transaction model's ``expected_purchases_new_customer`` and E[spend] the spend
    model's population mean (``expected_spend_new_customer``) or a fixed amount. This is the
    most an acquisition may cost before it loses money over the horizon. With a covariate
    model, ``covariates`` ({column: value}, e.g. the acquisition channel) are the new
    customer's, and E[X(t)] is evaluated at his parameters.
    """
    discount = monthly_rate(monthly_discount_rate, annual_discount_rate)
    step = days_per_month / _unit_days(time_unit, days_per_month)
    months = np.arange(0, int(horizon_months) + 1)
    if covariates is not None:
        model = model.for_customer(covariates)  # a plain model with the customer's parameters
    cumulative = np.asarray(model.expected_purchases_new_customer(months * step), dtype=float)
    cumulative[0] = 0.0
    purchases = np.sum(np.diff(cumulative) / (1.0 + discount) ** months[1:])
    if isinstance(spend_model, (int, float)):
        spend = float(spend_model)
    else:
        spend = float(spend_model.expected_spend_new_customer())
    return float(margin * (first_order_value + spend * purchases))


def _with_drawn_params(model, rng, n: int = 1) -> list:
    """``n`` copies of ``model`` whose parameters are drawn from the asymptotic normal
    distribution of the maximum-likelihood estimates on the log scale (covariance_ / (θ θᵀ)),
    covariate coefficients on their own scale (``BaseFitter.draw_params``), drawn in one call
    (a draw per copy cost a covariance lookup each: 2 s of 7 in a small client's step I)."""
    names = list(model.param_names)
    draws = model.draw_params(rng, int(n))
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
    covariates: dict | pd.DataFrame | None = None,
    **value_kwargs,
) -> tuple[float, float]:
    """Percentile interval of :func:`new_customer_value` (currency) over ``n_draws`` parameter
    sets drawn from the fitted models' asymptotic normal distributions (log scale, Hessian
    covariance; covariate coefficients on their own scale, jointly with the others) and a
    normal draw of the mean first order (``first_order_se``). Needs no refit, so it suits many
    small segments; seeded. ``covariates``: the new customer's, for a covariate model."""
    rng = np.random.default_rng(seed)
    n = int(n_draws)
    if covariates is None:
        models = _with_drawn_params(model, rng, n)
    else:  # plain models at the new customer's parameters, one per draw
        models = model.customer_models(covariates, model.draw_params(rng, n))
    fixed = isinstance(spend_model, (int, float))
    spends = [spend_model] * n if fixed else _with_drawn_params(spend_model, rng, n)
    firsts = first_order_value + first_order_se * rng.standard_normal(n)
    values = [
        new_customer_value(m, s, first_order_value=float(first), **value_kwargs)
        for m, s, first in zip(models, spends, firsts, strict=True)
    ]
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def clv_by_segment(clv: pd.Series, segments: pd.Series | None = None) -> pd.DataFrame:
    """Customers, total and mean CLV (currency) overall (row ``"all"``) and per segment.

    ``clv`` is one value per customer (e.g. :func:`customer_lifetime_value`), ``segments`` a
    label per customer aligned with it (missing labels count as ``"(unknown)"``). Indexed by
    segment, ``"all"`` first; columns ``customers``, ``total``, ``mean``: the point estimates
    :func:`clv_intervals` reports (it sums them by model-row groups instead, for speed), and what
    the notebooks' horizon/margin/discount controls recompute.
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
    first_order_value: float | dict | None = None,
    progress: bool = False,
    exact_customers: int = EXACT_ROWS,
    new_customer_covariates: dict | None = None,
    replicates: Replicates | None = None,
    unit_sums: np.ndarray | None = None,
) -> pd.DataFrame:
    """Point estimates and bootstrap intervals of total and mean CLV, overall and per segment.

    Each bootstrap replicate resamples customers with replacement, refits copies of both
    models and recomputes the CLV of the *observed* customers: the interval reflects the
    uncertainty of the fitted parameters. Customers alike in everything the fits read are
    interchangeable, so the draw is a multinomial on the distinct rows with probabilities
    count / n (``_BootstrapRows.draw``) — the distribution of n customer draws summed per row —
    and each replicate reweighs row layouts built once. Seeded: the same inputs give the same
    intervals.
    Columns: segment, customers, total, mean, total_low, total_high, mean_low, mean_high
    (currency). With ``first_order_value`` (currency, the mean first order) a last row
    ``NEW_CUSTOMER`` holds :func:`new_customer_value` in ``mean`` with its interval — the
    acquisition-cost ceiling.

    Above ``exact_customers`` customers (100,000, as ``clvlib.resampling``) a replicate takes
    one Newton step from the estimates instead of refitting: θ* = θ̂ + C ∇ℓ*(θ̂), ∇ℓ* the
    gradient of the resample's log-likelihood (weights = draw counts) and C the first fit's
    covariance (inverse observed information). The one-step estimates have the refitted ones'
    limiting distribution, N(θ̂, C J C) with J the variance of the score — the sandwich, so
    they stay right when the model is misspecified, where the inverse Hessian alone (a normal
    draw from the estimates' covariance) can be too narrow or too wide. At 1.4 M customers a
    replicate costs one gradient per model instead of a converged refit. The table's
    ``attrs["method"]`` says which was used (``"bootstrap"`` or ``"one_step"``); a model
    without a finite, positive-definite covariance is always refitted.

    ``rfm`` is one row per customer (pandas, as the models need it); everything computed once
    (unique rows, segment codes) is reused by every replicate, so a replicate costs two warm
    refits on the unique rows and one vectorised CLV evaluation.

    A covariate model (``trans_covariates``/``life_covariates``; the columns in ``rfm``) is
    refitted on the unique (frequency, recency, T, covariates) rows, or stepped once on them,
    and every customer's CLV uses his own parameters. Its new customers need
    ``new_customer_covariates``: {label: {column: value}}, one row ``"(new customer) <label>"``
    each (``first_order_value`` a number, or {label: number}).

    ``replicates``: the replicates' estimates from an earlier ``bootstrap_fits`` with the same
    customers, models, ``n_boot``, ``seed`` and ``exact_customers`` (e.g. kept by the run
    cache); without them they are fitted here. ``unit_sums``: ``segment_unit_sums`` of the
    same customers, segments, replicates, horizon and discount rate (the margin is applied
    here). Either way the table is the same.
    """
    seg_codes, seg_labels = _segment_codes(rfm, segments)
    seg_sizes = np.bincount(seg_codes, minlength=len(seg_labels)).astype(float)
    other = [i for i, label in enumerate(seg_labels) if label != "all"]
    index = ["all", *[seg_labels[i] for i in other]]
    newcomers = _new_customers(model, first_order_value, new_customer_covariates)
    clv_kwargs = dict(
        horizon_months=horizon_months,
        annual_discount_rate=annual_discount_rate,
        time_unit=time_unit,
        days_per_month=days_per_month,
    )
    if replicates is None:
        replicates = bootstrap_fits(
            model, spend_model, rfm, n_boot=n_boot, seed=seed, exact_customers=exact_customers,
            progress=progress,
        )  # fmt: skip
    if unit_sums is None:
        unit_sums = segment_unit_sums(
            model, spend_model, rfm, segments=segments, replicates=replicates, **clv_kwargs
        )

    def values(sums_per_unit: np.ndarray, m, s) -> tuple[np.ndarray, np.ndarray]:
        """Totals and means (currency) in the order of ``index`` (+ the new customer)."""
        sums = margin * sums_per_unit
        total = np.concatenate([[sums.sum()], sums[other]])
        mean = np.concatenate([[sums.sum() / len(rfm)], sums[other] / seg_sizes[other]])
        for _, first, covariates in newcomers:
            value = new_customer_value(
                m, s, first_order_value=first, covariates=covariates, margin=margin, **clv_kwargs
            )
            total, mean = np.append(total, np.nan), np.append(mean, value)
        return total, mean

    point_sum, point_mean = values(unit_sums[0], model, spend_model)
    draws_sum, draws_mean = [], []
    for sums_per_unit, (m, s) in zip(
        unit_sums[1:], replicates.models(model, spend_model), strict=True
    ):
        boot_sum, boot_mean = values(sums_per_unit, m, s)
        draws_sum.append(boot_sum)
        draws_mean.append(boot_mean)
    alpha = (1 - level) / 2
    sums = np.array(draws_sum).reshape(len(draws_sum), len(point_sum))
    means = np.array(draws_mean).reshape(len(draws_mean), len(point_mean))

    def quantile(draws: np.ndarray, q: float) -> np.ndarray:
        if not len(draws):
            return np.full(draws.shape[1], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the new customer has no total
            return np.nanquantile(draws, q, axis=0)

    labels = index + [label for label, _, _ in newcomers]
    sizes = np.concatenate([[float(len(rfm))], seg_sizes[other], np.full(len(newcomers), np.nan)])
    table = pd.DataFrame(
        {
            "segment": labels,
            "customers": sizes,
            "total": point_sum,
            "mean": point_mean,
            "total_low": quantile(sums, alpha),
            "total_high": quantile(sums, 1 - alpha),
            "mean_low": quantile(means, alpha),
            "mean_high": quantile(means, 1 - alpha),
        }
    )
    table.attrs["method"] = replicates.method
    return table


def _segment_codes(rfm: pd.DataFrame, segments: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's segment code and the labels (sorted; ``"all"`` without segments,
    ``"(unknown)"`` for a missing label)."""
    segments = (
        pd.Series("all", index=rfm.index) if segments is None else segments.reindex(rfm.index)
    )
    segments = segments.astype("object").fillna("(unknown)")
    return pd.factorize(segments.to_numpy(), sort=True)


def segment_unit_sums(
    model,
    spend_model,
    rfm: pd.DataFrame,
    *,
    segments: pd.Series | None,
    replicates: Replicates,
    horizon_months: int,
    annual_discount_rate: float,
    time_unit: str = "W",
    days_per_month: float = 30.4375,
) -> np.ndarray:
    """The customers' CLV summed per segment at a margin of 1 (currency per unit of margin; a
    CLV is proportional to the margin): row 0 at the models' estimates, then one row per
    replicate of ``replicates``; columns the sorted segment labels (``_segment_codes``). The
    expensive part of ``clv_intervals`` — E[Y(t)] for every replicate — and independent of
    the margin, so a run may keep it for a margin-only re-run."""
    seg_codes, seg_labels = _segment_codes(rfm, segments)
    clv_unique = unique_rows(rfm, key_columns(model))
    grouped = _GroupedClv(rfm, seg_codes, len(seg_labels), spend_model, covariate_columns(model))
    clv_kwargs = dict(
        horizon_months=horizon_months,
        annual_discount_rate=annual_discount_rate,
        time_unit=time_unit,
        days_per_month=days_per_month,
        margin=1.0,
    )

    def sums(m, s) -> np.ndarray:
        per_segment = grouped.sums(m, s, **clv_kwargs)
        if per_segment is None:  # a spend model that is not linear in the customer's mean spend
            clv = customer_lifetime_value(m, s, rfm, unique=clv_unique, **clv_kwargs).to_numpy()
            per_segment = np.bincount(seg_codes, weights=clv, minlength=len(seg_labels))
        return per_segment

    rows = [sums(model, spend_model)]
    rows += [sums(m, s) for m, s in replicates.models(model, spend_model)]
    return np.array(rows).reshape(len(rows), len(seg_labels))


@dataclass
class Replicates:
    """The bootstrap replicates' estimates (``bootstrap_fits``): per replicate the transaction
    model's and the spend model's parameters ({name: value}; the spend model's a fixed amount
    when it is one), and ``method`` (``"bootstrap"``: refitted, ``"one_step"``: one Newton
    step). They depend on the customers, the models and the seed, not on the economics
    (horizon, discount rate, margin), so a run may keep them (``run_cache.remembered``) and
    recompute the CLV for other economics without refitting."""

    method: str
    model_params: list[dict[str, float]]
    spend_params: list[dict[str, float] | float]

    def models(self, model, spend_model) -> Iterator[tuple[object, object]]:
        """(transaction model, spend model) per replicate: copies of ``model`` and
        ``spend_model`` (the fitted originals) carrying the replicate's parameters."""
        for params, spend in zip(self.model_params, self.spend_params, strict=True):
            m = _unfitted_copy(model)
            m.params_ = dict(params)
            if isinstance(spend, dict):
                s = _unfitted_copy(spend_model)
                s.params_ = dict(spend)
            else:
                s = spend
            yield m, s


def bootstrap_fits(
    model,
    spend_model,
    rfm: pd.DataFrame,
    *,
    n_boot: int = 100,
    seed: int = 0,
    exact_customers: int = EXACT_ROWS,
    progress: bool = False,
) -> Replicates:
    """The ``n_boot`` bootstrap replicates of ``clv_intervals`` (see there): customers drawn
    with replacement (``_BootstrapRows.draw``), both models refitted warm from their estimates
    — or, above ``exact_customers`` customers, moved one Newton step — seeded."""
    from clvlib.progress import bar

    fixed_spend = isinstance(spend_model, (int, float))
    one_step = len(rfm) > exact_customers and all(
        _has_covariance(m) for m in ([model] if fixed_spend else [model, spend_model])
    )
    fit_rows = _BootstrapRows(model, spend_model, rfm)
    rng = np.random.default_rng(seed)
    model_params, spend_params = [], []
    for _ in bar(range(n_boot), desc="bootstrap CLV", enabled=progress):
        counts = fit_rows.draw(rng)
        m, s = fit_rows.one_step(counts) if one_step else fit_rows.refit(counts)
        model_params.append(dict(m.params_))
        spend_params.append(float(s) if isinstance(s, (int, float)) else dict(s.params_))
    return Replicates("one_step" if one_step else "bootstrap", model_params, spend_params)


def _new_customers(model, first_order_value, covariates_by_label) -> list[tuple]:
    """(row label, first order value, covariates) per new-customer row of ``clv_intervals``."""
    if first_order_value is None:
        return []
    if not covariate_columns(model):
        if covariates_by_label:
            raise ValueError("new_customer_covariates needs a model fitted with covariates")
        return [(NEW_CUSTOMER, float(first_order_value), None)]
    if not covariates_by_label:
        raise ValueError(
            f"the model has covariates {covariate_columns(model)}: a new customer's value "
            f"depends on them; give new_customer_covariates={{label: {{column: value}}}}"
        )
    rows = []
    for label, covariates in covariates_by_label.items():
        first = (
            first_order_value[label] if isinstance(first_order_value, dict) else first_order_value
        )
        rows.append((f"{NEW_CUSTOMER} {label}", float(first), covariates))
    return rows


def _has_covariance(model) -> bool:
    """Whether ``model`` has a finite, positive-definite Hessian covariance of positive
    estimates (what a one-step replicate needs), judged on the scale of the draws (log θ for
    positive parameters, γ for covariate coefficients)."""
    if getattr(model, "covariance_", None) is None:
        return False
    names = list(model.param_names)
    theta = np.array([model.params_[k] for k in names], dtype=float)
    if not np.all(theta[model._positive()] > 0):
        return False
    matrix = model.internal_covariance()
    if not np.all(np.isfinite(matrix)):
        return False
    return bool(np.all(np.linalg.eigvalsh(matrix) > 0))


class _GroupedClv:
    """Segment totals of CLV without a pass over every customer per replicate.

    CLV_i = margin × D(x, t_x, T) × spend_i, where D (discounted expected purchases) depends
    on the customer's (frequency, recency, T) only and the Gamma-Gamma spend is linear in the
    customer's mean spend: spend_i = α(x) + β(x) m_i⁺ (α = p v / (p x + q − 1), β =
    p x / (p x + q − 1); a fixed spend is α alone). So a segment's total is
    Σ_k margin D_k (α_k N_k + β_k M_k) over the distinct (frequency, recency, T, segment) groups
    k, N_k customers and M_k their summed m⁺ — exactly the per-customer sum, in a few hundred
    thousand terms instead of millions."""

    def __init__(
        self, rfm: pd.DataFrame, seg_codes: np.ndarray, n_segments: int, spend, covariates=()
    ) -> None:
        from clvlib.models.gammagamma import GammaGamma

        self.linear = isinstance(spend, (int, float, GammaGamma))
        if not self.linear:
            return
        # a covariate model's D depends on the customer's covariates too: they join the key
        keys, inverse = unique_rows(rfm, ["frequency", "recency", "T", *covariates])
        pair, pairs = pd.factorize(inverse.astype(np.int64) * n_segments + seg_codes)
        self.n_segments = n_segments
        self.key_of_pair = (pairs // n_segments).astype(np.int64)
        self.seg_of_pair = (pairs % n_segments).astype(np.int64)
        x = np.asarray(rfm["frequency"], dtype=float)
        m = np.asarray(rfm["monetary_value"], dtype=float) if "monetary_value" in rfm else 0 * x
        m_pos = np.where(x > 0, np.maximum(m, 0.0), 0.0)
        self.count = np.bincount(pair, minlength=len(pairs)).astype(float)
        self.mean_sum = np.bincount(pair, weights=m_pos, minlength=len(pairs))
        self.keys = keys
        self.key_unique = {}

    def sums(self, model, spend, *, margin: float, **kwargs) -> np.ndarray | None:
        if not self.linear:
            return None
        columns = tuple(key_columns(model))
        if columns not in self.key_unique:
            self.key_unique[columns] = unique_rows(self.keys, list(columns))
        discount = monthly_rate(None, kwargs["annual_discount_rate"])
        purchases = discounted_purchases(
            model,
            self.keys,
            horizon_months=kwargs["horizon_months"],
            monthly_discount=discount,
            time_unit=kwargs["time_unit"],
            days_per_month=kwargs["days_per_month"],
            unique=self.key_unique[columns],
        )
        x = np.maximum(self.keys["frequency"].to_numpy(dtype=float), 0.0)
        if isinstance(spend, (int, float)):
            alpha, beta = np.full(len(x), float(spend)), np.zeros(len(x))
        else:
            p, q, v = (spend.params_[k] for k in ("p", "q", "v"))
            denominator = p * x + q - 1
            if np.any(denominator <= 0):
                return None
            alpha, beta = p * v / denominator, p * x / denominator
        k = self.key_of_pair
        terms = margin * purchases[k] * (alpha[k] * self.count + beta[k] * self.mean_sum)
        return np.bincount(self.seg_of_pair, weights=terms, minlength=self.n_segments)


class _BootstrapRows:
    """What every replicate refits on, computed once.

    The draw rows: customers' distinct (frequency, recency, T[, covariates][, monetary value])
    — everything the two fits read. A replicate's counts on them (``draw``) are multinomial(n,
    count_k / n): n customers drawn with replacement and summed per row have exactly that
    distribution, and the draw costs one binomial per distinct row instead of one per customer.
    The transaction model's rows: the distinct (frequency, recency, T[, covariates]) of the draw
    rows, each draw row's index into them; the spend model's: the draw rows with a repeat
    purchase and a positive mean spend. Models that reweigh a row index (``reweighs_rows``:
    BG/NBD's layout, Gamma-Gamma's statistics) get it built once on templates whose copies the
    replicates refit. ``refit(counts)`` refits warm from the estimates; ``one_step(counts)`` takes
    one Newton step instead (``_one_step``)."""

    def __init__(self, model, spend_model, rfm: pd.DataFrame) -> None:
        self.model, self.spend_model = model, spend_model
        self.fixed_spend = isinstance(spend_model, (int, float))
        covariates = covariate_columns(model)
        model_columns = ["frequency", "recency", "T", *covariates]
        draw_columns = model_columns if self.fixed_spend else [*model_columns, "monetary_value"]
        draws, draw_inverse = unique_rows(rfm, draw_columns)
        self.customers = len(rfm)
        self.probabilities = np.bincount(draw_inverse, minlength=len(draws)) / max(len(rfm), 1)
        self.keys, self.inverse = unique_rows(draws, model_columns)
        self.likelihood = None
        if covariates:
            # the unique (frequency, recency, T, covariates) rows coded for the model's grouped
            # likelihood: one-step replicates take its gradient, refits go through fit(frame)
            self.key_array, self.likelihood = model._rows_and_likelihood(self.keys)
        else:
            self.key_array = self.keys.to_numpy(dtype=float)
        self.compressed = not covariates and getattr(model, "compressed_columns", None) == (
            "frequency", "recency", "T",
        )  # fmt: skip
        self.template = _with_rows(model, self.key_array if self.compressed else None)
        if not self.fixed_spend:
            x = draws["frequency"].to_numpy(dtype=float)
            m = draws["monetary_value"].to_numpy(dtype=float)
            # the Gamma-Gamma likelihood's own rows: repeat buyers with a positive mean spend
            self.spend_used = np.flatnonzero((x > 0) & (m > 0))
            self.spend_data = np.column_stack([x[self.spend_used], m[self.spend_used]])
            self.spend_template = _with_rows(spend_model, self.spend_data)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """One replicate's customers per draw row (they sum to the number of customers)."""
        return rng.multinomial(self.customers, self.probabilities)

    def refit(self, counts: np.ndarray):
        return self._refit_model(counts), self._refit_spend(counts)

    def one_step(self, counts: np.ndarray):
        m = None
        if self.compressed or self.likelihood is not None:
            m = _one_step(self.template, self.key_array, self._model_weights(counts),
                          self.likelihood)  # fmt: skip
        m = m if m is not None else self._refit_model(counts)
        if self.fixed_spend:
            return m, self.spend_model
        spend_weights = counts[self.spend_used].astype(float)
        s = _one_step(self.spend_template, self.spend_data, spend_weights)
        return m, (s if s is not None else self._refit_spend(counts))

    def _model_weights(self, counts: np.ndarray) -> np.ndarray:
        return np.bincount(self.inverse, weights=counts, minlength=len(self.keys))

    def _refit_model(self, counts: np.ndarray):
        weights = self._model_weights(counts)
        if self.compressed and getattr(self.model, "reweighs_rows", False):
            return _refit(self.template, (self.key_array, weights))  # rows of weight 0 skipped
        drawn = weights > 0
        if self.compressed:
            return _refit(self.template, (self.key_array[drawn], weights[drawn]))
        return _refit(self.template, self.keys[drawn].assign(weights=weights[drawn]))

    def _refit_spend(self, counts: np.ndarray):
        if self.fixed_spend:
            return self.spend_model
        weights = counts[self.spend_used].astype(float)
        if getattr(self.spend_model, "reweighs_rows", False):
            return _refit(self.spend_template, (self.spend_data, weights))
        drawn = weights > 0
        return _refit(self.spend_template, (self.spend_data[drawn], weights[drawn]))


def _with_rows(model, data: np.ndarray | None):
    """A shallow copy of ``model`` (its fitted state shared) whose row index for ``data`` is
    built (``BaseFitter._prepared_for``) when the model reweighs one: the replicates' copies
    of it (``_unfitted_copy`` keeps the index) then never rebuild it."""
    template = copy.copy(model)
    if data is not None and getattr(model, "reweighs_rows", False):
        template._prepared_for(data)
    return template


def _unfitted_copy(model):
    """A shallow copy of ``model`` without its fitted state (``*_``) or the cached layouts of
    the rows it was fitted on (``_*``) — bar the weight-free row index (``_prepared``), which a
    replicate on the same rows reweighs — for a replicate to fill in. A covariate model keeps its
    design (levels, names) and fixes its levels for a refit, so every replicate codes the
    covariates as the original fit did."""
    fresh = copy.copy(model)
    kept = {"_design", "_scales", "_prepared"}
    for name in [k for k in vars(fresh) if (k.endswith("_") or k.startswith("_"))]:
        if name not in kept:
            delattr(fresh, name)
    if covariate_columns(model):
        fresh.covariate_levels = dict(model.covariate_levels_)
    return fresh


def _one_step(model, data: np.ndarray, weights: np.ndarray, likelihood=None):
    """A copy of ``model`` moved one Newton step from its estimates on the reweighted rows
    (``data`` in the model's own layout, or coded for ``likelihood``, a covariate model's
    grouped likelihood): θ̂ + C ∇ℓ_w(θ̂), C its covariance (natural scale); None when the step
    leaves the parameter space (the caller refits instead)."""
    names = list(model.param_names)
    theta = np.array([model.params_[k] for k in names], dtype=float)
    covariance = model.covariance_.loc[names, names].to_numpy(dtype=float)
    fresh = _unfitted_copy(model)
    evaluate = fresh._loglik_and_grad if likelihood is None else likelihood
    _, gradient = evaluate(theta, data, weights)
    stepped = theta + covariance @ gradient
    positive = model._positive()
    if not (np.all(np.isfinite(stepped)) and np.all(stepped[positive] > 0)):
        return None
    fresh.params_ = dict(zip(names, stepped.tolist(), strict=True))
    return fresh


def _refit(model, sample: pd.DataFrame | tuple[np.ndarray, np.ndarray]):
    """A copy of ``model`` refitted on ``sample``, warm-started at the original estimates with
    Newton steps on the original fit's Hessian (``BaseFitter._newton``; L-BFGS-B if they fail),
    without standard errors (a bootstrap replicate needs the estimates only). ``sample``: a
    frame for ``fit``, or (unique rows, weights) for ``fit_compressed``."""
    fresh = _unfitted_copy(model)
    covariance = getattr(model, "covariance_", None)
    fresh.n_starts = 1
    fresh.initial_params = dict(model.params_)
    fresh.standard_errors = False
    if covariance is not None:
        fresh.newton_covariance = covariance.loc[model.param_names, model.param_names].to_numpy()
    if isinstance(sample, tuple):
        return fresh.fit_compressed(*sample)
    return fresh.fit(sample)
