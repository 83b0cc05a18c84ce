"""The bootstrap's shortcuts against independent references (issue 20).

``clv_intervals`` draws its replicates on the customers' distinct rows and reweighs row layouts
built once; the CLV evaluates E[Y(t)] once per distinct row for all months at once, on threads.
References: the BG/NBD and Gamma-Gamma log-likelihoods written out per customer from their
closed forms (Fader, Hardie & Lee 2005 eq. 6; the Gamma-Gamma density of the mean spend) and
summed over customers with every row repeated; the multinomial's moments (mean n p_k, variance
n p_k (1 − p_k), covariance −n p_j p_k) and customers drawn one by one with replacement; the
per-customer evaluation of E[Y(t)]; cold multi-start fits of each replicate; and the same fit
in fresh processes with one and with two BLAS threads.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from clvlib.models import parallel
from clvlib.models.base import BaseFitter
from clvlib.models.bgnbd import BGNBD
from clvlib.models.clv import (
    _BootstrapRows,
    bootstrap_fits,
    clv_intervals,
    expected_by_month,
    unique_rows,
)
from clvlib.models.gammagamma import GammaGamma
from clvlib.models.mbgnbd import MBGNBD
from clvlib.models.paretonbd import ParetoNBD

CDNOW_BG = (0.243, 4.414, 0.793, 2.426)  # Fader, Hardie & Lee 2005 (weeks)
CDNOW_GG = (6.25, 3.74, 15.44)  # Fader, Hardie & Lee 2005 (dollars)


def simulate_shop(n: int, seed: int, *, spend_sigma: float = 0.0) -> pd.DataFrame:
    """BG/NBD customers at the CDNOW estimates, first purchases on whole days of a 78-week
    window and purchase times rounded up to days (so that customers share rows, as in a real
    export), with a Gamma-Gamma mean spend (CDNOW estimates); ``spend_sigma`` > 0 multiplies
    each repeat buyer's spend by a lognormal factor (heavy spenders: a long right tail)."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = CDNOW_BG
    lam, drop = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.integers(1, 78 * 7, n) / 7.0
    x, tx, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = clock + rng.exponential(1.0, n) / lam
        buys = alive & (clock <= T)
        x[buys] += 1
        tx[buys] = np.minimum(np.ceil(clock[buys] * 7) / 7, T[buys])
        alive = buys & (rng.random(n) >= drop)
    p, q, v = CDNOW_GG
    nu = rng.gamma(q, 1 / v, n)
    spend = rng.gamma(p * np.maximum(x, 1), 1 / (nu * np.maximum(x, 1)))
    spend *= np.exp(spend_sigma * rng.standard_normal(n))
    monetary = np.where(x > 0, np.round(spend, 2), 0.0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T, "monetary_value": monetary})


def bgnbd_loglik_per_customer(params, frame: pd.DataFrame) -> np.ndarray:
    """FHL 2005 eq. 6, one customer at a time: ln of
    B(a, b+x)/B(a, b) Γ(r+x) α^r / Γ(r) [(α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x)]."""
    r, alpha, a, b = params
    out = []
    for x, tx, T in frame[["frequency", "recency", "T"]].itertuples(index=False):
        head = betaln(a, b + x) - betaln(a, b) + gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        alive = (alpha + T) ** -(r + x)
        dead = a / (b + x - 1) * (alpha + tx) ** -(r + x) if x > 0 else 0.0
        out.append(head + np.log(alive + dead))
    return np.array(out)


def gammagamma_loglik_per_customer(params, frame: pd.DataFrame) -> np.ndarray:
    """ln f(m_x | p, q, v, x) = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m_x
    + px ln x − (px+q) ln(v + x m_x), one customer at a time."""
    p, q, v = params
    out = []
    for x, m in frame[["frequency", "monetary_value"]].itertuples(index=False):
        out.append(
            gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(v + x * m)
        )  # fmt: skip
    return np.array(out)


@pytest.fixture(scope="module")
def shop():
    rfm = simulate_shop(6_000, seed=11)
    return rfm, BGNBD().fit(rfm), GammaGamma().fit(rfm)


def test_shop_has_repeated_rows(shop):
    rfm, _, _ = shop
    keys, _ = unique_rows(rfm, ["frequency", "recency", "T"])
    assert len(keys) < 0.7 * len(rfm)  # the shortcuts below have rows to share


