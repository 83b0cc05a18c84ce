"""Simulate the two covariate data sets that CLVTools is fitted on (numpy only, seeded).

Writes, into ``tests/data/clvtools/``:

- ``sim_pnbd_transactions.csv`` / ``sim_bgnbd_transactions.csv``: one row per customer and
  purchase day (``Id``, ``Date`` as ISO dates); same-day purchases are one row, as CLVTools
  counts them once.
- ``sim_pnbd_customers.csv`` / ``sim_bgnbd_customers.csv``: ``Id``, ``channel``
  (``ads`` = reference level, ``organic``, ``referral``) and ``loyalty`` (0/1).
- ``sim_pnbd_truth.json`` / ``sim_bgnbd_truth.json``: the true parameters and the design.

Time is in weeks (7 days). Customers make their first purchase on a day drawn uniformly
from the first ``FIRST_PURCHASE_DAYS`` days after ``START``; the calibration period is
``CALIBRATION_WEEKS`` weeks from ``START`` and a holdout of ``HOLDOUT_WEEKS`` follows.

Parametrisation (CLVTools'), x_i = (channel.organic, channel.referral, loyalty):

- Pareto/NBD: lambda_i ~ Gamma(shape r, rate alpha_i), alpha_i = alpha * exp(-gamma_trans' x_i);
  mu_i ~ Gamma(shape s, rate beta_i), beta_i = beta * exp(-gamma_life' x_i). A positive
  trans coefficient means more purchases, a positive life coefficient an earlier drop-out.
- BG/NBD: lambda_i as above; p_i ~ Beta(a_i, b_i), a_i = a * exp(gamma_life' x_i),
  b_i = b * exp(gamma_life' x_i) (so the life coefficients change how concentrated p_i is
  around a / (a + b), not its mean). A customer may drop out after each repeat purchase.

Run: ``python references/clvtools/simulate.py`` (from the repository root).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "clvtools"
START = dt.date(2021, 1, 4)
FIRST_PURCHASE_DAYS = 56
CALIBRATION_WEEKS = 78
HOLDOUT_WEEKS = 26
N_CUSTOMERS = 3000
CHANNELS = ("ads", "organic", "referral")
CHANNEL_SHARES = (0.40, 0.35, 0.25)
LOYALTY_SHARE = 0.30
COVARIATE_NAMES = ("channel.organic", "channel.referral", "loyalty")

PNBD_TRUTH = {
    "model": "pnbd",
    "seed": 18001,
    "r": 0.8,
    "alpha": 8.0,
    "s": 0.6,
    "beta": 12.0,
    "trans": {"channel.organic": 0.5, "channel.referral": -0.5, "loyalty": 0.4},
    "life": {"channel.organic": -0.7, "channel.referral": 0.7, "loyalty": -0.5},
}
BGNBD_TRUTH = {
    "model": "bgnbd",
    "seed": 18002,
    "r": 0.8,
    "alpha": 8.0,
    "a": 0.6,
    "b": 2.5,
    "trans": {"channel.organic": 0.5, "channel.referral": -0.5, "loyalty": 0.4},
    "life": {"channel.organic": -0.7, "channel.referral": 0.7, "loyalty": -0.5},
}


def draw_customers(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel index (0 = ads), loyalty (0/1) and the design matrix x (n x 3) per customer."""
    channel = rng.choice(len(CHANNELS), size=N_CUSTOMERS, p=CHANNEL_SHARES)
    loyalty = (rng.random(N_CUSTOMERS) < LOYALTY_SHARE).astype(int)
    x = np.column_stack([channel == 1, channel == 2, loyalty]).astype(float)
    return channel, loyalty, x


def coefficients(truth: dict, process: str) -> np.ndarray:
    """The true coefficient vector of one process in the order of COVARIATE_NAMES."""
    return np.array([truth[process][name] for name in COVARIATE_NAMES])


def purchase_weeks_pnbd(rng, lam: float, mu: float, first: float, end: float) -> list[float]:
    """Purchase times in weeks since START of one Pareto/NBD customer, first purchase included."""
    death = first + rng.exponential(1.0 / mu)
    times, t = [first], first
    while True:
        t += rng.exponential(1.0 / lam)
        if t > min(death, end):
            return times
        times.append(t)


def purchase_weeks_bgnbd(rng, lam: float, p: float, first: float, end: float) -> list[float]:
    """Purchase times in weeks since START of one BG/NBD customer (drop-out after repeats only)."""
    times, t = [first], first
    while True:
        t += rng.exponential(1.0 / lam)
        if t > end:
            return times
        times.append(t)
        if rng.random() < p:
            return times


def simulate(truth: dict) -> None:
    """Draw one data set from `truth` and write its transactions, customers and truth files."""
    rng = np.random.default_rng(truth["seed"])
    channel, loyalty, x = draw_customers(rng)
    alpha_i = truth["alpha"] * np.exp(-x @ coefficients(truth, "trans"))
    lam = rng.gamma(truth["r"], 1.0 / alpha_i)
    first_day = rng.integers(0, FIRST_PURCHASE_DAYS, size=N_CUSTOMERS)
    end = CALIBRATION_WEEKS + HOLDOUT_WEEKS
    if truth["model"] == "pnbd":
        beta_i = truth["beta"] * np.exp(-x @ coefficients(truth, "life"))
        drop = rng.gamma(truth["s"], 1.0 / beta_i)
        draw = purchase_weeks_pnbd
    else:
        scale = np.exp(x @ coefficients(truth, "life"))
        drop = rng.beta(truth["a"] * scale, truth["b"] * scale)
        draw = purchase_weeks_bgnbd
    rows = []
    for i in range(N_CUSTOMERS):
        weeks = draw(rng, lam[i], drop[i], first_day[i] / 7.0, end)
        days = sorted({int(np.floor(w * 7.0 + 1e-9)) for w in weeks})  # one row per purchase day
        rows.extend((i + 1, START + dt.timedelta(days=d)) for d in days if d < end * 7)
    name = f"sim_{truth['model']}"
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f"{name}_transactions.csv", "w") as f:
        f.write("Id,Date\n")
        f.writelines(f"{i},{d.isoformat()}\n" for i, d in rows)
    with open(OUT / f"{name}_customers.csv", "w") as f:
        f.write("Id,channel,loyalty\n")
        pairs = enumerate(zip(channel, loyalty, strict=True))
        f.writelines(f"{i + 1},{CHANNELS[c]},{g}\n" for i, (c, g) in pairs)
    design = {
        "n_customers": N_CUSTOMERS,
        "start": START.isoformat(),
        "first_purchase_days": FIRST_PURCHASE_DAYS,
        "calibration_weeks": CALIBRATION_WEEKS,
        "holdout_weeks": HOLDOUT_WEEKS,
        "estimation_split": (START + dt.timedelta(weeks=CALIBRATION_WEEKS, days=-1)).isoformat(),
        "channels": list(CHANNELS),
        "channel_shares": list(CHANNEL_SHARES),
        "loyalty_share": LOYALTY_SHARE,
        "n_transactions": len(rows),
    }
    with open(OUT / f"{name}_truth.json", "w") as f:
        json.dump({"truth": truth, "design": design}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    simulate(PNBD_TRUTH)
    simulate(BGNBD_TRUTH)
