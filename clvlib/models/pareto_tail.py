"""Pareto/NBD's likelihood integral where the hypergeometric series is slow: one of α, β far
above the other (a data set with almost no drop-out sends β → ∞).

The likelihood needs, for a customer seen alive at τ with x repeat purchases,

    G(τ) P(τ) = s ∫_τ^∞ (α+u)^−(r+x) (β+u)^−(s+1) du,

which ``paretonbd`` sums as a Gauss hypergeometric series in z = |α−β| / (max(α,β)+τ). That
series needs about 36/(1−z) terms: fine for most data, but β a thousand times α+τ (where the
optimiser goes on a client whose customers hardly leave) costs tens of thousands of terms per
(x, τ) pair and a fit takes minutes.

There the two factors differ in kind: with a_f = min(α, β) and a_s = max(α, β) (and their
exponents p_f, p_s: r+x or s+1), (a_s+u)^−p_s varies slowly over u ≪ a_s while (a_f+u)^−p_f
carries the shape. So split the integral at τ* where y = (a_f+u)/(a_s−a_f) reaches y*:

    G(τ) P(τ) = s ∫_τ^τ* f(u) du + G(τ*) P(τ*),

the second term from the series at τ*, where 1−z = y*/(1+y*) and the series is short; the first
by the binomial expansion of the slow factor, (a_s+u)^−p_s = D^−p_s Σ_k C_k y^k with
D = a_s − a_f and C_k = (−p_s)_k/k! = (−1)^k (p_s)_k/k!, integrated term by term:

    ∫_τ^τ* f(u) du = D^(1−p_f−p_s) Σ_k C_k J_k,   J_k = ∫_{y(τ)}^{y*} t^(k−p_f) dt.

Every J_k is elementary and computed without cancellation (``_power_integrals``), also where
k−p_f+1 → 0 (the logarithm). The series alternates; with y* ≤ min(1/2, 1/p_s) its terms are
bounded by ((1+y*)/(1−y*))^p_s ≤ 9 times its sum, so at most one digit is lost, and 64 terms
reach 1e-17. The identity holds for any τ*, so derivatives are taken at fixed τ*: in p_f and
p_s by differentiating the expansion (d J_k/d p_f = −∫ t^(k−p_f) log t dt,
d C_k/d p_s = C_k (ψ(p_s+k) − ψ(p_s))); in a_f and a_s by ∂/∂a_f ∫f = −p_f ∫ f/(a_f+u) — the
same expansion with p_f + 1 (resp. p_s + 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, psi

#: Terms of the binomial expansion: with y* ≤ 1/5 and p_s y* ≤ 1 the ratio of term k+1 to
#: term k is at most (1 + k/5)/(k + 1), so the 32nd is below 1e-18 of the first.
TERMS = 32
#: Largest y*: the series at τ* then has 1 − z ≥ 1/6 (~200 terms, once per distinct x).
Y_STAR = 0.2


def _terms_needed(y_star: float) -> int:
    """Terms until the bound on term k / term 0, Π_j (1 + j y*)/(j + 1), is below 1e-18 (at
    most ``TERMS``)."""
    j = np.arange(TERMS - 1, dtype=float)
    bound = np.cumsum(np.log((1.0 + j * y_star) / (j + 1.0)))
    return int(min(TERMS, np.searchsorted(-bound, 41.5) + 2))


def split_point(p_slow):
    """y*: where the expansion stops and the series takes over (see the module text)."""
    return np.minimum(Y_STAR, 1.0 / np.asarray(p_slow, dtype=float))


def _power_integrals(e: np.ndarray, log_lo: np.ndarray, log_hi, *, ratio: bool = True):
    """For J(e) = ∫_lo^hi t^(e−1) dt (0 < lo ≤ hi): log J and K/J with K = ∫ t^(e−1) log t dt
    = dJ/de. Broadcast over ``e`` (pairs × terms) and ``log_lo``, ``log_hi`` (pairs × 1).

    With L = log(hi/lo), c = eL and the substitution t = lo·e^(Lw):
    J = lo^e L (e^c − 1)/c, and K/J = log lo + L·m(c), m(c) the mean of w under the density
    ∝ e^(cw) on (0, 1). Both are written with |c| so that nothing overflows or cancels:
    log((e^c − 1)/c) = max(c, 0) + log((1 − e^−|c|)/|c|), and m(c) = 1/(1 − e^−c) − 1/c for
    c > 0, 1 − m(−c) for c < 0, 1/2 + c/12 near 0."""
    span = log_hi - log_lo  # L ≥ 0
    c = e * span
    size = np.maximum(np.abs(c), 1e-300)
    one_minus = -np.expm1(-size)  # 1 − e^−|c|, exact for tiny |c|
    with np.errstate(divide="ignore"):  # span = 0 (lo = hi): J = 0, log J = −inf
        log_j = e * log_lo + np.log(span) + np.maximum(c, 0.0) + np.log(one_minus / size)
    if not ratio:
        return log_j
    small = size < 1e-4
    m = np.where(small, 0.5 + size / 12.0, 1.0 / one_minus - 1.0 / np.where(small, 1.0, size))
    m = np.where(c >= 0, m, 1.0 - m)
    return log_j, log_lo + span * m


def _signed_sum(log_mag: np.ndarray, sign: np.ndarray, weights=None) -> tuple:
    """log Σ_k sign_k e^(log_mag_k) (the sum must be positive) per row, and, with ``weights``
    (same shape), Σ_k w_k sign_k e^(log_mag_k) / that sum."""
    top = np.max(log_mag, axis=1, keepdims=True)
    scaled = sign * np.exp(log_mag - top)
    total = scaled.sum(axis=1)
    log_total = top[:, 0] + np.log(total)
    if weights is None:
        return log_total, None
    return log_total, (scaled * weights).sum(axis=1) / total


def expanded_integral(p_f, a_f: float, p_s, a_s: float, lo, y_hi):
    """log ∫_lo^hi (a_f+u)^−p_f (a_s+u)^−p_s du, hi = y_hi (a_s − a_f) − a_f, and its
    derivatives in (p_f, a_f, p_s, a_s) at fixed lo and hi, for a_s > a_f and
    (a_f+lo)/(a_s−a_f) ≤ y_hi ≤ ``split_point(p_s)``. ``p_f``, ``p_s``, ``lo`` and ``y_hi`` are
    arrays (one element per (x, τ) pair, broadcast); returns ``(log_value, grad)``, ``grad``
    4 × n (d log I / d parameter)."""
    p_f, p_s, lo, y_hi = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (p_f, p_s, lo, y_hi))
    )
    D = a_s - a_f
    log_D = np.log(D)
    log_lo = (np.log(a_f + lo) - log_D)[:, None]
    log_hi = np.log(y_hi)[:, None]
    k = np.arange(_terms_needed(float(np.max(y_hi))), dtype=float)[None, :]
    sign = np.where(k % 2 == 0, 1.0, -1.0)
    # log |C_k| and d log|C_k| / d p_s per distinct p_s (one value, or one per x)
    levels, at = np.unique(p_s, return_inverse=True)
    lv = levels[:, None]
    log_c = (gammaln(lv + k) - gammaln(lv) - gammaln(k + 1.0))[at]
    log_c_next = (gammaln(lv + 1.0 + k) - gammaln(lv + 1.0) - gammaln(k + 1.0))[at]  # p_s + 1
    d_log_c = (psi(lv + k) - psi(lv))[at]
    e = k + 1.0 - p_f[:, None]
    log_j, k_over_j = _power_integrals(e, log_lo, log_hi)
    log_mag = log_c + log_j
    log_s, mean_k = _signed_sum(log_mag, sign, k_over_j)  # Σ C_k K_k / Σ C_k J_k
    _, mean_c = _signed_sum(log_mag, sign, d_log_c)  # Σ C_k ψ_k J_k / Σ C_k J_k
    log_value = (1.0 - p_f - p_s) * log_D + log_s
    log_j_next = _power_integrals(e - 1.0, log_lo, log_hi, ratio=False)
    log_s_f = _signed_sum(log_c + log_j_next, sign)[0]  # the expansion with p_f + 1
    log_s_s = _signed_sum(log_c_next + log_j, sign)[0]  # … with p_s + 1
    ratio_f = np.exp(log_s_f - log_s - log_D)  # ∫ f/(a_f+u) / ∫ f
    ratio_s = np.exp(log_s_s - log_s - log_D)  # ∫ f/(a_s+u) / ∫ f
    grad = np.array(
        [
            -log_D - mean_k,  # d/dp_f: −log D − Σ C_k K_k / Σ C_k J_k
            -p_f * ratio_f,
            -log_D + mean_c,  # d/dp_s
            -p_s * ratio_s,
        ]
    )
    return log_value, grad
