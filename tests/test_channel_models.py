"""Per-channel value of a new customer from one BG/NBD with the channel (and loyalty) as
covariates (``clvlib.channel_models``), on customers simulated here from CLVTools' BG/NBD
covariate form with known truth: α_i = α·exp(−γ_trans x_i), a_i = a·exp(γ_life x_i),
b_i = b·exp(γ_life x_i). The reference value is FHL (2005) eq. 9 for E[X(t)] evaluated at each
channel's true parameters, written here with scipy's hyp2f1 (not clvlib's)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from clvlib.channel_models import LR_LEVEL, OTHER, channel_ceilings, covariate_frame
from clvlib.models.bgnbd import BGNBD

R, ALPHA, A, B = 0.8, 6.0, 0.7, 3.0
CHANNELS = ["ads", "organic", "referral"]
SPEND = 50.0  # fixed spend per repeat purchase (currency)
VALUE_KWARGS = dict(horizon_months=24, annual_discount_rate=0.0, margin=1.0)
WEEKS_PER_MONTH = 30.4375 / 7


def simulate(n: int, seed: int, trans: dict, life: dict) -> tuple[pd.DataFrame, pd.Series]:
    """x, t_x, T per customer (weeks) and each customer's channel."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(CHANNELS, n)
    g_trans = np.array([trans[c] for c in channel])
    g_life = np.array([life[c] for c in channel])
    lam = rng.gamma(R, 1.0 / (ALPHA * np.exp(-g_trans)))
    p = rng.beta(A * np.exp(g_life), B * np.exp(g_life))
    T = rng.uniform(10.0, 104.0, n)
    x = np.zeros(n)
    tx = np.zeros(n)
    for i in range(n):  # purchases of a Poisson process; after each, gone with probability p
        t = 0.0
        while True:
            t += rng.exponential(1.0 / lam[i])
            if t > T[i]:
                break
            x[i], tx[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
    ids = pd.Index([f"c{i}" for i in range(n)], name="customer_id")
    rfm = pd.DataFrame({"frequency": x, "recency": tx, "T": T}, index=ids)
    return rfm, pd.Series(channel, index=ids)


def true_value(trans: float, life: float, first: float) -> float:
    """first + SPEND × E[X(H months)] (no discount) at the channel's true parameters."""
    alpha, a, b = ALPHA * np.exp(-trans), A * np.exp(life), B * np.exp(life)
    t = VALUE_KWARGS["horizon_months"] * WEEKS_PER_MONTH
    ex = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** R * hyp2f1(R, b, a + b - 1, t / (alpha + t)))
    )
    return first + SPEND * ex


def ceilings(rfm, channels):
    first = pd.Series(30.0, index=rfm.index)
    pooled = BGNBD().fit(rfm)
    return channel_ceilings(rfm, channels, first, "BG/NBD", pooled, SPEND, **VALUE_KWARGS)


def test_channels_that_differ_get_the_covariate_model_and_their_true_values():
    trans = {"ads": 0.0, "organic": 0.6, "referral": -0.5}
    life = {"ads": 0.0, "organic": -0.6, "referral": 0.8}
    rfm, channels = simulate(6000, 1, trans, life)
    table, record = ceilings(rfm, channels)
    assert record["used"] and record["p_value"] < LR_LEVEL and record["columns"] == ["channel"]
    assert set(table["basis"]) == {"covariate_model"}
    by = table.set_index("segment")
    truth = {c: true_value(trans[c], life[c], 30.0) for c in CHANNELS}
    for c in CHANNELS:
        low, high = by.loc[c, "ceiling_low"], by.loc[c, "ceiling_high"]
        assert low <= truth[c] <= high, (c, low, truth[c], high)
    assert list(by["ceiling"].sort_values().index) == sorted(truth, key=truth.get)


def test_channels_alike_get_the_pooled_model_and_differ_only_by_first_order():
    """No effect in truth: the LR test rejects in about 5 % of worlds; in the others every
    channel's repeat value is the pooled model's, so values minus first orders are equal."""
    same = dict.fromkeys(CHANNELS, 0.0)
    rejected = 0
    for seed in range(4):
        rfm, channels = simulate(3000, 100 + seed, same, same)
        table, record = ceilings(rfm, channels)
        rejected += record["used"]
        if not record["used"]:
            assert set(table["basis"]) == {"pooled_model"}
            repeat = table["ceiling"] - table["first_order_value"]
            assert np.allclose(repeat, repeat.iloc[0], rtol=1e-9)
    assert rejected <= 1


def test_small_channels_join_other_and_constant_loyalty_is_dropped():
    rfm, channels = simulate(800, 7, dict.fromkeys(CHANNELS, 0.0), dict.fromkeys(CHANNELS, 0.0))
    channels = channels.copy()
    channels.iloc[:10] = "fair"  # 10 customers: below MIN_LEVEL_CUSTOMERS
    members = pd.Series(1.0, index=rfm.index)
    frame, columns = covariate_frame(rfm, channels, members)
    assert OTHER in set(frame["channel"]) and "fair" not in set(frame["channel"])
    assert columns == ["channel"]  # everybody a member: loyalty does not vary


@pytest.mark.parametrize("name", ["MBG/NBD"])
def test_a_model_without_covariates_says_so(name):
    rfm, channels = simulate(500, 3, dict.fromkeys(CHANNELS, 0.0), dict.fromkeys(CHANNELS, 0.0))
    first = pd.Series(30.0, index=rfm.index)
    table, record = channel_ceilings(
        rfm, channels, first, name, BGNBD().fit(rfm), SPEND, **VALUE_KWARGS
    )
    assert record["reason"] == "model_without_covariates" and not record["used"]
    assert table["ceiling"].notna().all()