def test_reweighted_bgnbd_likelihood_is_the_per_customer_sum(shop):
    """A replicate's weights on the distinct rows — zeros included — give the log-likelihood
    and gradient of the drawn customers listed one by one (closed form, per customer)."""
    rfm, model, _ = shop
    rows = _BootstrapRows(model, 30.0, rfm)
    counts = rows.draw(np.random.default_rng(1))
    weights = rows._model_weights(counts)
    assert (weights == 0).any() and (weights > 1).any()
    params = np.array([0.3, 5.0, 0.7, 2.9])  # away from the estimates: any point must agree
    template = rows.template
    ll, grad = template._loglik_and_grad(params, rows.key_array, weights)
    drawn = rows.keys.loc[np.repeat(np.arange(len(weights)), weights.astype(int))]
    per_customer = bgnbd_loglik_per_customer(params, drawn)
    assert ll == pytest.approx(per_customer.sum(), rel=1e-11)
    numeric = np.empty(4)
    for i in range(4):
        up, down = params.copy(), params.copy()
        up[i] *= 1 + 1e-6
        down[i] *= 1 - 1e-6
        numeric[i] = (
            bgnbd_loglik_per_customer(up, drawn).sum()
            - bgnbd_loglik_per_customer(down, drawn).sum()
        ) / (2e-6 * params[i])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)
    # and the layout built once serves a second replicate as a fresh one would
    other = rows._model_weights(rows.draw(np.random.default_rng(2)))
    again = template._loglik_and_grad(params, rows.key_array, other)
    drawn_rows = other > 0
    fresh = BGNBD()._loglik_and_grad(params, rows.key_array[drawn_rows], other[drawn_rows])
    assert again[0] == pytest.approx(fresh[0], rel=1e-12)
    np.testing.assert_allclose(again[1], fresh[1], rtol=1e-10)


def test_reweighted_gammagamma_likelihood_is_the_per_customer_sum(shop):
    rfm, _, spend = shop
    rows = _BootstrapRows(BGNBD().fit(rfm.head(2000)), spend, rfm)
    counts = rows.draw(np.random.default_rng(3))
    weights = counts[rows.spend_used].astype(float)
    assert (weights == 0).any()
    params = np.array([5.0, 3.5, 17.0])
    ll, _ = rows.spend_template._loglik_and_grad(params, rows.spend_data, weights)
    frame = pd.DataFrame(rows.spend_data, columns=["frequency", "monetary_value"])
    drawn = frame.loc[np.repeat(np.arange(len(weights)), weights.astype(int))]
    assert ll == pytest.approx(gammagamma_loglik_per_customer(params, drawn).sum(), rel=1e-11)


def test_draws_on_distinct_rows_have_the_multinomial_moments(shop):
    """Counts per distinct row: multinomial(n, c_k / n) — mean c_k, variance n p(1−p),
    covariance −n p_j p_k — and the same law as customers drawn one by one and counted per row
    (compared on the row holding the most customers and on a one-customer row)."""
    rfm, model, spend = shop
    rows = _BootstrapRows(model, spend, rfm)
    n = len(rfm)
    p = rows.probabilities
    rng = np.random.default_rng(4)
    draws = np.array([rows.draw(rng) for _ in range(4000)], dtype=float)
    assert (draws.sum(axis=1) == n).all()
    biggest, single = int(np.argmax(p)), int(np.flatnonzero(p == p.min())[0])
    for k in (biggest, single):
        sd = np.sqrt(n * p[k] * (1 - p[k]))
        assert abs(draws[:, k].mean() - n * p[k]) < 5 * sd / np.sqrt(len(draws))
        assert draws[:, k].std() == pytest.approx(sd, rel=0.06)
    cov = np.cov(draws[:, biggest], draws[:, single])[0, 1]
    expected = -n * p[biggest] * p[single]
    assert abs(cov - expected) < 5 * n * np.sqrt(p[biggest] * p[single]) / np.sqrt(len(draws))
    # customers drawn one by one, counted per draw row
    _, inverse = unique_rows(rfm, ["frequency", "recency", "T", "monetary_value"])
    by_customer = np.array(
        [np.bincount(inverse[rng.integers(0, n, n)], minlength=len(p)) for _ in range(4000)],
        dtype=float,
    )
    for k in (biggest, single):
        assert abs(by_customer[:, k].mean() - draws[:, k].mean()) < 6 * np.sqrt(
            n * p[k] / len(draws)
        )
        assert by_customer[:, k].std() == pytest.approx(draws[:, k].std(), rel=0.08)


@pytest.mark.parametrize("model_class", [BGNBD, MBGNBD, ParetoNBD])
def test_expected_by_month_on_distinct_rows_is_the_per_customer_value(
    shop, model_class, monkeypatch
):
    """E[Y(t)] for every month on the distinct (frequency, T) rows, in blocks on three
    threads, put back per customer: the very bits of evaluating each customer month by
    month (elementwise functions have nothing to reorder)."""
    rfm = shop[0]
    model = model_class()
    values = [1.5, 27.0, 4.0, 339.0] if model_class is ParetoNBD else CDNOW_BG
    model.params_ = dict(zip(model.param_names, values, strict=True))
    monkeypatch.setattr(parallel, "MIN_BLOCK_ROWS", 100)
    monkeypatch.setenv(parallel.THREADS_ENV, "3")
    keys, inverse = unique_rows(rfm, ["frequency", "T"])
    step = 30.4375 / 7
    fast = expected_by_month(
        model.expected_purchases_alive, keys, horizon_months=12, time_unit="W",
        days_per_month=30.4375,
    )[:, inverse]  # fmt: skip
    for month in (1, 7, 12):
        direct = model.expected_purchases_alive(month * step, rfm)
        assert np.array_equal(fast[month - 1], direct)
    monkeypatch.setenv(parallel.THREADS_ENV, "1")
    one = expected_by_month(
        model.expected_purchases_alive, keys, horizon_months=12, time_unit="W",
        days_per_month=30.4375,
    )  # fmt: skip
    assert np.array_equal(one[:, inverse], fast)
    # all months in one call (``months_at_once``) vs one call per month: the same bits
    assert model_class.months_at_once
    monkeypatch.setattr(model_class, "months_at_once", False)
    by_month = expected_by_month(
        model.expected_purchases_alive, keys, horizon_months=12, time_unit="W",
        days_per_month=30.4375,
    )  # fmt: skip
    assert np.array_equal(by_month, one)


