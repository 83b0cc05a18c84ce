"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (α in the time unit
of the data, e.g. weeks); after each purchase they drop out with probability p ~ Beta(a, b).
Data per customer: ``frequency`` x (repeat purchases), ``recency`` t_x and ``T`` (same unit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln, hyp2f1, psi

from clvlib.models.base import BaseFitter, compress

COLUMNS = ("frequency", "recency", "T")


def _xtT(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.asarray(frame["frequency"], dtype=float),
        np.asarray(frame["recency"], dtype=float),
        np.asarray(frame["T"], dtype=float),
    )


class BGNBD(BaseFitter):
    """Beta-geometric/NBD model; ``params_`` are ``r, alpha, a, b``."""

    param_names = ("r", "alpha", "a", "b")

    def fit(self, rfm: pd.DataFrame) -> BGNBD:
        """Fit by maximum likelihood on the unique (frequency, recency, T) rows; returns self."""
        data, weights = compress(rfm, COLUMNS)
        self._maximise(data, weights)
        return self

    def _starts(self, data, weights):
        return [np.array([0.5, max(np.average(data[:, 2], weights=weights), 1.0), 1.0, 2.0])]

    @staticmethod
    def _terms(params, x, tx, T):
        r, alpha, a, b = params
        repeat = x > 0
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + T)
        b_x1 = np.where(repeat, b + x - 1, 1.0)
        a4 = np.where(repeat, np.log(a) - np.log(b_x1) - (r + x) * np.log(alpha + tx), -np.inf)
        return a1, a2, a3, a4, repeat, b_x1

    def _loglik_and_grad(self, params, data, weights):
        r, alpha, a, b = params
        x, tx, T = data[:, 0], data[:, 1], data[:, 2]
        a1, a2, a3, a4, repeat, b_x1 = self._terms(params, x, tx, T)
        top = np.maximum(a3, a4)
        log_mix = top + np.log(np.exp(a3 - top) + np.exp(a4 - top))
        ll = float(np.dot(weights, a1 + a2 + log_mix))
        w4 = np.exp(a4 - log_mix)  # share of the "dropped out after the last purchase" term
        w3 = 1.0 - w4
        d_r = psi(r + x) - psi(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + tx)
        d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
        d_a = psi(a + b) - psi(a + b + x) + w4 / a
        d_b = psi(a + b) + psi(b + x) - psi(b) - psi(a + b + x) - np.where(repeat, w4 / b_x1, 0.0)
        grad = np.array([np.dot(weights, d) for d in (d_r, d_alpha, d_a, d_b)])
        return ll, grad

    # -- predictions ----------------------------------------------------------------------------
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

    def p_alive(self, rfm: pd.DataFrame) -> np.ndarray:
        """P(still active at T | x, t_x, T) per customer (eq. 11)."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        x, tx, T = _xtT(rfm)
        odds = np.where(
            x > 0,
            a / np.where(x > 0, b + x - 1, 1.0) * ((alpha + T) / (alpha + tx)) ** (r + x),
            0.0,
        )
        return 1.0 / (1.0 + odds)

    def expected_purchases(self, t, rfm: pd.DataFrame) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units (eq. 10)."""
        self._check_fitted()
        r, alpha, a, b = (self.params_[k] for k in self.param_names)
        x, tx, T = _xtT(rfm)
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
        return body * self.p_alive(rfm)
