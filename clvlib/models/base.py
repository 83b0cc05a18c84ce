"""The life cycle every BTYD model shares (as lifelines' fitters): ``fit`` returns ``self``;
fitted state ends in an underscore (``params_``, ``log_likelihood_``, ``standard_errors_``);
``summary()`` reads only that state.

Maximum likelihood on the unique data rows with their counts as weights, parameters optimised on
the log scale with L-BFGS-B from several starts, analytic gradients supplied by each model,
standard errors from the Hessian of the log-likelihood (finite differences of the analytic
gradient, in the natural parametrisation).

Parameters are positive (optimised as log θ, bounds ±20) unless named in ``free_params``: the
covariate coefficients of ``clvlib.models.covariates``, real numbers optimised as they are
(times a scale, see ``_free_scales``) within ±``FREE_BOUND``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

#: Above this many (unique) rows, the starts run on a seeded subsample of this size first.
SUBSAMPLE_ROWS = 10_000
#: Bound of the positive parameters' logarithms in the optimiser.
LOG_BOUND = 20.0
#: Bound of a free parameter (a covariate coefficient, times its scale) in the optimiser: a
#: rate ratio of e^10 ≈ 22,000 between customers one unit (a dummy: one level) apart is beyond
#: any real effect; a coefficient that runs there is not identified (a level where nobody buys
#: again or nobody leaves), and a tighter bound than ±20 keeps α·e^(γx) from reaching the
#: numerically hard corners (z → 1 in the Pareto/NBD series) while the optimiser wanders.
FREE_BOUND = 10.0
#: Times a warm-started refit (``BaseFitter._newton``) may replace its fixed Hessian by the
#: current one before it gives up and runs L-BFGS-B …
NEWTON_REFRESHES = 3
#: … which it does when a step lowers the likelihood or shrinks the gradient by less than this
#: factor (the fixed Hessian fits the replicate badly: the steps crawl).
NEWTON_SLOW = 0.5


class ConvergenceWarning(UserWarning):
    """The optimiser did not converge; the estimates may not be the maximum likelihood."""


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights · values (a float) in one fixed order of additions: numpy's ``einsum``, which
    calls no BLAS. A BLAS dot splits a long vector among its threads (OpenBLAS above 10,000
    elements) and adds the parts, so its last bits depend on the thread count — measured: the
    Pareto/NBD estimates differed in the 8th digit between OPENBLAS_NUM_THREADS=1 and 2 — and
    a threaded dot inside an optimiser's loop thrashes on a busy machine."""
    return float(np.einsum("i,i->", weights, values))


