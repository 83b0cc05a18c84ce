"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987, "Counting your customers"), likelihood as
in Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions".

While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); their unobserved
lifetime is exponential with rate μ ~ Gamma(s, β). λ and μ are per time unit of the data (weeks
for CDNOW), so α and β are in that unit. Data per customer: ``frequency`` x (repeat purchases),
``recency`` t_x and ``T`` (first purchase to the end of observation), same unit.

Likelihood of one customer, with G(τ) = (α+τ)^-(r+x) (β+τ)^-s:

    L = Γ(r+x) α^r β^s / Γ(r) · [ G(T) + s ∫_{t_x}^{T} G(τ) / (β+τ) dτ ].

Numerical scheme
----------------
The note writes the integral as a difference of Gaussian hypergeometric terms
2F1(m, ·; m+1; z) / (max(α,β)+τ)^m, m = r+s+x, choosing the ordering that keeps z in [0, 1):
z = (α−β)/(α+τ) with second parameter s+1 when α ≥ β, z = (β−α)/(β+τ) with r+x when α < β.
We apply Euler's transformation 2F1(a,b;c;z) = (1−z)^(c−a−b) 2F1(c−a, c−b; c; z) to those terms,
which turns them into

    s ∫_τ^∞ G(u)/(β+u) du = G(τ) P(τ),
    P(τ) = s/m · 2F1(1, r+x; m+1; z)                    (α ≥ β),
    P(τ) = s/m · (α+τ)/(β+τ) · 2F1(1, s+1; m+1; z)       (α < β),

so that L = Γ(r+x) α^r β^s / Γ(r) · [G(T) (1 − P(T)) + G(t_x) P(t_x)], combined in log space.
P(τ) in (0, 1) is the posterior mean of μ/(λ+μ) for a customer seen alive at τ with x repeat
purchases (the chance that their next event is death rather than a purchase). The series
Σ_k (p)_k/(q)_k z^k of 2F1(1, p; q; z) has q > p, so every term is positive and each is less than
z times the one before: it cannot overflow (the untransformed series with b = r+x grows like
(r+x)^k/k! before it falls, which fails for heavy buyers) and it is summed until the remainder is
below 1e-17 of the sum. Its derivatives in p, q and z are summed term by term in the same loop,
so the gradient is analytic: the exact derivative of the value that is returned.

For z close to 1 (one of α, β hundreds of times the other and τ small) the series needs about
36/(1−z) terms; those elements continue in vectorised blocks, and after ``_KMAX`` terms the
remainder is replaced by a geometric tail (see ``hyp2f1_one``; exact to rounding up to
z ≈ 0.9995, i.e. max(α, β)/min(α, β) up to about 2,000). Real data sets have their maximum far
from that region; the optimiser may pass through it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, psi

from clvlib.models.base import compress, weighted_sum
from clvlib.models.bgnbd import nbd_pmf
from clvlib.models.covariates import CovariateFitter, for_new_customer, per_customer
from clvlib.models.pareto_tail import expanded_integral, split_point

COLUMNS = ("frequency", "recency", "T")
#: Largest shapes r and s of the purchase and drop-out rates (λ ~ Gamma(r, α),
#: μ ~ Gamma(s, β)): their coefficient of variation is 1/√shape, 10 % at 100, so customers'
#: rates are then practically equal. Where the data show no heterogeneity the likelihood rises
#: ever more slowly as a shape → ∞ (shape and rate running off together), while the series
#: the likelihood sums needs ~36 × (shape + x) terms (``pareto_tail``): a shape of 10⁸, where
#: L-BFGS-B's line search went on a client without drop-out, took 45 s for one evaluation. So
#: the shapes stop here, and the model says when one sits at its bound
#: (``predictive.at_bounds``).
SHAPE_MAX = 100.0
_LOOP_TERMS = 512  # series terms summed element-wise for all elements together
_CHECK_EVERY = 8  # terms between convergence checks in that loop
_BLOCK_TERMS = 1024  # then blocks of terms per remaining element (z close to 1) …
_BLOCK_ROWS = 256  # … for this many elements at a time …
_KMAX = 1 << 16  # … up to this many terms, then a geometric tail


