"""BG/NBD against the published CDNOW estimates (Fader, Hardie & Lee 2005, "Counting your
customers the easy way": r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9,582.4), the
closed-form E[X(t)] against simulation, and parameter recovery from a known-truth simulation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from clvlib.models import BGNBD, base
from clvlib.models.base import check_gradient, compress

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def fitted(cdnow):
    return BGNBD().fit(cdnow)


def test_reproduces_published_cdnow_estimates(fitted):
    p = fitted.params_
    assert p["r"] == pytest.approx(0.243, abs=5e-4)
    assert p["alpha"] == pytest.approx(4.414, abs=5e-3)
    assert p["a"] == pytest.approx(0.793, abs=5e-4)
    assert p["b"] == pytest.approx(2.426, abs=5e-3)
    assert fitted.log_likelihood_ == pytest.approx(-9582.4, abs=0.1)
    assert fitted.n_obs_ == 2357


def test_weights_column_gives_the_same_fit(cdnow, fitted):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("weights").reset_index()
    weighted = BGNBD().fit(counts)
    assert weighted.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-9)


def test_analytic_gradient_matches_finite_differences(cdnow):
    data, weights = compress(cdnow, ("frequency", "recency", "T"))
    for params in ([0.3, 4.0, 0.8, 2.5], [1.5, 10.0, 2.0, 5.0]):
        model = BGNBD()
        assert check_gradient(model._loglik_and_grad, np.array(params), data, weights) < 1e-5


def direct_log_likelihood(params, x, tx, T):
    """FHL 2005 eq. 6 written out per customer, with no shared terms (the reference)."""
    r, alpha, a, b = params
    lead = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    beta_part = betaln(a, b + x) - betaln(a, b)
    alive = (alpha + T) ** -(r + x)
    dead = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) * (alpha + tx) ** -(r + x), 0.0)
    return lead + beta_part + np.log(alive + dead)


def test_log_likelihood_matches_the_direct_formula(cdnow):
    data, weights = compress(cdnow, ("frequency", "recency", "T"))
    for params in ([0.2426, 4.414, 0.793, 2.426], [2.0, 0.5, 0.1, 40.0]):
        ours, _ = BGNBD()._loglik_and_grad(np.array(params), data, weights)
        reference = np.dot(weights, direct_log_likelihood(params, *data.T))
        assert ours == pytest.approx(reference, rel=1e-12)


def test_subsample_multistart_finds_the_same_maximum(cdnow, fitted, monkeypatch):
    monkeypatch.setattr(base, "SUBSAMPLE_ROWS", 200)  # starts on 200 rows, then all rows
    model = BGNBD().fit(cdnow)
    for name, value in fitted.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-5)
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, abs=1e-6)


def test_summary_has_standard_errors_and_intervals(fitted):
    table = fitted.summary().set_index("parameter")
    assert (table["standard_error"] > 0).all()
    assert (table["ci_low"] < table["estimate"]).all() and (
        table["estimate"] < table["ci_high"]
    ).all()
    assert fitted.aic_ == pytest.approx(2 * 4 + 2 * 9582.4256, abs=0.01)


def simulate(r, alpha, a, b, T, n, rng):
    """Draw BG/NBD customers observed for T time units from their first purchase."""
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    tx = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        t = t + rng.exponential(1.0, n) / lam
        buys = alive & (t <= T)
        x[buys] += 1
        tx[buys] = t[buys]
        alive = buys & (rng.random(n) >= p)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": np.full(n, float(T))})


def test_expected_purchases_formula_matches_simulation(fitted):
    rng = np.random.default_rng(1)
    p = fitted.params_
    sim = simulate(p["r"], p["alpha"], p["a"], p["b"], 39.0, 200_000, rng)
    expected = float(fitted.expected_purchases_new_customer(39.0))
    se = sim["frequency"].std() / np.sqrt(len(sim))
    assert abs(sim["frequency"].mean() - expected) < 4 * se


def test_recovers_known_parameters_within_their_intervals():
    truth = {"r": 0.8, "alpha": 12.0, "a": 0.9, "b": 3.0}
    sim = simulate(*truth.values(), T=104.0, n=30_000, rng=np.random.default_rng(7))
    model = BGNBD().fit(sim)
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)


def test_p_alive_and_conditional_expectation_limits(fitted):
    rfm = pd.DataFrame({"frequency": [0, 5, 5], "recency": [0.0, 38.0, 5.0], "T": [39.0] * 3})
    alive = fitted.p_alive(rfm)
    assert alive[0] == 1.0  # no repeat purchase: never had the chance to drop out
    assert alive[1] > alive[2]  # a recent buyer is more likely alive than a lapsed one
    assert (fitted.expected_purchases(0.0, rfm) == 0).all()
    more = fitted.expected_purchases(52.0, rfm)
    assert more[1] > more[2] > 0


def test_summary_interval_of_a_positive_parameter_stays_positive():
    """Reference: the delta method, se(log θ) = se(θ)/θ, so the 95 % interval is
    θ·exp(±1.96·se/θ) — computed here by hand. A drop-out parameter known poorly (the
    issue-17 wholesaler: a = 0.080, se 0.107) must not get the negative lower end of
    θ ± 1.96·se (−0.128)."""
    model = BGNBD()
    model.param_names = ["r", "alpha", "a", "b"]
    model.params_ = {"r": 2.92, "alpha": 11.7, "a": 0.0803, "b": 45.0}
    model.standard_errors_ = {"r": 0.203, "alpha": 0.89, "a": 0.1065, "b": float("nan")}
    table = model.summary().set_index("parameter")
    z = 1.959963984540054
    assert table.loc["a", "ci_low"] == pytest.approx(0.0803 * math.exp(-z * 0.1065 / 0.0803))
    assert table.loc["a", "ci_high"] == pytest.approx(0.0803 * math.exp(z * 0.1065 / 0.0803))
    assert (table["ci_low"].dropna() > 0).all()
    assert math.isnan(table.loc["b", "ci_low"])  # no standard error, no interval
    assert table.loc["r", "ci_low"] == pytest.approx(2.92 - z * 0.203, rel=0.02)  # se/θ 7 %


def test_summary_interval_of_a_parameter_at_its_bound_is_not_infinite():
    """A no-drop-out client (zoo world 8): a = 1e-9 with se 0.05 — exp(1.96·0.05/1e-9)
    overflows; the upper end is NaN ("—" in the table), never inf in the PDF."""
    model = BGNBD()
    model.param_names = ["r", "alpha", "a", "b"]
    model.params_ = {"r": 2.0, "alpha": 10.0, "a": 1e-9, "b": 3.0}
    model.standard_errors_ = {"r": 0.1, "alpha": 0.5, "a": 0.05, "b": 0.4}
    table = model.summary().set_index("parameter")
    assert math.isnan(table.loc["a", "ci_high"]) and 0 <= table.loc["a", "ci_low"] < 1e-9
    assert np.isfinite(table.drop(index="a")[["ci_low", "ci_high"]].to_numpy()).all()
