"""``bootstrap_sums``: exact resampling below the threshold, its normal limit above it.

References: the exact bootstrap's own draws (the normal branch must reproduce their mean, spread
and 2.5 % / 97.5 % percentiles within Monte Carlo error) and the closed forms of a resampled
sum, E = Σ v and Var = n · var(v) (variance with divisor n)."""

from __future__ import annotations

import numpy as np

from clvlib.resampling import bootstrap_sums


def test_normal_limit_matches_exact_resampling_of_skewed_spend():
    rng = np.random.default_rng(3)
    n = 20_000
    spend = rng.lognormal(4.0, 1.0, n)  # right-skewed, like revenue per customer
    values = np.column_stack([spend, rng.poisson(3.0, n) + 1.0])
    exact = bootstrap_sums(values, 1000, np.random.default_rng(1), exact_rows=10**9)
    normal = bootstrap_sums(values, 4000, np.random.default_rng(2), exact_rows=0)
    sd = np.sqrt(n * values.var(axis=0))
    for draws in (exact, normal):
        np.testing.assert_allclose(draws.mean(axis=0), values.sum(axis=0), atol=0.15 * sd.max())
        np.testing.assert_allclose(draws.std(axis=0), sd, rtol=0.08)
    for q in (0.025, 0.975):
        gap = np.abs(np.quantile(exact, q, axis=0) - np.quantile(normal, q, axis=0))
        assert np.all(gap < 0.2 * sd), (q, gap / sd)
    # the ratio of the two sums (what the loyalty lift uses) has the same percentiles too
    ratio_exact = np.quantile(exact[:, 0] / exact[:, 1], [0.025, 0.975])
    ratio_normal = np.quantile(normal[:, 0] / normal[:, 1], [0.025, 0.975])
    np.testing.assert_allclose(ratio_normal, ratio_exact, rtol=2e-3)


def test_exact_branch_is_a_resample():
    values = np.array([[1.0], [2.0], [4.0]])
    draws = bootstrap_sums(values, 500, np.random.default_rng(0))
    # every draw is a sum of three of the values: between 3 and 12, integer-valued here
    assert draws.min() >= 3 and draws.max() <= 12
    assert np.all(draws == np.round(draws))
