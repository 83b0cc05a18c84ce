"""BG/BB against the published donations estimates (Fader, Hardie & Shang 2010, "Customer-base
analysis in a discrete-time noncontractual setting", Marketing Science 29(6): the 1995 cohort of
11,104 donors over the 6 annual opportunities 1996–2001, α = 1.204, β = 0.750, γ = 0.657,
δ = 2.783, LL = −33,225.6).

Every closed form is also checked against an independent evaluation: given p and θ each
quantity is a polynomial in p and θ, so integrating it against the Beta(α, β) × Beta(γ, δ)
mixing distribution by Gauss–Jacobi quadrature is exact (up to rounding)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import roots_sh_jacobi

from clvlib.models.base import check_gradient, compress
from clvlib.models.bgbb import BGBB

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(DATA / "donations.csv")


@pytest.fixture(scope="module")
def fitted(donations) -> BGBB:
    return BGBB().fit(donations)


def test_reproduces_published_donations_estimates(fitted):
    p = fitted.params_
    assert p["alpha"] == pytest.approx(1.204, abs=5e-4)
    assert p["beta"] == pytest.approx(0.750, abs=5e-4)
    assert p["gamma"] == pytest.approx(0.657, abs=5e-4)
    assert p["delta"] == pytest.approx(2.783, abs=5e-3)
    assert fitted.log_likelihood_ == pytest.approx(-33225.6, abs=0.1)
    assert fitted.n_obs_ == 11104
    assert fitted.converged_


def test_T_column_and_one_row_per_donor_give_the_same_fit(donations, fitted):
    renamed = BGBB().fit(donations.rename(columns={"periods": "T"}))
    assert renamed.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-12)
    donors = donations.loc[donations.index.repeat(donations["weights"])].drop(columns="weights")
    assert len(donors) == 11104
    assert BGBB().fit(donors).log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-9)


def test_analytic_gradient_matches_finite_differences(donations):
    data, weights = compress(
        donations.rename(columns={"periods": "T"}), ("frequency", "recency", "T")
    )
    for params in ([1.2, 0.75, 0.66, 2.8], [0.3, 4.0, 2.5, 0.5]):
        assert check_gradient(BGBB()._loglik_and_grad, np.array(params), data, weights) < 1e-5


def test_summary_has_standard_errors_and_intervals(fitted):
    table = fitted.summary().set_index("parameter")
    assert (table["standard_error"] > 0).all()
    assert (table["ci_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["ci_high"]).all()


def _mixture_expectation(params, fn, nodes=40):
    """E[fn(p, θ)] with p ~ Beta(α, β), θ ~ Beta(γ, δ), by Gauss–Jacobi quadrature."""
    alpha, beta, gamma, delta = params
    p, wp = roots_sh_jacobi(nodes, alpha + beta - 1, alpha)  # weight p^(α−1) (1−p)^(β−1)
    th, wt = roots_sh_jacobi(nodes, gamma + delta - 1, gamma)
    wp, wt = wp / wp.sum(), wt / wt.sum()
    return float(np.einsum("i,j,ij->", wp, wt, fn(p[:, None], th[None, :])))


def _reference(params, x, tx, n, n_ahead):
    """Likelihood, P(alive at n), P(alive at n + 1) and E[X(n, n + n_ahead)] of one customer."""

    def alive_part(p, th, extra=0):
        return p**x * (1 - p) ** (n - x) * (1 - th) ** (n + extra)

    def likelihood(p, th):
        dead = sum(
            p**x * (1 - p) ** (tx - x + i) * th * (1 - th) ** (tx + i) for i in range(n - tx)
        )
        return alive_part(p, th) + dead

    def future(p, th):
        return alive_part(p, th) * p * sum((1 - th) ** j for j in range(1, n_ahead + 1))

    like = _mixture_expectation(params, likelihood)
    return (
        like,
        _mixture_expectation(params, alive_part) / like,
        _mixture_expectation(params, lambda p, th: alive_part(p, th, 1)) / like,
        _mixture_expectation(params, future) / like,
    )


def test_predictions_match_exact_quadrature(fitted):
    params = tuple(fitted.params_.values())
    rows = pd.DataFrame({"frequency": [0, 2, 3, 6], "recency": [0, 2, 5, 6], "T": [6, 6, 6, 6]})
    alive = fitted.p_alive(rows)
    alive_next = fitted.p_alive(rows, periods_ahead=1)
    future = fitted.expected_purchases(5, rows)
    for j, row in enumerate(rows.itertuples(index=False)):
        like, a, a1, e = _reference(params, row.frequency, row.recency, row.T, 5)
        ll = fitted._rows(np.array([row.frequency]), np.array([row.recency]), np.array([row.T]))[0]
        assert ll[0] == pytest.approx(np.log(like), rel=1e-10)
        assert alive[j] == pytest.approx(a, rel=1e-9)
        assert alive_next[j] == pytest.approx(a1, rel=1e-9)
        assert future[j] == pytest.approx(e, rel=1e-9)


def test_p_alive_and_expectation_limits(fitted):
    gamma, delta = fitted.params_["gamma"], fitted.params_["delta"]
    rows = pd.DataFrame({"frequency": [4, 4, 4], "recency": [6, 5, 4], "periods": [6, 6, 6]})
    alive = fitted.p_alive(rows)
    assert alive[0] == 1.0  # bought at the last opportunity: alive then for sure
    assert alive[0] > alive[1] > alive[2] > 0  # the longer the silence, the likelier dead
    # alive at n for sure → alive at n + 1 with the posterior mean of 1 − θ
    n = 6
    assert fitted.p_alive(rows, periods_ahead=1)[0] == pytest.approx(
        (delta + n) / (gamma + delta + n)
    )
    assert (fitted.expected_purchases(0, rows) == 0).all()
    more = fitted.expected_purchases(10, rows)
    assert more[0] > more[1] > more[2] > 0


def test_new_customer_distribution(fitted):
    params = tuple(fitted.params_.values())
    n = 6
    probs = fitted.probability_of_purchases(np.arange(n + 1), n)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    mean = float(np.dot(np.arange(n + 1), probs))
    assert fitted.expected_purchases_new_customer(n) == pytest.approx(mean, rel=1e-10)
    exact = _mixture_expectation(
        params, lambda p, th: p * sum((1 - th) ** j for j in range(1, n + 1))
    )
    assert fitted.expected_purchases_new_customer(n) == pytest.approx(exact, rel=1e-10)
    assert fitted.expected_purchases_new_customer(0) == 0.0
    # γ → 1: the closed form's limiting branch agrees with its neighbours
    model = BGBB()
    values = []
    for gamma in (1 - 1e-5, 1.0, 1 + 1e-5):
        model.params_ = {"alpha": 1.0, "beta": 1.0, "gamma": gamma, "delta": 2.0}
        values.append(float(model.expected_purchases_new_customer(10)))
    assert values[1] == pytest.approx(values[0], rel=1e-4)
    assert values[1] == pytest.approx(values[2], rel=1e-4)


def test_rejects_impossible_rows():
    bad = pd.DataFrame({"frequency": [3], "recency": [2], "T": [6]})
    with pytest.raises(ValueError, match="frequency ≤ recency"):
        BGBB().fit(bad)
    with pytest.raises(ValueError, match="'T' or 'periods'"):
        BGBB().fit(bad.drop(columns="T"))


def simulate(alpha, beta, gamma, delta, n, customers, rng):
    """Customers alive at opportunity 0 (first purchase); each dies at the start of an
    opportunity with probability θ and, while alive, buys with probability p."""
    p = rng.beta(alpha, beta, customers)
    theta = rng.beta(gamma, delta, customers)
    death = rng.geometric(theta)  # first opportunity at which the customer is dead
    opportunity = np.arange(1, n + 1)
    buys = (rng.random((customers, n)) < p[:, None]) & (opportunity[None, :] < death[:, None])
    x = buys.sum(axis=1)
    tx = np.where(x > 0, np.max(np.where(buys, opportunity[None, :], 0), axis=1), 0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": n})


def test_recovers_known_parameters_within_their_intervals():
    truth = {"alpha": 0.8, "beta": 2.5, "gamma": 1.5, "delta": 6.0}
    sim = simulate(*truth.values(), n=10, customers=30_000, rng=np.random.default_rng(17))
    model = BGBB().fit(sim)
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)
