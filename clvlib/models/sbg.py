"""Shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to
project customer retention", Journal of Interactive Marketing 21(1)).

Each customer of a cohort renews at the end of every period with a constant probability 1 − θ
until they cancel; θ ~ Beta(α, β) across customers. A period is whatever the renewal cycle is
(a month, a year); every time ``t`` below counts those periods, t = 0 being the acquisition.

With T ∈ {1, 2, …} the last period a customer is active (they churn at the end of it):

    P(T = t) = B(α + 1, β + t − 1) / B(α, β)            (churn in period t, eq. 3)
    S(t)     = P(T > t) = B(α, β + t) / B(α, β)         (still active in period t + 1, eq. 4)
    r_t      = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1)   (retention rate, eq. 5)

The fit takes the number of customers still active at the start of each period, n_0 (the cohort
size), n_1, …, n_k: n_{t−1} − n_t customers churned in period t and n_k are still active after
period k (right-censored). The log-likelihood is
Σ_t (n_{t−1} − n_t) ln P(T = t) + n_k ln S(k) (eq. 6) and ``n_obs_`` is the cohort size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, hyp2f1, psi

from clvlib.models.base import BaseFitter


class SBG(BaseFitter):
    """Shifted-beta-geometric retention model; ``params_`` are ``alpha, beta`` (dimensionless).

    After ``fit``: ``params_``, ``log_likelihood_`` (total over the cohort), ``standard_errors_``,
    ``summary()``, AIC/BIC (n = cohort size), ``alive_`` (the counts fitted) and ``periods_``
    (number of observed periods k).
    """

    param_names = ("alpha", "beta")

    def fit(self, alive: Sequence[float] | pd.Series | np.ndarray) -> SBG:
        """Fit by maximum likelihood; returns self.

        ``alive``: customers still active at the start of each period — the first value is the
        cohort size at acquisition (period 0), then the number left after 1, 2, … renewal
        cycles. Counts must be non-negative and non-increasing; at least two values.
        """
        counts = np.asarray(alive, dtype="float64").ravel()
        if counts.size < 2:
            raise ValueError("SBG.fit needs the cohort size and at least one later count")
        if not np.all(np.isfinite(counts)) or counts.min() < 0 or counts[0] <= 0:
            raise ValueError("SBG.fit: counts of active customers must be finite and ≥ 0")
        if np.any(np.diff(counts) > 0):
            raise ValueError(
                "SBG.fit: the number of active customers may not grow from one period to the "
                f"next (got {counts.tolist()}); pass one cohort, counted at each period start"
            )
        k = counts.size - 1
        # Rows (t, churned): churned in period t = 1..k, and still active after period k.
        t = np.append(np.arange(1.0, k + 1), float(k))
        churned = np.append(np.ones(k), 0.0)
        weights = np.append(counts[:-1] - counts[1:], counts[-1])
        keep = weights > 0
        self.alive_ = counts
        self.periods_ = k
        self._maximise(np.column_stack([t, churned])[keep], weights[keep])
        return self

    def _starts(self, data, weights):
        if getattr(self, "initial_params", None) is not None:
            return []  # the base class starts from initial_params
        return [np.array([1.0, 1.0]), np.array([0.5, 3.0])]

    def _loglik_and_grad(self, params, data, weights):
        """ln B(α + c, β + t − c) − ln B(α, β) per row, c = 1 for a churn in period t and c = 0
        for a customer still active after period t."""
        alpha, beta = params
        t, c = data[:, 0], data[:, 1]
        ll = betaln(alpha + c, beta + t - c) - betaln(alpha, beta)
        common = psi(alpha + beta) - psi(alpha + beta + t)
        d_alpha = psi(alpha + c) - psi(alpha) + common
        d_beta = psi(beta + t - c) - psi(beta) + common
        return float(np.dot(weights, ll)), np.array(
            [np.dot(weights, d_alpha), np.dot(weights, d_beta)]
        )

    # -- predictions ----------------------------------------------------------------------------
    def _ab(self) -> tuple[float, float]:
        self._check_fitted()
        return self.params_["alpha"], self.params_["beta"]

    def survival(self, t) -> np.ndarray:
        """S(t) = B(α, β + t) / B(α, β): share of the cohort still active after t periods
        (S(0) = 1); ``t`` ≥ 0, in periods, scalar or array."""
        alpha, beta = self._ab()
        t = np.asarray(t, dtype=float)
        return np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))

    def churn_probability(self, t) -> np.ndarray:
        """P(T = t) = B(α + 1, β + t − 1) / B(α, β): probability that a new customer churns in
        period t (t = 1, 2, …), i.e. the share of the cohort lost in that period. The
        conditional churn rate among those still active is ``1 − retention_rate(t)``."""
        alpha, beta = self._ab()
        t = np.asarray(t, dtype=float)
        with np.errstate(invalid="ignore"):
            p = np.exp(betaln(alpha + 1, beta + np.maximum(t, 1) - 1) - betaln(alpha, beta))
        return np.where(t >= 1, p, 0.0)  # nobody churns before the first period

    def retention_rate(self, t) -> np.ndarray:
        """r_t = (β + t − 1) / (α + β + t − 1): share of the customers active in period t − 1
        who renew for period t (t = 1, 2, …); it rises with t as the cohort sorts itself."""
        alpha, beta = self._ab()
        t = np.asarray(t, dtype=float)
        return (beta + t - 1) / (alpha + beta + t - 1)

    def expected_lifetime(
        self, periods: float | None = None, *, discount_rate: float = 0.0, tenure: int = 0
    ) -> float:
        """Expected (discounted) number of periods a customer is active from now on, counting
        the next period undiscounted and period j after it with weight 1 / (1 + d)^j.

        ``periods``: horizon in periods (None = unlimited); ``discount_rate`` d: per period;
        ``tenure`` n: periods the customer has already been active (0 = a new customer, whose
        first period is certain). For n ≥ 1 this is the discounted expected residual lifetime
        of a customer about to make their n-th renewal decision (Fader & Hardie 2010,
        "Customer-base valuation in a contractual setting", DERL):

            Σ_{j ≥ 0} S(n + j) / S(n − 1) / (1 + d)^j
              = (β + n − 1) / (α + β + n − 1) · ₂F₁(1, β + n; α + β + n; 1 / (1 + d)),

        and for n = 0 the discounted expected lifetime ₂F₁(1, β; α + β; 1 / (1 + d)). Undiscounted
        and unlimited, a new customer's expected lifetime is (α + β − 1) / (α − 1) periods,
        infinite when α ≤ 1 (returned as ``inf``).
        """
        alpha, beta = self._ab()
        if discount_rate < 0:
            raise ValueError("discount_rate must be ≥ 0 (a rate per period, e.g. 0.1)")
        n = int(tenure)
        if n < 0:
            raise ValueError("tenure must be ≥ 0 periods")
        z = 1.0 / (1.0 + discount_rate)
        # Conditional survival S(n + j) / S(n − 1) = (b)_{j+1} / (c)_{j+1} with b = β + n − 1,
        # c = α + β + n − 1 (for n = 0 it is S(j) = (β)_j / (α + β)_j).
        if n == 0:
            lead, b, c = 1.0, beta, alpha + beta
        else:
            lead, b, c = (beta + n - 1) / (alpha + beta + n - 1), beta + n, alpha + beta + n
        if periods is None:
            if z == 1.0:
                # ₂F₁(1, b; c; 1) = (c − 1) / (c − b − 1) when c − b = α > 1.
                return lead * (c - 1) / (alpha - 1) if alpha > 1 else float("inf")
            return float(lead * hyp2f1(1.0, b, c, z))
        m = int(np.floor(periods))
        if m <= 0:
            return 0.0
        j = np.arange(m)
        log_terms = gammaln(b + j) - gammaln(b) - gammaln(c + j) + gammaln(c) + j * np.log(z)
        return float(lead * np.exp(log_terms).sum())
