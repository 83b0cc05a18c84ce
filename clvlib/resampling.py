"""Percentile-bootstrap draws of column sums, exact for ordinary sizes and fast for millions.

``bootstrap_sums(values, n_boot, rng)``: the column sums of ``n_boot`` resamples (with
replacement) of the rows of ``values`` (rows = customers). Up to ``EXACT_ROWS`` rows they are
real resamples. Above it the sums are drawn from their normal limit, N(Σ v, n Σ̂) with Σ̂ the
rows' covariance (divisor n): a resampled sum is a sum of n independent draws from the rows, so
by the central limit theorem its distribution is that normal to O(1/√n) — below 0.3 % of a
standard deviation at 100,000 rows — while exact resampling would cost ``n_boot`` × n random
reads (2,000 × 1.4 M for a big client's loyalty lift: minutes).
"""

from __future__ import annotations

import numpy as np

from clvlib.progress import bar

EXACT_ROWS = 100_000


def bootstrap_sums(
    values: np.ndarray, n_boot: int, rng: np.random.Generator, *, exact_rows: int = EXACT_ROWS
) -> np.ndarray:
    """An (n_boot, columns) array of resampled column sums of ``values`` (see the module)."""
    values = np.asarray(values, dtype="float64")
    if values.ndim == 1:
        values = values[:, None]
    n = len(values)
    if n > exact_rows:
        covariance = np.atleast_2d(np.cov(values, rowvar=False, bias=True)) * n
        return rng.multivariate_normal(values.sum(axis=0), covariance, size=n_boot, method="eigh")
    out = np.empty((n_boot, values.shape[1]))
    chunk = max(1, 2_000_000 // max(n, 1))
    for start in bar(range(0, n_boot, chunk), desc="bootstrap", enabled=False):
        stop = min(n_boot, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = values[idx].sum(axis=1)
    return out
