"""sBG retention model against the published estimates of Fader & Hardie (2007), "How to project
customer retention", Journal of Interactive Marketing 21(1): customers still active of 1,000
after years 0–7, "regular" segment 1000, 631, 468, 382, 326, 289, 262, 241 → α = 0.704,
β = 1.182; "high end" 1000, 869, 743, 653, 593, 551, 517, 491 → α = 0.668, β = 3.806.
Plus the closed-form identities of the model, the discounted expected (residual) lifetime of
Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", Marketing Science 29(1), and parameter recovery from a simulated cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from clvlib.models.base import check_gradient
from clvlib.models.sbg import SBG

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


@pytest.fixture(scope="module")
def regular() -> SBG:
    return SBG().fit(REGULAR)


def test_reproduces_published_estimates(regular):
    assert regular.params_["alpha"] == pytest.approx(0.704, abs=5e-4)
    assert regular.params_["beta"] == pytest.approx(1.182, abs=5e-4)
    high = SBG().fit(pd.Series(HIGH_END))
    assert high.params_["alpha"] == pytest.approx(0.668, abs=5e-4)
    assert high.params_["beta"] == pytest.approx(3.806, abs=5e-3)
    assert regular.n_obs_ == 1000 and regular.periods_ == 7
    assert regular.converged_ and high.converged_


def test_log_likelihood_is_the_sum_over_churn_periods_and_survivors(regular):
    # eq. (6) written out with the model's own pieces
    counts = np.array(REGULAR, dtype=float)
    t = np.arange(1, 8)
    expected = np.dot(counts[:-1] - counts[1:], np.log(regular.churn_probability(t)))
    expected += counts[-1] * np.log(regular.survival(7))
    assert regular.log_likelihood_ == pytest.approx(expected, rel=1e-12)
    # regression guard, not a published figure (shared/data/README.md lists no sBG LL)
    assert regular.log_likelihood_ == pytest.approx(-1680.3, abs=0.1)


def test_analytic_gradient_matches_finite_differences():
    model = SBG().fit(REGULAR)
    data = np.column_stack([np.append(np.arange(1.0, 8), 7.0), np.append(np.ones(7), 0.0)])
    counts = np.array(REGULAR, dtype=float)
    weights = np.append(counts[:-1] - counts[1:], counts[-1])
    for params in ([0.7, 1.2], [3.0, 0.4]):
        assert check_gradient(model._loglik_and_grad, np.array(params), data, weights) < 1e-6


def test_summary_has_standard_errors_and_intervals(regular):
    table = regular.summary().set_index("parameter")
    assert (table["standard_error"] > 0).all()
    assert (table["ci_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["ci_high"]).all()
    assert regular.bic_ == pytest.approx(2 * np.log(1000) - 2 * regular.log_likelihood_)


def test_survival_churn_and_retention_identities(regular):
    alpha, beta = regular.params_["alpha"], regular.params_["beta"]
    t = np.arange(1, 30)
    surv = regular.survival(np.arange(0, 30))
    assert surv[0] == 1.0
    assert np.all(np.diff(surv) < 0)  # survival decreases
    assert np.allclose(regular.churn_probability(t), surv[:-1] - surv[1:], rtol=1e-12)
    assert np.allclose(regular.retention_rate(t), surv[1:] / surv[:-1], rtol=1e-12)
    assert np.all(np.diff(regular.retention_rate(t)) > 0)  # retention rises: sorting effect
    assert regular.retention_rate(1) == pytest.approx(beta / (alpha + beta))  # E[1 − θ]
    assert regular.churn_probability(1) == pytest.approx(alpha / (alpha + beta))  # E[θ]


def test_expected_lifetime_closed_forms(regular):
    alpha, beta = regular.params_["alpha"], regular.params_["beta"]
    # DEL(d) = 2F1(1, β; α + β; 1/(1 + d)) (Fader & Hardie 2010) and its truncated sum
    assert regular.expected_lifetime(discount_rate=0.1) == pytest.approx(
        hyp2f1(1, beta, alpha + beta, 1 / 1.1)
    )
    d = 0.1
    surv = regular.survival(np.arange(0, 2000))
    assert regular.expected_lifetime(discount_rate=d) == pytest.approx(
        np.sum(surv / (1 + d) ** np.arange(2000)), rel=1e-10
    )
    # DERL of a customer active for n = 4 periods: Σ_j S(4 + j) / S(3) / (1 + d)^j
    derl = np.sum(surv[4:] / surv[3] / (1 + d) ** np.arange(2000 - 4))
    assert regular.expected_lifetime(discount_rate=d, tenure=4) == pytest.approx(derl, rel=1e-8)
    assert regular.expected_lifetime(5) == pytest.approx(surv[:5].sum())  # 5-period horizon
    assert regular.expected_lifetime(0) == 0.0
    assert regular.expected_lifetime() == np.inf  # α ≤ 1: the undiscounted mean is infinite
    # α > 1: E[T] = (α + β − 1) / (α − 1), and the residual lifetime grows with tenure
    model = SBG()
    model.params_ = {"alpha": 2.0, "beta": 3.0}
    assert model.expected_lifetime() == pytest.approx(4.0)
    assert model.expected_lifetime(tenure=3) == pytest.approx(5.0)  # (β+2)/(α+β+2) · 7
    assert model.expected_lifetime(10**6) == pytest.approx(4.0, rel=1e-4)


def test_rejects_counts_that_are_not_one_cohort():
    with pytest.raises(ValueError, match="may not grow"):
        SBG().fit([1000, 800, 850])
    with pytest.raises(ValueError, match="at least one"):
        SBG().fit([1000])
    with pytest.raises(ValueError, match="≥ 0"):
        SBG().fit([1000, -1])


def test_recovers_known_parameters_within_their_intervals():
    truth = {"alpha": 1.5, "beta": 4.0}
    rng = np.random.default_rng(5)
    theta = rng.beta(truth["alpha"], truth["beta"], 20_000)
    last_period = rng.geometric(theta)  # T: the period at the end of which a customer churns
    alive = [(last_period > t).sum() for t in range(10)]  # n_0 = 20,000, n_1, …, n_9
    model = SBG().fit(alive)
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)
