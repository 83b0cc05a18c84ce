"""Pareto/NBD where one of α, β is far above the other (``clvlib.models.pareto_tail``'s split of
the likelihood integral and ``paretonbd._log_p_term``'s choice between it and the series),
against independent references: adaptive quadrature (scipy ``quad``) of the integral in a
log-substituted variable, the hypergeometric series where it is cheap, Fader & Hardie's
integral form of the likelihood, the NBD model's closed-form likelihood (the Pareto/NBD's limit
without drop-out) and simulations with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special

from clvlib.models.pareto_tail import expanded_integral, split_point
from clvlib.models.paretonbd import ParetoNBD, _log_p_series, _log_p_term


# -- the expansion against quadrature ----------------------------------------------------------
def quad_log(weight, p_f, a_f, p_s, a_s, lo, hi):
    """log ∫_lo^hi w(u) (a_f+u)^−p_f (a_s+u)^−p_s du by ``quad`` in v = log(a_f+u) (du = e^v dv:
    power laws become smooth exponentials), scaled by the integrand's largest value (at v_lo,
    both factors decreasing) so that nothing under- or overflows; ``weight`` w(u) ≥ 0 or None."""
    v_lo, v_hi = np.log(a_f + lo), np.log(a_f + hi)

    def log_f(v):
        u = np.exp(v) - a_f
        return v - p_f * v - p_s * np.log(a_s + u)

    top = max(log_f(v_lo), log_f(v_hi))

    def integrand(v):
        u = np.exp(v) - a_f
        return np.exp(log_f(v) - top) * (1.0 if weight is None else weight(u))

    value = integrate.quad(integrand, v_lo, v_hi, epsabs=0.0, epsrel=1e-13, limit=400)[0]
    return top + np.log(value)


# (p_f, a_f, p_s, a_s): α ≪ β has p_f = r+x, p_s = s+1 (≥ 1); β ≪ α has p_f = s+1, p_s = r+x.
# p_f = 1, 2 make the exponent of a J_k zero (the logarithm branch), p_s = 101 is s at SHAPE_MAX.
REGIMES = [
    (0.3, 0.5, 1.6, 1e4),  # α ≪ β, light buyer
    (1.0, 2.0, 1.2, 1e6),  # exponent k+1−p_f = 0 at k = 0
    (2.0, 0.1, 3.0, 5e3),  # … at k = 1
    (7.5, 4.0, 101.0, 1e8),  # s at its bound, β → ∞
    (60.0, 1.5, 1.002, 4e4),  # heavy buyer, s → 0
    (1.3, 3e-3, 0.5, 80.0),  # β ≪ α: p_f = s+1, p_s = r+x
    (1.9, 1e-6, 25.0, 1e3),  # β ≪ α, heavy buyer
]


def cases():
    """Each regime with lo from 0 to just below hi, and hi at y* and below it."""
    for p_f, a_f, p_s, a_s in REGIMES:
        y_star = float(split_point(p_s))
        for y_hi in (y_star, 0.5 * y_star):
            hi = y_hi * (a_s - a_f) - a_f
            if hi <= 0:
                continue
            for share in (0.0, 0.3, 0.97, 0.999):
                yield p_f, a_f, p_s, a_s, share * hi, y_hi, hi


CASES = list(cases())


def test_the_grid_covers_both_orders_and_lo_near_hi():
    assert len(CASES) >= 40
    assert {p_s >= 1.0 for _, _, p_s, *_ in CASES} == {True, False}


# quad warns of roundoff at the 1e-13 asked for in a few cases; the 1e-12 agreement checks it
@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("p_f, a_f, p_s, a_s, lo, y_hi, hi", CASES)
def test_expanded_integral_matches_quadrature(p_f, a_f, p_s, a_s, lo, y_hi, hi):
    """Value against ``quad`` (relative 1e-12 times hi/(hi−lo), the integral's condition
    number in its end points: as lo → hi a rounding of either moves it that much, in the
    reference as in the code under test); gradient against the identities
    ∂/∂a log I = −p ∫ f/(a+u) / ∫ f and ∂/∂p log I = −∫ f log(a+u) / ∫ f (by ``quad``, 1e-9)
    and against central differences of the value in p_f and p_s (1e-6)."""
    log_value, grad = expanded_integral(
        np.array([p_f]), a_f, np.array([p_s]), a_s, np.array([lo]), np.array([y_hi])
    )
    args = (p_f, a_f, p_s, a_s, lo, hi)
    reference = quad_log(None, *args)
    assert log_value[0] == pytest.approx(reference, rel=0.0, abs=1e-12 * hi / (hi - lo))
    identities = [
        -np.exp(quad_log(lambda u: np.log(a_f + u) - np.log(a_f + lo), *args) - reference)
        - np.log(a_f + lo),  # −∫ f log(a_f+u) / ∫ f, log(a_f+lo) taken out to keep w ≥ 0
        -p_f * np.exp(quad_log(lambda u: 1.0 / (a_f + u), *args) - reference),
        -np.exp(quad_log(lambda u: np.log(a_s + u) - np.log(a_s + lo), *args) - reference)
        - np.log(a_s + lo),
        -p_s * np.exp(quad_log(lambda u: 1.0 / (a_s + u), *args) - reference),
    ]
    np.testing.assert_allclose(grad[:, 0], identities, rtol=1e-9, atol=1e-12)
    for row, shift in ((0, np.array([[1.0], [0.0]])), (2, np.array([[0.0], [1.0]]))):
        h = 1e-5 * max(1.0, (p_f, p_s)[row // 2])
        up = expanded_integral(p_f + h * shift[0], a_f, p_s + h * shift[1], a_s, [lo], [y_hi])
        down = expanded_integral(p_f - h * shift[0], a_f, p_s - h * shift[1], a_s, [lo], [y_hi])
        numeric = (up[0][0] - down[0][0]) / (2 * h)
        assert grad[row, 0] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


# -- the dispatch against the series -------------------------------------------------------------
PARAMS = [
    (0.55, 1.0, 0.5, 300.0),  # α ≪ β: split where α+τ < 0.2(β−α)
    (2.0, 0.4, 3.0, 150.0),  # α ≪ β, y* = 1/(s+1)
    (0.8, 250.0, 0.6, 1.0),  # β ≪ α: split where β+τ < y*(α−β), y* = min(0.2, 1/(r+x))
    (0.05, 400.0, 0.1, 0.2),
]


@pytest.mark.parametrize("params", PARAMS)
def test_log_p_term_equals_the_series(params):
    """``_log_p_term`` (split for some pairs, series for the others) against ``_log_p_series``
    alone (exact where it converges; here max(α,β)/min(α,β) ≤ 2,000, ≤ 65,536 terms): log P
    to 1e-11, the gradient to 1e-9 relative."""
    r, alpha, s, beta = params
    x, tau = np.meshgrid([0.0, 1.0, 4.0, 20.0, 60.0], [0.0, 0.3, 2.0, 9.0, 30.0, 78.0])
    x, tau = x.ravel(), tau.ravel()
    low, high = min(alpha, beta), max(alpha, beta)
    p_slow = s + 1.0 if alpha < beta else r + x
    split = (low + tau) < split_point(p_slow) * (high - low)
    assert 0 < split.sum() < split.size  # both branches are taken
    log_p, grad = _log_p_term(np.array(params), x, tau)
    series, series_grad = _log_p_series(np.array(params), x, tau)
    np.testing.assert_allclose(log_p, series, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(grad, series_grad, rtol=1e-9, atol=1e-12)


# -- the likelihood at extreme parameters --------------------------------------------------------
def fader_hardie_log_likelihood(params, x, tx, T):
    """log L = log Γ(r+x) − log Γ(r) + r log α + s log β + log[G(T) + s ∫_{t_x}^T G(τ)/(β+τ) dτ],
    G(τ) = (α+τ)^−(r+x) (β+τ)^−s (Fader & Hardie 2005), the integral by ``quad`` in
    v = log(min(α,β)+τ), everything scaled by G(t_x)/(β+t_x)."""
    r, alpha, s, beta = params
    c = min(alpha, beta)

    def log_g(tau, extra):
        return -(r + x) * np.log(alpha + tau) - (s + extra) * np.log(beta + tau)

    top = log_g(tx, 1.0)
    integral = 0.0
    if T > tx:

        def integrand(v):
            tau = np.exp(v) - c
            return np.exp(v + log_g(tau, 1.0) - top)

        integral = integrate.quad(
            integrand, np.log(c + tx), np.log(c + T), epsabs=0.0, epsrel=1e-13, limit=400
        )[0]
    log_bracket = top + np.log(np.exp(log_g(T, 0.0) - top) + s * integral)
    return (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + log_bracket
    )


ROWS = [
    (0.0, 0.0, 78.0),
    (0.0, 0.0, 0.5),
    (1.0, 0.3, 26.0),
    (3.0, 30.4, 52.0),
    (7.0, 40.0, 40.0),  # t_x = T
    (40.0, 5.0, 78.0),  # heavy buyer who lapsed early
    (120.0, 70.0, 78.0),
]


@pytest.mark.parametrize(
    "params",
    [
        (0.55, 10.5, 0.002, 1e8),  # β = 10⁸, s = 0.002: nobody leaves
        (0.55, 10.5, 0.6, 4e-12),  # β = 4·10⁻¹²: drop-out rates of every size
        (3.0, 1e6, 0.6, 2.0),  # α = 10⁶ with β = 2
        (0.7, 2.0, 100.0, 5e9),  # s at SHAPE_MAX, mean drop-out 2·10⁻⁸ per week
    ],
)
def test_log_likelihood_at_extreme_parameters(params):
    """The per-customer log-likelihood against Fader & Hardie's integral form by quadrature
    (relative 1e-10), and its gradient against central differences (1e-5 relative)."""
    model = ParetoNBD()
    for x, tx, T in ROWS:
        row = np.array([[x, tx, T]])
        ours, grad = model._loglik_and_grad(np.array(params), row, np.ones(1))
        reference = fader_hardie_log_likelihood(params, x, tx, T)
        assert ours == pytest.approx(reference, rel=1e-10, abs=1e-9), (x, tx, T)
        for i in range(4):
            up, down = np.array(params), np.array(params)
            h = 1e-5 * params[i]
            up[i] += h
            down[i] -= h
            numeric = (
                ParetoNBD()._loglik_and_grad(up, row.copy(), np.ones(1))[0]
                - ParetoNBD()._loglik_and_grad(down, row.copy(), np.ones(1))[0]
            ) / (2 * h)
            # ∂ℓ/∂ log θ; abs: LL rounding (1e-13 of ~10²) over the step
            assert grad[i] * params[i] == pytest.approx(numeric * params[i], rel=1e-5, abs=1e-6)


# -- fits ------------------------------------------------------------------------------------------
def simulate(r, alpha, s, beta, n, rng):
    """Pareto/NBD customers (μ = 0: nobody leaves, the NBD world), T uniform on 26–78 weeks,
    λ ~ Gamma(r, α), μ ~ Gamma(s, β), lifetime ~ Exp(μ); the n purchases before
    min(lifetime, T) are Poisson, the last at that time times the largest of n uniforms.
    Times in weeks counted in whole days (floor), as ``rfm_summary`` gives them."""
    T = rng.integers(26 * 7, 78 * 7 + 1, n) / 7.0
    lam = rng.gamma(r, 1.0 / alpha, n)
    if s is None:
        end = T
    else:
        end = np.minimum(T, rng.exponential(1.0, n) / rng.gamma(s, 1.0 / beta, n))
    x = rng.poisson(lam * end)
    last = np.where(x > 0, end * rng.random(n) ** (1.0 / np.maximum(x, 1)), 0.0)
    return pd.DataFrame(
        {"frequency": x.astype(float), "recency": np.floor(last * 7.0) / 7.0, "T": T}
    )


def nbd_log_likelihood(log_params, x, T):
    """The NBD model's total log-likelihood with the Pareto/NBD's data density (purchase
    times given λ: λ^x e^(−λT)), integrated over λ ~ Gamma(r, α):
    Σ log Γ(r+x) − log Γ(r) + r log α − (r+x) log(α+T)."""
    r, alpha = np.exp(log_params)
    return float(
        np.sum(
            special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
            - (r + x) * np.log(alpha + T)
        )
    )  # fmt: skip


def test_without_drop_out_the_fit_reaches_the_nbd_maximum():
    """A world where nobody leaves (NBD purchases, μ = 0): the Pareto/NBD nests the NBD as
    s/β → 0, so its maximum is at least the NBD's (fitted here by scipy on the closed form),
    up to what the optimiser's box costs (log s and log(s/β) ≥ −20: the fit ends at s = e^−20,
    β = 1, about 2·10⁻⁶ below the supremum here; allowed: 10⁻⁵). The purchase parameters agree
    with the NBD's."""
    rng = np.random.default_rng(18)
    rfm = simulate(0.6, 4.0, None, None, 3_000, rng)
    x, T = rfm["frequency"].to_numpy(), rfm["T"].to_numpy()
    nbd = optimize.minimize(
        lambda p: -nbd_log_likelihood(p, x, T), np.log([1.0, 1.0]), method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )  # fmt: skip
    nbd_ll = -nbd.fun
    model = ParetoNBD().fit(rfm)
    assert model.converged_
    assert model.log_likelihood_ >= nbd_ll - 1e-5
    assert model.log_likelihood_ <= nbd_ll + 1e-6  # the NBD is the supremum: none above it
    p = model.params_
    assert p["s"] / p["beta"] < 1e-6  # mean drop-out rate per week
    r, alpha = np.exp(nbd.x)
    assert p["r"] == pytest.approx(r, rel=1e-3)
    assert p["alpha"] == pytest.approx(alpha, rel=1e-3)


def test_recovers_a_low_drop_out_world():
    """20,000 simulated customers whose drop-out rates are far below their purchase rates
    (β/α = 50: the fit runs through the split): every estimate within 3 standard errors of the
    truth (on the log scale, where the intervals are built)."""
    truth = {"r": 0.7, "alpha": 3.0, "s": 0.9, "beta": 150.0}
    rng = np.random.default_rng(1801)
    rfm = simulate(*truth.values(), 20_000, rng)
    model = ParetoNBD().fit(rfm)
    assert model.converged_
    for name, value in truth.items():
        estimate, se = model.params_[name], model.standard_errors_[name]
        assert abs(np.log(estimate / value)) < 3.0 * se / estimate, (name, estimate, se)
