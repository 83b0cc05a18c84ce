"""customer_lifetime_value against closed forms: with purchases arriving at a constant rate the
discounted sum is an annuity, Σ_{m=1..H} v^m = v (1 − v^H) / (1 − v), v = 1 / (1 + d); with no
discount the monthly increments telescope to E[Y(H)]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import (
    NEW_CUSTOMER,
    clv_intervals,
    customer_lifetime_value,
    monthly_rate,
    new_customer_value,
)

DATA = Path(__file__).parent / "data"


class ConstantRate:
    """A transaction model whose customers buy ``rate`` times per time unit, for ever."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def expected_purchases(self, t, rfm):
        return np.full(len(rfm), self.rate * t)

    def expected_purchases_new_customer(self, t):
        return self.rate * np.asarray(t, dtype=float)


RFM = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 10.0], "T": [20.0, 20.0]})


def test_constant_rate_gives_the_annuity_formula():
    rate, spend, margin, d, horizon = 0.5, 80.0, 0.3, 0.01, 24  # per week, PLN, -, per month
    clv = customer_lifetime_value(
        ConstantRate(rate),
        spend,
        RFM,
        horizon_months=horizon,
        monthly_discount_rate=d,
        margin=margin,
        time_unit="W",
        days_per_month=30.4375,
    )
    per_month = rate * 30.4375 / 7  # purchases a month
    v = 1 / (1 + d)
    expected = margin * spend * per_month * v * (1 - v**horizon) / (1 - v)
    assert clv.tolist() == pytest.approx([expected, expected], rel=1e-12)


def test_days_per_month_sets_the_month_length():
    # lifetimes steps 4.345 weeks a month on weekly data (30.415 days)
    a = customer_lifetime_value(
        ConstantRate(1.0),
        1.0,
        RFM,
        horizon_months=1,
        monthly_discount_rate=0.0,
        days_per_month=30.415,
    )
    assert a.iloc[0] == pytest.approx(30.415 / 7)


def test_without_discount_increments_telescope_to_expected_purchases():
    rfm = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    model = BGNBD().fit(rfm)
    clv = customer_lifetime_value(model, 35.0, rfm, horizon_months=12, monthly_discount_rate=0.0)
    expected = 35.0 * model.expected_purchases(12 * 30.4375 / 7, rfm)
    np.testing.assert_allclose(clv.to_numpy(), expected, rtol=1e-10)


def test_annual_rate_converts_to_the_equivalent_monthly_rate():
    assert (1 + monthly_rate(annual_discount_rate=0.10)) ** 12 == pytest.approx(1.10)
    with pytest.raises(ValueError, match="exactly one"):
        monthly_rate(0.01, 0.1)
    with pytest.raises(ValueError, match="exactly one"):
        monthly_rate()


def test_bootstrap_intervals_are_seeded_and_cover_the_point_estimate():
    rfm = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    model = BGNBD().fit(rfm)
    segments = pd.Series(np.where(rfm["frequency"] > 0, "repeat", "one-time"), index=rfm.index)
    kwargs = dict(
        horizon_months=12,
        annual_discount_rate=0.1,
        margin=0.3,
        segments=segments,
        n_boot=20,
        seed=3,
    )
    a = clv_intervals(model, 35.0, rfm, **kwargs)
    b = clv_intervals(model, 35.0, rfm, **kwargs)
    pd.testing.assert_frame_equal(a, b)
    table = a.set_index("segment")
    assert (table["total_low"] < table["total"]).all() and (
        table["total"] < table["total_high"]
    ).all()
    assert table.loc[["repeat", "one-time"], "total"].sum() == pytest.approx(
        table.loc["all", "total"]
    )
    assert table.loc["all", "customers"] == len(rfm)


def test_new_customer_value_is_first_order_plus_the_annuity():
    rate, spend, first, margin, d, horizon = 0.5, 80.0, 120.0, 0.3, 0.01, 24
    value = new_customer_value(
        ConstantRate(rate),
        spend,
        first_order_value=first,
        horizon_months=horizon,
        monthly_discount_rate=d,
        margin=margin,
        days_per_month=30.4375,
    )
    v = 1 / (1 + d)
    annuity = rate * 30.4375 / 7 * v * (1 - v**horizon) / (1 - v)
    assert value == pytest.approx(margin * (first + spend * annuity), rel=1e-12)