def test_warm_refits_reach_the_cold_maximum_where_the_fixed_hessian_fails():
    """Heavy spenders: a replicate's Gamma-Gamma curvature along the p/v ridge is far from the
    original fit's, and Newton steps on that fixed Hessian crawl or overshoot. The refit
    refreshes its Hessian and reaches the maximum a cold multi-start L-BFGS-B fit finds."""
    rfm = simulate_shop(6_000, seed=12, spend_sigma=0.8)
    model, spend = BGNBD().fit(rfm), GammaGamma().fit(rfm)
    rows = _BootstrapRows(model, spend, rfm)
    rng = np.random.default_rng(5)
    refreshed = 0
    original = BaseFitter._hessian

    def counting(self, *args):
        nonlocal refreshed
        refreshed += isinstance(self, GammaGamma)
        return original(self, *args)

    BaseFitter._hessian = counting
    try:
        for _ in range(6):
            counts = rows.draw(rng)
            warm_model, warm_spend = rows.refit(counts)
            weights = counts[rows.spend_used].astype(float)
            drawn = weights > 0
            frame = pd.DataFrame(rows.spend_data[drawn], columns=["frequency", "monetary_value"])
            cold = GammaGamma(n_starts=6).fit(frame.assign(weights=weights[drawn]))
            for name in spend.param_names:
                assert warm_spend.params_[name] == pytest.approx(cold.params_[name], rel=2e-6)
            keys = rows._model_weights(counts)
            kept = keys > 0
            cold_model = BGNBD(n_starts=6).fit(rows.keys[kept].assign(weights=keys[kept]))
            for name in model.param_names:
                assert warm_model.params_[name] == pytest.approx(cold_model.params_[name], rel=2e-6)
    finally:
        BaseFitter._hessian = original
    assert refreshed > 0  # the case the refresh exists for was met


def test_replicates_give_the_intervals_they_were_fitted_for(shop):
    """``clv_intervals`` with replicates fitted earlier (as a run keeps them) gives the very
    table it computes itself, for other economics too."""
    rfm, model, spend = shop
    segments = pd.Series(np.where(rfm.index % 3 == 0, "A", "B"), index=rfm.index)
    fits = bootstrap_fits(model, spend, rfm, n_boot=12, seed=7)
    for horizon, margin in ((12, 0.3), (24, 0.5)):
        kwargs = dict(horizon_months=horizon, annual_discount_rate=0.1, margin=margin,
                      segments=segments, n_boot=12, seed=7, first_order_value=40.0)  # fmt: skip
        cold = clv_intervals(model, spend, rfm, **kwargs)
        warm = clv_intervals(model, spend, rfm, replicates=fits, **kwargs)
        pd.testing.assert_frame_equal(cold, warm, check_exact=True)
        assert warm.attrs == cold.attrs


FIT_SCRIPT = """
import json
import numpy as np
import pandas as pd
CDNOW_BG, CDNOW_GG = {bg!r}, {gg!r}
{simulate}
from clvlib.models.bgnbd import BGNBD
from clvlib.models.mbgnbd import MBGNBD
from clvlib.models.paretonbd import ParetoNBD
rfm = simulate_shop(40_000, seed=13)
out = {{}}
for model in (BGNBD(), MBGNBD(), ParetoNBD()):
    model.fit(rfm)
    out[type(model).__name__] = [model.params_, model.log_likelihood_, model.standard_errors_]
print(json.dumps(out))
"""


def test_fits_are_the_same_bits_on_one_or_two_blas_threads():
    """A BLAS dot splits a long vector between its threads, so its rounding — and a fit's last
    digits — followed the thread count (Pareto/NBD's estimates differed in the 8th digit
    between OPENBLAS_NUM_THREADS=1 and 2). The likelihoods add in one fixed order now."""
    script = FIT_SCRIPT.format(bg=CDNOW_BG, gg=CDNOW_GG, simulate=inspect.getsource(simulate_shop))
    results = []
    for threads in ("1", "2"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        results.append(json.loads(done.stdout))
    assert results[0] == results[1]
