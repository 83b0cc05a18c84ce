"""P(X(t) = x) of the transaction models, against two independent references: the
probabilities sum to one, and their mean equals each model's closed-form E[X(t)] (BG/NBD eq. 9
of Fader, Hardie & Lee 2005; MBG/NBD of Batislam et al. 2007; Pareto/NBD eq. 17 of Schmittlein
et al. 1987). The parameters are the published CDNOW estimates (weeks)."""

from __future__ import annotations

import numpy as np
import pytest

from clvlib.models import BGNBD, MBGNBD, ParetoNBD

MODELS = [
    (BGNBD, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
    (MBGNBD, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}),
    (ParetoNBD, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}),
]


def with_params(cls, params):
    model = cls()
    model.params_ = dict(params)
    return model


@pytest.mark.parametrize(("cls", "params"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("t", [1.0, 39.0, 78.0])
def test_distribution_sums_to_one_with_the_closed_form_mean(cls, params, t):
    model = with_params(cls, params)
    x = np.arange(400)
    probs = model.probability_of_purchases(x, t)
    assert (probs >= 0).all()
    assert probs.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.dot(x, probs) == pytest.approx(model.expected_purchases_new_customer(t), rel=1e-8)


def test_bgnbd_count_distribution_matches_simulation():
    """Monte Carlo of the BG/NBD story itself: λ ~ Gamma, p ~ Beta, drop-out after purchases."""
    model = with_params(*MODELS[0])
    rng = np.random.default_rng(7)
    n, t = 200_000, 39.0
    lam = rng.gamma(0.243, 1 / 4.414, n)
    p = rng.beta(0.793, 2.426, n)
    purchases_before_dropout = rng.geometric(p)  # the purchase after which the customer leaves
    counts = np.minimum(rng.poisson(lam * t), purchases_before_dropout)
    observed = np.bincount(counts, minlength=4)[:4] / n
    expected = model.probability_of_purchases(np.arange(4), t)
    assert (np.abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / n)).all()