def test_new_customer_value_without_discount_is_the_expected_count():
    # No discount: the increments telescope to E[X(H months)] (FHL 2005 eq. 9).
    rfm = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    model = BGNBD().fit(rfm)
    value = new_customer_value(
        model, 35.0, first_order_value=0.0, horizon_months=12, monthly_discount_rate=0.0
    )
    expected = 35.0 * model.expected_purchases_new_customer(12 * 30.4375 / 7)
    assert value == pytest.approx(expected, rel=1e-12)


def test_bootstrap_gives_the_new_customer_ceiling_with_an_interval():
    rfm = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    model = BGNBD().fit(rfm)
    table = clv_intervals(
        model,
        35.0,
        rfm,
        horizon_months=12,
        annual_discount_rate=0.1,
        n_boot=20,
        seed=1,
        first_order_value=40.0,
    ).set_index("segment")
    row = table.loc[NEW_CUSTOMER]
    point = new_customer_value(
        model, 35.0, first_order_value=40.0, horizon_months=12, annual_discount_rate=0.1
    )
    assert row["mean"] == pytest.approx(point)
    assert row["mean_low"] < point < row["mean_high"]


def test_parametric_interval_agrees_with_the_bootstrap():
    """Two independent routes to the uncertainty of a new customer's value on CDNOW: refitting
    on resampled customers (bootstrap) and drawing from the MLE's asymptotic normal
    distribution. Both describe parameter uncertainty, so their 95 % widths should agree."""
    from clvlib.models.clv import new_customer_value_interval

    rfm = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    model = BGNBD().fit(rfm)
    kwargs = dict(horizon_months=12, annual_discount_rate=0.1, first_order_value=40.0)
    boot = clv_intervals(model, 35.0, rfm, n_boot=200, seed=2, **kwargs).set_index("segment")
    low, high = new_customer_value_interval(model, 35.0, n_draws=2000, seed=2, **kwargs)
    boot_width = boot.loc[NEW_CUSTOMER, "mean_high"] - boot.loc[NEW_CUSTOMER, "mean_low"]
    assert low < boot.loc[NEW_CUSTOMER, "mean"] < high
    assert (high - low) == pytest.approx(boot_width, rel=0.3)


def simulate_bgnbd(n: int, rng: np.random.Generator, r, alpha, a, b) -> pd.DataFrame:
    """BG/NBD customers with the given parameters (weeks), observed 26–78 weeks."""
    lam, drop = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.uniform(26.0, 78.0, n)
    x, tx, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = clock + rng.exponential(1.0, n) / lam
        buys = alive & (clock <= T)
        x[buys] += 1
        tx[buys] = clock[buys]
        alive = buys & (rng.random(n) >= drop)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


