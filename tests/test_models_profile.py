"""Profile-likelihood intervals of the drop-out (clvlib.models.profile).

References: simulated worlds with known truth (numpy, seeded); the delta-method Wald interval from
the fit's Hessian, to which the profile interval is asymptotically equivalent where the estimate
is inside the parameter space; an independent constrained maximisation (Nelder–Mead on the
model's likelihood values only) at the returned end, whose deviance must be the χ²₁ quantile;
coverage over seeds; and, where nobody leaves, the fully observed binomial bound 1.92/Σx (seeing
every drop-out could only narrow the interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from clvlib.models.base import compress
from clvlib.models.bgnbd import BGNBD
from clvlib.models.mbgnbd import MBGNBD
from clvlib.models.paretonbd import ParetoNBD
from clvlib.models.profile import WEEKS_PER_YEAR, dropout_profile_interval
from clvlib.predictive import at_bounds, dropout_at_bounds

CHI2 = stats.chi2.ppf(0.95, 1)  # 3.84
Z = stats.norm.ppf(0.975)


def simulate_bgnbd(r, alpha, a, b, n, rng, *, no_dropout=False):
    """BG/NBD customers from weekly cohorts (T 26–104 weeks), recency on a daily grid."""
    T = rng.integers(26, 105, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    p = np.zeros(n) if no_dropout else rng.beta(a, b, n)
    x, tx, t = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        t = t + rng.exponential(1.0, n) / lam
        buys = alive & (t <= T)
        x[buys] += 1
        tx[buys] = t[buys]
        alive = buys & (rng.random(n) >= p)
    return pd.DataFrame({"frequency": x, "recency": np.round(tx * 7) / 7, "T": T})


def simulate_paretonbd(r, alpha, s, beta, n, rng, *, no_dropout=False):
    """Pareto/NBD customers (weekly cohorts as above); no_dropout: lifetimes beyond T."""
    T = rng.integers(26, 105, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    life = T if no_dropout else rng.exponential(1.0, n) / rng.gamma(s, 1 / beta, n)
    active = np.minimum(life, T)
    x = rng.poisson(lam * active)
    tx = np.where(x > 0, active * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": np.round(tx * 7) / 7, "T": T})


def wald_mean_dropout(model):
    """Delta-method 95 % Wald interval of a/(a+b) from the fit's covariance."""
    a, b = model.params_["a"], model.params_["b"]
    cov = model.covariance_.loc[["a", "b"], ["a", "b"]].to_numpy()
    grad = np.array([b, -a]) / (a + b) ** 2
    se = float(np.sqrt(grad @ cov @ grad))
    m = a / (a + b)
    return m - Z * se, m + Z * se, se


def wald_share_lost(model, h):
    """Delta-method 95 % Wald interval of 1 − (β/(β+h))^s from the fit's covariance."""
    s, beta = model.params_["s"], model.params_["beta"]
    alive = (beta / (beta + h)) ** s
    grad = np.array([-alive * np.log(beta / (beta + h)), -alive * s * (1 / beta - 1 / (beta + h))])
    cov = model.covariance_.loc[["s", "beta"], ["s", "beta"]].to_numpy()
    se = float(np.sqrt(grad @ cov @ grad))
    return 1 - alive - Z * se, 1 - alive + Z * se, se


def independent_profile_bgnbd(model, rfm, m):
    """max over r, α, a+b of the BG/NBD likelihood with a/(a+b) = m, by Nelder–Mead on the
    likelihood values alone (no gradient, no warm path), from the fit's estimates."""
    data, weights = compress(rfm, ["frequency", "recency", "T"])
    fresh = BGNBD()
    p = model.params_

    def negative(u):
        kappa = np.exp(u[2])
        params = np.array([np.exp(u[0]), np.exp(u[1]), m * kappa, (1 - m) * kappa])
        return -fresh._loglik_and_grad(params, data, weights)[0]

    start = np.log([p["r"], p["alpha"], p["a"] + p["b"]])
    result = optimize.minimize(
        negative, start, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-6,
                                                         "maxiter": 4000}
    )  # fmt: skip
    return -result.fun