def _xtT(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(frame["frequency"], dtype=float),
        np.asarray(frame["recency"], dtype=float),
        np.asarray(frame["T"], dtype=float),
    )


def hyp2f1_one(p, q, z):
    """2F1(1, p; q; z) = Σ_k (p)_k/(q)_k z^k for 0 < p < q, 0 ≤ z < 1, with its derivatives.

    Returns ``(S, dS/dp, dS/dq, dS/dz)`` as arrays of the broadcast shape. Terms are positive and
    decrease by a factor below z. Elements are summed term by term (all together) until the
    remainder bound falls under 1e-17 of the sum; the few that need more than ``_LOOP_TERMS``
    terms (z close to 1) continue in vectorised blocks up to ``_KMAX`` terms, then a geometric
    tail. Derivatives are summed alongside, so they are exact for the value returned.
    """
    p, q, z = np.broadcast_arrays(
        np.asarray(p, dtype=float), np.asarray(q, dtype=float), np.asarray(z, dtype=float)
    )
    shape = z.shape
    p, q, z = p.ravel(), q.ravel(), z.ravel()
    out = np.zeros((4, z.size))
    out[0] = 1.0
    out[3] = p / q  # at z = 0: S = 1, dS/dz = t_1/z = p/q (kept for elements that skip the sum)
    active = np.flatnonzero(z > 0)
    # state per active element: p, q, z, t_k, Σ_{j<k} 1/(p+j), −Σ_{j<k} 1/(q+j), and the sums
    # of t_k, t_k ∂log t_k/∂p, t_k ∂log t_k/∂q, ∂t_k/∂z
    st = np.zeros((10, active.size))
    st[0], st[1], st[2], st[3], st[6] = p[active], q[active], z[active], 1.0, 1.0
    k = 0
    while active.size and k < _LOOP_TERMS:
        pa, qa, za, term, acc_p, acc_q, s0, sp, sq, sz = st
        for _ in range(_CHECK_EVERY):
            u = term * ((pa + k) / (qa + k))  # t_{k+1} / z
            sz += (k + 1) * u  # ∂t_{k+1}/∂z = (k+1) t_{k+1} / z
            acc_p += 1.0 / (pa + k)
            acc_q -= 1.0 / (qa + k)
            term = za * u
            s0 += term
            sp += term * acc_p
            sq += term * acc_q
            k += 1
        st[3] = term
        active, st = _retire(out, active, st, k)
    for lo in range(0, active.size, _BLOCK_ROWS):
        rows, block = active[lo : lo + _BLOCK_ROWS], st[:, lo : lo + _BLOCK_ROWS]
        kk = k
        while rows.size and kk < _KMAX:
            _sum_block(block, kk, _BLOCK_TERMS)
            kk += _BLOCK_TERMS
            rows, block = _retire(out, rows, block, kk)
        if rows.size:
            _geometric_tail(out, rows, block, kk)
    return tuple(out[i].reshape(shape) for i in range(4))


def _retire(out, active, st, k):
    """Store the sums of converged elements in ``out`` and drop them from the active state."""
    pa, za, term, s0 = st[0], st[2], st[3], st[6]
    # remainder of Σ t_j (and of the weighted sums) ≤ t_k · O(k + 1/p) / (1−z)²
    done = term * (k + 10.0 + 1.0 / pa) <= 1e-17 * s0 * (1.0 - za) ** 2
    if not done.any():
        return active, st
    out[:, active[done]] = st[6:, done]
    return active[~done], st[:, ~done]


