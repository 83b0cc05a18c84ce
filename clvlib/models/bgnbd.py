"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (α in the time unit
of the data, e.g. weeks); after each purchase they drop out with probability p ~ Beta(a, b).
Data per customer: ``frequency`` x (repeat purchases), ``recency`` t_x and ``T`` (same unit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1, psi

from clvlib.models.base import compress, weighted_sum
from clvlib.models.covariates import CovariateFitter, for_new_customer, per_customer

COLUMNS = ("frequency", "recency", "T")


def nbd_pmf(j, r: float, alpha: float, t) -> np.ndarray:
    """P(N(t) = j) for a Poisson count with rate λ ~ Gamma(r, α): the negative binomial
    Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j, computed on the log scale (t > 0)."""
    j = np.asarray(j, dtype=float)
    t = np.asarray(t, dtype=float)
    return np.exp(
        gammaln(r + j)
        - gammaln(r)
        - gammaln(j + 1)
        + r * (np.log(alpha) - np.log(alpha + t))
        + j * (np.log(t) - np.log(alpha + t))
    )


def nbd_pmf_and_survival(x, r: float, alpha: float, t: float) -> tuple[np.ndarray, np.ndarray]:
    """P(N(t) = x) and P(N(t) ≥ x) for each whole ``x`` ≥ 0 at one horizon ``t`` > 0."""
    x = np.asarray(x, dtype=int)
    counts = np.arange(int(x.max(initial=0)) + 1)
    pmf = nbd_pmf(counts, r, alpha, t)
    below = np.concatenate([[0.0], np.cumsum(pmf)[:-1]])  # P(N < j)
    return pmf[x], np.clip(1.0 - below[x], 0.0, 1.0)


def _xtT(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(frame["frequency"], dtype=float),
        np.asarray(frame["recency"], dtype=float),
        np.asarray(frame["T"], dtype=float),
    )


class _Rows:
    """Weight-free index of the rows: distinct frequencies, the one-time buyers' distinct T, and
    for repeat buyers their distinct frequencies, t_x and T with each row's position among them.
    Built once per set of rows (``BaseFitter._prepared_for``); a bootstrap replicate reweighs
    it (``_Layout``) instead of sorting the rows again."""

    def __init__(self, data: np.ndarray) -> None:
        x, tx, T = data[:, 0], data[:, 1], data[:, 2]
        self.xs, self.at_x = np.unique(x, return_inverse=True)
        self.once = x == 0
        self.T0, self.at_T0 = np.unique(T[self.once], return_inverse=True)
        self.repeat = ~self.once
        self.x1 = x[self.repeat]
        self.xs1, self.at_x1 = np.unique(self.x1, return_inverse=True)
        self.Ts, self.at_T = np.unique(T[self.repeat], return_inverse=True)
        self.txs, self.at_tx = np.unique(tx[self.repeat], return_inverse=True)


class _Layout:
    """The rows' index with their weights: weights per distinct frequency, one-time buyers'
    weights summed per distinct T, repeat buyers' weights (rows of weight 0 left out: a
    replicate that drew none of them) and their sums per distinct T."""

    def __init__(self, rows: _Rows, weights: np.ndarray) -> None:
        self.total = float(weights.sum())
        self.xs, self.T0 = rows.xs, rows.T0
        self.xs1, self.Ts, self.txs = rows.xs1, rows.Ts, rows.txs
        self.wx = np.bincount(rows.at_x, weights, minlength=self.xs.size)
        self.w0 = np.bincount(rows.at_T0, weights[rows.once], minlength=self.T0.size)
        w1 = weights[rows.repeat]
        drawn = w1 > 0
        every = bool(drawn.all())
        self.w1 = w1 if every else w1[drawn]
        self.x1 = rows.x1 if every else rows.x1[drawn]
        self.at_x1 = rows.at_x1 if every else rows.at_x1[drawn]
        self.at_T = rows.at_T if every else rows.at_T[drawn]
        self.at_tx = rows.at_tx if every else rows.at_tx[drawn]
        self.wT = np.bincount(self.at_T, self.w1, minlength=self.Ts.size)
        self.wxT = np.bincount(self.at_T, self.w1 * self.x1, minlength=self.Ts.size)


class BGNBD(CovariateFitter):
    """Beta-geometric/NBD model; ``params_`` are ``r, alpha, a, b``.

    ``BGNBD(trans_covariates=[...], life_covariates=[...])`` adds static covariates (columns of
    the frame given to ``fit``), as CLVTools: α_x = α·exp(−γ_transᵀx), a_x = a·exp(γ_lifeᵀx),
    b_x = b·exp(γ_lifeᵀx); ``params_`` then add ``trans.<name>``, ``life.<name>`` (see
    ``clvlib.models.covariates``), and every prediction uses the customer's own parameters."""

    param_names = ("r", "alpha", "a", "b")
    covariate_links = {"alpha": ("trans", -1.0), "a": ("life", 1.0), "b": ("life", 1.0)}

    compressed_columns = COLUMNS  # fit() = compress(rfm, COLUMNS) + maximise
    reweighs_rows = True  # the likelihood reads a row index (``_Rows``) reweighted per call
    months_at_once = True  # predictions broadcast over a column of times (``expected_by_month``)

    def fit(self, rfm: pd.DataFrame) -> BGNBD:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows; returns self."""
        if self.uses_covariates:
            return self._fit_with_covariates(rfm)
        data, weights = compress(rfm, COLUMNS)
        self._maximise(data, weights)
        return self

    def _starts(self, data, weights):
        return [np.array([0.5, max(np.average(data[:, 2], weights=weights), 1.0), 1.0, 2.0])]

    def _prepare(self, data: np.ndarray) -> _Rows:
        return _Rows(data)

    def _layout(self, data: np.ndarray, weights: np.ndarray) -> _Layout:
        """The layout of ``data`` with ``weights``, cached for the arrays the optimiser passes
        again and again; the rows' index is built once per ``data`` (``_prepared_for``)."""
        cached = getattr(self, "_layout_cache", None)
        if cached is None or cached[0] is not data or cached[1] is not weights:
            cached = (data, weights, _Layout(self._prepared_for(data), weights))
            self._layout_cache = cached
        return cached[2]

    def _loglik_and_grad(self, params, data, weights):
        """Total log-likelihood (FHL 2005 eq. 6) and its gradient in (r, α, a, b).

        Per customer: ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
        + ln[(α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x)]. Terms that depend on x only are
        computed once per distinct x, logarithms of α+T and α+t_x once per distinct time.
        """
        r, alpha, a, b = params
        lay = self._layout(data, weights)
        xs, wx = lay.xs, lay.wx
        n = lay.total
        # Terms in x alone, weighted by the customers at each x.
        ll = weighted_sum(wx, gammaln(r + xs) + gammaln(b + xs) - gammaln(a + b + xs)) + n * (
            -gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b)
        )
        psi_ab = psi(a + b)
        psi_abx = weighted_sum(wx, psi(a + b + xs))
        d_r = weighted_sum(wx, psi(r + xs)) + n * (np.log(alpha) - psi(r))
        d_alpha = n * r / alpha
        d_a = n * psi_ab - psi_abx
        d_b = n * (psi_ab - psi(b)) + weighted_sum(wx, psi(b + xs)) - psi_abx
        # One-time buyers: ln mix = −r ln(α+T), summed per distinct T.
        log_T0 = np.log(alpha + lay.T0)
        ll -= r * weighted_sum(lay.w0, log_T0)
        d_r -= weighted_sum(lay.w0, log_T0)
        d_alpha -= r * weighted_sum(lay.w0, 1.0 / (alpha + lay.T0))
        # Repeat buyers: ln mix = −(r+x) ln(α+T) + softplus(δ), δ = ln a − ln(b+x−1)
        # − (r+x)[ln(α+t_x) − ln(α+T)]; the weight of the "dropped out" term is sigmoid(δ).
        # Sums of parameter-free row weights per distinct T are precomputed (lay.wT, lay.wxT).
        log_Ts, inv_Ts = np.log(alpha + lay.Ts), 1.0 / (alpha + lay.Ts)
        log_txs, inv_txs = np.log(alpha + lay.txs), 1.0 / (alpha + lay.txs)
        rx = r + lay.x1
        gap = log_Ts[lay.at_T] - log_txs[lay.at_tx]  # ≥ 0 since t_x ≤ T
        delta = (np.log(a) - np.log(b + lay.xs1 - 1.0))[lay.at_x1] + rx * gap
        tail = np.exp(-np.abs(delta))
        soft = np.maximum(delta, 0.0) + np.log1p(tail)
        dead = lay.w1 * np.where(delta >= 0.0, 1.0, tail) / (1.0 + tail)  # w · sigmoid(δ)
        w_rx_T = r * lay.wT + lay.wxT  # Σ w (r+x) per distinct T
        ll += weighted_sum(lay.w1, soft) - weighted_sum(w_rx_T, log_Ts)
        d_r += weighted_sum(dead, gap) - weighted_sum(lay.wT, log_Ts)
        dead_rx = dead * rx
        d_alpha -= (
            weighted_sum(w_rx_T, inv_Ts)
            + weighted_sum(np.bincount(lay.at_tx, dead_rx, minlength=lay.txs.size), inv_txs)
            - weighted_sum(np.bincount(lay.at_T, dead_rx, minlength=lay.Ts.size), inv_Ts)
        )
        dead_x = np.bincount(lay.at_x1, dead, minlength=lay.xs1.size)
        d_a += dead_x.sum() / a
        d_b -= weighted_sum(dead_x, 1.0 / (b + lay.xs1 - 1.0))
        return float(ll), np.array([d_r, d_alpha, d_a, d_b])

    # -- predictions ----------------------------------------------------------------------------
    @for_new_customer
    def expected_purchases_new_customer(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (eq. 9)."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        t = np.asarray(t, dtype=float)
        return (
            (a + b - 1)
            / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
        )

    @for_new_customer
    def probability_of_purchases(self, x, t: float) -> np.ndarray:
        """P(X(t) = x): probability that a new customer makes ``x`` repeat purchases in (0, t]
        (eq. 8): E[(1−p)^x] P(N(t)=x) + 1{x>0} E[p(1−p)^(x−1)] P(N(t) ≥ x)."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        x = np.asarray(x, dtype=int)
        pmf, at_least = nbd_pmf_and_survival(x, r, alpha, t)
        alive = np.exp(betaln(a, b + x) - betaln(a, b))
        dead = np.where(x > 0, np.exp(betaln(a + 1, b + x - 1) - betaln(a, b)), 0.0)
        return alive * pmf + dead * at_least

    @per_customer
    def p_alive(self, rfm: pd.DataFrame) -> np.ndarray:
        """P(still active at T | x, t_x, T) per customer (eq. 11), on the log scale."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        x, tx, T = _xtT(rfm)
        repeat = x > 0
        log_odds = (
            np.log(a)
            - np.log(np.where(repeat, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        )
        return np.where(repeat, np.exp(-np.logaddexp(0.0, log_odds)), 1.0)

    @per_customer
    def expected_purchases(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 10)."""
        return self.expected_purchases_alive(t, rfm) * self.p_alive(rfm)

    @per_customer
    def expected_purchases_alive(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """Expected purchases in the next ``t`` time units of a customer still active at T
        (eq. 10 without P(alive)); depends on ``frequency`` and ``T`` only."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        x = np.asarray(rfm["frequency"], dtype=float)
        T = np.asarray(rfm["T"], dtype=float)
        t = np.asarray(t, dtype=float)
        z = t / (alpha + T + t)
        body = (
            (a + b + x - 1)
            / (a - 1)
            * (
                1
                - ((alpha + T) / (alpha + T + t)) ** (r + x)
                * hyp2f1(r + x, b + x, a + b + x - 1, z)
            )
        )
        return body
