"""A synthetic Polish online shop drawn from known models, for demos and parameter-recovery tests.

``write_demo(out)`` writes the five canonical tables of "Zielony Zakątek", a home & garden web
shop, as Polish exports (``;`` separator, decimal comma, cp1250, ``dd.mm.yyyy HH:MM``), plus a
commented ``client.yml``, ``ground_truth.json`` (every parameter the data were drawn from and the
dirty rows injected, by loader exclusion reason) and ``ground_truth_customers.csv`` (each
customer's latent purchase rate, dropout probability and spend parameter).

The process, in weeks (time unit) and PLN (currency):

- Customers register uniformly over 2023-01-01 … 2025-12-31 and buy for the first time at
  registration.
- Repeat purchases follow BG/NBD (Fader, Hardie & Lee 2005): λ ~ Gamma(r, rate α) per week,
  p ~ Beta(a, b); while active, purchases arrive as a Poisson process with rate λ; after each
  repeat purchase the customer drops out with probability p. Customers of one sales rep
  (``sales_reps.worse_rep``) have p ~ Beta(a, b_worse) instead: a higher dropout.
- Order values follow Gamma-Gamma: ν ~ Gamma(q, rate γ) per customer, z ~ Gamma(p, rate ν) per
  order (mean p/ν); loyalty members' order values are multiplied by ``1 + spend_lift``.
- Each order becomes 1–4 lines (distinct categories) whose unit price × quantity sums to the order
  value rounded to 0.01 PLN; about 3 % of orders get a return line (negative quantity, same order
  number, dated 3–21 days later).
- Marketing spend of each paid channel varies from month to month (a planned budget times a
  seasonal curve and lognormal noise); the channel's new customers that month are drawn in
  proportion to spend^b with a known elasticity b < 1 (diminishing returns), scaled so that the
  planned CAC holds on average. Organic channels bring customers uniformly over the window.
- Messages (last 13 weeks) carry a fatigue curve; sessions (last 13 weeks) follow known step
  conversion rates by traffic source.

Everything is vectorised numpy from one ``Generator(PCG64(seed))``: the same seed gives
byte-identical files.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.random import PCG64, Generator

GENERATOR_VERSION = 2
CLIENT_NAME = "Zielony Zakątek (demo)"

# -- the observation window -------------------------------------------------------------------
START = np.datetime64("2023-01-01")  # first day of the window
OBSERVATION_END = np.datetime64("2025-12-31")  # last day of the window (inclusive)
N_DAYS = int((OBSERVATION_END - START).astype(int)) + 1  # 1096 days
MIN_PER_DAY = 1440
MIN_PER_WEEK = 7 * MIN_PER_DAY
END_MIN = N_DAYS * MIN_PER_DAY  # 2026-01-01 00:00, in minutes since START
RECENT_DAYS = 91  # messages and sessions cover the last 13 weeks
RECENT_START_DAY = N_DAYS - RECENT_DAYS

# -- purchase and spend models ----------------------------------------------------------------
BGNBD = {"r": 0.8, "alpha": 12.0, "a": 0.9, "b": 3.0}  # alpha: rate per week
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 100.0}  # order value in PLN: mean p*gamma/(q-1) = 200
SALES_REPS = ["Anna Kowalska", "Piotr Nowak", "Katarzyna Wiśniewska", "Tomasz Wójcik",
              "Magdalena Kamińska"]  # fmt: skip
WORSE_REP = "Tomasz Wójcik"
B_WORSE = 1.6  # Beta(a, b_worse) dropout for the worse rep's customers
LOYALTY_SHARE = 0.30
LOYALTY_SPEND_LIFT = 0.25  # members' order values x 1.25
LOYALTY_JOIN_MAX_DAYS = 180  # members join 0..180 days after registration (within the window)

# name: (share of new customers, CAC in PLN, ad click-through rate, click -> new customer rate)
CHANNELS: dict[str, tuple[float, float, float | None, float | None]] = {
    "Google Ads": (0.30, 95.00, 0.035, 0.030),
    "Facebook": (0.18, 160.00, 0.012, 0.015),
    "Instagram": (0.10, 450.00, 0.008, 0.008),
    "Allegro": (0.12, 45.00, 0.020, 0.025),
    "Newsletter / organiczne": (0.20, 0.00, None, None),
    "Polecenia": (0.10, 0.00, None, None),
}
ALLEGRO = list(CHANNELS).index("Allegro")
# paid channels: new customers in a month ∝ spend^b (b = 1 constant returns, b < 1 diminishing)
SPEND_ELASTICITY = {"Google Ads": 0.85, "Facebook": 0.70, "Instagram": 0.50, "Allegro": 0.90}
BUDGET_SIGMA = 0.30  # month-to-month lognormal noise of a paid channel's budget
BUDGET_SEASON = 0.25  # amplitude of the seasonal budget curve (home & garden: peak in May)
MONTHS = 36

# voivodeship: weight (population, millions)
REGIONS = {
    "mazowieckie": 5.5, "śląskie": 4.4, "wielkopolskie": 3.5, "małopolskie": 3.4,
    "dolnośląskie": 2.9, "łódzkie": 2.4, "pomorskie": 2.3, "podkarpackie": 2.1,
    "lubelskie": 2.0, "kujawsko-pomorskie": 2.0, "zachodniopomorskie": 1.6,
    "warmińsko-mazurskie": 1.4, "świętokrzyskie": 1.2, "podlaskie": 1.2, "lubuskie": 1.0,
    "opolskie": 0.95,
}  # fmt: skip

# category: (product-code prefix, popularity)
CATEGORIES = {
    "Meble ogrodowe": ("MOG", 0.08), "Narzędzia ogrodowe": ("NAR", 0.12),
    "Oświetlenie": ("OSW", 0.10), "Dekoracje": ("DEK", 0.12),
    "Kuchnia i jadalnia": ("KUC", 0.14), "Tekstylia domowe": ("TEK", 0.10),
    "Rośliny i nasiona": ("ROS", 0.12), "Łazienka": ("LAZ", 0.07),
    "Grille i akcesoria": ("GRL", 0.06), "Środki czystości": ("CZY", 0.09),
}  # fmt: skip
PRODUCTS_PER_CATEGORY = 40
PRICE_MIN, PRICE_MAX = 4.99, 2999.0  # list prices, PLN, log-spaced within each category
LINES_P = (0.40, 0.30, 0.20, 0.10)  # 1, 2, 3, 4 lines per order (fewer for small orders)
QTY_P = (0.80, 0.13, 0.05, 0.02)  # quantity 1..4 of a line
MIN_LINE_CENTS = 500  # an order has at most value/5 PLN lines
RETURN_P = 0.03
SALES_CHANNELS = ["sklep internetowy", "aplikacja mobilna", "Allegro"]
SALES_CHANNEL_P = (0.75, 0.15, 0.10)
SALES_CHANNEL_P_ALLEGRO = (0.40, 0.10, 0.50)  # repeat orders of customers acquired on Allegro

# hour-of-day weights of orders and visits (evening peak)
HOUR_W = np.array([0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 3.0, 3.6, 4.0, 4.4, 4.4, 4.0,
                   3.8, 3.8, 4.0, 4.6, 5.4, 6.0, 5.6, 4.0, 2.0])  # fmt: skip
HOUR_P = HOUR_W / HOUR_W.sum()

# -- messages -----------------------------------------------------------------------------------
MESSAGE_CONSENT = 0.65  # share of customers with marketing consent (only they get messages)
CADENCE_TIERS = np.array([0.5, 1.0, 2.0, 3.0, 5.0])  # planned messages per week
CADENCE_P = (0.30, 0.35, 0.20, 0.10, 0.05)
# channel: share of messages, open rate, click probability (given open; per sent for sms)
MESSAGE_CHANNELS = {
    "email": {"share": 0.70, "open_rate": 0.24, "click_given_open": 0.14},
    "sms": {"share": 0.12, "open_rate": None, "click_rate": 0.05},
    "push": {"share": 0.18, "open_rate": 0.09, "click_given_open": 0.30},
}
FATIGUE_CLICK_K = 0.22  # click probability x exp(-k (m - 1)), m = cadence per week
UNSUB_U0 = 0.0015  # unsubscribe probability per message at 1 message/week
UNSUB_K = 0.45  # ... x exp(k (m - 1))
ATTRIBUTION_DAYS = 7

# -- sessions -----------------------------------------------------------------------------------
FUNNEL_STEPS = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]
VISITS_PER_CUSTOMER = 6  # visits in the 13-week window per customer of the base
# source: (share of visits, (product_view|visit, add_to_cart|product_view,
#                             checkout|add_to_cart, purchase|checkout))
SESSION_SOURCES = {
    "Google Ads": (0.28, (0.62, 0.14, 0.52, 0.68)),
    "Organiczne": (0.24, (0.58, 0.12, 0.50, 0.66)),
    "Facebook": (0.14, (0.45, 0.08, 0.42, 0.60)),
    "Instagram": (0.09, (0.40, 0.07, 0.38, 0.55)),
    "E-mail": (0.08, (0.70, 0.18, 0.58, 0.72)),
    "Polecenia": (0.05, (0.66, 0.17, 0.56, 0.72)),
    "Bezpośrednie": (0.12, (0.68, 0.16, 0.60, 0.74)),
}
LOGGED_IN_P = 0.30  # sessions that stop before checkout carry a customer id with this probability
STEP_GAP_SECONDS = (40, 150, 120, 180)  # mean seconds between consecutive steps

# -- dirty rows (one defect each; keys are the loader's exclusion reasons) ------------------------
DIRTY_KINDS = ["missing_customer_id", "unparseable_date", "non_numeric_amount", "duplicate_row",
               "outside_window"]  # fmt: skip
IMPOSSIBLE_TEMPLATES = (0, 4)  # of the unparseable dates: '32.mm.yyyy' and '31.02.yyyy'


# ================================================================================================
# formatting: pyarrow kernels on cp1250-encoded lookup tables (fast, deterministic, no Python
# loops, no re-encoding of the whole file)
# ================================================================================================
ENCODING = "cp1250"
_DAYS = pd.DatetimeIndex(np.arange(START, START + N_DAYS + 62))  # the window and 2 months after
DAY_YEAR = _DAYS.year.to_numpy()
DAY_MONTH = _DAYS.month.to_numpy()
DAY_DOM = _DAYS.day.to_numpy()


def _labels(values: list[str]) -> pa.Array:
    """Python strings → a binary array of their cp1250 bytes."""
    return pa.array([v.encode(ENCODING) for v in values], pa.binary())


DAY_STR = _labels(list(_DAYS.strftime("%d.%m.%Y")))
HM_STR = _labels([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)])
TWO_DIGITS = _labels([f"{c:02d}" for c in range(100)])
EMPTY = pa.scalar(b"", pa.binary())


def _join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation of byte-string arrays (and str scalars) with ``sep`` between."""
    parts = [p.encode(ENCODING) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*parts, sep.encode(ENCODING))


