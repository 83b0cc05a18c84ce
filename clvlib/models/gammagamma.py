"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
customer base analysis", Journal of Marketing Research 42(4); Fader & Hardie 2013, "The
Gamma-Gamma model of monetary value").

The value z of each of a customer's transactions is Gamma(p, ν) (shape p, rate ν, in currency);
across customers ν ~ Gamma(q, v) (shape q, rate v; v is the γ of the papers, in currency). So a
customer's mean spend per transaction is E[Z | ν] = p / ν and the population mean is
p v / (q − 1) (finite when q > 1). The observed mean m_x of x transactions has the density

    f(m_x | p, q, v, x) = Γ(px + q) / (Γ(px) Γ(q)) · v^q · x^(px) · m_x^(px − 1)
                          / (v + x m_x)^(px + q),

which is the log-likelihood used here — the full density of m_x, constant terms included; it is
the quantity reported as −4,055.9 on CDNOW in the papers (p = 6.25, q = 3.74, γ = 15.44).

The model assumes that spend is independent of purchase frequency; a fit warns
(:class:`SpendFrequencyCorrelationWarning`) when the two are materially correlated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import gammaln, psi

from clvlib.models.base import BaseFitter

COLUMNS = ("frequency", "monetary_value")

#: |Pearson r| between frequency and monetary value (repeaters) above which a fit warns.
CORRELATION_THRESHOLD = 0.3


class SpendFrequencyCorrelationWarning(UserWarning):
    """Purchase frequency and mean spend are correlated; the Gamma-Gamma model assumes they are
    independent, so its spend predictions (and a CLV built on them) may be biased."""


