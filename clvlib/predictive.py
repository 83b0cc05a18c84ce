"""Step I, predictive part: BTYD models on the client's data, validated on a holdout.

``validate_models(audit)`` fits the transaction models on the calibration period (the data window
less ``holdout_weeks``) and compares their holdout forecasts; ``purchase_day_counts(audit)``
feeds the weekly tracking table. Time unit: weeks (7 days). Heavy grouping runs in DuckDB; only
per-day and per-customer results reach pandas.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from clvlib.calculation import rfm_summary
from clvlib.models.bgnbd import BGNBD
from clvlib.models.holdout import (
    conditional_expectations,
    holdout_summary,
    model_comparison,
    tracking_table,
)

TRANSACTION_MODELS = {"BG/NBD": BGNBD}


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
    "conditional", "tracking"}``; ``chosen`` is the model with the lowest AIC (the holdout error
    is reported beside it). ``None`` when ``holdout_weeks`` is 0.
    """
    calibration_end = audit.calibration_end
    if calibration_end is None:
        return None
    rfm = customer_summary(audit, calibration_end=calibration_end)
    fitted = {name: cls().fit(rfm) for name, cls in (models or TRANSACTION_MODELS).items()}
    comparison = model_comparison(fitted, rfm)
    chosen = comparison.loc[0, "model"]
    model = fitted[chosen]
    cohorts, repeats = purchase_day_counts(audit, calibration_end=calibration_end)
    return {
        "calibration_end": calibration_end,
        "rfm": rfm,
        "fitted": fitted,
        "comparison": comparison,
        "chosen": chosen,
        "summary": holdout_summary(model, rfm),
        "conditional": conditional_expectations(model, rfm),
        "tracking": tracking_table(
            model,
            cohorts,
            repeats,
            start=audit.observation_start,
            end=audit.observation_end,
            calibration_end=calibration_end,
        ),
    }