@pytest.fixture(scope="module")
def regular_bgnbd():
    truth = {"r": 0.8, "alpha": 10.0, "a": 0.9, "b": 3.0}
    rfm = simulate_bgnbd(*truth.values(), 10_000, np.random.default_rng(11))
    return truth, rfm, BGNBD().fit(rfm)


def test_bgnbd_profile_agrees_with_wald_where_the_estimate_is_inside(regular_bgnbd):
    _, rfm, model = regular_bgnbd
    out = dropout_profile_interval(model, rfm)
    low, high, _ = wald_mean_dropout(model)
    width = high - low
    assert out["quantity"] == "mean_dropout_probability"
    assert out["method"] == "profile likelihood"
    assert not out["at_bound"] and not out["low_is_bound"]
    assert out["estimate"] == pytest.approx(model.params_["a"] / (model.params_["a"] +
                                                                model.params_["b"]))  # fmt: skip
    assert abs(out["low"] - low) < 0.1 * width, (out, low, high)
    assert abs(out["high"] - high) < 0.1 * width, (out, low, high)


def test_bgnbd_profile_end_has_the_chi2_deviance_by_an_independent_maximisation(regular_bgnbd):
    _, rfm, model = regular_bgnbd
    out = dropout_profile_interval(model, rfm)
    for end in (out["low"], out["high"]):
        deviance = 2 * (model.log_likelihood_ - independent_profile_bgnbd(model, rfm, end))
        assert deviance == pytest.approx(CHI2, abs=0.05)
    # a level of 0.5 gives a narrower interval inside the 95 % one
    half = dropout_profile_interval(model, rfm, level=0.5)
    assert out["low"] < half["low"] < half["estimate"] < half["high"] < out["high"]


def test_bgnbd_profile_interval_covers_the_truth_over_seeds():
    truth = (0.8, 10.0, 0.9, 3.0)
    mean = truth[2] / (truth[2] + truth[3])
    covered = 0
    for seed in range(20):
        rfm = simulate_bgnbd(*truth, 1_500, np.random.default_rng(100 + seed))
        model = BGNBD(n_starts=2)
        model.fit(rfm)
        out = dropout_profile_interval(model, rfm)
        covered += out["low"] <= mean <= out["high"]
    assert covered >= 17, covered  # 95 % nominal; P(≤ 16 of 20 | 0.95) ≈ 1.6 %


def test_bgnbd_without_dropout_gives_an_interval_from_zero_where_the_hessian_gives_none():
    rfm = simulate_bgnbd(0.8, 10.0, 1.0, 1.0, 10_000, np.random.default_rng(5), no_dropout=True)
    model = BGNBD().fit(rfm)
    # The fit runs to the boundary and its Hessian gives no usable interval for a/(a+b).
    assert dropout_at_bounds(model, at_bounds(model))
    low, high, se = wald_mean_dropout(model)
    estimate = model.params_["a"] / (model.params_["a"] + model.params_["b"])
    assert not np.isfinite(se) or low < 0 or se > 1e3 * estimate
    assert np.isnan(model.summary().set_index("parameter").loc[["a", "b"], "ci_high"]).any() or (
        not np.isfinite(se)
    )
    out = dropout_profile_interval(model, rfm)
    assert out["at_bound"] and out["low_is_bound"] and out["low"] == 0.0
    assert not out["high_is_bound"] and np.isfinite(out["high"])
    # Small — a drop-out of 2 % per purchase would be plain in 10,000 customers …
    assert out["high"] < 0.02
    # … but not below what seeing every drop-out would allow: (1−p)^Σx at 3.84/2.
    repeat_purchases = float(rfm["frequency"].sum())
    assert out["high"] > -np.expm1(-CHI2 / 2 / repeat_purchases)