def simulate_shop(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """BG/NBD customers with the published CDNOW estimates (Fader, Hardie & Lee 2005: r 0.243,
    α 4.414, a 0.793, b 2.426, weeks) observed 26–78 weeks, and a Gamma-Gamma mean spend (CDNOW:
    p 6.25, q 3.74, v 15.44, dollars)."""
    rfm = simulate_bgnbd(n, rng, 0.243, 4.414, 0.793, 2.426)
    x = np.maximum(rfm["frequency"].to_numpy(), 1)
    nu = rng.gamma(3.74, 1 / 15.44, n)
    spend = rng.gamma(6.25 * x, 1 / (nu * x))
    return rfm.assign(monetary_value=np.where(rfm["frequency"] > 0, spend, 0.0))


def assert_same_intervals(reference: pd.DataFrame, other: pd.DataFrame, rtol: float) -> None:
    """Every finite 95 % interval of ``other`` has the width and centre of ``reference``'s."""
    points = ["segment", "total", "mean"]
    pd.testing.assert_frame_equal(reference[points], other[points])
    for column in ("total", "mean"):
        ref = reference[[f"{column}_low", f"{column}_high"]].to_numpy()
        new = other[[f"{column}_low", f"{column}_high"]].to_numpy()
        finite = np.isfinite(ref).all(axis=1)  # the new customer has no total
        width = (ref[:, 1] - ref[:, 0])[finite]
        np.testing.assert_allclose((new[:, 1] - new[:, 0])[finite], width, rtol=rtol)
        centre_gap = np.abs(new.mean(axis=1) - ref.mean(axis=1))[finite]
        assert (centre_gap < rtol * width).all(), (column, centre_gap / width)


def test_one_step_intervals_agree_with_the_refitting_bootstrap():
    """Above ``exact_customers`` a replicate takes one Newton step from the estimates instead
    of refitting. Reference: the refitting bootstrap on the same resamples (same seed) of a
    simulated BG/NBD + Gamma-Gamma shop — the one-step estimator has the refitted one's
    limiting distribution (e.g. Davidson & MacKinnon 1999, "Bootstrap testing in nonlinear
    models"), so the intervals match closely."""
    from clvlib.models.gammagamma import GammaGamma

    rfm = simulate_shop(10_000, np.random.default_rng(5))
    model, spend = BGNBD().fit(rfm), GammaGamma().fit(rfm)
    segments = pd.Series(np.where(rfm.index % 3 == 0, "A", "B"), index=rfm.index)
    kwargs = dict(horizon_months=12, annual_discount_rate=0.1, margin=0.3, segments=segments,
                  first_order_value=40.0, seed=4, n_boot=100)  # fmt: skip
    refit = clv_intervals(model, spend, rfm, exact_customers=10**9, **kwargs)
    one_step = clv_intervals(model, spend, rfm, exact_customers=0, **kwargs)
    assert refit.attrs["method"] == "bootstrap" and one_step.attrs["method"] == "one_step"
    assert_same_intervals(refit, one_step, rtol=0.05)


def test_one_step_intervals_hold_when_the_model_is_misspecified():
    """Two BG/NBD populations pooled and fitted as one: the inverse Hessian no longer describes
    the estimates' spread (the information identity fails), the bootstrap still does. The
    one-step replicates carry the sandwich C J C and match the refitting bootstrap; drawing the
    parameters from the inverse Hessian (``new_customer_value_interval``) is ~20 % too wide
    here for the new customer's value — the reason the one-step form is used."""
    from clvlib.models.clv import new_customer_value_interval

    rng = np.random.default_rng(3)
    rfm = pd.concat(
        [
            simulate_bgnbd(5_000, rng, 0.243, 4.414, 0.793, 2.426),
            simulate_bgnbd(5_000, rng, 3.0, 12.0, 0.1, 8.0),
        ],
        ignore_index=True,
    )
    model = BGNBD().fit(rfm)
    kwargs = dict(horizon_months=12, annual_discount_rate=0.1, margin=0.3, first_order_value=40.0)
    refit = clv_intervals(model, 35.0, rfm, n_boot=200, seed=1, exact_customers=10**9, **kwargs)
    one_step = clv_intervals(model, 35.0, rfm, n_boot=200, seed=1, exact_customers=0, **kwargs)
    assert_same_intervals(refit, one_step, rtol=0.1)
    new = refit.set_index("segment").loc[NEW_CUSTOMER]
    low, high = new_customer_value_interval(model, 35.0, n_draws=2000, seed=1, **kwargs)
    assert (high - low) > 1.1 * (new["mean_high"] - new["mean_low"])  # the Hessian alone is off


def test_one_step_is_not_used_without_a_covariance():
    rfm = simulate_shop(2_000, np.random.default_rng(6))
    model = BGNBD()
    model.standard_errors = False  # as a bootstrap refit: no Hessian, so no covariance_
    model.fit(rfm)
    table = clv_intervals(model, 35.0, rfm, horizon_months=12, annual_discount_rate=0.1,
                          n_boot=5, exact_customers=0)  # fmt: skip
    assert table.attrs["method"] == "bootstrap"
