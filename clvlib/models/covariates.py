"""Static covariates in BG/NBD and Pareto/NBD by maximum likelihood, in CLVTools' parametrisation.

A customer with covariates x (one row of the design: numeric columns as they are, a categorical
column as k−1 dummies against its first level in sorted order, as R's ``model.matrix`` builds
them) has the natural parameters

    Pareto/NBD   α_x = α·exp(−γ_transᵀx),   β_x = β·exp(−γ_lifeᵀx)          (r, s shared)
    BG/NBD       α_x = α·exp(−γ_transᵀx),   a_x = a·exp(γ_lifeᵀx),   b_x = b·exp(γ_lifeᵀx)

(each model's ``covariate_links``: which parameter moves with which block, in which direction).
A positive γ_trans raises the purchase rate (λ ~ Gamma(r, α_x) has mean r/α_x); a positive
γ_life shortens Pareto/NBD lifetimes (mean drop-out rate s/β_x); in BG/NBD it scales a and b
together, which changes the spread of the drop-out probability p ~ Beta(a_x, b_x), not its mean
a/(a+b). ``params_`` are the base model's (the reference customer, x = 0) then ``trans.<name>``
and ``life.<name>``, ``<name>`` the column or ``<column>.<level>`` for a dummy.

Likelihood and gradient (``GroupedLikelihood``): customers are grouped by their distinct
covariate combination g; a group's log-likelihood ℓ_g is the plain model's
``_loglik_and_grad`` on its rows at θ_g, and the chain rule gives the gradient in (θ, γ):

    ∂ℓ/∂θ_j = Σ_g ∂ℓ_g/∂θ_gj · θ_gj/θ_j,
    ∂ℓ/∂γ_b = Σ_g x_g,b · Σ_{j moved by block b} sign_j · ∂ℓ_g/∂θ_gj · θ_gj.

A fit costs one plain evaluation per group and iteration: a few categorical covariates (channel ×
loyalty: a dozen groups) cost about as much as the plain fit, a numeric covariate with thousands of
distinct values costs thousands of small evaluations (``MANY_GROUPS`` warns).

The fit starts from the plain model's maximum (``pooled_``, fitted first — it is cheap) with all
coefficients 0, so ``lr_test_`` compares the two without a second fit. Predictions run the plain
model's formulas per group with that group's natural parameters (``per_customer``,
``for_new_customer``).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from clvlib.models.base import FREE_BOUND, BaseFitter, compress

#: The data columns of the transaction models, never covariates.
RESERVED = ("frequency", "recency", "T", "weights")
#: Above this many distinct covariate combinations a fit warns of its cost.
MANY_GROUPS = 2_000


class ManyGroupsWarning(UserWarning):
    """The covariates form many distinct combinations; each costs a likelihood evaluation."""


@dataclass(frozen=True)
class Design:
    """How covariate columns become the design rows x: ``levels[col]`` is None for a numeric
    column (entered as it is) and the tuple of levels for a categorical one (dummies for all but
    the first, the reference)."""

    trans: tuple[str, ...]
    life: tuple[str, ...]
    levels: Mapping[str, tuple[str, ...] | None]

    @property
    def columns(self) -> list[str]:
        """The covariate columns, each once (transaction block first)."""
        return list(dict.fromkeys([*self.trans, *self.life]))

    def names(self, block: str) -> list[str]:
        """``<block>.<col>`` per numeric column, ``<block>.<col>.<level>`` per dummy."""
        out = []
        for column in self.trans if block == "trans" else self.life:
            levels = self.levels[column]
            if levels is None:
                out.append(f"{block}.{column}")
            else:
                out.extend(f"{block}.{column}.{level}" for level in levels[1:])
        return out

    @classmethod
    def infer(
        cls,
        frame: pd.DataFrame,
        trans: Sequence[str],
        life: Sequence[str],
        levels: Mapping[str, Sequence] | None = None,
    ) -> Design:
        """The design of ``frame``'s columns: numeric (and bool) columns as they are; object,
        string and category columns as categorical, levels sorted (a category column keeps
        its declared order) unless ``levels`` gives them (reference first)."""
        for block, columns in (("trans", trans), ("life", life)):
            if len(set(columns)) != len(columns):
                raise ValueError(f"{block}_covariates lists a column twice: {list(columns)}")
        fixed = dict(levels or {})
        found: dict[str, tuple[str, ...] | None] = {}
        for column in dict.fromkeys([*trans, *life]):
            if column in RESERVED:
                raise ValueError(f"{column!r} is a data column of the model, not a covariate")
            if column not in frame:
                raise ValueError(
                    f"covariate column {column!r} is not in the data (columns: {list(frame)})"
                )
            values = frame[column]
            _check_missing(column, values)
            if column in fixed and fixed[column] is not None:
                found[column] = tuple(str(v) for v in fixed[column])
            elif _is_numeric(values):
                found[column] = None
            elif isinstance(values.dtype, pd.CategoricalDtype):
                found[column] = tuple(str(v) for v in values.cat.categories)
            else:
                found[column] = tuple(sorted({str(v) for v in values.unique()}))
        return cls(tuple(trans), tuple(life), found)

    def matrix(self, frame: pd.DataFrame, block: str) -> np.ndarray:
        """The design rows (n × k) of ``block`` for ``frame``; a missing value or a level the
        fit did not see raises ValueError."""
        parts = [np.empty((len(frame), 0))]
        for column in self.trans if block == "trans" else self.life:
            parts.append(self._column(frame, column))
        return np.hstack(parts)

    def _column(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        if column not in frame:
            raise ValueError(
                f"covariate column {column!r} is missing; the model was fitted with "
                f"covariates {self.columns}: give every one of them"
            )
        values = frame[column]
        _check_missing(column, values)
        levels = self.levels[column]
        if levels is None:
            return np.asarray(values, dtype=float)[:, None]
        codes = pd.Index(list(levels)).get_indexer(np.asarray(values).astype(str))
        if (codes < 0).any():
            unseen = np.asarray(values)[codes < 0][0]
            raise ValueError(
                f"covariate {column!r} has the level {unseen!r}, which the fit did not see "
                f"(levels: {list(levels)}); map it to one of them or refit with it"
            )
        return (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)

    def groups(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's group (its distinct covariate combination, 0 … G−1) and the design rows of
        the groups, (codes, x_trans G × k_trans, x_life G × k_life)."""
        n = len(frame)
        missing = [c for c in self.columns if c not in frame]
        if missing:
            raise ValueError(
                f"covariate column {missing[0]!r} is missing; the model was fitted with "
                f"covariates {self.columns}: give every one of them"
            )
        combined = np.zeros(n, dtype=np.int64)
        span = 1
        for column in self.columns:
            codes, uniques = pd.factorize(np.asarray(frame[column]))
            if span * max(len(uniques), 1) >= 2**62:  # too many combinations for one integer
                keys = pd.MultiIndex.from_frame(frame[self.columns].astype(str))
                combined, span = pd.factorize(keys)[0].astype(np.int64), n
                break
            combined = combined * len(uniques) + codes
            span *= max(len(uniques), 1)
        group, distinct = pd.factorize(combined)
        first = np.empty(len(distinct), dtype=np.int64)
        first[group[::-1]] = np.arange(n - 1, -1, -1)
        rows = frame.iloc[first]
        return group.astype(np.int64), self.matrix(rows, "trans"), self.matrix(rows, "life")

    def check_identified(self, frame: pd.DataFrame, x_trans: np.ndarray, x_life: np.ndarray):
        """Raise ValueError when a block's coefficients are not identified from ``frame``: a
        constant column, a level without customers, or collinear design columns."""
        for column in self.columns:
            levels = self.levels[column]
            values = frame[column]
            if levels is None:
                if values.nunique() < 2:
                    raise ValueError(
                        f"covariate {column!r} is constant ({values.iloc[0]!r}): its effect "
                        f"cannot be estimated; drop it from the covariates"
                    )
                continue
            present = set(np.asarray(values).astype(str))
            empty = [level for level in levels if level not in present]
            if empty:
                raise ValueError(
                    f"covariate {column!r} has no customers at the level(s) {empty}: their "
                    f"effect cannot be estimated; drop or merge them"
                )
            if len(levels) < 2:
                raise ValueError(
                    f"covariate {column!r} has one level ({levels[0]!r}): its effect cannot be "
                    f"estimated; drop it from the covariates"
                )
        for block, x in (("trans", x_trans), ("life", x_life)):
            with_intercept = np.column_stack([np.ones(len(x)), x])
            if x.shape[1] and np.linalg.matrix_rank(with_intercept) < with_intercept.shape[1]:
                raise ValueError(
                    f"the {block} covariates {self.names(block)} are collinear (one is a "
                    f"combination of the others or of a constant): drop one"
                )

    def scales(self, frame: pd.DataFrame, block: str) -> np.ndarray:
        """The optimiser's scale per coefficient: 1 for a dummy or a 0/1 column, the standard
        deviation of any other numeric column (so a unit step means one spread)."""
        out = []
        for column in self.trans if block == "trans" else self.life:
            levels = self.levels[column]
            if levels is not None:
                out.extend([1.0] * (len(levels) - 1))
                continue
            values = np.asarray(frame[column], dtype=float)
            binary = np.isin(values, (0.0, 1.0)).all()
            spread = float(values.std())
            out.append(1.0 if binary or not spread > 0 else spread)
        return np.array(out, dtype=float)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _check_missing(column: str, values: pd.Series) -> None:
    missing = values.isna().to_numpy()
    if _is_numeric(values):
        missing = missing | ~np.isfinite(np.asarray(values, dtype=float))
    if missing.any():
        where = values.index[missing][0]
        raise ValueError(
            f"covariate {column!r} has missing or infinite values (e.g. {values[missing].iloc[0]!r}"
            f" at row {where!r}): fill them (an 'unknown' level for a category) or drop those "
            f"customers"
        )