def _take(labels: list[str] | pa.Array, index: np.ndarray) -> pa.Array:
    """``labels[index]`` as a byte-string array."""
    if not isinstance(labels, pa.Array):
        labels = _labels(labels)
    return labels.take(pa.array(np.asarray(index, dtype=np.int64)))


def _fmt_text(values: pa.Array) -> pa.Array:
    """Numbers or booleans → their shortest text (ASCII), as bytes."""
    return values.cast(pa.string()).cast(pa.binary())


def _fmt_int(values: np.ndarray) -> pa.Array:
    return _fmt_text(pa.array(np.asarray(values, dtype=np.int64)))


def _fmt_padded(values: np.ndarray, width: int) -> pa.Array:
    text = pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width, "0").cast(pa.binary())


def _fmt_minutes(minutes: np.ndarray) -> pa.Array:
    """Minutes since START → ``dd.mm.yyyy HH:MM``."""
    minutes = np.asarray(minutes, dtype=np.int64)
    return _join(
        _take(DAY_STR, minutes // MIN_PER_DAY), _take(HM_STR, minutes % MIN_PER_DAY), sep=" "
    )


def _fmt_seconds(seconds: np.ndarray) -> pa.Array:
    """Seconds since START → ``dd.mm.yyyy HH:MM:SS``."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return _join(_fmt_minutes(seconds // 60), _take(TWO_DIGITS, seconds % 60), sep=":")


def _fmt_cents(cents: np.ndarray) -> pa.Array:
    """Non-negative amounts in grosze → ``1234,56`` (decimal comma, no thousands separator)."""
    cents = np.asarray(cents, dtype=np.int64)
    return _join(_fmt_int(cents // 100), _take(TWO_DIGITS, cents % 100), sep=",")


def _optional(mask: np.ndarray, text: pa.Array) -> pa.Array:
    """``text`` where ``mask``, else the empty string (an empty CSV field)."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), text, EMPTY)


def _to_python(values: pa.Array) -> list[str]:
    return [v.decode(ENCODING) for v in values.to_pylist()]


def _csv_bytes(table: dict[str, pa.Array], *, sep: str = ";", newline: str = "\r\n") -> bytes:
    """A delimited file, by default ``;`` with CRLF line ends (as Windows exports write them).

    The columns are cp1250 bytes already; values never contain the separator, quotes or line
    breaks, so no quoting is needed.
    """
    lines = _join(_join(*table.values(), sep=sep), EMPTY, sep=newline)
    if lines.null_count:
        raise AssertionError("a demo column has missing values")  # pragma: no cover
    lines = lines.cast(pa.large_binary())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    offsets = offsets[lines.offset : lines.offset + len(lines) + 1]
    body = lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]] if len(lines) else b""
    return (sep.join(table) + newline).encode(ENCODING) + body


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tod_minutes(rng: Generator, n: int) -> np.ndarray:
    """Minute of the day with the shop's hourly pattern."""
    return rng.choice(24, n, p=HOUR_P) * 60 + rng.integers(0, 60, n)


def _group_starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def _customer_ids(n: int) -> pa.Array:
    return _fmt_int(10001 + np.arange(n))


# ================================================================================================
# the draws
# ================================================================================================
def _draw_customers(rng: Generator, n: int) -> dict[str, np.ndarray]:
    """Registration, channel, rep, loyalty, region and the latent BG/NBD and Gamma-Gamma draws."""
    budget = _monthly_budget(rng)
    channel, acq_day = _draw_acquisition(rng, n, budget)
    acq_min = acq_day * MIN_PER_DAY + _tod_minutes(rng, n)
    order = np.argsort(acq_min, kind="stable")  # customer ids follow registration
    acq_min, channel = acq_min[order], channel[order]
    acq_day = acq_min // MIN_PER_DAY
    rep = rng.integers(0, len(SALES_REPS), n)
    member = rng.random(n) < LOYALTY_SHARE
    joined_day = np.minimum(acq_day + rng.integers(0, LOYALTY_JOIN_MAX_DAYS + 1, n), N_DAYS - 1)
    weights = np.array(list(REGIONS.values()))
    region = rng.choice(len(REGIONS), n, p=weights / weights.sum())
    lam = rng.gamma(BGNBD["r"], 1.0 / BGNBD["alpha"], n)
    b = np.where(rep == SALES_REPS.index(WORSE_REP), B_WORSE, BGNBD["b"])
    dropout = rng.beta(BGNBD["a"], b)
    nu = rng.gamma(GAMMA_GAMMA["q"], 1.0 / GAMMA_GAMMA["gamma"], n)
    return {
        "acq_min": acq_min, "acq_day": acq_day, "channel": channel, "rep": rep,
        "member": member, "joined_day": joined_day, "region": region, "lam": lam,
        "dropout": dropout, "nu": nu, "budget": budget,
    }  # fmt: skip


