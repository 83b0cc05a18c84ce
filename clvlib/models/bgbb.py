"""BG/BB model of discrete-time, non-contractual purchasing (Fader, Hardie & Shang 2010,
"Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6)).

Customers have a fixed number of transaction opportunities (annual donation drives, weekly
shows, …), counted 1, 2, …, n after the first purchase at opportunity 0. While alive a customer
transacts at each opportunity with probability p ~ Beta(α, β); at the start of each opportunity
an alive customer dies (for good) with probability θ ~ Beta(γ, δ).

Data per customer: ``frequency`` x (repeat transactions in opportunities 1…n), ``recency`` t_x
(the opportunity of the last transaction, 0 when x = 0) and the number of opportunities n —
column ``T`` (or ``periods``, as in the donations data of the paper). The likelihood (eq. 5) is

    L = B(α + x, β + n − x) / B(α, β) · B(γ, δ + n) / B(γ, δ)
        + Σ_{i=0}^{n − t_x − 1} B(α + x, β + t_x − x + i) / B(α, β)
                                · B(γ + 1, δ + t_x + i) / B(γ, δ),

evaluated in log space (logsumexp over the n − t_x + 1 terms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln, psi

from clvlib.models.base import BaseFitter, compress

#: Largest number of (row × term) cells evaluated at once in the likelihood.
_CHUNK_CELLS = 2_000_000


def _xtn(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """frequency, recency and the number of opportunities (``T`` or ``periods``), validated."""
    if "T" in frame:
        n_col = "T"
    elif "periods" in frame:
        n_col = "periods"
    else:
        raise ValueError(
            "BGBB needs the number of transaction opportunities in a column named 'T' or "
            "'periods' (besides 'frequency' and 'recency')"
        )
    missing = [c for c in ("frequency", "recency") if c not in frame]
    if missing:
        raise ValueError(f"BGBB needs the columns 'frequency' and 'recency'; missing {missing}")
    x = np.asarray(frame["frequency"], dtype=float)
    tx = np.asarray(frame["recency"], dtype=float)
    n = np.asarray(frame[n_col], dtype=float)
    whole = np.all(x == np.round(x)) and np.all(tx == np.round(tx)) and np.all(n == np.round(n))
    if not whole:
        raise ValueError("BGBB: frequency, recency and opportunities must be whole numbers")
    bad = (x < 0) | (tx < x) | (tx > n) | ((x == 0) & (tx != 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            "BGBB: each row needs 0 ≤ frequency ≤ recency ≤ opportunities and recency 0 when "
            f"frequency is 0; row {row} has frequency={x[row]:g}, recency={tx[row]:g}, "
            f"{n_col}={n[row]:g}"
        )
    return x, tx, n


def _alive_sum_ratio(gamma: float, delta: float, n: np.ndarray, k) -> np.ndarray:
    """Σ_{j=1}^{k} B(γ, δ + n + j) / B(γ, δ + n): expected opportunities alive among the next k
    for a customer alive at opportunity n (closed form of Fader, Hardie & Shang 2010, eq. 9)."""
    u = delta + n
    k = np.asarray(k, dtype=float)
    if abs(gamma - 1.0) < 1e-6:  # limit γ → 1: u (ψ(u + k + 1) − ψ(u + 1))
        return u * (psi(u + k + 1) - psi(u + 1))
    # [u − (u + k) · B(γ, u + k) / B(γ, u)] / (γ − 1)
    ratio = np.exp(gammaln(u + k) - gammaln(u) + gammaln(gamma + u) - gammaln(gamma + u + k))
    return (u - (u + k) * ratio) / (gamma - 1.0)


class BGBB(BaseFitter):
    """Beta-geometric/beta-Bernoulli model; ``params_`` are ``alpha, beta, gamma, delta``
    (dimensionless; time is counted in transaction opportunities)."""

    param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frame: pd.DataFrame) -> BGBB:
        """Fit by maximum likelihood on the unique (frequency, recency, opportunities) rows;
        returns self. ``frame``: ``frequency``, ``recency``, ``T`` or ``periods`` (whole
        numbers of opportunities), an optional ``weights`` column counting customers; extra
        columns are ignored."""
        x, tx, n = _xtn(frame)
        rows = pd.DataFrame({"frequency": x, "recency": tx, "T": n})
        if "weights" in frame:
            rows["weights"] = np.asarray(frame["weights"], dtype=float)
        data, weights = compress(rows, ("frequency", "recency", "T"))
        self._maximise(data, weights)
        return self

    def _starts(self, data, weights):
        if getattr(self, "initial_params", None) is not None:
            return []  # the base class starts from initial_params
        return [np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, 0.5, 0.5, 3.0])]

    def _loglik_and_grad(self, params, data, weights):
        ll = 0.0
        grad = np.zeros(4)
        width = int(np.max(data[:, 2] - data[:, 1])) + 1 if len(data) else 1
        step = max(1, _CHUNK_CELLS // width)
        for start in range(0, len(data), step):
            part_ll, part_grad, _ = self._chunk(params, data[start : start + step], width)
            w = weights[start : start + step]
            # einsum, not BLAS: a threaded BLAS call in the optimiser loop thrashes on busy cores
            ll += float(np.einsum("i,i->", w, part_ll))
            grad += np.einsum("ki,i->k", part_grad, w)
        return ll, grad

    @staticmethod
    def _chunk(params, data, width):
        """Per-row log-likelihood, its gradient (4 × rows) and the posterior weight of term 0
        (P(alive at opportunity n | x, t_x, n)) for rows of ``data``.

        Every term of L is B(α + x, β + m) / B(α, β) · B(γ + c, δ + k) / B(γ, δ): term 0 (alive
        through n) has m = n − x, c = 0, k = n; term i + 1 (died at t_x + i + 1) has
        m = t_x − x + i, c = 1, k = t_x + i. All arguments are a parameter plus a whole number,
        so ln Γ and ψ are tabulated once per call on 0 … max n + 1 and gathered per term.
        """
        alpha, beta, gamma, delta = params
        x, tx, n = (data[:, j : j + 1].astype(np.int64) for j in range(3))
        j = np.arange(int(n.max()) + 2, dtype=float)
        table = {
            name: (gammaln(value + j), psi(value + j))
            for name, value in (
                ("a", alpha),
                ("b", beta),
                ("ab", alpha + beta),
                ("g", gamma),
                ("d", delta),
                ("gd", gamma + delta),
            )
        }
        i = np.arange(width - 1)[None, :]
        valid = np.concatenate([np.ones_like(n, dtype=bool), i < n - tx], axis=1)
        m = np.where(valid, np.concatenate([n - x, tx - x + i], axis=1), 0)
        k = np.where(valid, np.concatenate([n, tx + i], axis=1), 0)
        c = np.concatenate([np.zeros_like(n), np.ones((len(data), width - 1), np.int64)], axis=1)
        xm, ck = x + m, c + k
        terms = (
            table["a"][0][x]
            + table["b"][0][m]
            - table["ab"][0][xm]
            + table["g"][0][c]
            + table["d"][0][k]
            - table["gd"][0][ck]
        )
        terms = np.where(valid, terms, -np.inf)
        top = terms.max(axis=1, keepdims=True)
        share = np.exp(terms - top)
        total = share.sum(axis=1, keepdims=True)
        share /= total  # posterior weight of each term
        ll = (top + np.log(total))[:, 0] - betaln(alpha, beta) - betaln(gamma, delta)

        psi_ab_xm = table["ab"][1][xm]
        psi_gd_ck = table["gd"][1][ck]
        d_alpha = table["a"][1][x][:, 0] - (share * psi_ab_xm).sum(axis=1)
        d_beta = (share * (table["b"][1][m] - psi_ab_xm)).sum(axis=1)
        d_gamma = (share * (table["g"][1][c] - psi_gd_ck)).sum(axis=1)
        d_delta = (share * (table["d"][1][k] - psi_gd_ck)).sum(axis=1)
        ab, gd = psi(alpha + beta), psi(gamma + delta)
        grad = np.stack(
            [
                d_alpha - psi(alpha) + ab,
                d_beta - psi(beta) + ab,
                d_gamma - psi(gamma) + gd,
                d_delta - psi(delta) + gd,
            ]
        )
        return ll, grad, share[:, 0]

    # -- predictions ----------------------------------------------------------------------------
    def _params(self) -> tuple[float, float, float, float]:
        self._check_fitted()
        return tuple(self.params_[k] for k in self.param_names)

    def _rows(self, x, tx, n) -> tuple[np.ndarray, np.ndarray]:
        """Log-likelihood and P(alive at n) per customer."""
        data = np.column_stack([x, tx, n])
        width = int(np.max(n - tx)) + 1 if len(data) else 1
        ll, _, alive = self._chunk(np.array(self._params()), data, width)
        return ll, alive

    def p_alive(self, frame: pd.DataFrame, periods_ahead: int = 0) -> np.ndarray:
        """P(alive at opportunity n + ``periods_ahead`` | x, t_x, n) per customer.

        The default, alive at the last observed opportunity n, is 1 when t_x = n;
        ``periods_ahead=1`` gives P(alive in period n + 1), eq. (11) of the paper:
        B(α + x, β + n − x) / B(α, β) · B(γ, δ + n + 1) / B(γ, δ) / L.
        """
        _, _, gamma, delta = self._params()
        x, tx, n = _xtn(frame)
        alive = self._rows(x, tx, n)[1]
        if periods_ahead == 0:
            return alive
        # × B(γ, δ + n + h) / B(γ, δ + n): still alive h opportunities later
        return alive * np.exp(betaln(gamma, delta + n + periods_ahead) - betaln(gamma, delta + n))

    def expected_purchases(self, n_ahead, frame: pd.DataFrame) -> np.ndarray:
        """E[X(n, n + n*) | x, t_x, n]: expected transactions in the next ``n_ahead`` = n*
        opportunities per customer (eq. 13):

            B(α + x + 1, β + n − x) / B(α, β) · B(γ, δ + n) / B(γ, δ) / L
              · Σ_{j=1}^{n*} B(γ, δ + n + j) / B(γ, δ + n),

        i.e. P(alive at n) · E[p | alive, x, n] · expected opportunities alive among the next n*,
        with E[p | alive, x, n] = (α + x) / (α + β + n).
        """
        alpha, beta, gamma, delta = self._params()
        x, tx, n = _xtn(frame)
        alive = self._rows(x, tx, n)[1]
        return alive * (alpha + x) / (alpha + beta + n) * _alive_sum_ratio(gamma, delta, n, n_ahead)

    def expected_purchases_new_customer(self, n) -> np.ndarray:
        """E[X(n)]: expected transactions of a new customer in opportunities 1…n (eq. 9):
        α / (α + β) · Σ_{j=1}^{n} B(γ, δ + j) / B(γ, δ)."""
        alpha, beta, gamma, delta = self._params()
        return alpha / (alpha + beta) * _alive_sum_ratio(gamma, delta, 0.0, n)

    def probability_of_purchases(self, x, n) -> np.ndarray:
        """P(X(n) = x): probability that a new customer makes x transactions in opportunities
        1…n (eq. 7); ``x`` scalar or array of whole numbers, ``n`` a whole number."""
        alpha, beta, gamma, delta = self._params()
        x = np.asarray(x, dtype=float)
        n = float(n)
        log_binom = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
        out = np.exp(
            log_binom
            + betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n)
            - betaln(gamma, delta)
        )
        out = np.where((x >= 0) & (x <= n), out, 0.0)
        b_ab, b_gd = betaln(alpha, beta), betaln(gamma, delta)
        for i in range(int(n)):  # died at opportunity i + 1 after i alive opportunities
            xi = np.minimum(x, i)
            term = np.exp(
                gammaln(i + 1)
                - gammaln(xi + 1)
                - gammaln(i - xi + 1)
                + betaln(alpha + xi, beta + i - xi)
                - b_ab
                + betaln(gamma + 1, delta + i)
                - b_gd
            )
            out = out + np.where((x >= 0) & (x <= i), term, 0.0)
        return out
