"""Pareto/NBD against the published CDNOW estimates (Fader, Hardie & Lee 2005, "Counting your
customers the easy way", Pareto/NBD on the same 2,357 customers: r = 0.553, α = 10.578,
s = 0.606, β = 11.669, LL = −9,595.0), the likelihood against direct numerical integration of its
defining integral (Fader & Hardie 2005, "A Note on Deriving the Pareto/NBD Model and Related
Expressions"), the hypergeometric series against scipy, predictions against Monte Carlo
integration over (λ, μ) and against simulation, and parameter recovery from a known truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from clvlib.models.base import check_gradient, compress
from clvlib.models.paretonbd import ParetoNBD, hyp2f1_one

DATA = Path(__file__).parent / "data"
COLUMNS = ("frequency", "recency", "T")


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def fitted(cdnow):
    return ParetoNBD().fit(cdnow)


def fitted_with(params: dict) -> ParetoNBD:
    """A model with given parameters, as if fitted (for formula checks)."""
    model = ParetoNBD()
    model.params_ = dict(params)
    return model


def test_reproduces_published_cdnow_estimates(fitted):
    # Fader, Hardie & Lee (2005): r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9,595.0.
    # Our maximum is β = 11.6679 (an independent scipy.hyp2f1 + Nelder–Mead fit agrees); the
    # likelihood is flat in β (SE ≈ 6), so the published 11.669 is the same optimum.
    p = fitted.params_
    assert p["r"] == pytest.approx(0.553, abs=5e-4)
    assert p["alpha"] == pytest.approx(10.578, abs=5e-3)
    assert p["s"] == pytest.approx(0.606, abs=5e-4)
    assert p["beta"] == pytest.approx(11.669, abs=5e-3)
    assert fitted.log_likelihood_ == pytest.approx(-9595.0, abs=0.1)
    assert fitted.n_obs_ == 2357
    assert fitted.converged_


def test_weights_column_gives_the_same_fit(cdnow, fitted):
    counts = cdnow.groupby(list(COLUMNS)).size().rename("weights").reset_index()
    weighted = ParetoNBD().fit(counts)
    assert weighted.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-9)
    for name, value in fitted.params_.items():
        assert weighted.params_[name] == pytest.approx(value, rel=1e-4)


@pytest.mark.parametrize(
    "params",
    [
        [0.55, 10.6, 0.6, 11.7],  # α < β (CDNOW region)
        [0.55, 12.0, 0.6, 10.0],  # α > β
        [1.5, 0.5, 2.0, 50.0],  # β = 100 α: z up to 0.99
        [1.5, 50.0, 0.3, 0.5],  # α = 100 β
        [0.05, 400.0, 0.1, 0.2],  # α = 2,000 β: blocks of terms beyond the loop
    ],
)
def test_analytic_gradient_matches_finite_differences(cdnow, params):
    data, weights = compress(cdnow, COLUMNS)
    model = ParetoNBD()
    assert check_gradient(model._loglik_and_grad, np.array(params), data, weights) < 1e-5


def direct_log_likelihood(params, x, tx, T):
    """log L from its definition (the note's eq. before the 2F1 step), integral by quadrature:
    L = Γ(r+x) α^r β^s / Γ(r) [(α+T)^-(r+x) (β+T)^-s + s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ].
    Scaled by (α+t_x)^(r+x) (β+t_x)^(s+1) so that the integrand is at most 1."""
    r, alpha, s, beta = params
    scale = (r + x) * np.log(alpha + tx) + (s + 1) * np.log(beta + tx)

    def integrand(tau):
        return np.exp(scale - (r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau))

    integral = integrate.quad(integrand, tx, T, epsabs=0.0, epsrel=1e-13, limit=500)[0]
    alive = np.exp(scale - (r + x) * np.log(alpha + T) - s * np.log(beta + T))
    return (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        - scale
        + np.log(alive + s * integral)
    )


@pytest.mark.parametrize(
    "params",
    [
        [0.553, 10.578, 0.606, 11.669],
        [0.553, 14.0, 0.606, 9.0],
        [2.0, 0.3, 0.8, 60.0],
        [0.3, 80.0, 1.0, 0.4],  # s = 1: an integer second parameter in the 2F1
        [0.05, 400.0, 0.1, 0.2],
    ],
)
def test_log_likelihood_matches_direct_integration(params):
    rows = np.array(
        [
            [0.0, 0.0, 39.0],
            [0.0, 0.0, 0.5],
            [1.0, 1.7, 38.9],
            [3.0, 30.4, 38.9],
            [7.0, 38.9, 38.9],  # t_x = T: no integral
            [40.0, 5.0, 78.0],  # heavy buyer who lapsed early
            [250.0, 100.0, 104.0],
        ]
    )
    model = ParetoNBD()
    for row in rows:
        ours, _ = model._loglik_and_grad(np.array(params), row[None, :], np.ones(1))
        assert ours == pytest.approx(direct_log_likelihood(params, *row), rel=1e-11, abs=1e-9)


def test_hypergeometric_series_matches_scipy():
    p = np.array([0.5, 50.5, 1.6, 0.5, 1.6, 1e-8, 3.0, 0.3])
    q = np.array([2.1, 51.6, 3.2, 2.2, 201.2, 1.6, 4.0, 1.0])
    z = np.array([0.3, 0.9, 0.99, 0.999, 0.95, 0.5, 0.0, 0.9999])
    value, d_p, d_q, d_z = hyp2f1_one(p, q, z)
    reference = special.hyp2f1(1.0, p, q, z)
    np.testing.assert_allclose(value[:-1], reference[:-1], rtol=1e-13)
    assert value[-1] == pytest.approx(reference[-1], rel=1e-5)  # geometric tail beyond 65,536
    # dS/dz = p/q · 2F1(2, p+1; q+1; z) (DLMF 15.5.1)
    np.testing.assert_allclose(
        d_z[:-1], (p / q * special.hyp2f1(2.0, p + 1, q + 1, z))[:-1], rtol=1e-11
    )
    # dS/dp and dS/dq against central differences of scipy's value (for p = 1e-8 the step is
    # 1e-8: a relative step would be below what double precision resolves)
    step_p, step_q = 1e-6 * np.maximum(p, 1e-2), 1e-6 * q
    num_p = (special.hyp2f1(1.0, p + step_p, q, z) - special.hyp2f1(1.0, p - step_p, q, z)) / (
        2 * step_p
    )
    num_q = (special.hyp2f1(1.0, p, q + step_q, z) - special.hyp2f1(1.0, p, q - step_q, z)) / (
        2 * step_q
    )
    np.testing.assert_allclose(d_p[:-1], num_p[:-1], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(d_q[:-1], num_q[:-1], rtol=1e-6, atol=1e-9)


def test_summary_has_standard_errors_and_intervals(fitted):
    table = fitted.summary().set_index("parameter")
    assert (table["standard_error"] > 0).all()
    assert (table["ci_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["ci_high"]).all()
    assert fitted.aic_ == pytest.approx(2 * 4 - 2 * fitted.log_likelihood_)


def simulate(r, alpha, s, beta, T, rng):
    """Draw Pareto/NBD customers, customer i observed for T[i] time units from their first
    purchase: λ ~ Gamma(r, α), lifetime ~ Exp(μ), μ ~ Gamma(s, β); given n Poisson purchases in
    (0, L], L = min(lifetime, T), the last one is at L · U^(1/n) (the largest of n uniforms)."""
    T = np.asarray(T, dtype=float)
    n = T.size
    lam = rng.gamma(r, 1 / alpha, n)
    mu = rng.gamma(s, 1 / beta, n)
    active = np.minimum(rng.exponential(1.0, n) / mu, T)
    x = rng.poisson(lam * active)
    tx = np.where(x > 0, active * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T})


def test_expected_purchases_formula_matches_simulation(fitted):
    rng = np.random.default_rng(1)
    p = fitted.params_
    sim = simulate(p["r"], p["alpha"], p["s"], p["beta"], np.full(200_000, 39.0), rng)
    expected = float(fitted.expected_purchases_new_customer(39.0))
    se = sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(sim["frequency"].mean() - expected) < 4 * se


def test_recovers_known_parameters_within_their_intervals():
    truth = {"r": 0.8, "alpha": 6.0, "s": 0.5, "beta": 15.0}
    rng = np.random.default_rng(7)
    sim = simulate(*truth.values(), T=26.0 + rng.integers(0, 79, 20_000), rng=rng)  # weekly cohorts
    model = ParetoNBD().fit(sim)
    assert model.converged_
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)


def test_predictions_match_monte_carlo_over_the_mixing_distributions(fitted):
    """P(alive) and E[Y(t) | x, t_x, T] against posterior averages over 400,000 prior draws of
    (λ, μ): given λ, μ the customer is alive at T with weight λ^x e^{−(λ+μ)T} and died in
    (t_x, T] with weight λ^x μ/(λ+μ) (e^{−(λ+μ)t_x} − e^{−(λ+μ)T}); alive, they buy λ/μ (1−e^{−μt})
    more in t."""
    p = fitted.params_
    rng = np.random.default_rng(3)
    lam = rng.gamma(p["r"], 1 / p["alpha"], 400_000)
    mu = rng.gamma(p["s"], 1 / p["beta"], 400_000)
    rfm = pd.DataFrame(
        {"frequency": [0, 1, 3, 5], "recency": [0, 30.0, 10.0, 35.0], "T": [39.0] * 4}
    )
    alive = fitted.p_alive(rfm)
    future = fitted.expected_purchases(26.0, rfm)
    for i, (x, tx, T) in enumerate(rfm.to_numpy()):
        w_alive = lam**x * np.exp(-(lam + mu) * T)
        w_dead = lam**x * mu / (lam + mu) * (np.exp(-(lam + mu) * tx) - np.exp(-(lam + mu) * T))
        total = (w_alive + w_dead).sum()
        assert alive[i] == pytest.approx(w_alive.sum() / total, rel=0.02)
        mc = (w_alive * lam / mu * -np.expm1(-mu * 26.0)).sum() / total
        assert future[i] == pytest.approx(mc, rel=0.03)


def test_closed_form_limits(fitted):
    rfm = pd.DataFrame(
        {"frequency": [0, 4, 4, 4], "recency": [0.0, 39.0, 20.0, 5.0], "T": [0.0, 39.0, 39.0, 39.0]}
    )
    alive = fitted.p_alive(rfm)
    # seen at T (t_x = T, including a brand-new customer) means alive at T
    assert alive[0] == pytest.approx(1.0, abs=1e-12)
    assert alive[1] == pytest.approx(1.0, abs=1e-12)
    assert 1.0 > alive[2] > alive[3] > 0.0  # the longer the silence, the likelier the death
    assert (fitted.expected_purchases(0.0, rfm) == 0).all()
    assert float(fitted.expected_purchases_new_customer(0.0)) == 0.0
    horizons = np.array([1.0, 13.0, 52.0, 520.0])
    new = fitted.expected_purchases_new_customer(horizons)
    assert (np.diff(new) > 0).all()
    for row in range(len(rfm)):
        path = [float(fitted.expected_purchases(h, rfm.iloc[[row]])[0]) for h in horizons]
        assert (np.diff(path) > 0).all()
    # E[X(t)] → r β / (α (s−1)) [1 − (β/(β+t))^(s−1)] is continuous through s = 1 (log form)
    p = fitted.params_
    at_one = fitted_with({**p, "s": 1.0}).expected_purchases_new_customer(52.0)
    assert at_one == pytest.approx(p["r"] * p["beta"] / p["alpha"] * np.log1p(52.0 / p["beta"]))
    near = fitted_with({**p, "s": 1.0 + 1e-7}).expected_purchases_new_customer(52.0)
    assert near == pytest.approx(at_one, rel=1e-6)


def test_unfitted_model_refuses_to_predict():
    with pytest.raises(RuntimeError, match="not fitted"):
        ParetoNBD().p_alive(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
