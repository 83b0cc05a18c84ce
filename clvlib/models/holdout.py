"""Calibration/holdout validation of a transaction model (as in Fader, Hardie & Lee 2005).

Inputs are ``rfm_summary(..., calibration_end=...)`` frames: ``frequency, recency, T`` of the
calibration period and ``frequency_holdout`` (repeat purchase days in the holdout) with
``duration_holdout`` (its length, same time unit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    rows = []
    for week, week_end in enumerate(week_ends, start=1):
        # elapsed weeks by the end of this week's last day
        elapsed = ((week_end - cohort_days).days.to_numpy() + 1) / 7.0
        active = elapsed > 0
        expected = (
            float(np.dot(counts[active], model.expected_purchases_new_customer(elapsed[active])))
            if active.any()
            else 0.0
        )
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