def _sum_block(st, k, width):
    """Add terms k+1 … k+width to the sums in ``st`` (rows of elements), in place."""
    pa, qa, za, term = (v[:, None] for v in st[:4])
    j = k + np.arange(width)
    ratio_u = (pa + j) / (qa + j)
    u = term * np.cumprod(za * ratio_u, axis=1) / za  # t_{j+1} / z
    t = za * u
    acc_p = st[4][:, None] + np.cumsum(1.0 / (pa + j), axis=1)
    acc_q = st[5][:, None] - np.cumsum(1.0 / (qa + j), axis=1)
    st[6] += t.sum(axis=1)
    st[7] += (t * acc_p).sum(axis=1)
    st[8] += (t * acc_q).sum(axis=1)
    st[9] += ((j + 1) * u).sum(axis=1)
    st[3], st[4], st[5] = t[:, -1], acc_p[:, -1], acc_q[:, -1]


def _geometric_tail(out, rows, st, k):
    """Remainder t_k ρ/(1−ρ) with ρ = z (p+k)/(q+k), the next term ratio (later ones approach z
    from below, so this slightly underestimates), with its exact derivatives."""
    pa, qa, za, term, acc_p, acc_q, s0, sp, sq, sz = st
    rho = za * (pa + k) / (qa + k)
    tail = term * rho / (1.0 - rho)
    g = 1.0 / (1.0 - rho)
    out[0, rows] = s0 + tail
    out[1, rows] = sp + tail * (acc_p + g / (pa + k))
    out[2, rows] = sq + tail * (acc_q - g / (qa + k))
    out[3, rows] = sz + tail * (k + g) / za


def _log_p_term(params, x, tau):
    """log P(τ) and its gradient in (r, α, s, β) (rows of a 4 × n array) per (x, τ) pair: by the
    series where it is short, by ``pareto_tail``'s split where one of α, β is far above the
    other and the series would need thousands of terms."""
    r, alpha, s, beta = params
    x, tau = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(tau, dtype=float))
    low, high = min(alpha, beta), max(alpha, beta)
    p_slow = s + 1.0 if alpha < beta else r + x  # exponent of the slowly varying factor
    y_star = np.broadcast_to(split_point(p_slow), x.shape)
    slow = (low + tau) < y_star * (high - low)
    if not slow.any():
        return _log_p_series(params, x, tau)
    log_p = np.empty(x.shape)
    grad = np.empty((4, x.size))
    fast = ~slow
    if fast.any():
        log_p[fast], grad[:, fast] = _log_p_series(params, x[fast], tau[fast])
    log_p[slow], grad[:, slow] = _log_p_split(params, x[slow], tau[slow], y_star[slow])
    return log_p, grad


def _log_p_split(params, x, tau, y_star):
    """log P(τ) and gradient from G(τ)P(τ) = s ∫_τ^τ* f + G(τ*)P(τ*), τ* where
    (min(α,β) + τ*) / |α − β| = y* (see ``pareto_tail``); derivatives at fixed τ*."""
    r, alpha, s, beta = params
    low, high = min(alpha, beta), max(alpha, beta)
    tau_star = y_star * (high - low) - low
    if alpha < beta:  # f = (α+u)^−(r+x) (β+u)^−(s+1): α's factor carries the shape
        log_i, g = expanded_integral(r + x, alpha, s + 1.0, beta, tau, y_star)
        d_int = g  # (r, α, s, β) in that order
    else:  # β's factor carries the shape
        log_i, g = expanded_integral(s + 1.0, beta, r + x, alpha, tau, y_star)
        d_int = g[[2, 3, 0, 1]]
    log_int = np.log(s) + log_i  # s ∫ f
    d_int = d_int + np.array([0.0, 0.0, 1.0 / s, 0.0])[:, None]
    # G(τ*) P(τ*) once per distinct x (τ* depends on x alone)
    xs, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    lp, gp = _log_p_series(params, xs, tau_star[first])
    lg, gg = _log_g_term(params, xs, tau_star[first])
    log_rest, d_rest = (lp + lg)[inverse], (gp + gg)[:, inverse]
    log_gp = np.logaddexp(log_int, log_rest)
    share = np.exp(log_int - log_gp)
    lg_tau, gg_tau = _log_g_term(params, x, tau)
    return log_gp - lg_tau, share * d_int + (1.0 - share) * d_rest - gg_tau


