"""``bootstrap_sums``: exact resampling below the threshold, its normal limit above it.

References: the exact bootstrap's own draws (the normal branch must reproduce their mean, spread
and 2.5 % / 97.5 % percentiles within Monte Carlo error) and the closed forms of a resampled
sum, E = Σ v and Var = n · var(v) (variance with divisor n)."""

from __future__ import annotations

import numpy as np
import pytest

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


@pytest.mark.parametrize(
    ("rows", "n_boot", "columns"),
    [(1, 5, 2), (7, 3, 3), (1000, 2001, 2), (1001, 40, 3), (6041, 300, 3)],
)
def test_several_columns_give_the_bits_of_the_whole_row_gather(rows, n_boot, columns):
    """The per-column gather draws the same rows as the whole-row gather written out here
    (``values[idx].sum(axis=1)`` per chunk of 2,000,000 // rows resamples) and adds them in the
    same order: the same bits (money-like values with cents, where another order of additions
    changes the last digits). (1000, 2001): a last chunk of one resample."""
    values = np.random.default_rng(rows).gamma(0.5, 80.0, size=(rows, columns)).round(2)
    fast = bootstrap_sums(values, n_boot, np.random.default_rng(3))
    rng, chunk = np.random.default_rng(3), max(1, 2_000_000 // rows)
    reference = np.concatenate([
        values[rng.integers(0, rows, size=(min(n_boot, s + chunk) - s, rows))].sum(axis=1)
        for s in range(0, n_boot, chunk)
    ])  # fmt: skip
    assert fast.shape == reference.shape == (n_boot, columns)
    assert np.array_equal(fast, reference)


def test_several_columns_are_sums_of_the_same_resampled_rows():
    """Each row of the draws is the column sums of ``rows`` rows of the input, drawn with
    replacement, the same rows for every column: with values 2^i the sums are exact, so
    columns 3 × and −1 × the first give 3 × and −1 × its sums; a sum of ``rows`` rows lies
    between ``rows`` × the least and ``rows`` × the largest value."""
    rows = 20
    first = 2.0 ** np.arange(rows)
    values = np.column_stack([first, 3 * first, -first])
    draws = bootstrap_sums(values, 50, np.random.default_rng(0))
    np.testing.assert_array_equal(draws[:, 1], 3 * draws[:, 0])
    np.testing.assert_array_equal(draws[:, 2], -draws[:, 0])
    assert (draws[:, 0] >= rows * first.min()).all() and (draws[:, 0] <= rows * first.max()).all()
    assert len(np.unique(draws[:, 0])) > 40  # resamples differ
