"""The value of a new customer per acquisition channel, from one purchase model with the channel
(and loyalty membership, where the client has it) as covariates.

Fitting each channel alone left small channels without a value and gave big ones values that
differ only by noise; one pooled model gave every channel nearly the same value. Instead the
transaction model (BG/NBD or Pareto/NBD) is fitted once with static covariates in CLVTools'
parametrisation (``clvlib.models.covariates``): every channel has its own purchase rate and
drop-out, the shapes r and s (resp. a/b's spread) are shared. A likelihood-ratio test against
the pooled model decides: when the covariates matter (p < ``LR_LEVEL``) each channel's value
comes from the covariate model at the channel's mix of loyalty members; when they do not, from
the pooled model, so that channels differ only by their first order — the report then says no
difference in repeat behaviour was found. Channels with fewer than ``MIN_LEVEL_CUSTOMERS``
customers or ``MIN_LEVEL_REPEATERS`` repeat buyers share the level ``OTHER`` in the fit.

Values in the client's currency over ``economics.horizon_months``; intervals 95 % from the
parameters' asymptotic normal distribution (paired draws for the member mix) and the standard
error of the channel's mean first order.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from clvlib.errors import DataError
from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import _with_drawn_params, new_customer_value, new_customer_value_interval
from clvlib.models.paretonbd import ParetoNBD

#: The covariate model is used when the likelihood-ratio test rejects "no covariate effect" at
#: this level.
LR_LEVEL = 0.05
#: Channels below these counts join ``OTHER`` in the fit (their coefficients would rest on a
#: handful of customers).
MIN_LEVEL_CUSTOMERS = 30
MIN_LEVEL_REPEATERS = 5
OTHER = "(other)"
#: The models that take covariates, by the audit's model name.
COVARIATE_MODELS = {"BG/NBD": BGNBD, "Pareto/NBD": ParetoNBD}
#: Parameter draws for the value intervals.
N_DRAWS = 400


def covariate_frame(
    rfm: pd.DataFrame, channels: pd.Series, members: pd.Series | None
) -> tuple[pd.DataFrame, list]:
    """``rfm`` with the covariate columns ``channel`` (small channels lumped into ``OTHER``)
    and ``loyalty`` (``members``: customer_id → 1 for members, 0 otherwise; None when the
    client has no ``loyalty_member``), and the list of those columns that vary."""
    frame = rfm.copy()
    label = channels.reindex(rfm.index).astype("object").fillna("(unknown)")
    repeat = rfm["frequency"] > 0
    sizes = label.groupby(label).size()
    repeaters = repeat.groupby(label).sum()
    small = sizes.index[(sizes < MIN_LEVEL_CUSTOMERS) | (repeaters < MIN_LEVEL_REPEATERS)]
    frame["channel"] = label.where(~label.isin(small), OTHER).to_numpy()
    columns = ["channel"] if frame["channel"].nunique() > 1 else []
    if members is not None:
        frame["loyalty"] = members.reindex(rfm.index).fillna(0.0).to_numpy()
        if frame["loyalty"].nunique() > 1:
            columns.append("loyalty")
    return frame, columns


def loyalty_members(audit) -> pd.Series | None:
    """customer_id → 1.0 for loyalty members, 0.0 otherwise; None without the column."""
    from clvlib.predictive import customer_segments

    try:
        values = customer_segments(audit, "loyalty_member")
    except DataError:
        return None
    return values.astype(str).str.lower().isin(["true", "1", "t", "yes"]).astype(float)


def fit_covariate_model(model_name: str, frame: pd.DataFrame, columns: list[str]):
    """The model with ``columns`` in both blocks (purchase and drop-out), or ``(None, reason)``
    when the model takes no covariates or the fit is not possible (a level without
    information)."""
    model_class = COVARIATE_MODELS.get(model_name)
    if model_class is None:
        return None, "model_without_covariates"
    if not columns:
        return None, "no_covariates"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the overall fit reports model warnings
            model = model_class(trans_covariates=columns, life_covariates=columns).fit(frame)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        return None, f"not_identified: {error}"  # a constant column, collinear levels …
    covariance = getattr(model, "covariance_", None)
    if covariance is None or not np.all(np.isfinite(covariance.to_numpy(dtype=float))):
        return None, "no_standard_errors"  # no interval could be drawn for the values
    return model, None


def channel_ceilings(
    rfm: pd.DataFrame,
    channels: pd.Series,
    first: pd.Series,
    model_name: str,
    pooled,
    spend,
    *,
    members: pd.Series | None = None,
    fitted: tuple | None = None,
    **clv_kwargs,
) -> tuple[pd.DataFrame, dict]:
    """Per acquisition channel: the value of a new customer (``ceiling``, currency) with its
    interval, as ``predictive.segment_ceilings`` lays it out (columns segment, customers,
    repeat_customers, first_order_value, ceiling, ceiling_low, ceiling_high, note, basis), and
    the record of the covariate model for ``metrics.json`` (``members``: see
    ``covariate_frame``): ``{"columns", "model", "used",
    "lr_statistic", "df", "p_value", "reason", "lumped", "coefficients"}``. ``fitted``:
    ``fit_covariate_model``'s ``(model, reason)`` for these customers, channels and members
    (e.g. kept by the run cache: it does not depend on the economics); fitted here without it."""
    frame, columns = covariate_frame(rfm, channels, members)
    model, reason = (
        fitted if fitted is not None else fit_covariate_model(model_name, frame, columns)
    )
    test = getattr(model, "lr_test_", None) if model is not None else None
    used = bool(test is not None and test["p_value"] < LR_LEVEL)
    record = {
        "model": model_name,
        "columns": columns,
        "used": used,
        "lr_statistic": None if test is None else float(test["statistic"]),
        "df": None if test is None else int(test["df"]),
        "p_value": None if test is None else float(test["p_value"]),
        "reason": reason,
        "lumped": sorted(set(channels.dropna()) - set(frame["channel"])),
        "coefficients": _coefficients(model) if model is not None else {},
    }
    rows = []
    label = channels.reindex(rfm.index).astype("object").fillna("(unknown)")
    for name, members in frame.groupby(label.to_numpy()):
        first_orders = first.reindex(members.index)
        first_value = float(first_orders.mean())
        first_se = float(first_orders.std() / np.sqrt(max(first_orders.count(), 1)))
        if not np.isfinite(first_se):
            first_se = 0.0
        row = {
            "segment": name,
            "customers": len(members),
            "repeat_customers": int((members["frequency"] > 0).sum()),
            "first_order_value": first_value,
            "note": None,
            "basis": "covariate_model" if used else "pooled_model",
        }
        if used:
            level = members["channel"].iloc[0]
            share = float(members["loyalty"].mean()) if "loyalty" in columns else None
            values = _mixed_value(model, spend, level, share, first_value, first_se, clv_kwargs)
        else:
            values = _pooled_value(pooled, spend, first_value, first_se, clv_kwargs)
        row["ceiling"], row["ceiling_low"], row["ceiling_high"] = values
        rows.append(row)
    table = pd.DataFrame(rows)
    table = table.sort_values(["customers", "segment"], ascending=[False, True], ignore_index=True)
    return table, record


def _coefficients(model) -> dict:
    """Coefficient → estimate, standard error and 95 % interval (the summary's)."""
    summary = model.summary().set_index("parameter")
    names = [n for n in model.param_names if n.startswith(("trans.", "life."))]
    return {
        name: {
            "estimate": float(summary.loc[name, "estimate"]),
            "standard_error": float(summary.loc[name, "standard_error"]),
            "ci_low": float(summary.loc[name, "ci_low"]),
            "ci_high": float(summary.loc[name, "ci_high"]),
        }
        for name in names
    }


def _pooled_value(pooled, spend, first_value, first_se, clv_kwargs) -> tuple[float, ...]:
    value = new_customer_value(pooled, spend, first_order_value=first_value, **clv_kwargs)
    low, high = new_customer_value_interval(
        pooled,
        spend,
        first_order_value=first_value,
        first_order_se=first_se,
        n_draws=N_DRAWS,
        seed=0,
        **clv_kwargs,
    )
    return value, low, high


def _mixed_value(model, spend, level, share, first_value, first_se, clv_kwargs):
    """The channel's value at its share of loyalty members (``share``; None without loyalty):
    (1 − share) × value(non-member) + share × value(member), and its 95 % interval from paired
    parameter draws (the same draw for both statuses)."""
    statuses = [(0.0, 1.0)] if share is None else [(0.0, 1.0 - share), (1.0, share)]

    def covariates(status):
        return {"channel": level} | ({} if share is None else {"loyalty": status})

    value = sum(
        weight
        * new_customer_value(
            model, spend, first_order_value=first_value, covariates=covariates(s), **clv_kwargs
        )
        for s, weight in statuses
    )
    rng = np.random.default_rng(0)
    draws = model.draw_params(rng, N_DRAWS)
    fixed = isinstance(spend, (int, float))
    spends = [spend] * N_DRAWS if fixed else _with_drawn_params(spend, rng, N_DRAWS)
    firsts = first_value + first_se * rng.standard_normal(N_DRAWS)
    total = np.zeros(N_DRAWS)
    for status, weight in statuses:
        models = model.customer_models(covariates(status), draws)
        total += weight * np.array(
            [
                new_customer_value(m, s, first_order_value=float(f), **clv_kwargs)
                for m, s, f in zip(models, spends, firsts, strict=True)
            ]
        )
    low, high = np.quantile(total, [0.025, 0.975])
    return float(value), float(low), float(high)