def _month_bounds() -> tuple[np.ndarray, np.ndarray]:
    """First day (index into the window) of each of the 36 months, and each month's length."""
    month_of_day = (DAY_YEAR[:N_DAYS] - DAY_YEAR[0]) * 12 + DAY_MONTH[:N_DAYS] - 1
    first = np.searchsorted(month_of_day, np.arange(MONTHS))
    return first, np.diff(np.append(first, N_DAYS))


def _monthly_budget(rng: Generator) -> np.ndarray:
    """Budget multipliers (channel × month, mean 1 per paid channel; 0 for organic channels)."""
    month = np.arange(MONTHS)
    season = 1 + BUDGET_SEASON * np.cos(2 * np.pi * (month % 12 - 4) / 12)  # peak in May
    noise = rng.lognormal(0.0, BUDGET_SIGMA, (len(CHANNELS), MONTHS))
    budget = season * noise
    budget /= budget.mean(axis=1, keepdims=True)
    paid = np.array([c[2] is not None for c in CHANNELS.values()])
    return np.where(paid[:, None], budget, 0.0)


def _acquisition_weights(budget: np.ndarray) -> np.ndarray:
    """P(channel, month) of a new customer: share × spend^b / Σ_months spend^b for paid
    channels, share × days in month / days in window for organic ones."""
    _, days = _month_bounds()
    shares = np.array([c[0] for c in CHANNELS.values()])
    weights = np.empty_like(budget)
    for i, name in enumerate(CHANNELS):
        b = SPEND_ELASTICITY.get(name)
        w = budget[i] ** b if b is not None else days.astype(float)
        weights[i] = shares[i] / shares.sum() * w / w.sum()
    return weights