class GroupedLikelihood:
    """The covariate model's log-likelihood and gradient in (θ, γ_trans, γ_life): the plain
    model's per distinct covariate combination (rows whose last data column is the group code),
    combined by the chain rule (see the module text). One plain model per group keeps its layout
    cache across the optimiser's calls."""

    def __init__(self, model_class, links, x_trans: np.ndarray, x_life: np.ndarray) -> None:
        self.model_class = model_class
        names = model_class.param_names
        self.k = len(names)
        self.x_trans, self.x_life = x_trans, x_life
        self.sign_trans = np.array([_sign(links, n, "trans") for n in names])
        self.sign_life = np.array([_sign(links, n, "life") for n in names])
        self._cache: list[tuple] = []

    def natural(self, params: np.ndarray) -> np.ndarray:
        """Natural parameters per group (G × k): θ_j exp(sign_j γ_blockᵀ x_g)."""
        theta, gammas = params[: self.k], params[self.k :]
        k_trans = self.x_trans.shape[1]
        eta_trans = self.x_trans @ gammas[:k_trans]
        eta_life = self.x_life @ gammas[k_trans:]
        log_factor = np.outer(eta_trans, self.sign_trans) + np.outer(eta_life, self.sign_life)
        return theta * np.exp(log_factor)

    def __call__(self, params: np.ndarray, data: np.ndarray, weights: np.ndarray):
        params = np.asarray(params, dtype=float)
        natural = self.natural(params)
        d_natural = np.zeros_like(natural)
        total = 0.0
        for group, rows, row_weights, plain in self._split(data, weights):
            ll, grad = plain._loglik_and_grad(natural[group], rows, row_weights)
            total += ll
            d_natural[group] = grad
        if not np.isfinite(total):
            return total, np.zeros_like(params)
        d_log = d_natural * natural  # ∂ℓ/∂ log θ_gj
        d_theta = d_log.sum(axis=0) / params[: self.k]
        d_trans = self.x_trans.T @ (d_log @ self.sign_trans)
        d_life = self.x_life.T @ (d_log @ self.sign_life)
        return float(total), np.concatenate([d_theta, d_trans, d_life])

    def _split(self, data: np.ndarray, weights: np.ndarray) -> list[tuple]:
        """(group, its rows without the code column, their weights, a plain model) per group
        present in ``data``; cached for the arrays the optimiser passes again and again."""
        for cached_data, cached_weights, parts in self._cache:
            if cached_data is data and cached_weights is weights:
                return parts
        codes = data[:, -1].astype(np.int64)
        order = np.argsort(codes, kind="stable")
        present, starts = np.unique(codes[order], return_index=True)
        parts = []
        for group, rows in zip(present, np.split(order, starts[1:]), strict=True):
            block = np.ascontiguousarray(data[rows, :-1])
            parts.append(
                (int(group), block, np.ascontiguousarray(weights[rows]), self.model_class())
            )
        self._cache = [*self._cache[-1:], (data, weights, parts)]
        return parts


