"""Profile-likelihood interval for a model's drop-out, where the Hessian gives none.

On clients that hardly lose anyone the drop-out parameters run to their bound (BG/NBD a → 0 with
b huge; Pareto/NBD s/β → 0), the information matrix is singular and the Wald intervals are
missing. One interpretable drop-out quantity per model stays defined at that boundary, and its
likelihood-ratio interval is what the data can tell:

    BG/NBD, MBG/NBD   E[p] = a/(a+b), the mean probability of dropping out after a purchase;
    Pareto/NBD        q = 1 − (β/(β+h))^s, the share of (new) customers gone within a horizon h
                      (a year, given the time units per year; else the customers' mean T).

Not Pareto/NBD's mean rate E[μ] = s/β: at fixed s/β, s → 0 puts the mean on a vanishing share of
customers with ever larger rates while the rest never leave (the survival (β/(β+t))^s → 1), so
its profile is flat up to +∞ on any client where nobody is seen to leave. The share lost within h
is the probability of an observable event and has no such escape. With covariates the quantity is
the reference customer's (all covariates 0): in BG/NBD the life covariates scale a and b
together, so E[p] is every customer's; in Pareto/NBD the others' β_x = β·exp(−γᵀx).

The profile ℓ_p(θ) = max ℓ over the other parameters with the quantity fixed is maximised in the
coordinates (log r, log α, log κ, covariate coefficients × scale), κ the remaining drop-out
parameter: BG/NBD κ = a+b (a = E[p]κ, b = (1−E[p])κ); Pareto/NBD κ = s, β = h / expm1(w/s) with
w = −ln(1−q) the cumulative hazard over h. The gradient is the model's own analytic one through
the chain rule: ∂ℓ/∂ln κ = a ∂ℓ/∂a + b ∂ℓ/∂b; = s ∂ℓ/∂s + β ∂ℓ/∂β · v/(1−e^−v), v = w/s. The
search runs on θ = logit E[p] (BG/NBD) or ln w (Pareto/NBD): secant steps outward from the
estimate until the deviance 2(ℓ̂ − ℓ_p) passes χ²₁(level), each fit warm-started from the path so
far (Newton steps with the nearest point's Hessian), then Brent's method between the last two
points. Where the deviance stays below χ²₁(level) down to the optimiser's own bound (log a ≥ −20,
log b ≤ 20; log(s/β) ≥ −20: a drop-out of practically 0), the interval reaches 0
(``low_is_bound``): the data cannot exclude that nobody leaves.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import numpy as np
from scipy import optimize, stats
from scipy.special import expit, logit

from clvlib.models.base import LOG_BOUND, _internal_hessian, compress, weighted_sum

#: Model classes whose drop-out quantity is E[p] = a/(a+b) (params r, alpha, a, b).
BETA_DROPOUT = ("BGNBD", "MBGNBD")
#: Model classes whose drop-out quantity is the share lost within a horizon (r, alpha, s, beta).
GAMMA_DROPOUT = ("ParetoNBD",)
#: Largest w/s = ln(1 + h/β) in the Pareto/NBD profile: β ≥ h·e^−45, below any β of the fit's
#: own space (s ≥ e^−20, s/β ≤ e^20: β ≥ e^−40) and above where β underflows.
MAX_HAZARD_PER_SHAPE = 45.0
#: θ ceiling: E[p] = 1 − e^−40; Pareto/NBD w = 45 (q = 1 − e^−45).
THETA_CEILING = {"beta": 2 * LOG_BOUND, "gamma": math.log(MAX_HAZARD_PER_SHAPE)}
#: Precision of the interval's ends in θ (logit or log of the quantity: ~relative).
THETA_TOL = 1e-4
#: Most constrained fits per side before giving up (the end is then NaN).
MAX_STEPS = 30
#: Newton steps per constrained fit before L-BFGS-B takes over.
NEWTON_STEPS = 12
#: Log-likelihood by which the profile must beat the fit to move the estimate (deviance 0.1).
REFIT_GAIN = 0.05
#: Weeks per year, for ``horizon`` when the data are in weeks (as ``rfm_summary``'s default).
WEEKS_PER_YEAR = 365.25 / 7


def dropout_profile_interval(
    model,
    rfm,
    *,
    level: float = 0.95,
    grid: Sequence[float] | None = None,
    horizon: float | None = None,
) -> dict:
    """Profile-likelihood interval of ``model``'s drop-out quantity (see the module text).

    ``model`` is a fitted BGNBD, MBGNBD or ParetoNBD (with or without covariates) and ``rfm`` the
    frame it was fitted on (``frequency``, ``recency``, ``T`` in the model's time unit, optional
    ``weights`` and covariate columns). ``grid``: values of the quantity at which to evaluate the
    profile first (the search goes on from them); default none: secant steps from the estimate,
    the first one its Wald standard error where there is one. ``horizon`` (Pareto/NBD only, in
    the data's time unit, e.g. ``WEEKS_PER_YEAR``): the quantity is the share of new customers
    gone within it; default the customers' mean T.

    Returns ``{"quantity", "estimate", "low", "high", "level", "method": "profile likelihood",
    "at_bound", "low_is_bound", "high_is_bound", "evaluations", "log_likelihood"}`` (and
    ``"horizon"`` for Pareto/NBD). ``quantity``: ``"mean_dropout_probability"`` (per purchase)
    or ``"share_lost_within_horizon"``; ``at_bound``: a drop-out parameter at its bound
    (``predictive.at_bounds``, where the Hessian fails); ``low_is_bound``: the interval reaches 0
    (no drop-out cannot be excluded); ``evaluations``: likelihood evaluations on the compressed
    rows (a plain fit costs 20–200); ``fit_short_by``: how much higher the profile's maximum is
    than the fit's log-likelihood (> ``REFIT_GAIN``: the estimate and the interval are the
    profile's, around its maximum).
    """
    profile = _Profile(model, rfm, horizon)
    z = math.sqrt(stats.chi2.ppf(level, 1))
    if grid is not None:
        for value in sorted(grid, key=lambda v: abs(profile.theta_of(v) - profile.theta_hat)):
            profile.evaluate(profile.theta_of(value))
    fitted = profile.ll_hat
    low, low_is_bound = profile.end(-1.0, z)
    high, high_is_bound = profile.end(+1.0, z)
    if profile.ll_hat > fitted + REFIT_GAIN:
        # The profile found a higher maximum than the fit (which stopped short): search again
        # from there, the deviance measured from that maximum.
        profile.theta_hat = max(profile.points, key=lambda t: profile.points[t][0])
        low, low_is_bound = profile.end(-1.0, z)
        high, high_is_bound = profile.end(+1.0, z)
    out = {
        "quantity": profile.quantity,
        "estimate": profile.value_of(profile.theta_hat),
        "low": 0.0 if low_is_bound else profile.value_of(low),
        "high": profile.value_of(high),
        "level": level,
        "method": "profile likelihood",
        "at_bound": profile.at_bound,
        "low_is_bound": bool(low_is_bound),
        "high_is_bound": bool(high_is_bound),
        "evaluations": profile.evaluations,
        "log_likelihood": profile.ll_hat,
        "fit_short_by": profile.ll_hat - fitted,
    }
    if profile.family == "gamma":
        out["horizon"] = profile.horizon
    return out


def _dropout_at_bound(model) -> bool:
    from clvlib.predictive import at_bounds, dropout_at_bounds  # predictive imports the models

    return bool(dropout_at_bounds(model, at_bounds(model)))


class _Profile:
    """The profile log-likelihood of one fitted model on its compressed rows, with the points
    evaluated so far: θ → (ℓ_p(θ), the maximising internal coordinates, their Hessian)."""

    def __init__(self, model, rfm, horizon: float | None) -> None:
        name = type(model).__name__
        if name in BETA_DROPOUT:
            self.family, self.quantity = "beta", "mean_dropout_probability"
        elif name in GAMMA_DROPOUT:
            self.family, self.quantity = "gamma", "share_lost_within_horizon"
        else:
            raise TypeError(f"no drop-out profile for {name} (BG/NBD, MBG/NBD, Pareto/NBD)")
        model._check_fitted()
        # A shallow copy evaluates: its layout caches do not stay on the caller's model.
        self.model = copy.copy(model)
        self.model._layout_cache = None
        self.data, self.weights = _rows(self.model, rfm)
        self.horizon = float(
            horizon if horizon is not None else np.average(self.data[:, 2], weights=self.weights)
        )
        self.names = list(model.param_names)
        params = np.array([model.params_[k] for k in self.names], dtype=float)
        self.scales = np.asarray(self.model._free_scales(), dtype=float)
        self.k = len(params)
        # Internal coordinates: log r, log α, log κ, then the coefficients × scale.
        base_low, base_high = self.model._internal_bounds()
        self.low = np.concatenate([np.full(3, -LOG_BOUND), base_low[4:]])
        self.high = np.concatenate([np.minimum(base_high[:3], LOG_BOUND), base_high[4:]])
        if self.family == "beta":
            self.high[2] = LOG_BOUND + math.log(2.0)  # κ = a + b with a, b ≤ e^20
            self.floor = -2 * LOG_BOUND  # a ≥ e^−20, b ≤ e^20
        else:
            self.floor = math.log(self.horizon) - LOG_BOUND  # w ≈ h·s/β with s/β ≥ e^−20
        self.ceiling = THETA_CEILING[self.family]
        self.gtol = 1e-9 * max(float(self.weights.sum()), 1.0)
        self.evaluations = 0
        theta = float(np.clip(self._theta_of_params(params), self.floor, self.ceiling))
        low, high = self.bounds(theta)
        u = np.clip(self._internal(params), low, high)
        f, _ = self._objective(u, theta)
        self.theta_hat, self.ll_hat = theta, -f
        self.se_theta = self._wald_se(params)
        self.at_bound = _dropout_at_bound(model)
        self.flat = self.at_bound or not np.isfinite(self.se_theta)
        self.probe = self._probe()
        self.points: dict[float, tuple[float, np.ndarray, np.ndarray]] = {
            theta: (-f, u, self._fd_hessian(u, theta))
        }

    # -- coordinates ---------------------------------------------------------------------------
    def theta_of(self, value: float) -> float:
        """θ of a value of the quantity (clipped to the floor and ceiling)."""
        value = float(value)
        if value <= 0:
            return self.floor
        if value >= 1:
            return self.ceiling
        theta = logit(value) if self.family == "beta" else math.log(-math.log1p(-value))
        return float(np.clip(theta, self.floor, self.ceiling))

    def value_of(self, theta: float) -> float:
        """The quantity at θ: E[p] = expit θ, or q = 1 − exp(−e^θ)."""
        if not np.isfinite(theta):
            return math.nan
        if self.family == "beta":
            return float(expit(theta))
        return float(-math.expm1(-math.exp(theta)))

    def _theta_of_params(self, params: np.ndarray) -> float:
        if self.family == "beta":
            return math.log(params[2]) - math.log(params[3])  # logit a/(a+b)
        s, beta = params[2], params[3]
        return math.log(s) + math.log(math.log1p(self.horizon / beta))  # ln w, w = s ln(1+h/β)

    def bounds(self, theta: float) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of the internal coordinates at θ (Pareto/NBD: ln s ≥ ln w − ln 30, so that
        β ≥ h·e^−30)."""
        if self.family == "beta":
            return self.low, self.high
        low = self.low.copy()
        low[2] = max(low[2], theta - math.log(MAX_HAZARD_PER_SHAPE))
        return low, self.high

    def _internal(self, params: np.ndarray) -> np.ndarray:
        u = np.empty(self.k - 1)
        u[:2] = np.log(params[:2])
        u[2] = math.log(params[2] + params[3]) if self.family == "beta" else math.log(params[2])
        u[3:] = params[4:] * self.scales[4:]
        return u

    def _natural(self, u: np.ndarray, theta: float) -> tuple[np.ndarray, float]:
        """Natural parameters at (u, θ) and ∂ln(params[3])/∂ln κ (1 for BG/NBD)."""
        kappa = math.exp(u[2])
        if self.family == "beta":
            pair, factor = [expit(theta) * kappa, expit(-theta) * kappa], 1.0
        else:
            v = math.exp(theta) / kappa  # w/s = ln(1 + h/β)
            pair, factor = [kappa, self.horizon / math.expm1(v)], v / -math.expm1(-v)
        params = np.concatenate([np.exp(u[:2]), pair, u[3:] / self.scales[4:]])
        return params, factor

    def _objective(self, u: np.ndarray, theta: float) -> tuple[float, np.ndarray]:
        """−ℓ and its gradient in the internal coordinates at fixed θ."""
        params, factor = self._natural(u, theta)
        self.evaluations += 1
        ll, grad = self.model._likelihood(params, self.data, self.weights)
        if not np.isfinite(ll):
            return 1e300, np.zeros_like(u)
        g = np.empty_like(u)
        g[:2] = grad[:2] * params[:2]
        g[2] = grad[2] * params[2] + grad[3] * params[3] * factor
        g[3:] = grad[4:] / self.scales[4:]
        return -float(ll), -g

    def _probe(self) -> float:
        """θ where, starting from no drop-out, the search begins: 0.1/√n, n the customers who
        can show it (repeat buyers for BG/NBD's drop-out after a purchase, all for Pareto/NBD).
        A drop-out that is never observed, only inferred from silences, is pinned down at the
        rate of an ordinary parameter: the upper ends found on no-drop-out worlds lie near
        1/√n (BG/NBD E[p] 0.001, Pareto/NBD yearly share 0.007 at 100,000 customers)."""
        if self.family == "beta":
            chances = weighted_sum(self.weights, (self.data[:, 0] > 0).astype(float))
        else:
            chances = float(self.weights.sum())
        return self.theta_of(0.1 / math.sqrt(max(chances, 1.0)))

    def _wald_se(self, params: np.ndarray) -> float:
        """Delta-method standard error of θ from the fit's covariance (NaN where it fails)."""
        covariance = getattr(self.model, "covariance_", None)
        if covariance is None:
            return math.nan
        c = covariance.loc[self.names[2:4], self.names[2:4]].to_numpy(dtype=float)
        first, second = params[2], params[3]
        if self.family == "beta":
            gradient = np.array([1 / first, -1 / second])  # logit a/(a+b) = ln a − ln b
        else:
            h = self.horizon
            gradient = np.array([1 / first, -h / (second * (second + h) * math.log1p(h / second))])
        variance = float(gradient @ c @ gradient)
        return math.sqrt(variance) if np.isfinite(variance) and variance > 0 else math.nan

    # -- the profile ---------------------------------------------------------------------------
    def evaluate(self, theta: float, enough: float | None = None) -> float:
        """ℓ_p(θ): the maximum over the other parameters, from the path so far (the maximisers of
        the two nearest points on this side of θ̂, extrapolated linearly) by Newton steps with
        the nearest point's Hessian, updated as they go (BFGS); L-BFGS-B where those fail.
        With ``enough``: stops (and keeps nothing) once ℓ reaches it — a lower bound of ℓ_p,
        all the test "is the deviance below the quantile here?" needs."""
        if theta in self.points:
            return self.points[theta][0]
        start, hessian = self._warm_start(theta)
        f, u, hessian, done = self._newton(theta, start, hessian, enough)
        if enough is not None and -f >= enough:
            return -f
        if self.flat:
            # Near no drop-out the profile has two branches, κ at either end of its range (a
            # share of customers who leave at once while the rest stay, or all alike): the
            # path may follow the lower one, so both ends are tried as well.
            low, high = self.bounds(theta)
            for end in (low[2], high[2]):
                other = u.copy()
                other[2] = end
                fits = self._newton(theta, other, hessian, enough)
                if fits[0] < f - 1e-9 * abs(f):
                    f, u, hessian, done = fits
                    if enough is not None and -f >= enough:
                        return -f
        if not done:
            result = optimize.minimize(
                self._objective,
                u,
                args=(theta,),
                jac=True,
                method="L-BFGS-B",
                bounds=list(zip(*self.bounds(theta), strict=True)),
                options={"maxiter": 1000, "ftol": 1e-15, "gtol": self.gtol},
            )
            if result.fun <= f:
                f, u = float(result.fun), result.x
            hessian = self._fd_hessian(u, theta)
        ll = -f
        self.points[theta] = (ll, u, hessian)
        self.ll_hat = max(self.ll_hat, ll)  # a fit stopped short of the maximum: take the higher
        return ll

    def _newton(self, theta: float, u: np.ndarray, hessian: np.ndarray, enough=None):
        """Projected Newton steps on −ℓ at fixed θ (as ``BaseFitter._polish``: coordinates at a
        bound with the gradient pushing out are held; a direction without curvature gets 1e-10
        of the largest). Returns (−ℓ, u, Hessian, converged)."""
        low, high = self.bounds(theta)
        f, g = self._objective(u, theta)
        for _ in range(NEWTON_STEPS):
            span = 1e-7 * np.maximum(1.0, np.abs(u))
            held = ((u - low <= span) & (g > 0)) | ((high - u <= span) & (g < 0))
            free = ~held
            if not free.any() or np.max(np.abs(g[free])) <= self.gtol:
                return f, u, hessian, True
            if enough is not None and -f >= enough:
                return f, u, hessian, False
            values, vectors = np.linalg.eigh(hessian[np.ix_(free, free)])
            if not values.max() > 0:
                break
            values = np.maximum(values, 1e-10 * values.max())
            step = np.zeros_like(u)
            step[free] = -vectors @ ((vectors.T @ g[free]) / values)
            for _ in range(4):  # backtracking: full step, then a quarter, …
                fresh = np.clip(u + step, low, high)
                fresh_f, fresh_g = self._objective(fresh, theta)
                if fresh_f <= f + 1e-13 * abs(f):
                    break
                step = step / 4
            else:
                break
            s, y = fresh - u, fresh_g - g
            if s @ y > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):  # BFGS update
                hs = hessian @ s
                hessian = hessian - np.outer(hs, hs) / (s @ hs) + np.outer(y, y) / (s @ y)
            u, f, g = fresh, fresh_f, fresh_g
        return f, u, hessian, False

    def _fd_hessian(self, u: np.ndarray, theta: float) -> np.ndarray:
        """Hessian of −ℓ in the internal coordinates by central differences of the gradient."""
        return _internal_hessian(lambda v: self._objective(v, theta), u)

    def _warm_start(self, theta: float) -> tuple[np.ndarray, np.ndarray]:
        side = np.sign(theta - self.theta_hat)
        near = sorted(
            (t for t in self.points if np.sign(t - self.theta_hat) in (side, 0)),
            key=lambda t: abs(t - theta),
        )[:2]
        _, u0, hessian = self.points[near[0]]
        low, high = self.bounds(theta)
        if len(near) < 2:
            return np.clip(u0, low, high), hessian
        u1 = self.points[near[1]][1]
        ratio = np.clip((theta - near[0]) / (near[0] - near[1]), -2.0, 2.0)
        return np.clip(u0 + (u0 - u1) * ratio, low, high), hessian

    def signed_root(self, theta: float) -> float:
        """±√(2(ℓ̂ − ℓ_p(θ))), the sign of θ − θ̂."""
        deviance = max(2.0 * (self.ll_hat - self.evaluate(theta)), 0.0)
        return math.copysign(math.sqrt(deviance), theta - self.theta_hat)

    def end(self, side: float, z: float) -> tuple[float, bool]:
        """The θ where the signed root crosses side·z, and whether the deviance stays below z²
        up to the bound (floor or ceiling): then the bound itself."""
        limit = self.floor if side < 0 else self.ceiling
        target = side * z
        if abs(self.theta_hat - limit) < THETA_TOL:
            return limit, True
        inner, inner_root = self.theta_hat, 0.0
        # Points already evaluated on this side (a grid), nearest first.
        for t in sorted(
            (t for t in self.points if (t - self.theta_hat) * side > 0),
            key=lambda t: abs(t - self.theta_hat),
        ):
            root = self.signed_root(t)
            if abs(root) >= z:
                return self._root(inner, t, target), False
            inner, inner_root = t, root
        if side < 0 and self.flat:
            # The estimate at (or near) no drop-out: the bound itself first, one fit, which may
            # stop as soon as the deviance there is certainly below z².
            enough = self.ll_hat - 0.999 * z * z / 2
            if self.evaluate(limit, enough=enough) >= enough:
                return limit, True
            return self._root(inner, limit, target), False
        step = self._first_step(inner, side)
        for _ in range(MAX_STEPS):
            outer = float(np.clip(inner + side * step, self.floor, self.ceiling))
            root = self.signed_root(outer)
            if abs(root) >= z:
                return self._root(inner, outer, target), False
            if outer == limit:
                return limit, True
            step = self._next_step(abs(root), abs(inner_root), abs(outer - inner), z)
            inner, inner_root = outer, root
        return math.nan, False

    def _first_step(self, inner: float, side: float) -> float:
        """The Wald standard error of θ where there is one; where the estimate sits at no
        drop-out, upward a step to ``probe`` (at least 1), else 1."""
        if not self.flat and np.isfinite(self.se_theta) and self.se_theta > 1e-6:
            return float(min(self.se_theta, 5.0))
        if side > 0 and self.flat:
            return max(1.0, self.probe - inner)
        return 1.0

    @staticmethod
    def _next_step(root: float, inner_root: float, last: float, z: float) -> float:
        """The next step outward, aimed 15 % past where the signed root reaches z, by the
        secant (the root is close to linear in θ where the estimate is inside) or by
        root ∝ exp(θ/2) (the deviance about proportional to the drop-out where the estimate
        sits at 0), whichever is shorter; while the profile is flat, twice the last step (at
        most 2)."""
        if root < 1e-3:
            return min(2.0 * last, 2.0)
        aims = [2.0 * math.log(z / root)]
        if root > inner_root:
            aims.append((z - root) * last / (root - inner_root))
        return float(np.clip(1.15 * min(aims), 0.1 * last, 4.0 * last))

    def _root(self, inner: float, outer: float, target: float) -> float:
        """Brent's method between ``inner`` and ``outer`` on the signed root (close to linear
        in θ where the estimate is inside) or, where it sits at no drop-out, on the log of the
        deviance (close to linear there: the deviance grows like the drop-out itself)."""
        xtol = min(1e-3, max(THETA_TOL, 0.02 * abs(outer - inner)))
        if self.flat:
            level = math.log(target * target)

            def gap(t: float) -> float:
                return math.log(max(self.signed_root(t) ** 2, 1e-12)) - level
        else:

            def gap(t: float) -> float:
                return self.signed_root(t) - target

        return optimize.brentq(gap, inner, outer, xtol=xtol, rtol=1e-10)


def _rows(model, rfm) -> tuple[np.ndarray, np.ndarray]:
    """The compressed rows and weights the model's likelihood reads, as its fit built them."""
    columns = ["frequency", "recency", "T"]
    if not getattr(model, "uses_covariates", False):
        return compress(rfm, columns)
    codes, _, _ = model._design.groups(rfm)
    model._grouped = copy.copy(model._grouped)
    model._grouped._cache = []
    frame = rfm[columns].assign(__group=codes)
    if "weights" in rfm:
        frame["weights"] = rfm["weights"]
    return compress(frame, [*columns, "__group"])