def _wsum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights · values without BLAS: a multi-threaded BLAS dot inside the optimiser's loop
    thrashes on a busy machine (measured: 50× slower fits on 2 shared cores)."""
    return float(np.einsum("i,i->", weights, values))


def _weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    sx = np.sqrt(np.average((x - mx) ** 2, weights=w))
    sy = np.sqrt(np.average((y - my) ** 2, weights=w))
    return float(cov / (sx * sy))


class _Rows:
    """Weight-free statistics of the rows (x, m): distinct frequencies and each row's position
    among them, ln m, x (ln m + ln x) and x m per row."""

    def __init__(self, data: np.ndarray) -> None:
        x, m = data[:, 0], data[:, 1]
        self.x = x
        self.ux, self.at_x = np.unique(x, return_inverse=True)
        self.log_m = np.log(m)
        self.x_log_xm = x * (np.log(m) + np.log(x))
        self.xm = x * m


class GammaGamma(BaseFitter):
    """Gamma-Gamma model of the mean spend per transaction; ``params_`` are ``p, q, v``
    (v, the γ of Fader, Hardie & Lee 2005, is a rate in the currency of ``monetary_value``).

    After ``fit``: ``params_``, ``log_likelihood_``, ``standard_errors_``, ``summary()``,
    ``n_obs_`` (customers used), ``n_excluded_`` (rows left out) with ``excluded_`` (by reason),
    ``correlation_`` (Pearson r of frequency and monetary value among the customers used).
    """

    param_names = ("p", "q", "v")
    #: ``fit_compressed(data, weights)`` takes rows (frequency, monetary value), every one with
    #: both positive (the rows the likelihood reads; not necessarily distinct), and their
    #: weights: a bootstrap replicate's refit, without ``fit``'s checks and exclusions.
    compressed_columns = COLUMNS
    reweighs_rows = True  # the statistics (``_Rows``) are reweighted, rows of weight 0 skipped

    def fit(self, rfm: pd.DataFrame) -> GammaGamma:
        """Fit by maximum likelihood; returns self.

        ``rfm`` needs ``frequency`` (number of repeat purchases) and ``monetary_value`` (mean
        spend per repeat purchase, currency); extra columns are ignored and an optional
        ``weights`` column counts customers. Only rows with ``frequency > 0`` and
        ``monetary_value > 0`` are used: a customer without a repeat purchase has no spend
        observation, and a non-positive mean (returns exceeding purchases) lies outside the
        model. The rows left out are counted in ``n_excluded_`` (customers; weighted) and
        ``excluded_`` = ``{"no_repeat_purchase": n, "non_positive_spend": n}``.

        Warns with :class:`SpendFrequencyCorrelationWarning` when |r| between frequency and
        monetary value among the customers used exceeds 0.3 (the model assumes independence).
        """
        missing = [c for c in COLUMNS if c not in rfm]
        if missing:
            raise ValueError(f"GammaGamma.fit needs the columns {list(COLUMNS)}; missing {missing}")
        weights = rfm["weights"] if "weights" in rfm else pd.Series(1.0, index=rfm.index)
        x = pd.to_numeric(rfm["frequency"]).astype("float64")
        m = pd.to_numeric(rfm["monetary_value"]).astype("float64")
        no_repeat = ~(x > 0)
        non_positive = ~no_repeat & ~(m > 0)
        self.excluded_ = {
            "no_repeat_purchase": float(weights[no_repeat].sum()),
            "non_positive_spend": float(weights[non_positive].sum()),
        }
        self.n_excluded_ = sum(self.excluded_.values())
        keep = ~no_repeat & ~non_positive
        if not keep.any():
            raise ValueError(
                "GammaGamma.fit: no customer with frequency > 0 and monetary_value > 0 to fit"
            )
        # No compression to unique rows: mean spends are nearly all distinct, and the
        # likelihood is evaluated on sufficient statistics per distinct frequency instead.
        data = np.column_stack([x[keep].to_numpy(), m[keep].to_numpy()])
        w = weights[keep].to_numpy(dtype="float64")
        self.correlation_ = _weighted_correlation(data[:, 0], data[:, 1], w)
        if abs(self.correlation_) > CORRELATION_THRESHOLD:
            warnings.warn(
                f"GammaGamma: frequency and monetary_value are correlated (Pearson r = "
                f"{self.correlation_:.2f} among {w.sum():,.0f} repeat customers); the model "
                "assumes spend does not depend on how often a customer buys, so its spend "
                "predictions may be biased.",
                SpendFrequencyCorrelationWarning,
                stacklevel=2,
            )
        self._maximise(data, w)
        self._cache = None
        return self

    def _starts(self, data, weights):
        if getattr(self, "initial_params", None) is not None:
            return []  # the base class starts from initial_params
        # Method of moments for the between-customer spread of the means, with p = 1 as a
        # neutral within-customer shape: mean m = p v / (q − 1).
        m = np.average(data[:, 1], weights=weights)
        var = np.average((data[:, 1] - m) ** 2, weights=weights)
        q = float(np.clip(2.0 + m**2 / max(var, 1e-12), 2.1, 50.0))
        return [np.array([1.0, q, m * (q - 1)]), np.array([5.0, 3.0, 2.0 * m])]

    def _prepare(self, data: np.ndarray) -> _Rows:
        return _Rows(data)

    def _statistics(self, data, weights):
        """Per distinct frequency: total weight; and Σ w ln m, Σ w x ln m, Σ w x ln x; the rows
        of positive weight (x m and w x per row).

        Only ln(v + x m) needs every row at each evaluation, so a fit on a million customers
        costs a few logarithms per customer per iteration. Cached for the arrays being fitted;
        the weight-free part once per ``data`` (``_prepared_for``), so a bootstrap replicate
        only reweighs it (rows it drew none of left out).
        """
        cached = getattr(self, "_cache", None)
        if cached is not None and cached[0] is data and cached[1] is weights:
            return cached[2]
        rows = self._prepared_for(data)
        drawn = weights > 0
        every = bool(drawn.all())
        w = weights if every else weights[drawn]

        def kept(values: np.ndarray) -> np.ndarray:
            return values if every else values[drawn]

        stats = {
            "ux": rows.ux,
            "wx": np.bincount(rows.at_x, weights=weights, minlength=len(rows.ux)),
            "n": float(weights.sum()),
            "s_log_m": _wsum(w, kept(rows.log_m)),
            "s_x_log_xm": _wsum(w, kept(rows.x_log_xm)),
            "xm": kept(rows.xm),
            "wx_row": w * kept(rows.x),
            "w": w,
        }
        self._cache = (data, weights, stats)
        return stats

    def _loglik_and_grad(self, params, data, weights):
        """Total log-likelihood (the full density of the observed means) and its gradient.

        Per customer: ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln v + (px − 1) ln m + px ln x
        − (px + q) ln(v + x m).
        """
        p, q, v = params
        s = self._statistics(data, weights)
        ux, wx, n = s["ux"], s["wx"], s["n"]
        pu = p * ux
        log_vxm = np.log(v + s["xm"])
        inv_vxm = 1.0 / (v + s["xm"])
        # Σ w x ln(v + x m), Σ w ln(v + x m), Σ w x / (v + x m), Σ w / (v + x m)
        xw_log, w_log = _wsum(s["wx_row"], log_vxm), _wsum(s["w"], log_vxm)
        xw_inv, w_inv = _wsum(s["wx_row"], inv_vxm), _wsum(s["w"], inv_vxm)
        ll = (
            _wsum(wx, gammaln(pu + q) - gammaln(pu))
            - n * gammaln(q)
            + n * q * np.log(v)
            + p * s["s_x_log_xm"]
            - s["s_log_m"]
            - p * xw_log
            - q * w_log
        )
        psi_puq = psi(pu + q)
        d_p = _wsum(wx * ux, psi_puq - psi(pu)) + s["s_x_log_xm"] - xw_log
        d_q = _wsum(wx, psi_puq) - n * psi(q) + n * np.log(v) - w_log
        d_v = n * q / v - p * xw_inv - q * w_inv
        return float(ll), np.array([d_p, d_q, d_v])

    # -- predictions ----------------------------------------------------------------------------
    def expected_spend_new_customer(self) -> float:
        """Population mean spend per transaction, p v / (q − 1) (currency; ∞ when q ≤ 1)."""
        self._check_fitted()
        p, q, v = (self.params_[k] for k in self.param_names)
        return p * v / (q - 1) if q > 1 else float("inf")

    def expected_spend(self, rfm: pd.DataFrame) -> np.ndarray:
        """E[Z | p, q, v, x, m_x]: conditional expected mean spend per transaction (currency),
        one value per row of ``rfm`` (columns ``frequency`` and ``monetary_value``):

            (q − 1) / (px + q − 1) · p v / (q − 1)  +  px / (px + q − 1) · m_x,

        a weighted average of the population mean and the customer's own mean (Fader, Hardie &
        Lee 2005, eq. 5). A customer with ``frequency`` 0 gets the population mean; a repeat
        customer with a non-positive mean (left out of the fit) is evaluated at m_x = 0, the
        limit of the formula, i.e. the population mean shrunk by (q − 1) / (px + q − 1).
        """
        self._check_fitted()
        p, q, v = (self.params_[k] for k in self.param_names)
        x = np.asarray(rfm["frequency"], dtype=float)
        m = np.asarray(rfm["monetary_value"], dtype=float)
        x = np.where(x > 0, x, 0.0)
        m = np.where(x > 0, np.maximum(m, 0.0), 0.0)
        denominator = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator > 0, p * (v + x * m) / denominator, np.inf)
