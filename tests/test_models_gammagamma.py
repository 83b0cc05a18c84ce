"""Gamma-Gamma spend model against the published CDNOW estimates (Fader, Hardie & Lee 2005, "RFM
and CLV: using iso-value curves for customer base analysis", JMR 42(4); Fader & Hardie 2013,
"The Gamma-Gamma model of monetary value": p = 6.25, q = 3.74, γ = 15.44, LL = −4,055.9).

Data: the 946 CDNOW repeaters of the 39-week calibration period, mean dollar value of their
repeat purchase days, computed here from ``CDNOW_sample.txt`` with ``rfm_summary`` (set-up in
``shared/data/README.md``). The published LL is the full log-density of the observed means,
constant terms included (−Σ ln m_x and x ln x among them): the test checks our total against an
independent scipy evaluation of that density (x m_x / γ ~ beta-prime(px, q)).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clvlib.calculation import rfm_summary
from clvlib.models import base
from clvlib.models.base import check_gradient
from clvlib.models.gammagamma import GammaGamma, SpendFrequencyCorrelationWarning

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    frame = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str},
    )
    frame["order_ts"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return rfm_summary(frame, observation_end="1998-06-30", calibration_end="1997-09-30")


@pytest.fixture(scope="module")
def fitted(cdnow) -> GammaGamma:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpendFrequencyCorrelationWarning)  # r = 0.11 on CDNOW
        return GammaGamma().fit(cdnow)


def test_reproduces_published_cdnow_estimates(fitted):
    p = fitted.params_
    assert p["p"] == pytest.approx(6.25, abs=5e-3)
    assert p["q"] == pytest.approx(3.74, abs=5e-3)
    assert p["v"] == pytest.approx(15.44, abs=5e-3)
    assert fitted.log_likelihood_ == pytest.approx(-4055.9, abs=0.1)
    assert fitted.n_obs_ == 946  # repeaters
    assert fitted.n_excluded_ == 2357 - 946
    assert fitted.excluded_ == {"no_repeat_purchase": 1411.0, "non_positive_spend": 0.0}
    assert fitted.correlation_ == pytest.approx(0.11, abs=0.005)  # FHL 2005 report r = 0.11


def test_log_likelihood_is_the_full_density_of_the_mean(cdnow, fitted):
    # Independent reference: with ν ~ Gamma(q, γ) and z ~ Gamma(p, ν), x m_x / γ ~ β'(px, q).
    rep = cdnow[cdnow["frequency"] > 0]
    x, m = rep["frequency"].to_numpy(float), rep["monetary_value"].to_numpy(float)
    p, q, v = fitted.params_["p"], fitted.params_["q"], fitted.params_["v"]
    reference = np.sum(np.log(x / v) + stats.betaprime.logpdf(x * m / v, p * x, q))
    assert fitted.log_likelihood_ == pytest.approx(reference, rel=1e-10)


def test_analytic_gradient_matches_finite_differences(cdnow):
    rep = cdnow[cdnow["frequency"] > 0]
    data = rep[["frequency", "monetary_value"]].to_numpy(float)
    weights = np.ones(len(data))
    for params in ([6.0, 3.7, 15.0], [1.5, 10.0, 200.0]):
        assert check_gradient(GammaGamma()._loglik_and_grad, np.array(params), data, weights) < 1e-5


def test_weights_column_gives_the_same_fit(cdnow, fitted):
    rep = cdnow[cdnow["frequency"] > 0][["frequency", "monetary_value"]]
    doubled = rep.assign(weights=2.0)
    model = GammaGamma().fit(doubled)
    assert model.log_likelihood_ == pytest.approx(2 * fitted.log_likelihood_, rel=1e-9)
    assert model.params_["p"] == pytest.approx(fitted.params_["p"], rel=1e-5)
    assert model.n_obs_ == 2 * 946


def test_subsample_warm_start_finds_the_same_maximum(cdnow, fitted, monkeypatch):
    monkeypatch.setattr(base, "SUBSAMPLE_ROWS", 300)
    model = GammaGamma().fit(cdnow)
    for name in ("p", "q", "v"):
        assert model.params_[name] == pytest.approx(fitted.params_[name], rel=1e-5)
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, abs=1e-6)


def test_warm_start_from_initial_params(cdnow, fitted):
    # as the CLV bootstrap refits: one start, at the point estimate
    model = GammaGamma(n_starts=1, initial_params=fitted.params_).fit(cdnow)
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, abs=1e-6)


def test_summary_has_standard_errors_and_intervals(fitted):
    table = fitted.summary().set_index("parameter")
    assert (table["standard_error"] > 0).all()
    assert (table["ci_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["ci_high"]).all()
    assert fitted.aic_ == pytest.approx(2 * 3 - 2 * fitted.log_likelihood_)


def test_expected_spend_limits(fitted):
    p, q, v = fitted.params_["p"], fitted.params_["q"], fitted.params_["v"]
    population = p * v / (q - 1)
    assert fitted.expected_spend_new_customer() == pytest.approx(population)
    assert population == pytest.approx(35.17, abs=0.01)  # E(M) of the fitted model, in dollars
    rfm = pd.DataFrame(
        {"frequency": [0, 1, 5, 1e9, 3], "monetary_value": [0.0, 100.0, 100.0, 100.0, -4.0]}
    )
    spend = fitted.expected_spend(rfm)
    assert spend[0] == pytest.approx(population)  # no repeat purchase: the population mean
    assert population < spend[1] < spend[2] < 100.0  # shrinkage weakens with more purchases
    assert spend[3] == pytest.approx(100.0, rel=1e-6)  # huge frequency: the customer's own mean
    assert spend[4] == pytest.approx(p * v / (3 * p + q - 1))  # non-positive mean: m_x → 0
    # the conditional mean is a weighted average of the population mean and m_x (FHL 2005 eq. 5)
    w = 5 * p / (5 * p + q - 1)
    assert spend[2] == pytest.approx(w * 100.0 + (1 - w) * population)


def test_excludes_non_positive_spend_and_warns_on_correlation():
    rng = np.random.default_rng(3)
    sim = simulate(4.0, 5.0, 60.0, 500, rng)
    sim["monetary_value"] *= sim["frequency"] / 4.0  # frequent buyers spend more
    rfm = pd.concat(
        [sim, pd.DataFrame({"frequency": [0.0, 2.0], "monetary_value": [0.0, -5.0]})],
        ignore_index=True,
    )
    with pytest.warns(SpendFrequencyCorrelationWarning, match="correlated"):
        model = GammaGamma().fit(rfm)
    assert model.correlation_ > 0.3
    assert model.excluded_ == {"no_repeat_purchase": 1.0, "non_positive_spend": 1.0}
    assert model.n_obs_ == 500
    with pytest.raises(ValueError, match="no customer"):
        GammaGamma().fit(rfm.assign(frequency=0))


def simulate(p, q, v, n, rng):
    """Customers with 1 + Poisson(3) repeat purchases, ν ~ Gamma(q, rate v), each transaction
    z ~ Gamma(p, rate ν); returns the mean spend per customer."""
    x = 1 + rng.poisson(3.0, n)
    nu = rng.gamma(q, 1.0 / v, n)
    total = rng.gamma(p * x, 1.0 / nu)  # sum of x Gamma(p, ν) draws
    return pd.DataFrame({"frequency": x.astype(float), "monetary_value": total / x})


def test_recovers_known_parameters_within_their_intervals():
    truth = {"p": 4.0, "q": 5.0, "v": 60.0}
    sim = simulate(*truth.values(), n=5_000, rng=np.random.default_rng(11))
    model = GammaGamma().fit(sim)
    for name, value in truth.items():
        se = model.standard_errors_[name]
        assert abs(model.params_[name] - value) < 3.5 * se, (name, model.params_[name], se)
