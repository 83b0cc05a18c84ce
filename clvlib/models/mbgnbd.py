"""MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models
for customer base analysis", IJRM 24(3)).

As BG/NBD: while active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (α in the
time unit of the data, e.g. weeks), and drops out with probability p ~ Beta(a, b) after each
purchase — but here also right after the first purchase, so a customer with no repeat purchase
may already be gone (P(alive) < 1 at frequency 0). Data per customer: ``frequency`` x (repeat
purchases), ``recency`` t_x and ``T``, same unit.

Given λ and p the likelihood is (1−p)^(x+1) λ^x e^(−λT) + p (1−p)^x λ^x e^(−λ t_x); integrated
over the mixing distributions,

    L = Γ(r+x) α^r / Γ(r) · B(a, b+x+1)/B(a, b) · [(α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x)].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1, psi

from clvlib.models.base import BaseFitter, compress, weighted_sum
from clvlib.models.bgnbd import nbd_pmf_and_survival

COLUMNS = ("frequency", "recency", "T")


def _xtT(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(frame["frequency"], dtype=float),
        np.asarray(frame["recency"], dtype=float),
        np.asarray(frame["T"], dtype=float),
    )


def _away_from_one(a: float) -> list[float]:
    """The expectations below have a − 1 in a denominator (a removable singularity at a = 1):
    evaluate at a itself, or at a ± 1e-6 (then averaged) when a is within 1e-6 of 1."""
    return [a] if abs(a - 1.0) >= 1e-6 else [1.0 - 1e-6, 1.0 + 1e-6]


class MBGNBD(BaseFitter):
    """Modified beta-geometric/NBD model; ``params_`` are ``r, alpha, a, b`` (α in the time unit
    of the data).

    ``fit(rfm)`` takes a frame with ``frequency``, ``recency`` and ``T`` (extra columns ignored, an
    optional ``weights`` column honoured) and maximises the likelihood on its unique rows.
    """

    param_names = ("r", "alpha", "a", "b")

    compressed_columns = COLUMNS  # fit() = compress(rfm, COLUMNS) + maximise
    months_at_once = True  # predictions broadcast over a column of times (``expected_by_month``)

    def fit(self, rfm: pd.DataFrame) -> MBGNBD:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows; returns self."""
        data, weights = compress(rfm, COLUMNS)
        self._maximise(data, weights)
        return self

    def _starts(self, data, weights):
        return [np.array([0.5, max(np.average(data[:, 2], weights=weights), 1.0), 1.0, 2.0])]

    def _loglik_and_grad(self, params, data, weights):
        r, alpha, a, b = params
        x, tx, T = data[:, 0], data[:, 1], data[:, 2]
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1)
        a3 = -(r + x) * np.log(alpha + T)  # alive at T
        a4 = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + tx)  # gone after t_x
        log_mix = np.logaddexp(a3, a4)
        ll = weighted_sum(weights, a1 + a2 + log_mix)
        w4 = np.exp(a4 - log_mix)
        w3 = 1.0 - w4
        d_r = psi(r + x) - psi(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + tx)
        d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
        d_a = psi(a + b) - psi(a + b + x + 1) + w4 / a
        d_b = psi(a + b) + psi(b + x + 1) - psi(b) - psi(a + b + x + 1) - w4 / (b + x)
        grad = np.array([weighted_sum(weights, d) for d in (d_r, d_alpha, d_a, d_b)])
        return ll, grad

    # -- predictions ----------------------------------------------------------------------------
    def _unpack(self):
        self._check_fitted()
        return tuple(self.params_[k] for k in self.param_names)

    def expected_purchases_new_customer(self, t) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer in (0, t] (t in the data's unit):
        b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]."""
        r, alpha, a0, b = self._unpack()
        t = np.asarray(t, dtype=float)
        values = [
            b
            / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b + 1, a + b, t / (alpha + t)))
            for a in _away_from_one(a0)
        ]
        return np.mean(values, axis=0)

    def probability_of_purchases(self, x, t: float) -> np.ndarray:
        """P(X(t) = x) for a new customer: E[(1−p)^(x+1)] P(N(t)=x) + E[p(1−p)^x] P(N(t) ≥ x)
        (alive after x+1 coin flips with exactly x purchases, or gone at the flip after the
        x-th purchase)."""
        r, alpha, a, b = self._unpack()
        x = np.asarray(x, dtype=int)
        pmf, at_least = nbd_pmf_and_survival(x, r, alpha, t)
        alive = np.exp(betaln(a, b + x + 1) - betaln(a, b))
        dead = np.exp(betaln(a + 1, b + x) - betaln(a, b))
        return alive * pmf + dead * at_least

    def p_alive(self, rfm: pd.DataFrame) -> np.ndarray:
        """P(still active at T | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)); below 1
        even at frequency 0."""
        r, alpha, a, b = self._unpack()
        x, tx, T = _xtT(rfm)
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.exp(-np.logaddexp(0.0, log_odds))

    def expected_purchases(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units,
        P(alive) · (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; z)],
        z = t/(α+T+t)."""
        return self.expected_purchases_alive(t, rfm) * self.p_alive(rfm)

    def expected_purchases_alive(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """Expected purchases in the next ``t`` time units of a customer still active at T
        (the bracket above); depends on ``frequency`` and ``T`` only."""
        r, alpha, a0, b = self._unpack()
        x = np.asarray(rfm["frequency"], dtype=float)
        T = np.asarray(rfm["T"], dtype=float)
        t = np.asarray(t, dtype=float)
        z = t / (alpha + T + t)
        values = [
            (a + b + x)
            / (a - 1)
            * (
                1
                - ((alpha + T) / (alpha + T + t)) ** (r + x)
                * hyp2f1(r + x, b + x + 1, a + b + x, z)
            )
            for a in _away_from_one(a0)
        ]
        return np.mean(values, axis=0)