def _draw_acquisition(rng: Generator, n: int, budget: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each customer's acquisition channel and registration day (uniform within the month)."""
    first, days = _month_bounds()
    weights = _acquisition_weights(budget)
    cell = rng.choice(weights.size, n, p=weights.ravel())
    channel, month = np.divmod(cell, MONTHS)
    day = first[month] + np.floor(rng.random(n) * days[month]).astype(np.int64)
    return channel, day


def _draw_purchases(rng: Generator, cust: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """BG/NBD repeat purchases: the first min(N, J) arrivals of a Poisson process on [0, T].

    N ~ Poisson(λT) arrivals while alive (T weeks from registration to the end of the window),
    J ~ Geometric(p) the repeat purchase after which the customer drops out. Given N, arrival
    times are sorted uniforms on [0, T]; their X = min(N, J) smallest are T·S_k/(S_X + R) with S_k
    cumulative Exp(1) sums and R ~ Gamma(N − X + 1) (uniform order statistics from exponential
    spacings), so only X draws per customer are needed.
    """
    n = len(cust["acq_min"])
    t_weeks = (END_MIN - cust["acq_min"]) / MIN_PER_WEEK
    n_alive = rng.poisson(cust["lam"] * t_weeks)
    j = rng.geometric(cust["dropout"])
    x = np.minimum(n_alive, j)
    idx = np.repeat(np.arange(n), x)
    cs = np.concatenate([[0.0], np.cumsum(rng.exponential(1.0, int(x.sum())))])
    starts = _group_starts(x)
    s_k = cs[1:] - cs[starts[idx]]
    s_x = cs[starts + x] - cs[starts]
    rest = rng.gamma(n_alive - x + 1.0)
    t = t_weeks[idx] * s_k / (s_x[idx] + rest[idx])
    instant = cust["acq_min"][idx] + t * MIN_PER_WEEK
    day = np.floor(instant / MIN_PER_DAY).astype(np.int64)
    tod = _tod_minutes(rng, len(idx))
    same_day = day == cust["acq_day"][idx]  # keep the exact time: after the first purchase
    minute = np.where(same_day, np.floor(instant).astype(np.int64), day * MIN_PER_DAY + tod)
    return {"customer": idx, "minute": minute, "n_alive": n_alive, "j": j, "x": x}


def _build_orders(rng: Generator, cust, purchases) -> dict:
    """All orders (first and repeat) in time order, with value, sales channel and coupon."""
    n = len(cust["acq_min"])
    customer = np.concatenate([np.arange(n), purchases["customer"]])
    minute = np.concatenate([cust["acq_min"], purchases["minute"]])
    first = np.concatenate([np.ones(n, bool), np.zeros(len(purchases["customer"]), bool)])
    order = np.lexsort((customer, minute))
    customer, minute, first = customer[order], minute[order], first[order]
    n_orders = len(customer)
    day = minute // MIN_PER_DAY
    year = DAY_YEAR[day]
    seq = np.arange(n_orders) - np.searchsorted(year, year, side="left") + 1
    order_id = _join("ZAM", _fmt_int(year), _fmt_padded(seq, 6), sep="/")

    z = rng.gamma(GAMMA_GAMMA["p"], 1.0 / cust["nu"][customer])
    z = z * np.where(cust["member"][customer], 1.0 + LOYALTY_SPEND_LIFT, 1.0)
    value_cents = np.maximum(1, np.rint(z * 100.0)).astype(np.int64)

    from_allegro = cust["channel"][customer] == ALLEGRO
    sales = np.where(
        from_allegro & ~first,
        rng.choice(3, n_orders, p=SALES_CHANNEL_P_ALLEGRO),
        rng.choice(3, n_orders, p=SALES_CHANNEL_P),
    )
    sales[from_allegro & first] = SALES_CHANNELS.index("Allegro")

    u = rng.random(n_orders)
    black_friday = (DAY_MONTH[day] == 11) & (DAY_DOM[day] >= 24)
    club = cust["member"][customer] & (day >= cust["joined_day"][customer])
    coupon = np.select(
        [first & (u < 0.25), black_friday & (u < 0.35), club & (u < 0.12), u < 0.03],
        [1, 2, 3, 4],
        default=0,
    )
    return {
        "customer": customer, "minute": minute, "first": first, "order_id": order_id,
        "value_cents": value_cents, "sales": sales, "coupon": coupon,
    }  # fmt: skip


COUPONS = ["", "WITAJ10", "BLACKFRIDAY", "KLUB15", "NEWSLETTER5"]


def _build_lines(rng: Generator, orders) -> dict[str, np.ndarray]:
    """Split each order value into lines whose unit price x quantity sum to it exactly (grosze).

    Lines are in distinct categories (so no two lines of an order are identical); the first line
    drawn has quantity 1 and absorbs the rounding. The product is the one in its category whose
    list price is nearest the unit price.
    """
    value = orders["value_cents"]
    n_orders = len(value)
    k = rng.choice(np.arange(1, 5), n_orders, p=LINES_P)
    k = np.minimum(k, np.maximum(1, value // MIN_LINE_CENTS))
    o = np.repeat(np.arange(n_orders), k)
    pos = np.arange(len(o)) - _group_starts(k)[o]
    w = rng.gamma(2.5, 1.0, len(o))
    share = w / np.bincount(o, w, minlength=n_orders)[o]
    qty = rng.choice(np.arange(1, 5), len(o), p=QTY_P)
    qty[pos == 0] = 1
    unit = np.maximum(1, np.floor(value[o] * share / qty)).astype(np.int64)
    unit[pos == 0] = 0
    others = np.bincount(o, unit * qty, minlength=n_orders).astype(np.int64)
    absorber = value - others
    bad = absorber <= 0  # tiny orders: one line
    keep = ~(bad[o] & (pos > 0))
    unit[pos == 0] = np.where(bad, value, absorber)
    o, pos, qty, unit = o[keep], pos[keep], qty[keep], unit[keep]

    cat_w = np.array([c[1] for c in CATEGORIES.values()])
    gumbel = np.log(cat_w)[None, :] + rng.gumbel(size=(n_orders, len(CATEGORIES)))
    category = np.argsort(-gumbel, axis=1)[o, pos]  # weighted sampling without replacement
    step = np.log(PRICE_MAX / PRICE_MIN) / (PRODUCTS_PER_CATEGORY - 1)
    product = np.clip(
        np.rint(np.log(unit / 100.0 / PRICE_MIN) / step), 0, PRODUCTS_PER_CATEGORY - 1
    ).astype(np.int64)
    return {"order": o, "qty": qty, "unit": unit, "category": category, "product": product}


def _build_returns(rng: Generator, orders, lines) -> dict:
    """About 3 % of orders: one line returned in full, same order number, 3–21 days later."""
    n_orders = len(orders["minute"])
    k = np.bincount(lines["order"], minlength=n_orders)
    returned = rng.random(n_orders) < RETURN_P
    pick = _group_starts(k) + np.floor(rng.random(n_orders) * k).astype(np.int64)
    day = orders["minute"] // MIN_PER_DAY + rng.integers(3, 22, n_orders)
    minute = day * MIN_PER_DAY + rng.integers(8 * 60, 16 * 60, n_orders)
    ok = returned & (day < N_DAYS)  # returns after the export date are not in the file
    line = pick[ok]
    return {
        "order": np.flatnonzero(ok), "minute": minute[ok], "qty": -lines["qty"][line],
        "unit": lines["unit"][line], "category": lines["category"][line],
        "product": lines["product"][line], "drawn": int(returned.sum()),
    }  # fmt: skip


def _transactions_table(rng: Generator, n_customers: int, orders, lines, returns):
    """The transactions file as string columns with dirty rows injected; and the counts."""
    n_lines = len(lines["order"])
    o = np.concatenate([lines["order"], returns["order"]])
    minute = np.concatenate([orders["minute"][lines["order"]], returns["minute"]])
    qty = np.concatenate([lines["qty"], returns["qty"]])
    unit = np.concatenate([lines["unit"], returns["unit"]])
    category = np.concatenate([lines["category"], returns["category"]])
    product = np.concatenate([lines["product"], returns["product"]])
    is_return = np.arange(len(o)) >= n_lines
    sort = np.lexsort((product, category, is_return, o, minute))
    o, minute, qty, unit = o[sort], minute[sort], qty[sort], unit[sort]
    category, product, is_return = category[sort], product[sort], is_return[sort]

    codes = [f"{p}-{i + 1:03d}" for p, _ in CATEGORIES.values()
             for i in range(PRODUCTS_PER_CATEGORY)]  # fmt: skip
    table = {
        "Nr zamówienia": orders["order_id"].take(pa.array(o)),
        "ID klienta": _customer_ids(n_customers).take(pa.array(orders["customer"][o])),
        "Data zamówienia": _fmt_minutes(minute),
        "Kod produktu": _take(codes, category * PRODUCTS_PER_CATEGORY + product),
        "Kategoria": _take(list(CATEGORIES), category),
        "Ilość": _fmt_int(qty),
        "Cena jedn. brutto": _fmt_cents(unit),
        "Kanał sprzedaży": _take(SALES_CHANNELS, orders["sales"][o]),
        "Kod rabatowy": _take(COUPONS, orders["coupon"][o]),
    }
    clean_rows = len(o)

    # -- dirty rows: copies of distinct purchase lines, each with exactly one defect --------------
    counts = {kind: int(rng.integers(3, 8)) for kind in DIRTY_KINDS}
    if clean_rows < 1000:  # a tiny demo: one of each
        counts = dict.fromkeys(DIRTY_KINDS, 1)
    source = rng.choice(np.flatnonzero(~is_return), sum(counts.values()), replace=False)
    copies, keys, cut = [], [], 0
    for kind in DIRTY_KINDS:
        rows = np.sort(source[cut : cut + counts[kind]])
        cut += counts[kind]
        copy = {name: column.take(pa.array(rows)) for name, column in table.items()}
        m = len(rows)
        if kind == "missing_customer_id":
            copy["ID klienta"] = _labels([""] * m)
        elif kind == "unparseable_date":  # templates 0 and 4 have the format's shape but no
            # such day: the loader counts them as impossible_date (IMPOSSIBLE_TEMPLATES)
            bad = ["32.{m}.{y} {t}", "{y}-{m}-{d} {t}", "brak daty", "{d}/{m}/{y}", "31.02.{y} {t}"]
            copy["Data zamówienia"] = _labels(
                [
                    bad[i % len(bad)].format(d=s[:2], m=s[3:5], y=s[6:10], t=s[11:])
                    for i, s in enumerate(_to_python(copy["Data zamówienia"]))
                ]
            )
        elif kind == "non_numeric_amount":
            bad = ["brak", "{zl},x", "n/d", "{zl} zł?"]
            copy["Cena jedn. brutto"] = _labels(
                [
                    bad[i % len(bad)].format(zl=s.split(",")[0])
                    for i, s in enumerate(_to_python(copy["Cena jedn. brutto"]))
                ]
            )
        elif kind == "outside_window":
            later = np.sort(END_MIN + rng.integers(1, 20, m) * MIN_PER_DAY + _tod_minutes(rng, m))
            copy["Data zamówienia"] = _fmt_minutes(later)
            copy["Nr zamówienia"] = _join(
                "ZAM", str(DAY_YEAR[N_DAYS]), _fmt_padded(np.arange(1, m + 1), 6), sep="/"
            )
        copies.append(copy)
        keys.append(2 * rows + 1 if kind != "outside_window" else 2 * clean_rows + np.arange(m))
    order = pa.array(np.argsort(np.concatenate([2 * np.arange(clean_rows), *keys]), kind="stable"))
    impossible = sum(i % 5 in IMPOSSIBLE_TEMPLATES for i in range(counts["unparseable_date"]))
    counts["unparseable_date"] -= impossible
    counts["impossible_date"] = impossible
    counts = {kind: n for kind, n in counts.items() if n}
    table = {
        name: pa.concat_arrays([column, *(c[name] for c in copies)]).take(order)
        for name, column in table.items()
    }
    return table, counts, {"rows": clean_rows, "returns": int(is_return.sum())}


def _customers_table(cust) -> dict[str, pa.Array]:
    ids = _customer_ids(len(cust["acq_min"]))
    member = cust["member"]
    return {
        "ID klienta": ids,
        "E-mail": _join("klient", ids, "@example.pl"),
        "Data rejestracji": _fmt_minutes(cust["acq_min"]),
        "Źródło pozyskania": _take(list(CHANNELS), cust["channel"]),
        "Program lojalnościowy": _take(["nie", "tak"], member.astype(np.int64)),
        "Data przystąpienia": _optional(member, _take(DAY_STR, cust["joined_day"])),
        "Opiekun": _take(SALES_REPS, cust["rep"]),
        "Województwo": _take(list(REGIONS), cust["region"]),
    }


def _spend_table(rng: Generator, cust) -> tuple[dict[str, pa.Array], dict]:
    """Monthly spend of each paid channel = planned CAC × expected new customers × the month's
    budget multiplier; clicks and impressions from noisy funnel rates."""
    n = len(cust["acq_min"])
    first_day, _ = _month_bounds()
    month_of_day = (DAY_YEAR[:N_DAYS] - DAY_YEAR[0]) * 12 + DAY_MONTH[:N_DAYS] - 1
    n_channels = len(CHANNELS)
    new = np.zeros((n_channels, MONTHS), dtype=np.int64)
    np.add.at(new, (cust["channel"], month_of_day[cust["acq_day"]]), 1)
    shares = np.array([c[0] for c in CHANNELS.values()])
    planned = np.array([c[1] for c in CHANNELS.values()]) * shares / shares.sum() * n / MONTHS
    spend_cents = np.rint(planned[:, None] * cust["budget"] * 100).astype(np.int64)
    paid = np.array([c[2] is not None for c in CHANNELS.values()])
    ctr = np.array([c[2] or 1.0 for c in CHANNELS.values()])
    cvr = np.array([c[3] or 1.0 for c in CHANNELS.values()])
    noise_clicks = rng.lognormal(0.0, 0.15, (n_channels, MONTHS))
    noise_impressions = rng.lognormal(0.0, 0.10, (n_channels, MONTHS))
    clicks = np.rint((new + 0.5) / cvr[:, None] * noise_clicks).astype(np.int64)
    impressions = np.rint(clicks / ctr[:, None] * noise_impressions).astype(np.int64)

    m = np.repeat(np.arange(MONTHS), n_channels)  # rows: month by month, channels in order
    c = np.tile(np.arange(n_channels), MONTHS)
    table = {
        "Miesiąc": _take(DAY_STR, first_day[m]),
        "Kanał": _take(list(CHANNELS), c),
        "Koszt": _fmt_cents(spend_cents[c, m]),
        "Wyświetlenia": _optional(paid[c], _fmt_int(impressions[c, m])),
        "Kliknięcia": _optional(paid[c], _fmt_int(clicks[c, m])),
    }
    weights = _acquisition_weights(cust["budget"])
    truth = {}
    for i, (name, (share, cac, ad_ctr, rate)) in enumerate(CHANNELS.items()):
        spend, customers = int(spend_cents[i].sum()) / 100, int(new[i].sum())
        facts = {
            "share": share,
            "planned_cac": cac,
            "cac": spend / customers if customers else None,  # realised: spend / new customers
            "paid": bool(paid[i]),
            "ad_ctr": ad_ctr,
            "click_to_customer_rate": rate,
            "new_customers": customers,
            "spend": round(spend, 2),
        }
        b = SPEND_ELASTICITY.get(name)
        if b is not None:
            # E[new in month m] = n · w_m = scale · spend_m^b with spend in PLN
            spend_pln = spend_cents[i] / 100
            scale = float(np.mean(n * weights[i] / spend_pln**b))
            facts |= {"elasticity": b, "scale": scale,
                      "monthly_spend_mean": round(float(spend_pln.mean()), 2)}  # fmt: skip
        truth[name] = facts
    return table, truth


def _messages_table(rng: Generator, cust, orders) -> tuple[dict[str, pa.Array], dict, np.ndarray]:
    """Messages in the last 13 weeks with a fatigue curve, truncated at the first unsubscribe.

    Also returns each customer's planned cadence (messages per week; 0 without consent).
    """
    n = len(cust["acq_min"])
    consent = rng.random(n) < MESSAGE_CONSENT
    tier = rng.choice(len(CADENCE_TIERS), n, p=CADENCE_P)
    cadence = CADENCE_TIERS[tier]
    first_day = np.maximum(RECENT_START_DAY, cust["acq_day"] + 1)
    n_days = np.maximum(0, N_DAYS - first_day)
    count = np.where(consent, rng.poisson(cadence * n_days / 7.0), 0)
    ci = np.repeat(np.arange(n), count)
    size = len(ci)
    day = first_day[ci] + np.floor(rng.random(size) * n_days[ci]).astype(np.int64)
    sent = day * MIN_PER_DAY + rng.integers(8 * 60, 20 * 60, size)
    order = np.lexsort((sent, ci))
    ci, sent = ci[order], sent[order]

    ch_names = list(MESSAGE_CHANNELS)
    ch = rng.choice(len(ch_names), size, p=[v["share"] for v in MESSAGE_CHANNELS.values()])
    m = cadence[ci]
    open_rate = np.array([v["open_rate"] or 0.0 for v in MESSAGE_CHANNELS.values()])
    click_base = np.array(
        [v.get("click_given_open", v.get("click_rate")) for v in MESSAGE_CHANNELS.values()]
    )
    is_sms = ch == ch_names.index("sms")
    opened = rng.random(size) < open_rate[ch]
    click_p = click_base[ch] * np.exp(-FATIGUE_CLICK_K * (m - 1.0))
    clicked = rng.random(size) < click_p
    unsub = rng.random(size) < UNSUB_U0 * np.exp(UNSUB_K * (m - 1.0))
    open_min = sent + 1 + np.floor(rng.exponential(180.0, size)).astype(np.int64)
    click_delay = np.floor(rng.exponential(np.where(is_sms, 30.0, 5.0))).astype(np.int64)
    click_min = np.where(is_sms, sent, open_min) + 1 + click_delay
    unsub_min = sent + 1 + np.floor(rng.exponential(600.0, size)).astype(np.int64)
    unsub_min = np.minimum(unsub_min, END_MIN - 1)
    # opens and clicks after the end of the window are not in the export; email/push clicks need
    # an open; nothing is sent after a customer's first unsubscribe
    opened &= open_min < END_MIN
    clicked &= (opened | is_sms) & (click_min < END_MIN)
    cum = np.cumsum(unsub)
    before = cum - unsub
    base = np.concatenate([[0], cum])[_group_starts(np.bincount(ci, minlength=n))][ci]
    keep = before == base
    ci, sent, ch, tier_of = ci[keep], sent[keep], ch[keep], tier[ci[keep]]
    opened, clicked, unsub = opened[keep], clicked[keep], unsub[keep]
    open_min, click_min, unsub_min = open_min[keep], click_min[keep], unsub_min[keep]

    # last-click attribution: an order goes to the customer's latest click in the 7 days before it
    attributed = np.full(len(ci), -1, dtype=np.int64)
    clicks = pd.DataFrame({"cust": ci[clicked], "t": click_min[clicked],
                           "msg": np.flatnonzero(clicked)}).sort_values(["t", "msg"])  # fmt: skip
    recent = np.flatnonzero(orders["minute"] >= RECENT_START_DAY * MIN_PER_DAY)
    # orders are in time order already, as merge_asof needs
    buys = pd.DataFrame({"cust": orders["customer"][recent], "t": orders["minute"][recent],
                         "order": recent})  # fmt: skip
    if len(clicks) and len(buys):
        joined = pd.merge_asof(buys, clicks, on="t", by="cust", direction="backward",
                               tolerance=ATTRIBUTION_DAYS * MIN_PER_DAY)  # fmt: skip
        joined = joined.dropna(subset=["msg"]).drop_duplicates("msg", keep="first")
        attributed[joined["msg"].to_numpy(np.int64)] = joined["order"].to_numpy(np.int64)

    sent_day = sent // MIN_PER_DAY
    season = np.select(
        [
            (DAY_MONTH[sent_day] == 11) & (DAY_DOM[sent_day] >= 21),
            (DAY_MONTH[sent_day] == 12) & (DAY_DOM[sent_day] <= 6),
            (DAY_MONTH[sent_day] == 12) & (DAY_DOM[sent_day] <= 23),
        ],
        [3, 4, 5],
        default=2,
    )
    u = rng.random(len(ci))
    campaign = np.where(u < 0.25, 0, np.where(u < 0.33, 1, season))
    campaigns = ["Newsletter tygodniowy", "Porzucony koszyk", "Jesień w ogrodzie",
                 "Black Friday 2025", "Mikołajki 2025", "Prezenty na Święta"]  # fmt: skip

    out = np.lexsort((ci, sent))  # the export is in sending order
    has_order = attributed[out] >= 0
    table = {
        "ID wiadomości": _join("W", _fmt_padded(np.arange(1, len(out) + 1), 8)),
        "ID klienta": _customer_ids(n).take(pa.array(ci[out])),
        "Data wysyłki": _fmt_minutes(sent[out]),
        "Kanał": _take(ch_names, ch[out]),
        "Kampania": _take(campaigns, campaign[out]),
        "Data otwarcia": _optional(opened[out], _fmt_minutes(open_min[out])),
        "Data kliknięcia": _optional(clicked[out], _fmt_minutes(click_min[out])),
        "Data wypisania": _optional(unsub[out], _fmt_minutes(unsub_min[out])),
        "Przypisane zamówienie": _optional(
            has_order, orders["order_id"].take(pa.array(np.maximum(attributed[out], 0)))
        ),
    }
    tiers = []
    for i, rate in enumerate(CADENCE_TIERS.tolist()):
        fatigue = float(np.exp(-FATIGUE_CLICK_K * (rate - 1.0)))
        ctr = sum(
            v["share"] * fatigue * (v.get("click_rate") or v["open_rate"] * v["click_given_open"])
            for v in MESSAGE_CHANNELS.values()
        )
        in_tier = tier_of == i
        tiers.append(
            {
                "messages_per_week": rate,
                "share_of_customers": CADENCE_P[i],
                "click_multiplier": round(fatigue, 6),
                "expected_ctr": round(ctr, 6),
                "unsubscribe_per_message": round(UNSUB_U0 * np.exp(UNSUB_K * (rate - 1.0)), 6),
                "customers_messaged": int(len(np.unique(ci[in_tier]))),
                "messages": int(in_tier.sum()),
                "clicked": int((clicked & in_tier).sum()),
                "unsubscribed": int((unsub & in_tier).sum()),
            }
        )
    truth = {
        "window": {
            "start": str(START + RECENT_START_DAY),
            "end": str(OBSERVATION_END),
            "weeks": RECENT_DAYS / 7,
        },
        "consent_share": MESSAGE_CONSENT,
        "channels": MESSAGE_CHANNELS,
        "notes": (
            "each consenting customer gets a planned cadence m (messages per week) and "
            "Poisson(m x weeks) messages on days after registration, 8:00-20:00; sms opens are "
            "not tracked (opened_at empty); email/push clicks require an open; click probability "
            "= base x exp(-k (m - 1)) and unsubscribe probability per message = "
            "u0 exp(k_u (m - 1)); "
            "nothing is sent after a customer's first unsubscribe, so unsubscribers receive fewer "
            "messages than their cadence; opens and clicks that would fall after the window end "
            "are not recorded; messages do not change purchase behaviour"
        ),
        "fatigue": {
            "cadence_tiers": tiers,
            "click_multiplier": "exp(-k * (m - 1))",
            "k": FATIGUE_CLICK_K,
            "unsubscribe_per_message": "u0 * exp(k_u * (m - 1))",
            "u0": UNSUB_U0,
            "k_u": UNSUB_K,
        },
        "attribution": (
            f"last click: an order is attributed to the customer's latest clicked message in the "
            f"{ATTRIBUTION_DAYS} days before it; a message carries at most one (its first) order"
        ),
        "realised": {
            "messages": int(len(ci)),
            "customers": int(len(np.unique(ci))),
            "by_channel": {
                name: {
                    "sent": int((ch == i).sum()),
                    "opened": int((opened & (ch == i)).sum()),
                    "clicked": int((clicked & (ch == i)).sum()),
                    "unsubscribed": int((unsub & (ch == i)).sum()),
                }
                for i, name in enumerate(ch_names)
            },
            "attributed_orders": int(has_order.sum()),
        },
    }
    return table, truth, np.where(consent, cadence, 0.0)


def _sessions_table(rng: Generator, cust) -> tuple[dict[str, pa.Array], dict]:
    """Web sessions of the last 13 weeks: one row per step reached, known step rates by source."""
    n_customers = len(cust["acq_min"])
    n = VISITS_PER_CUSTOMER * n_customers
    names = list(SESSION_SOURCES)
    shares = np.array([v[0] for v in SESSION_SOURCES.values()])
    rates = np.array([v[1] for v in SESSION_SOURCES.values()])
    source = rng.choice(len(names), n, p=shares / shares.sum())
    passed = rng.random((n, 4)) < rates[source]
    depth = 1 + np.cumprod(passed, axis=1).sum(axis=1)  # steps reached, 1..5
    day = RECENT_START_DAY + rng.integers(0, RECENT_DAYS, n)
    start = (day * MIN_PER_DAY + _tod_minutes(rng, n)) * 60 + rng.integers(0, 60, n)
    gaps = 1 + np.floor(rng.exponential(np.array(STEP_GAP_SECONDS, float), (n, 4)))
    offsets = np.concatenate([np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1).astype(np.int64)
    overflow = start + offsets[np.arange(n), depth - 1] - (END_MIN * 60 - 1)
    start = start - np.maximum(0, overflow)  # sessions end inside the window
    known = np.flatnonzero(cust["acq_day"] < RECENT_START_DAY)
    pool = known if len(known) else np.arange(n_customers)
    who = pool[rng.integers(0, len(pool), n)]
    logged_in = (depth >= 4) | (rng.random(n) < LOGGED_IN_P)

    s = np.repeat(np.arange(n), depth)
    step = np.arange(len(s)) - _group_starts(depth)[s]
    table = {
        "ID sesji": _join("S", _fmt_padded(s + 1, 8)),
        "Czas": _fmt_seconds(start[s] + offsets[s, step]),
        "Etap": _take(FUNNEL_STEPS, step),
        "ID klienta": _optional(logged_in[s], _customer_ids(n_customers).take(pa.array(who[s]))),
        "Źródło ruchu": _take(names, source[s]),
    }
    truth = {
        "window": {
            "start": str(START + RECENT_START_DAY),
            "end": str(OBSERVATION_END),
            "weeks": RECENT_DAYS / 7,
        },
        "steps": FUNNEL_STEPS,
        "sources": {
            name: {
                "share_of_visits": float(shares[i]),
                "step_rates": dict(zip(FUNNEL_STEPS[1:], map(float, rates[i]), strict=True)),
                "visit_to_purchase": round(float(np.prod(rates[i])), 6),
                "sessions_reaching_step": [
                    int(((source == i) & (depth > k)).sum()) for k in range(len(FUNNEL_STEPS))
                ],
            }
            for i, name in enumerate(names)
        },
        "sessions": n,
        "rows": int(len(s)),
        "abandoned_carts": int(((depth >= 3) & (depth < 5)).sum()),
        "abandoned_carts_definition": "sessions reaching add_to_cart but not purchase",
        "logged_in_share_before_checkout": LOGGED_IN_P,
        "notes": (
            "step_rates are conditional on the previous step; each session has one row per step "
            "reached (no gaps); every session reaching checkout carries a customer id (a "
            "customer registered before the window); sessions are drawn independently of "
            "transactions (purchase sessions are not linked to order numbers)"
        ),
    }
    return table, truth


# ================================================================================================
# client.yml, README, ground truth
# ================================================================================================
CLIENT_YML = """\
# client.yml of the synthetic demo client, written by `clv-audit demo` (clvlib.data.demo).
# Every file next to it is synthetic; ground_truth.json lists the parameters the data were drawn
# from. Paths are relative to this file. Unknown keys are errors.

client: "{client}"        # shown on the report cover
currency: PLN                           # ISO 4217 code of every amount in the exports
locale: pl                              # CLDR locale: text language and figures (1234,56 zł)
prepared_by: "clvlib demo generator"    # shown on the cover
observation_end: {end}             # last day of the data window; later rows are excluded
holdout_weeks: 26                       # last 26 weeks held out to check model forecasts

economics:
  gross_margin: 0.35                    # margin as a fraction of revenue (no margin column)
  annual_discount_rate: 0.10            # per year, discounts future margin in the CLV
  horizon_months: 36                    # CLV horizon

sources:
  transactions:                         # order lines: several rows per order number
    path: transactions.csv
    columns:                            # canonical name: the shop's column header
      customer_id: "ID klienta"
      order_id: "Nr zamówienia"
      order_ts: "Data zamówienia"
      unit_price: "Cena jedn. brutto"   # revenue = unit price x quantity (gross, PLN)
      quantity: "Ilość"                 # negative quantity = a returned line
      product_id: "Kod produktu"
      category: "Kategoria"
      channel: "Kanał sprzedaży"
      coupon_code: "Kod rabatowy"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}

  customers:                            # one row per customer ("E-mail" is deliberately unmapped)
    path: customers.csv
    columns:
      customer_id: "ID klienta"
      acquired_at: "Data rejestracji"
      acquisition_channel: "Źródło pozyskania"
      loyalty_member: "Program lojalnościowy"   # tak / nie
      loyalty_joined_at: "Data przystąpienia"   # empty for non-members
      sales_rep: "Opiekun"
      region: "Województwo"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}

  marketing_spend:                      # one row per month and acquisition channel
    path: marketing_spend.csv
    columns:
      period: "Miesiąc"                 # first day of the month
      channel: "Kanał"                  # same names as customers' acquisition channel
      spend: "Koszt"                    # PLN; zero for organic and referral channels
      impressions: "Wyświetlenia"
      clicks: "Kliknięcia"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y"}}

  messages:                             # e-mail, SMS and push messages of the last 13 weeks
    path: messages.csv
    columns:
      customer_id: "ID klienta"
      sent_at: "Data wysyłki"
      channel: "Kanał"                  # email / sms / push
      campaign: "Kampania"
      opened_at: "Data otwarcia"        # empty: not opened (SMS opens are not tracked)
      clicked_at: "Data kliknięcia"
      unsubscribed_at: "Data wypisania"
      order_id: "Przypisane zamówienie" # order attributed to the message (last click, 7 days)
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}

  sessions:                             # web analytics: one row per session and funnel step
    path: sessions.csv
    columns:
      session_id: "ID sesji"
      ts: "Czas"
      step: "Etap"                      # one of funnel.steps
      customer_id: "ID klienta"         # empty for visitors who did not log in
      source: "Źródło ruchu"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M:%S"}}

funnel:
  steps: [visit, product_view, add_to_cart, checkout, purchase]   # in order

retention:
  churn_after_days: 365                 # no purchase for a year = a lost customer

saturation:
  free_delivery_threshold: 199          # PLN; the shop's free-delivery threshold (the demo's
                                        # order values do not react to it)

backend: {{name: duckdb}}                 # embedded DuckDB engine

privacy: {{pseudonymize_ids: true}}       # customer ids in report tables are salted hashes
"""

README = """\
# Demo client: {client}

Everything in this folder is synthetic, written by `clv-audit demo --customers {n} --seed {seed}`
(`clvlib.data.demo.write_demo`, generator version {version}) from a numpy PCG64 generator: the
same seed gives byte-identical files. {n:,} customers of a Polish home & garden web shop register
between {start} and {end}; their repeat purchases are drawn from a BG/NBD process, order
values from a Gamma-Gamma model (loyalty members spend {lift:.0%} more per order; one sales rep's
customers drop out sooner); paid channels' new customers respond to monthly spend with
diminishing returns;
messages carry a fatigue curve and web sessions known step conversion rates; a few dirty rows of
each kind the loader excludes are injected into `transactions.csv`. The exports are
Polish-formatted (`;`, decimal comma, cp1250, `dd.mm.yyyy HH:MM`) and `client.yml` maps them.
`ground_truth.json` lists every parameter and count the data were drawn from,
`ground_truth_customers.csv` each customer's latent purchase rate (per week), dropout probability
and spend parameter. No real person is described.
"""


def _ground_truth(seed, n, cust, purchases, orders, lines, returns, txn_info, dirty, files,
                  channels, messages, sessions) -> dict:  # fmt: skip
    rep_worse = SALES_REPS.index(WORSE_REP)
    a = BGNBD["a"]
    purchase_lines = len(lines["order"])
    return {
        "generator": {
            "module": "clvlib.data.demo",
            "version": GENERATOR_VERSION,
            "seed": seed,
            "customers": n,
            "bit_generator": "numpy PCG64",
        },  # fmt: skip
        "observation": {
            "start": str(START),
            "end": str(OBSERVATION_END),
            "days": N_DAYS,
            "weeks": round(N_DAYS / 7, 6),
            "holdout_weeks": 26,
            "time_unit": "week (7 days)",
            "currency": "PLN",
        },
        "acquisition": (
            "registration month by channel (see channel_notes: paid channels follow their "
            "monthly spend, organic ones are uniform), day uniform within the month, time of "
            "day from an evening-peaked hourly pattern; the first purchase is the registration "
            "instant"
        ),
        "bgnbd": {
            **BGNBD,
            "time_unit": "week",
            "applies_to": f"customers of every sales rep except {WORSE_REP}",
            "mean_purchase_rate_per_week": BGNBD["r"] / BGNBD["alpha"],
            "mean_dropout": a / (a + BGNBD["b"]),
            "notes": (
                "repeat purchases while active: Poisson(lambda), lambda ~ Gamma(r, rate alpha); "
                "after each repeat purchase dropout with probability p ~ Beta(a, b) (no dropout "
                "at the first purchase); timestamps keep the drawn day, the time of day is "
                "redrawn (repeat purchases on the registration day keep the exact time)"
            ),
        },
        "gamma_gamma": {
            **GAMMA_GAMMA,
            "currency": "PLN",
            "mean_order_value": GAMMA_GAMMA["p"] * GAMMA_GAMMA["gamma"] / (GAMMA_GAMMA["q"] - 1),
            "applies_to": "order values of non-members; members' are multiplied by 1 + spend_lift",
            "rounding": 0.01,
            "notes": (
                "nu ~ Gamma(q, rate gamma) per customer, order value z ~ Gamma(p, rate nu) (mean "
                "p/nu), the gross value of the order before returns, rounded to 0.01 PLN (at "
                "least 0.01); it is split into lines whose unit price x quantity sum to it exactly"
            ),
        },
        "sales_reps": {
            "names": SALES_REPS,
            "assignment": "uniform",
            "worse_rep": WORSE_REP,
            "worse_rep_b": B_WORSE,
            "mean_dropout": a / (a + BGNBD["b"]),
            "worse_rep_mean_dropout": a / (a + B_WORSE),
            "customers": {name: int((cust["rep"] == i).sum()) for i, name in enumerate(SALES_REPS)},
            "worse_rep_customers": int((cust["rep"] == rep_worse).sum()),
        },
        "loyalty": {
            "share": LOYALTY_SHARE,
            "members": int(cust["member"].sum()),
            "spend_lift": LOYALTY_SPEND_LIFT,
            "spend_multiplier": 1 + LOYALTY_SPEND_LIFT,
            "gamma_members": GAMMA_GAMMA["gamma"] * (1 + LOYALTY_SPEND_LIFT),
            "frequency_lift": 0.0,
            "joined_after_registration_days": [0, LOYALTY_JOIN_MAX_DAYS],
            "notes": (
                "membership is drawn independently of behaviour; members' order values are x "
                "(1 + spend_lift) for all their orders (equivalently gamma x (1 + spend_lift)); "
                "members do not purchase more often"
            ),
        },
        "channels": channels,
        "channel_notes": (
            "paid channels: monthly spend = planned_cac x expected new customers per month x a "
            "budget multiplier (seasonal curve with amplitude "
            f"{BUDGET_SEASON} peaking in May, times lognormal noise with sigma {BUDGET_SIGMA}, "
            "mean 1 over the 36 months); new customers are drawn over (channel, month) cells "
            "with E[new] = scale x spend^elasticity (spend in PLN); cac = spend / new customers "
            "(realised); organic channels acquire uniformly over the window; registration day "
            "uniform within the month; purchase behaviour does not depend on the channel; "
            "clicks and impressions come from the click rates with lognormal noise"
        ),
        "orders": {
            "customers": n,
            "orders": int(len(orders["minute"])),
            "repeat_purchases": int(purchases["x"].sum()),
            "customers_with_repeat": int((purchases["x"] > 0).sum()),
            "customers_alive_at_end": int((purchases["j"] > purchases["n_alive"]).sum()),
            "purchase_lines": purchase_lines,
            "lines_per_order_p": dict(zip(range(1, 5), LINES_P, strict=True)),
            "quantity_p": dict(zip(range(1, 5), QTY_P, strict=True)),
            "revenue_gross": round(int(orders["value_cents"].sum()) / 100, 2),
            "revenue_returned": round(int((returns["unit"] * -returns["qty"]).sum()) / 100, 2),
            "order_id_format": "ZAM/<year>/<sequence in the year, 6 digits>",
            "customer_id_format": "10001, 10002, ... in order of registration",
        },
        "returns": {
            "probability": RETURN_P,
            "drawn": returns["drawn"],
            "return_lines": int(len(returns["order"])),
            "convention": (
                "a return is an extra line on the same order number with negative quantity (one "
                "line of the order returned in full) at the same unit price, dated 3-21 days "
                "after the order; returns that would fall after observation_end are not in the file"
            ),
        },
        "transactions_file": {
            "clean_rows": txn_info["rows"],
            "return_rows": txn_info["returns"],
            "dirty_rows": sum(dirty.values()),
            "rows": txn_info["rows"] + sum(dirty.values()),
            "dirty_rows_notes": (
                "extra rows, each a copy of a distinct purchase line with exactly one defect: "
                "empty customer id; an unreadable or impossible date (32.mm, 31.02); an "
                "unreadable unit price; an exact "
                "duplicate (right after its original); a new order number (ZAM/2026/...) dated "
                "after observation_end. Removing them leaves exactly the drawn data."
            ),
        },
        # by the loader's exclusion reason, comparable with TableQuality.rows_excluded as is
        "dirty_rows": dict(dirty),
        "messages": messages,
        "funnel": sessions,
        "files": files,
    }


# ================================================================================================
# the public function
# ================================================================================================
def write_demo(
    out: str | Path, *, customers: int = 20_000, seed: int = 42, progress: bool = True
) -> Path:
    """Write a synthetic Polish online shop to ``out``; returns the path of its client.yml.

    Writes ``transactions.csv`` (order lines), ``customers.csv``, ``marketing_spend.csv``,
    ``messages.csv``, ``sessions.csv`` (all ``;``, decimal comma, cp1250), ``client.yml``,
    ``ground_truth.json``, ``ground_truth_customers.csv`` and ``README.md``; files of the same
    names are replaced, each atomically. ``customers`` is the number of customers (at least 10);
    the same ``seed`` gives byte-identical files.
    """
    from tqdm.auto import tqdm

    if customers < 10:
        raise ValueError("customers must be at least 10")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = Generator(PCG64(seed))
    bar = tqdm(total=9, desc="demo", unit="step", disable=not progress)

    def stage(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    cust = _draw_customers(rng, customers)
    purchases = _draw_purchases(rng, cust)
    orders = _build_orders(rng, cust, purchases)
    stage("orders")
    lines = _build_lines(rng, orders)
    returns = _build_returns(rng, orders, lines)
    transactions, dirty, txn_info = _transactions_table(rng, customers, orders, lines, returns)
    stage("order lines")
    spend, channels = _spend_table(rng, cust)
    messages, message_truth, cadence = _messages_table(rng, cust, orders)
    stage("messages")
    sessions, session_truth = _sessions_table(rng, cust)
    stage("sessions")

    files = {}
    tables = {
        "transactions.csv": transactions,
        "customers.csv": _customers_table(cust),
        "marketing_spend.csv": spend,
        "messages.csv": messages,
        "sessions.csv": sessions,
    }
    for name, table in tables.items():
        _write_atomic(out / name, _csv_bytes(table))
        files[name] = {"rows": len(next(iter(table.values()))), "columns": list(table)}
        stage(name)

    latent = {
        "customer_id": _fmt_int(10001 + np.arange(customers)),
        "lambda_per_week": _fmt_text(pa.array(cust["lam"])),
        "dropout_p": _fmt_text(pa.array(cust["dropout"])),
        "nu": _fmt_text(pa.array(cust["nu"])),
        "spend_multiplier": _fmt_text(
            pa.array(np.where(cust["member"], 1 + LOYALTY_SPEND_LIFT, 1.0))
        ),
        "repeat_purchases": _fmt_int(purchases["x"]),
        "alive_at_end": _fmt_text(pa.array(purchases["j"] > purchases["n_alive"])),
        "messages_per_week_planned": _fmt_text(pa.array(cadence)),
    }
    _write_atomic(out / "ground_truth_customers.csv", _csv_bytes(latent, sep=",", newline="\n"))
    files["ground_truth_customers.csv"] = {"rows": customers, "columns": list(latent)}

    truth = _ground_truth(seed, customers, cust, purchases, orders, lines, returns, txn_info,
                          dirty, files, channels, message_truth, session_truth)  # fmt: skip
    _write_atomic(
        out / "ground_truth.json",
        (json.dumps(truth, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    readme = README.format(
        client=CLIENT_NAME,
        n=customers,
        seed=seed,
        version=GENERATOR_VERSION,
        start=str(START),
        end=str(OBSERVATION_END),
        lift=LOYALTY_SPEND_LIFT,
    )
    _write_atomic(out / "README.md", readme.encode("utf-8"))
    config = out / "client.yml"
    yml = CLIENT_YML.format(client=CLIENT_NAME, end=str(OBSERVATION_END))
    _write_atomic(config, yml.encode("utf-8"))
    bar.close()
    return config