def _log_p_series(params, x, tau):
    """log P(τ) and its gradient in (r, α, s, β) (rows of a 4 × n array) from the
    hypergeometric series; see the module text."""
    r, alpha, s, beta = params
    m = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + tau)
        S, S_p, S_q, S_z = hyp2f1_one(r + x, m + 1.0, z)
        log_p = np.log(s) - np.log(m) + np.log(S)
        dz = S_z / S
        grad = np.array(
            [
                -1.0 / m + (S_p + S_q) / S,
                dz * (beta + tau) / (alpha + tau) ** 2,
                1.0 / s - 1.0 / m + S_q / S,
                -dz / (alpha + tau),
            ]
        )
    else:
        z = (beta - alpha) / (beta + tau)
        S, S_p, S_q, S_z = hyp2f1_one(s + 1.0, m + 1.0, z)
        log_p = np.log(s) - np.log(m) + np.log(alpha + tau) - np.log(beta + tau) + np.log(S)
        dz = S_z / S
        grad = np.array(
            [
                -1.0 / m + S_q / S,
                1.0 / (alpha + tau) - dz / (beta + tau),
                1.0 / s - 1.0 / m + (S_p + S_q) / S,
                -1.0 / (beta + tau) + dz * (alpha + tau) / (beta + tau) ** 2,
            ]
        )
    return log_p, grad


def _log_g_term(params, x, tau):
    """log G(τ) = −(r+x) log(α+τ) − s log(β+τ) and its gradient (4 × n)."""
    r, alpha, s, beta = params
    la, lb = np.log(alpha + tau), np.log(beta + tau)
    value = -(r + x) * la - s * lb
    grad = np.array([-la, -(r + x) / (alpha + tau), -lb, -s / (beta + tau)])
    return value, grad


class _Layout:
    """Parameter-free index of a data set: P(τ) and G(τ) depend on (x, τ) only, so they are
    computed once per unique (x, τ) pair among the (x, t_x) and (x, T) of the rows — a few
    thousand pairs for day-granular data however many customers there are."""

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> None:
        n = x.size
        keys = np.concatenate([x + 1j * tx, x + 1j * T])
        pairs, inverse = np.unique(keys, return_inverse=True)
        self.n = n
        self.x, self.tau = pairs.real.copy(), pairs.imag.copy()
        self.at_tx, self.at_T = inverse[:n], inverse[n:]
        self.xs, self.at_x = np.unique(x, return_inverse=True)


def _log_mix(params, lay: _Layout, weights=None):
    """Per row log[G(T)(1−P(T)) + G(t_x)P(t_x)] and log G(T); with ``weights``, also the
    weighted sum over rows of the gradient of the former (length 4), else None."""
    log_p, d_log_p = _log_p_term(params, lay.x, lay.tau)
    log_g, d_log_g = _log_g_term(params, lay.x, lay.tau)
    p_pair = np.minimum(np.exp(log_p), 1.0)
    with np.errstate(divide="ignore"):  # P(T) = 1 in floating point: the alive part is 0
        alive_pair = log_g + np.log1p(-p_pair)  # G(τ)(1 − P(τ)), used at τ = T
    dead_pair = log_g + log_p  # G(τ) P(τ), used at τ = t_x
    alive = alive_pair[lay.at_T]
    mix = np.logaddexp(alive, dead_pair[lay.at_tx])
    log_g_T = log_g[lay.at_T]
    if weights is None:
        return mix, log_g_T, None
    w_alive = np.exp(alive - mix) * weights
    w_dead = weights - w_alive
    odds = np.where(p_pair < 1.0, p_pair / np.where(p_pair < 1.0, 1.0 - p_pair, 1.0), 0.0)
    d_alive = d_log_g - odds * d_log_p
    d_dead = d_log_g + d_log_p
    m = lay.x.size
    # einsum, not a BLAS matrix-vector product: a fixed order of additions (``weighted_sum``)
    grad = np.einsum("ij,j->i", d_alive, np.bincount(lay.at_T, w_alive, minlength=m))
    grad += np.einsum("ij,j->i", d_dead, np.bincount(lay.at_tx, w_dead, minlength=m))
    return mix, log_g_T, grad