def compress(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Unique rows of ``columns`` and their weights (an optional ``weights`` column is summed)."""
    weights = frame["weights"] if "weights" in frame else pd.Series(1.0, index=frame.index)
    data = frame[list(columns)].astype("float64").assign(__w=weights.astype("float64"))
    grouped = data.groupby(list(columns), sort=False, as_index=False)["__w"].sum()
    return grouped[list(columns)].to_numpy(), grouped["__w"].to_numpy()


class BaseFitter:
    """Shared maximum-likelihood machinery. Subclasses define ``param_names``, ``_starts`` and
    ``_loglik_and_grad(params, data, weights) -> (total log-likelihood, gradient)`` in the
    natural parametrisation (parameters positive unless named in ``free_params``)."""

    param_names: tuple[str, ...] = ()
    #: Parameters on the real line (covariate coefficients); the others are positive.
    free_params: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        n_starts: int = 4,
        seed: int = 0,
        tol: float = 1e-9,
        initial_params: dict[str, float] | None = None,
    ) -> None:
        self.n_starts = n_starts
        self.seed = seed
        self.tol = tol  # stop when |∂ log-likelihood / ∂ log θ| per customer is below this
        self.initial_params = initial_params  # a warm start (e.g. for bootstrap refits)
        self.standard_errors = True  # False: skip the Hessian (bootstrap refits need none)
        # With initial_params: the covariance (inverse negative Hessian, natural scale) of an
        # earlier fit on similar data, for fixed-Hessian Newton steps (bootstrap refits)
        self.newton_covariance: np.ndarray | None = None

    # -- to implement ---------------------------------------------------------------------------
    def _loglik_and_grad(self, params: np.ndarray, data: np.ndarray, weights: np.ndarray):
        raise NotImplementedError

    def _starts(self, data: np.ndarray, weights: np.ndarray) -> list[np.ndarray]:
        return [np.ones(len(self.param_names))]

    def _likelihood(self, params: np.ndarray, data: np.ndarray, weights: np.ndarray):
        """The total log-likelihood and gradient the fit maximises (natural parametrisation):
        the model's own ``_loglik_and_grad``; covariate models route to their grouped one."""
        return self._loglik_and_grad(params, data, weights)

    # -- parametrisation ---------------------------------------------------------------------------
    def _positive(self) -> np.ndarray:
        """Which parameters (``param_names`` order) are positive (optimised on the log scale)."""
        free = set(self.free_params)
        return np.array([name not in free for name in self.param_names], dtype=bool)

    def _free_scales(self) -> np.ndarray:
        """Per parameter, the factor a free parameter is multiplied by in the optimiser (1 for
        the positive ones): the spread of its covariate, so that ±``FREE_BOUND`` and the
        difference steps mean the same for a dummy and for a covariate in thousands."""
        return np.ones(len(self.param_names))

    def _to_internal(self, params: np.ndarray) -> np.ndarray:
        """Optimiser coordinates: log θ for positive parameters, θ × scale for free ones."""
        positive = self._positive()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(positive, np.log(params), params * self._free_scales())

    def _from_internal(self, internal: np.ndarray) -> np.ndarray:
        positive = self._positive()
        return np.where(positive, np.exp(internal), internal / self._free_scales())

    def _internal_gradient(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The gradient in optimiser coordinates (chain rule): ∂ℓ/∂ log θ = θ ∂ℓ/∂θ for
        positive parameters, ∂ℓ/∂(γ·scale) = (∂ℓ/∂γ) / scale for free ones."""
        return np.where(self._positive(), grad * params, grad / self._free_scales())

    def internal_covariance(self) -> np.ndarray:
        """``covariance_`` in the optimiser's coordinates without the scales: of log θ for the
        positive parameters (delta method, C / θθᵀ), of θ itself for the free ones — the scale
        on which the estimates are close to normal, for parameter draws."""
        names = list(self.param_names)
        theta = np.array([self.params_[k] for k in names], dtype=float)
        divisor = np.where(self._positive(), theta, 1.0)
        return self.covariance_.loc[names, names].to_numpy(dtype=float) / np.outer(divisor, divisor)

    def draw_params(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` × k parameter vectors (natural scale, ``param_names`` order) drawn from the
        asymptotic normal distribution of the estimates on the scale of
        ``internal_covariance`` (log θ for positive parameters, θ for free ones)."""
        names = list(self.param_names)
        theta = np.array([self.params_[k] for k in names], dtype=float)
        positive = self._positive()
        with np.errstate(divide="ignore", invalid="ignore"):  # log of the free ones unused
            centre = np.where(positive, np.log(theta), theta)
        draws = rng.multivariate_normal(
            centre, self.internal_covariance(), size=int(n), method="eigh"
        )
        return np.where(positive, np.exp(draws), draws)

    # -- row indexes ------------------------------------------------------------------------------
    def _prepare(self, data: np.ndarray):
        """An index of the rows ``data`` that depends on neither the parameters nor the
        weights (distinct values, each row's position among them), for the likelihood to reuse;
        None when the model needs none."""
        return None

    def _prepared_for(self, data: np.ndarray):
        """``_prepare(data)``, kept while the same array ``data`` comes back: across the
        optimiser's calls and across the copies a bootstrap makes of the model
        (``clv._unfitted_copy`` keeps it), whose replicates only reweigh the same rows."""
        prepared = getattr(self, "_prepared", None)
        if prepared is None or prepared[0] is not data:
            prepared = (data, self._prepare(data))
            self._prepared = prepared
        return prepared[1]

    # -- fitting ---------------------------------------------------------------------------------
    #: Models whose ``fit`` is ``compress(rfm, compressed_columns)`` then the maximisation.
    compressed_columns: tuple[str, ...] | None = None
    #: Models whose likelihood reads a weight-free row index (``_prepare``) and skips rows of
    #: weight 0: a bootstrap replicate passes every row with its weight and the index is reused.
    reweighs_rows: bool = False

    def fit_compressed(self, data: np.ndarray, weights: np.ndarray):
        """Fit on rows already unique in ``compressed_columns`` (``data``, one row each) with
        their ``weights`` (customers), as ``compress`` returns them; returns self."""
        if self.compressed_columns is None:
            raise TypeError(f"{type(self).__name__} does not fit on compressed rows")
        self._maximise(np.asarray(data, dtype=float), np.asarray(weights, dtype=float))
        return self

    def _maximise(
        self, data: np.ndarray, weights: np.ndarray, starts: list[np.ndarray] | None = None
    ) -> None:
        """Maximise the likelihood from ``initial_params`` (if any) and ``starts`` (default: the
        model's ``_starts`` and random perturbations of the first up to ``n_starts``)."""

        def objective_for(rows: np.ndarray, row_weights: np.ndarray) -> Callable:
            def objective(internal: np.ndarray) -> tuple[float, np.ndarray]:
                params = self._from_internal(internal)
                ll, grad = self._likelihood(params, rows, row_weights)
                if not np.isfinite(ll):
                    return 1e300, np.zeros_like(internal)
                return -ll, -self._internal_gradient(params, grad)

            return objective

        if self.newton_covariance is not None and self.initial_params is not None:
            if self._newton(data, weights):
                return
        rng = np.random.default_rng(self.seed)
        given = starts is not None
        starts = list(starts) if given else list(self._starts(data, weights))
        if self.initial_params is not None:
            starts.insert(0, np.array([self.initial_params[k] for k in self.param_names]))
        while not given and len(starts) < self.n_starts:
            jitter = rng.normal(0.0, 0.7, len(starts[0]))
            positive = self._positive()
            shifted = starts[0] + jitter / self._free_scales()
            starts.append(np.where(positive, starts[0] * np.exp(jitter), shifted))
        if len(starts) > 1 and len(data) > SUBSAMPLE_ROWS:
            # Every start on a seeded subsample of the rows, then one run on all rows from the
            # best of them: the same maximum for a fraction of the full-data evaluations.
            # Customers (not rows: a row stands for `weight` customers) drawn with replacement,
            # so that the subsample's likelihood is the full one's in miniature and its Hessian,
            # scaled, serves the Newton steps on all rows.
            drawn = rng.choice(len(data), SUBSAMPLE_ROWS, p=weights / weights.sum())
            rows, counts = np.unique(drawn, return_counts=True)
            sub_weights = counts.astype(float)
            sub_objective = objective_for(data[rows], sub_weights)
            best = self._best_run(sub_objective, starts, sub_weights)
            scale = float(weights.sum()) / float(sub_weights.sum())
            hessian = _internal_hessian(sub_objective, best.x) * scale
            best = self._polish(objective_for(data, weights), best.x, hessian, weights)
            starts = [self._from_internal(best.x)] if best is None or not best.success else []
        if starts:
            best = self._best_run(objective_for(data, weights), starts, weights)
        params = self._from_internal(best.x)
        self.params_ = dict(zip(self.param_names, params.tolist(), strict=True))
        self.log_likelihood_ = float(-best.fun)
        self.n_obs_ = float(weights.sum())
        # L-BFGS-B often stops with an "abnormal" line search when it is already at the optimum
        # (no further decrease representable): judge convergence by the gradient instead.
        gradient_per_obs = np.max(np.abs(best.jac)) / max(self.n_obs_, 1.0)
        self.converged_ = bool(best.success or gradient_per_obs < 1e-6)
        if not self.converged_:
            warnings.warn(
                f"{type(self).__name__}: the optimiser stopped without converging "
                f"({best.message}); treat the estimates with caution.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if getattr(self, "standard_errors", True):
            self.standard_errors_ = self._standard_errors(params, data, weights)

    def _newton(self, data: np.ndarray, weights: np.ndarray, max_steps: int = 50) -> bool:
        """Newton steps from ``initial_params`` with a fixed Hessian: θ ← θ + C ∇ℓ(θ), C first
        the inverse negative Hessian of an earlier fit (``newton_covariance``). Near that fit's
        maximum — a bootstrap replicate of the same customers — each step costs one gradient
        (L-BFGS-B needs ~50 evaluations from the same start) and the iteration converges
        linearly to the same maximum. Where that Hessian does not fit the replicate — a step
        that lowers the likelihood, e.g. along Gamma-Gamma's weakly identified p/v ridge,
        where a resample of heavy spenders changes the curvature severalfold and the steps
        overshoot back and forth, or crawl — C is replaced (at most ``NEWTON_REFRESHES``
        times: after a step that lowers the likelihood or shrinks the gradient by less than
        ``NEWTON_SLOW``) by the inverse negative Hessian of this likelihood at the current
        point (2k gradients, ``_hessian``), and the steps go on from there. Stops when
        |∂ℓ/∂ ln θ| per customer is below ``tol`` (L-BFGS-B's criterion); returns False (and
        changes nothing) when a step leaves the parameter space or the refreshes run out, so
        the caller falls back to L-BFGS-B."""
        theta = np.array([self.initial_params[k] for k in self.param_names], dtype=float)
        covariance = np.asarray(self.newton_covariance, dtype=float)
        n = max(float(weights.sum()), 1.0)
        positive = self._positive()
        refreshes, fresh_hessian = 0, False  # fresh_hessian: C is the Hessian at θ
        ll, grad = self._likelihood(theta, data, weights)
        last = np.inf  # the previous step's largest |∂ℓ/∂ ln θ| per customer
        for _ in range(max_steps):
            if not np.isfinite(ll) or not np.all(np.isfinite(grad)):
                return False
            size = np.max(np.abs(self._internal_gradient(theta, grad))) / n
            if size < self.tol:
                break
            slow = size > NEWTON_SLOW * last  # a Hessian that fits badly: linear crawl
            last = size
            if slow and not fresh_hessian and refreshes < NEWTON_REFRESHES:
                refreshes, fresh_hessian = refreshes + 1, True
                covariance = _inverse_negative(self._hessian(theta, data, weights))
                if covariance is None:
                    return False
            step = covariance @ grad
            fresh = theta + step
            fresh_ll, fresh_grad = ll, grad
            valid = bool(np.all(fresh[positive] > 0) and np.all(np.isfinite(fresh)))
            if valid:
                fresh_ll, fresh_grad = self._likelihood(fresh, data, weights)
            if not (valid and fresh_ll >= ll - 1e-12 * abs(ll)):
                if fresh_hessian or refreshes == NEWTON_REFRESHES:
                    return False  # even the Newton step of this point fails: not near a maximum
                refreshes, fresh_hessian = refreshes + 1, True
                covariance = _inverse_negative(self._hessian(theta, data, weights))
                if covariance is None:
                    return False
                continue
            theta, ll, grad, fresh_hessian = fresh, fresh_ll, fresh_grad, False
        else:
            return False
        self.params_ = dict(zip(self.param_names, theta.tolist(), strict=True))
        self.log_likelihood_ = float(ll)
        self.n_obs_ = float(weights.sum())
        self.converged_ = True
        if getattr(self, "standard_errors", True):
            self.standard_errors_ = self._standard_errors(theta, data, weights)
        return True

    def _polish(self, objective, start, hessian, weights, max_steps: int = 15):
        """Newton steps u ← u − H⁻¹ ∇f in the optimiser's coordinates from the subsample's
        maximum, H the subsample's Hessian scaled to all rows: each step costs one evaluation
        on all rows (L-BFGS-B from the same point took 30–70), and the iteration converges
        linearly at a rate of the subsample's relative error in H (a few per cent).

        Coordinates the subsample's maximum holds at a bound with the gradient pushing out (a
        drop-out rate → 0 on a client nobody leaves) stay there, and the steps move the others
        (projected Newton); at the end those must still push out (the optimality conditions).
        Returns an ``OptimizeResult`` (``success`` when the gradient of the free coordinates
        meets ``_best_run``'s tolerance), or the last point with ``success`` False when a step
        fails to increase the likelihood, leaves the bounds or ``max_steps`` run out: the
        caller then continues with L-BFGS-B from there."""
        low, high = self._internal_bounds()
        gtol = self.tol * max(float(weights.sum()), 1.0)
        u = np.asarray(start, dtype=float)
        f, g = objective(u)
        success = False
        free = np.ones(len(u), dtype=bool)
        last = np.zeros_like(u)  # the previous step
        for _ in range(max_steps):
            span = 1e-7 * np.maximum(1.0, np.abs(u))
            at_low, at_high = u - low <= span, high - u <= span
            held = (at_low & (g > 0)) | (at_high & (g < 0))  # pushing out of the box
            free = ~held
            if not free.any() or np.max(np.abs(g[free])) <= gtol:
                success = True
                break
            # A direction without curvature (the likelihood flat towards a bound, e.g. s/β → 0
            # where nobody leaves) gets a curvature of 1e-10 of the largest: its step then runs
            # to the bound, where the coordinate is held from the next step on.
            values, vectors = np.linalg.eigh(hessian[np.ix_(free, free)])
            if values.max() <= 0:
                break
            values = np.maximum(values, 1e-10 * values.max())
            step = np.zeros_like(u)
            step[free] = -vectors @ ((vectors.T @ g[free]) / values)
            fresh = np.clip(u + step, low, high)  # a coordinate that hits a bound is held next
            fresh_f, fresh_g = objective(fresh)
            if not fresh_f <= f + 1e-12 * abs(f):
                break
            # A coordinate that keeps heading for a bound it would take the linear rate long
            # to reach (the likelihood's slope there fades like the drop-out rate itself) is
            # tried at the bound at once; kept when the likelihood is no lower there.
            moved = fresh - u
            ahead = np.where(fresh_g > 0, low, high)
            creeping = free & (np.sign(moved) == np.sign(ahead - fresh)) & (moved * last > 0)
            creeping &= (np.abs(moved) > 0.5 * np.abs(last)) & (np.abs(ahead - fresh) > 0)
            last = moved
            for i in np.flatnonzero(creeping):
                jump = fresh.copy()
                jump[i] = ahead[i]
                jump_f, jump_g = objective(jump)
                if jump_f <= fresh_f:
                    fresh, fresh_f, fresh_g = jump, jump_f, jump_g
            u, f, g = fresh, fresh_f, fresh_g
        return optimize.OptimizeResult(
            x=u,
            fun=f,
            jac=np.where(free, g, 0.0),
            success=success,
            message="Newton steps from the subsample",
        )

    def _internal_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the optimiser's coordinates: ±``LOG_BOUND`` for log θ,
        ±``FREE_BOUND`` for the free ones (a model may narrow them)."""
        bound = np.where(self._positive(), LOG_BOUND, FREE_BOUND)
        return -bound, bound

    def _best_run(self, objective: Callable, starts: list[np.ndarray], weights: np.ndarray):
        """The L-BFGS-B result with the highest likelihood over ``starts`` (natural scale); the
        gradient tolerance scales with the number of customers, as the total likelihood does."""
        gtol = self.tol * max(float(weights.sum()), 1.0)
        low, high = self._internal_bounds()
        best = None
        for start in starts:
            internal = np.clip(self._to_internal(np.asarray(start, dtype=float)), low, high)
            result = optimize.minimize(
                objective,
                internal,
                jac=True,
                method="L-BFGS-B",
                bounds=list(zip(low, high, strict=True)),
                options={"maxiter": 2000, "ftol": 1e-15, "gtol": gtol},
            )
            if best is not None and abs(result.fun - best.fun) <= 1e-9 * abs(best.fun):
                return best if best.fun <= result.fun else result  # two starts agree: done
            if best is None or result.fun < best.fun:
                best = result
        return best

    def _hessian(self, params: np.ndarray, data: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The Hessian of the log-likelihood at ``params`` (natural parametrisation),
        symmetrised: central differences of the analytic gradient, relative steps (10⁻⁵ θ) for
        positive parameters, additive ones (10⁻⁵ / scale, at least 10⁻⁵ |θ|) for free ones,
        which sit near 0 where a relative step vanishes."""
        k = len(params)
        positive = self._positive()
        scales = self._free_scales()
        hessian = np.empty((k, k))
        for i in range(k):
            if positive[i]:
                step = 1e-5 * abs(params[i])  # relative: stays positive however small θ is
            else:
                step = 1e-5 * max(abs(params[i]), 1.0 / scales[i])
            up, down = params.copy(), params.copy()
            up[i] += step
            down[i] -= step
            hessian[:, i] = (
                self._likelihood(up, data, weights)[1] - self._likelihood(down, data, weights)[1]
            ) / (2 * step)
        return (hessian + hessian.T) / 2

    def _standard_errors(self, params, data, weights) -> dict[str, float]:
        """Square roots of the diagonal of the inverse observed information (NaN if singular),
        the information from ``_hessian``."""
        k = len(params)
        hessian = self._hessian(params, data, weights)
        # At a corner of the parameter space (β → 0 with s → 0, where Pareto/NBD's likelihood
        # can end up on a client nobody leaves) the differences may overflow: no standard
        # errors then, as for a singular Hessian, rather than an error.
        se = np.full(k, np.nan)
        pseudo = np.full((k, k), np.nan)
        if np.all(np.isfinite(hessian)):
            try:
                covariance = np.linalg.inv(-hessian)
                se = np.sqrt(np.where(np.diag(covariance) > 0, np.diag(covariance), np.nan))
            except np.linalg.LinAlgError:
                pass
            try:
                pseudo = np.linalg.pinv(-hessian)
            except np.linalg.LinAlgError:
                pass
        self.covariance_ = pd.DataFrame(pseudo, index=self.param_names, columns=self.param_names)
        return dict(zip(self.param_names, se.tolist(), strict=True))

    # -- reporting -------------------------------------------------------------------------------
    @property
    def aic_(self) -> float:
        return 2 * len(self.param_names) - 2 * self.log_likelihood_

    @property
    def bic_(self) -> float:
        return len(self.param_names) * np.log(self.n_obs_) - 2 * self.log_likelihood_

    def summary(self) -> pd.DataFrame:
        """Estimate, standard error and 95 % interval per parameter.

        The model parameters are positive, so their interval is the Wald interval of log θ
        carried back, θ·exp(±z·se/θ) (delta method: se(log θ) = se/θ): it stays above 0 and is
        asymmetric where the data say little, unlike θ ± z·se, which ran to negative values of
        a and b on clients that hardly lose anyone. Where θ and se are the same it is the
        symmetric interval to first order. Covariate coefficients (``free_params``) get the
        symmetric γ ± z·se. NaN where se is."""
        z = stats.norm.ppf(0.975)
        free = set(self.free_params)
        rows = []
        for name in self.param_names:
            estimate, se = self.params_[name], self.standard_errors_[name]
            if name in free:
                low, high = estimate - z * se, estimate + z * se
            else:
                low, high = _log_wald(estimate, se, z)
            rows.append(
                {
                    "parameter": name,
                    "estimate": estimate,
                    "standard_error": se,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        return pd.DataFrame(rows)

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise RuntimeError(f"{type(self).__name__} is not fitted: call .fit(data) first")


def _inverse_negative(hessian: np.ndarray) -> np.ndarray | None:
    """(−H)⁻¹ when H is finite and negative definite (a maximum), else None."""
    if not np.all(np.isfinite(hessian)):
        return None
    try:
        np.linalg.cholesky(-hessian)
    except np.linalg.LinAlgError:
        return None
    return np.linalg.inv(-hessian)


def _internal_hessian(objective: Callable, u: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Hessian of ``objective`` (value, gradient) at ``u`` by central differences of the
    gradient, symmetrised (optimiser coordinates: a step of 1e-4 is relative for log θ)."""
    k = len(u)
    hessian = np.empty((k, k))
    for i in range(k):
        up, down = u.copy(), u.copy()
        up[i] += step
        down[i] -= step
        hessian[:, i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    return (hessian + hessian.T) / 2


def _log_wald(estimate: float, se: float, z: float) -> tuple[float, float]:
    """The Wald interval on the log scale for a positive estimate; on the original scale for
    one that is not (never the case for a fitted BTYD parameter). An upper end beyond the
    float range (θ at its bound, se/θ in the hundreds) is NaN, shown as "—", never inf."""
    if estimate > 0 and np.isfinite(se):
        half = z * se / estimate
        with np.errstate(over="ignore"):
            high = float(estimate * np.exp(half))
        # a parameter at its bound (a → 0: se far above θ) has no finite upper end: NaN
        return float(estimate * np.exp(-half)), high if np.isfinite(high) else math.nan
    return estimate - z * se, estimate + z * se


def check_gradient(fn: Callable, params: np.ndarray, *args, step: float = 1e-6) -> float:
    """Largest relative difference between an analytic and a central-difference gradient."""
    _, analytic = fn(params, *args)
    numeric = np.empty_like(params)
    for i in range(len(params)):
        up, down = params.copy(), params.copy()
        up[i] += step * params[i]
        down[i] -= step * params[i]
        numeric[i] = (fn(up, *args)[0] - fn(down, *args)[0]) / (2 * step * params[i])
    return float(np.max(np.abs(analytic - numeric) / np.maximum(np.abs(numeric), 1e-8)))