def _sign(links: Mapping[str, tuple[str, float]], name: str, block: str) -> float:
    linked = links.get(name)
    return float(linked[1]) if linked is not None and linked[0] == block else 0.0


class CovariateFitter(BaseFitter):
    """A transaction model that takes static covariates (``trans_covariates`` move the purchase
    process, ``life_covariates`` the drop-out; columns of the frame given to ``fit``); without
    them it is the plain model, unchanged. ``covariate_levels`` ({column: levels}) fixes a
    categorical column's levels, the first being the reference (default: sorted order)."""

    #: base parameter → (block, sign): θ_x = θ·exp(sign·γ_blockᵀx); set by each model.
    covariate_links: Mapping[str, tuple[str, float]] = {}

    def __init__(
        self,
        *,
        trans_covariates: Sequence[str] = (),
        life_covariates: Sequence[str] = (),
        covariate_levels: Mapping[str, Sequence] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.trans_covariates = _names(trans_covariates)
        self.life_covariates = _names(life_covariates)
        self.covariate_levels = None if covariate_levels is None else dict(covariate_levels)

    @property
    def uses_covariates(self) -> bool:
        return bool(self.trans_covariates or self.life_covariates)

    @property
    def covariate_columns(self) -> list[str]:
        """The frame columns the model reads besides frequency, recency and T."""
        return list(dict.fromkeys([*self.trans_covariates, *self.life_covariates]))

    def _likelihood(self, params, data, weights):
        if self.uses_covariates:
            return self._grouped(params, data, weights)
        return self._loglik_and_grad(params, data, weights)

    def _free_scales(self) -> np.ndarray:
        scales = getattr(self, "_scales", None)
        return np.ones(len(self.param_names)) if scales is None else scales

    def fit_compressed(self, data, weights):
        if self.uses_covariates:
            raise TypeError("a covariate model fits on a frame: call fit(rfm)")
        return super().fit_compressed(data, weights)

    # -- fitting ---------------------------------------------------------------------------------
    def _fit_with_covariates(self, rfm: pd.DataFrame):
        """Maximum likelihood with covariates (see the module text); returns self.

        Without ``initial_params``: fits the plain model first (``pooled_``), starts from its
        estimates with every coefficient 0 and sets ``lr_test_``. With them (a warm-started
        refit, e.g. a bootstrap replicate, levels given): starts there and skips the checks that
        every level has customers."""
        base = type(self).param_names
        design = Design.infer(rfm, self.trans_covariates, self.life_covariates,
                              self.covariate_levels)  # fmt: skip
        codes, x_trans, x_life = design.groups(rfm)
        warm = self.initial_params is not None
        if not warm:
            design.check_identified(rfm, x_trans, x_life)
        if len(x_trans) > MANY_GROUPS:
            warnings.warn(
                f"{len(x_trans):,} distinct covariate combinations: each costs one likelihood "
                f"evaluation per iteration (bin a numeric covariate to speed the fit up)",
                ManyGroupsWarning,
                stacklevel=3,
            )
        coefficients = [*design.names("trans"), *design.names("life")]
        self.param_names = (*base, *coefficients)
        self.free_params = tuple(coefficients)
        scales = np.concatenate([design.scales(rfm, "trans"), design.scales(rfm, "life")])
        self._scales = np.concatenate([np.ones(len(base)), scales])
        self.covariate_levels_ = {c: v for c, v in design.levels.items() if v is not None}
        self._design = design
        self._grouped = GroupedLikelihood(type(self), self.covariate_links, x_trans, x_life)
        frame = rfm[["frequency", "recency", "T"]].assign(__group=codes)
        if "weights" in rfm:
            frame["weights"] = rfm["weights"]
        data, weights = compress(frame, ["frequency", "recency", "T", "__group"])
        starts = []
        if not warm:
            pooled = type(self)(n_starts=self.n_starts, seed=self.seed, tol=self.tol)
            pooled.standard_errors = self.standard_errors
            self.pooled_ = pooled.fit(rfm)
            start = [pooled.params_[k] for k in base] + [0.0] * len(coefficients)
            starts = [np.array(start)]
        self._maximise(data, weights, starts=starts)
        if not warm:
            self.lr_test_ = lr_test(self.pooled_, self)
        self._warn_at_bound(coefficients)
        return self

    def _warn_at_bound(self, coefficients: list[str]) -> None:
        scales = self._scales[len(self._scales) - len(coefficients) :]
        internal = np.array([self.params_[k] for k in coefficients]) * scales
        stuck = [
            k for k, v in zip(coefficients, internal, strict=True) if abs(v) > FREE_BOUND - 1e-3
        ]
        if stuck:
            warnings.warn(
                f"{type(self).__name__}: the coefficient(s) {stuck} reached the bound ±"
                f"{FREE_BOUND:g} (per unit of the covariate's scale): their effect is not "
                f"identified (e.g. a level where nobody buys again); merge or drop them",
                UserWarning,
                stacklevel=3,
            )

    # -- per-customer parameters ------------------------------------------------------------------
    def _natural_by_group(self, frame: pd.DataFrame):
        self._check_fitted()
        codes, x_trans, x_life = self._design.groups(frame)
        grouped = GroupedLikelihood(type(self), self.covariate_links, x_trans, x_life)
        params = np.array([self.params_[k] for k in self.param_names])
        return codes, grouped.natural(params)

    def _rows_and_likelihood(self, frame: pd.DataFrame) -> tuple[np.ndarray, GroupedLikelihood]:
        """``frame``'s rows as the grouped likelihood reads them (frequency, recency, T, group
        code; one row per row, not compressed) and that likelihood, with the fitted design."""
        self._check_fitted()
        codes, x_trans, x_life = self._design.groups(frame)
        columns = [frame[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T")]
        data = np.column_stack([*columns, codes.astype(float)])
        return data, GroupedLikelihood(type(self), self.covariate_links, x_trans, x_life)

    def customer_params(self, rfm: pd.DataFrame) -> pd.DataFrame:
        """Each customer's natural parameters (columns ``param_names`` of the plain model),
        indexed like ``rfm``; the same row for every customer without covariates."""
        base = list(type(self).param_names)
        if not self.uses_covariates:
            self._check_fitted()
            values = np.tile([self.params_[k] for k in base], (len(rfm), 1))
            return pd.DataFrame(values, index=rfm.index, columns=base)
        codes, natural = self._natural_by_group(rfm)
        return pd.DataFrame(natural[codes], index=rfm.index, columns=base)

    def group_models(self, rfm: pd.DataFrame) -> Iterator[tuple[np.ndarray, BaseFitter]]:
        """(row positions, plain model with that group's natural parameters) per distinct
        covariate combination in ``rfm``."""
        codes, natural = self._natural_by_group(rfm)
        order = np.argsort(codes, kind="stable")
        present, starts = np.unique(codes[order], return_index=True)
        for group, rows in zip(present, np.split(order, starts[1:]), strict=True):
            yield rows, self._plain(natural[group])

    def for_customer(self, covariates: Mapping | pd.DataFrame | None) -> BaseFitter:
        """A plain model carrying the natural parameters of a customer with ``covariates``
        ({column: value} or a one-row frame) — e.g. a new customer from one channel."""
        return self.customer_models(covariates)[0]

    def customer_models(self, covariates, draws: np.ndarray | None = None) -> list[BaseFitter]:
        """Plain models at the natural parameters of one customer with ``covariates`` (see
        ``for_customer``), one per row of ``draws`` (parameter vectors in ``param_names``
        order, e.g. ``draw_params``) or one at the estimates; the design row is built once."""
        self._check_fitted()
        if covariates is None:
            raise ValueError(
                f"this model has covariates {self.covariate_columns}: give the customer's "
                f"values, e.g. covariates={{{self.covariate_columns[0]!r}: ...}}"
            )
        frame = covariates if isinstance(covariates, pd.DataFrame) else pd.DataFrame([covariates])
        if len(frame) != 1:
            raise ValueError(f"covariates describe one customer: got {len(frame)} rows")
        _, x_trans, x_life = self._design.groups(frame)
        grouped = GroupedLikelihood(type(self), self.covariate_links, x_trans, x_life)
        if draws is None:
            draws = np.array([[self.params_[k] for k in self.param_names]])
        return [self._plain(grouped.natural(np.asarray(row, dtype=float))[0]) for row in draws]

    def _plain(self, values: np.ndarray) -> BaseFitter:
        plain = type(self)()
        plain.params_ = dict(zip(type(self).param_names, np.asarray(values).tolist(), strict=True))
        return plain


def _names(columns: Sequence[str] | str) -> tuple[str, ...]:
    return (columns,) if isinstance(columns, str) else tuple(columns)


def per_customer(method):
    """For a prediction method ``(self, [t,] rfm)``: with covariates, evaluate it per covariate
    group with a plain model carrying the group's parameters and put the results back in the
    rows' order (a ``t`` with one value per row is split with them)."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        if not getattr(self, "uses_covariates", False):
            return method(self, *args, **kwargs)
        arguments = signature.bind(self, *args, **kwargs).arguments
        arguments.pop("self")
        rfm = arguments["rfm"]
        n = len(rfm)
        t = arguments.get("t")
        split_t = t is not None and np.shape(t) == (n,)
        out = None
        for rows, plain in self.group_models(rfm):
            call = dict(arguments, rfm=rfm.iloc[rows])
            if split_t:
                call["t"] = np.asarray(t)[rows]
            result = np.asarray(method(plain, **call), dtype=float)
            if out is None:
                out = np.empty((*result.shape[:-1], n))
            out[..., rows] = result
        return np.empty(0) if out is None else out

    return run


def for_new_customer(method):
    """For a new-customer method: adds ``covariates`` ({column: value} or a one-row frame), and
    with covariates evaluates the plain formula at that customer's natural parameters."""
    signature = inspect.signature(method)
    extra = inspect.Parameter("covariates", inspect.Parameter.KEYWORD_ONLY, default=None)

    @functools.wraps(method)
    def run(self, *args, covariates=None, **kwargs):
        if not getattr(self, "uses_covariates", False):
            if covariates:
                raise ValueError(f"{type(self).__name__} was fitted without covariates")
            return method(self, *args, **kwargs)
        return method(self.for_customer(covariates), *args, **kwargs)

    run.__signature__ = signature.replace(parameters=[*signature.parameters.values(), extra])
    run.__doc__ = (method.__doc__ or "") + (
        "\n\n        With covariates: ``covariates`` ({column: value} or a one-row frame) "
        "are the new customer's."
    )
    return run


def lr_test(restricted: BaseFitter, full: BaseFitter) -> dict[str, float]:
    """Likelihood-ratio test of ``restricted`` (e.g. the model without covariates) against
    ``full``, fitted on the same customers: statistic 2(ℓ_full − ℓ_restricted), chi-square with
    df = the difference in parameter counts. ``{"statistic", "df", "p_value"}``."""
    df = len(full.param_names) - len(restricted.param_names)
    if df <= 0:
        raise ValueError("the full model must have more parameters than the restricted one")
    if not np.isclose(full.n_obs_, restricted.n_obs_):
        raise ValueError(
            f"the models were fitted on different customers ({restricted.n_obs_:g} vs "
            f"{full.n_obs_:g}): the likelihoods do not compare"
        )
    statistic = 2.0 * (full.log_likelihood_ - restricted.log_likelihood_)
    p_value = float(stats.chi2.sf(max(statistic, 0.0), df))
    return {"statistic": float(statistic), "df": int(df), "p_value": p_value}