def _expm1_ratio(a, y):
    """(1 − exp(−a·y)) / a, continuous at a = 0 (value y)."""
    a = np.asarray(a, dtype=float)
    small = np.abs(a) < 1e-12
    safe = np.where(small, 1.0, a)
    return np.where(small, y, -np.expm1(-safe * y) / safe)


class ParetoNBD(CovariateFitter):
    """Pareto/NBD model; ``params_`` are ``r, alpha, s, beta`` (α, β in the time unit of the data).

    ``fit(rfm)`` takes a frame with ``frequency``, ``recency`` and ``T`` (extra columns ignored, an
    optional ``weights`` column honoured) and maximises the likelihood on its unique rows.

    ``ParetoNBD(trans_covariates=[...], life_covariates=[...])`` adds static covariates (columns
    of ``rfm``), as CLVTools: α_x = α·exp(−γ_transᵀx), β_x = β·exp(−γ_lifeᵀx); ``params_`` then
    add ``trans.<name>``, ``life.<name>`` (see ``clvlib.models.covariates``), and every
    prediction uses the customer's own parameters.
    """

    param_names = ("r", "alpha", "s", "beta")
    covariate_links = {"alpha": ("trans", -1.0), "beta": ("life", -1.0)}
    shape_max = SHAPE_MAX  # r and s stop here (see SHAPE_MAX)

    compressed_columns = COLUMNS  # fit() = compress(rfm, COLUMNS) + maximise
    months_at_once = True  # predictions broadcast over a column of times (``expected_by_month``)

    def fit(self, rfm: pd.DataFrame) -> ParetoNBD:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows; returns self."""
        if self.uses_covariates:
            return self._fit_with_covariates(rfm)
        data, weights = compress(rfm, COLUMNS)
        self._maximise(data, weights)
        return self

    def _starts(self, data, weights):
        mean_T = max(float(np.average(data[:, 2], weights=weights)), 1.0)
        rate = max(float(np.average(data[:, 0], weights=weights)) / mean_T, 1e-3)
        return [np.array([0.5, 0.5 / rate, 0.5, mean_T])]

    # The optimiser works in log r, log α, log s and log(s/β), the log of the mean drop-out
    # rate, instead of log β: on a client whose customers hardly leave the maximum lies where
    # s/β → 0, and in log β the likelihood has a long flat ridge (s and β running off together)
    # on which L-BFGS-B took hundreds of evaluations; in log(s/β) it heads straight to the
    # boundary. Coefficients of covariate models (after the four) are left as the base has them.
    def _to_internal(self, params: np.ndarray) -> np.ndarray:
        internal = np.array(super()._to_internal(params), dtype=float)
        internal[3] = internal[2] - internal[3]
        return internal

    def _from_internal(self, internal: np.ndarray) -> np.ndarray:
        shifted = np.array(internal, dtype=float)
        shifted[3] = shifted[2] - shifted[3]  # log β = log s − log(s/β)
        return super()._from_internal(shifted)

    def _internal_gradient(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        g = np.array(super()._internal_gradient(params, grad), dtype=float)
        g[2], g[3] = g[2] + g[3], -g[3]  # ∂/∂ log s at fixed s/β, ∂/∂ log(s/β) at fixed s
        return g

    def _internal_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """r and s at most ``SHAPE_MAX``: see there."""
        low, high = super()._internal_bounds()
        high = high.copy()
        high[[0, 2]] = np.log(SHAPE_MAX)
        return low, high

    def _prepare(self, data: np.ndarray) -> _Layout:
        return _Layout(data[:, 0], data[:, 1], data[:, 2])

    def _layout(self, data: np.ndarray) -> _Layout:
        """The layout of ``data`` (weight-free), built once per array (``_prepared_for``)."""
        return self._prepared_for(data)

    def _loglik_and_grad(self, params, data, weights):
        r, alpha, s, beta = params
        lay = self._layout(data)
        mix, _, d_mix = _log_mix(params, lay, weights)
        w_x = np.bincount(lay.at_x, weights, minlength=lay.xs.size)
        total = float(weights.sum())
        log_a = weighted_sum(w_x, gammaln(r + lay.xs)) + total * (
            -gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        )
        ll = float(log_a + weighted_sum(weights, mix))
        d_a = np.array(
            [
                weighted_sum(w_x, psi(r + lay.xs)) + total * (np.log(alpha) - psi(r)),
                total * r / alpha,
                total * np.log(beta),
                total * s / beta,
            ]
        )
        return ll, d_a + d_mix

    # -- predictions ----------------------------------------------------------------------------
    def _unpack(self):
        self._check_fitted()
        return tuple(self.params_[k] for k in self.param_names)

    @per_customer
    def p_alive(self, rfm: pd.DataFrame) -> np.ndarray:
        """P(still active at T | x, t_x, T) per customer."""
        params = np.array(self._unpack())
        mix, log_g_T, _ = _log_mix(params, _Layout(*_xtT(rfm)))
        return np.minimum(np.exp(log_g_T - mix), 1.0)

    @per_customer
    def expected_purchases(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units."""
        return self.expected_purchases_alive(t, rfm) * self.p_alive(rfm)

    @per_customer
    def expected_purchases_alive(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """Expected purchases in the next ``t`` time units of a customer still active at T;
        depends on ``frequency`` and ``T`` only."""
        r, alpha, s, beta = self._unpack()
        x = np.asarray(rfm["frequency"], dtype=float)
        T = np.asarray(rfm["T"], dtype=float)
        t = np.asarray(t, dtype=float)
        return (r + x) * (beta + T) / (alpha + T) * _expm1_ratio(s - 1.0, np.log1p(t / (beta + T)))

    @for_new_customer
    def probability_of_purchases(self, x, t: float, *, nodes: int = 200) -> np.ndarray:
        """P(X(t) = x) for a new customer: alive at t with x purchases, or gone at τ < t after x:

        P(N(t)=x) (β/(β+t))^s + ∫_0^t P(N(τ)=x) s β^s (β+τ)^−(s+1) dτ,

        N the gamma-mixed Poisson count (negative binomial); the integral by Gauss-Legendre
        quadrature on ``nodes`` points (smooth integrand; 200 give ~1e-12 on CDNOW-like values).
        """
        r, alpha, s, beta = self._unpack()
        x = np.asarray(x, dtype=float)
        u, wq = np.polynomial.legendre.leggauss(nodes)
        tau = 0.5 * t * (u + 1.0)
        death = s * np.exp(s * np.log(beta) - (s + 1) * np.log(beta + tau))
        gone = (nbd_pmf(x[..., None], r, alpha, tau) * death) @ wq * 0.5 * t
        alive = nbd_pmf(x, r, alpha, t) * (beta / (beta + t)) ** s
        return alive + gone

    @for_new_customer
    def expected_purchases_new_customer(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t]."""
        r, alpha, s, beta = self._unpack()
        t = np.asarray(t, dtype=float)
        return r * beta / alpha * _expm1_ratio(s - 1.0, np.log1p(t / beta))