def test_mbgnbd_profile_agrees_with_wald(regular_bgnbd):
    _, rfm, _ = regular_bgnbd
    model = MBGNBD().fit(rfm)
    out = dropout_profile_interval(model, rfm)
    low, high, _ = wald_mean_dropout(model)
    assert abs(out["low"] - low) < 0.15 * (high - low)
    assert abs(out["high"] - high) < 0.15 * (high - low)


def test_bgnbd_with_a_life_covariate_profiles_every_customers_mean_dropout():
    rng = np.random.default_rng(21)
    rfm = simulate_bgnbd(0.8, 10.0, 0.9, 3.0, 6_000, rng)
    rfm["loyal"] = rng.integers(0, 2, len(rfm)).astype(float)
    model = BGNBD(life_covariates=["loyal"]).fit(rfm)
    out = dropout_profile_interval(model, rfm)
    low, high, _ = wald_mean_dropout(model)
    assert abs(out["low"] - low) < 0.15 * (high - low)
    assert abs(out["high"] - high) < 0.15 * (high - low)
    assert out["low"] < 0.9 / 3.9 < out["high"]


def test_paretonbd_regular_and_no_dropout_worlds():
    truth = {"r": 0.8, "alpha": 6.0, "s": 0.5, "beta": 15.0}
    h = WEEKS_PER_YEAR
    rfm = simulate_paretonbd(*truth.values(), 5_000, np.random.default_rng(3))
    model = ParetoNBD().fit(rfm)
    out = dropout_profile_interval(model, rfm, horizon=h)
    low, high, _ = wald_share_lost(model, h)
    assert out["quantity"] == "share_lost_within_horizon" and out["horizon"] == h
    assert abs(out["low"] - low) < 0.15 * (high - low), (out, low, high)
    assert abs(out["high"] - high) < 0.15 * (high - low), (out, low, high)
    true_share = 1 - (truth["beta"] / (truth["beta"] + h)) ** truth["s"]
    assert out["low"] < true_share < out["high"]

    still = simulate_paretonbd(*truth.values(), 4_000, np.random.default_rng(4), no_dropout=True)
    stay = ParetoNBD(n_starts=1).fit(still)  # one start: the slow part of this test
    assert dropout_at_bounds(stay, at_bounds(stay))
    out = dropout_profile_interval(stay, still, horizon=h)
    assert out["at_bound"] and out["low_is_bound"] and out["low"] == 0.0
    assert np.isfinite(out["high"]) and out["high"] < 0.06  # 6 % a year would show
    # at least what counting every customer-year's deaths would allow (Poisson, 0 seen)
    assert out["high"] > -np.expm1(-CHI2 / 2 / (still["T"].sum() / h))


@pytest.mark.parametrize("kind", ["bgnbd", "paretonbd", "bgnbd_covariate"])
def test_constrained_gradient_matches_finite_differences(kind):
    from clvlib.models.profile import _Profile

    rng = np.random.default_rng(8)
    if kind == "paretonbd":
        rfm = simulate_paretonbd(0.8, 6.0, 0.5, 15.0, 1_000, rng)
        model = ParetoNBD(n_starts=1).fit(rfm)
    else:
        rfm = simulate_bgnbd(0.8, 10.0, 0.9, 3.0, 1_000, rng)
        rfm["loyal"] = rng.integers(0, 2, len(rfm)).astype(float)
        covariates = ["loyal"] if kind == "bgnbd_covariate" else []
        model = BGNBD(life_covariates=covariates, trans_covariates=covariates).fit(rfm)
    profile = _Profile(model, rfm, WEEKS_PER_YEAR)
    u0 = profile.points[profile.theta_hat][1]
    for theta in (profile.theta_hat - 0.7, profile.theta_hat + 0.4):
        u = u0 + rng.normal(0.0, 0.2, u0.size)
        _, analytic = profile._objective(u, theta)
        for i in range(u.size):
            up, down = u.copy(), u.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            numeric = (profile._objective(up, theta)[0] - profile._objective(down, theta)[0]) / 2e-6
            assert analytic[i] == pytest.approx(numeric, rel=1e-4, abs=1e-3), (kind, theta, i)
