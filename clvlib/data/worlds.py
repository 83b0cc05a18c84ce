"""A space of synthetic clients: a seeded generator of client exports from named knobs.

The demo (``clvlib.data.demo``) is one client; the audit must hold on the clients consultants
meet. ``World`` names the knobs along which clients differ (size, history, purchase behaviour,
spend response, channels, funnel language, optional tables, locale, currency, CSV dialect ...);
``sample_world(seed)`` draws a point of that space, ``write_client(world, out)`` writes it as a
client folder: the exports, a ``client.yml`` mapping them (never ``funnel.cart_step``: the audit
must infer it), ``ground_truth.json`` (the knobs and every true parameter) and
``ground_truth_customers.csv`` (each customer's latent rate, drop-out probability and spend
parameter).

The process, in weeks (time unit) and the world's currency:

- The window is ``history_months`` whole months ending on ``OBSERVATION_END``. Customers are
  acquired at their first purchase, spread over the window by acquisition channel and month.
- Repeat purchases (``behaviour``): ``bgnbd`` — BG/NBD (λ ~ Gamma(r, rate α) per week, drop-out
  probability p ~ Beta(a, b) after each repeat purchase); ``no_dropout`` — a → 0 (p = 0: a B2B
  wholesaler whose customers never leave; purchases are NBD); ``one_time`` — nobody buys twice;
  ``seasonal`` — BG/NBD whose purchase rate is multiplied by ``1 + A cos(2π (day − peak)/365.25)``
  with the peak in early December (drawn by thinning a Poisson process of rate λ(1 + A));
  ``seasonal_loyal`` — the B2B wholesaler of issue 17: NBD-like purchases (r, α as
  ``no_dropout``) with that season and almost no drop-out (p ~ Beta(1, 800): about 1 % of
  customers a year). Only by override: ``sample_world`` draws the first four.
- Acquisition channel and loyalty (``channel_effects``), in CLVTools' BG/NBD-with-covariates
  parametrisation: customer i's λ_i ~ Gamma(r, rate α_i) with
  α_i = α·exp(−γ_trans,channel(i) − γ_trans,loyal·member_i), and p_i ~ Beta(a_i, b_i) with
  a_i = a·exp(γ_life,channel(i) + γ_life,loyal·member_i), b_i = b·exp(same exponent). The first
  channel of the roster is the reference (coefficients 0); customers without a channel (no
  channels) are in it, non-members are the loyalty reference. With the knob the coefficients are
  drawn per world: trans U(−0.6, 0.6) and life U(−0.8, 0.8) per other channel, members
  γ_trans U(0.2, 0.6) (they buy more often) and γ_life U(−0.8, −0.2) (a more spread p: more
  customers who hardly ever leave — the same exponent on a and b keeps the mean a/(a+b), so
  a life effect changes how p spreads, never its mean). Without it every channel and status is
  alike. ``btyd`` holds the reference's parameters; no drop-out (a = 0) stays no drop-out and
  ``one_time`` has no process, so their life (and trans) coefficients are recorded as 0.
- Sales reps: customers are spread evenly over ``sales_reps`` reps. With ``rep_effect`` one
  rep's customers drop out sooner (p ~ Beta(a_i, b_i / 2.5), composed with the covariates above;
  ``ground_truth.json`` ``sales_reps.worse_rep``); without it every rep's customers are alike
  (``worse_rep`` null).
- Order values are Gamma-Gamma: ν ~ Gamma(q, rate γ) per customer, z ~ Gamma(p, rate ν) per order;
  loyalty members (30 % of customers) have order values × (1 + lift).
- Paid channels' monthly spend varies (a seasonal budget times lognormal noise); new customers
  per month follow ``spend_response``: ``concave`` E[new] = k·spend^b with b < 1; ``linear``
  new = spend / CAC exactly (b = 1); ``flat`` new does not depend on spend (b = 0). A zero-spend
  channel reports 0 every month; a single-month channel (a trade fair) spends in one month only
  and brings its customers in that month; organic channels have no spend rows.
- Messages (the last 13 weeks) carry a fatigue curve over planned cadences; sessions (the last 13
  weeks) follow known step conversion rates per traffic source, step names in ``step_language``.

``ground_truth.json`` ``new_customer_value`` holds, per channel (and loyalty status), the true
value of a customer acquired the day after the window as the audit defines it (margin × [first
order + E[order value] × Σ_{m=1..H} ΔE[X(m)] / (1 + d)^m], months of 30.4375 days, the economics
of ``client.yml``; order values gross of returns): a Monte-Carlo mean over 200,000 fresh
customers per channel (split evenly over loyalty statuses) drawn from the process above — λ, p
and ν per customer, his Poisson purchases, geometric drop-out and Gamma order values integrated
exactly given them — with its standard error; independent of ``clvlib.models``.

The files come from one ``numpy.random.Generator(PCG64(world.seed))``; the covariate effects and
the Monte-Carlo truth from their own streams (so a world without effects writes the exports it
wrote before they existed): the same world gives byte-identical files.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from numpy.random import PCG64, Generator

from clvlib.data.demo import CATEGORIES, PRODUCTS_PER_CATEGORY, _build_lines, _write_atomic
from clvlib.data.schema import TABLES

GENERATOR_VERSION = 2  # 2: channel and loyalty effects, the true new-customer value
OBSERVATION_END = pd.Timestamp("2025-12-31")
ACQUIRED_ON = OBSERVATION_END + pd.Timedelta(days=1)  # the true new customer's first purchase
MIN_PER_DAY = 1440
MIN_PER_WEEK = 7 * MIN_PER_DAY
RECENT_DAYS = 91  # messages and sessions cover at most the last 13 weeks

BEHAVIOURS = ("bgnbd", "no_dropout", "one_time", "seasonal", "seasonal_loyal")
SPEND_RESPONSES = ("concave", "linear", "flat")
LANGUAGES = ("pl", "en", "de")
LOCALES = ("pl", "en")  # the report's language, drawn first (currency and dialect follow it)
#: the formatting locale (CLDR) given the language: (locales, probabilities). English text goes
#: with British, American, Irish or plain English figures and with German, Czech and French ones
REGIONS = {
    "pl": (("pl_PL", "pl"), (0.5, 0.5)),
    "en": (("en_GB", "en_US", "en_IE", "en", "de_DE", "cs_CZ", "fr_FR"),
           (0.3, 0.2, 0.1, 0.15, 0.1, 0.1, 0.05)),
}  # fmt: skip
CURRENCIES = ("PLN", "GBP", "EUR")
DIALECTS = ("pl", "en")
OPTIONAL_TABLES = ("customers", "marketing_spend", "messages", "sessions")

#: funnel steps by language, with a cart step (first) and without one (second)
FUNNEL_STEPS = {
    "pl": (["wizyta", "karta_produktu", "koszyk", "kasa", "zakup"],
           ["wizyta", "oferta", "zamówienie"]),
    "en": (["visit", "product_page", "basket", "checkout", "purchase"],
           ["visit", "quote", "order"]),
    "de": (["besuch", "produktseite", "warenkorb", "kasse", "kauf"],
           ["besuch", "angebot", "bestellung"]),
}  # fmt: skip
CART_INDEX = 2  # the cart step's position in the five-step funnels

#: channel names (cp1250-safe); drawn without replacement in this order of preference per kind
PAID_NAMES = ["Google Ads", "Facebook", "TikTok", "Instagram", "Allegro", "Bing Ads",
              "Ceneo.pl", "Partnerské weby", "LinkedIn Ads"]  # fmt: skip
FREE_NAMES = ["Polecenia", "Empfehlung", "Newsletter / organiczne", "Bezpośrednie",
              "Word of mouth", "SEO", "Influencerzy", "Mundpropaganda"]  # fmt: skip
SINGLE_NAMES = ["Targi branżowe", "Messe München", "Trade show"]
DIRECT = {"pl": "Bezpośrednie", "en": "Direct", "de": "Direkt"}

#: amounts are drawn in PLN and converted with these rates (1 unit of currency = x PLN)
PLN_PER_UNIT = {"PLN": 1.0, "EUR": 4.3, "GBP": 5.0}

#: headers of the exports by CSV dialect
HEADERS = {
    "pl": {
        "customer_id": "ID klienta", "order_id": "Nr zamówienia", "order_ts": "Data zamówienia",
        "revenue": "Wartość brutto", "unit_price": "Cena jedn.", "quantity": "Ilość",
        "product_id": "Kod produktu", "category": "Kategoria", "sales_rep": "Opiekun",
        "acquired_at": "Data rejestracji", "acquisition_channel": "Źródło pozyskania",
        "loyalty_member": "Program lojalnościowy", "period": "Miesiąc", "channel": "Kanał",
        "spend": "Koszt", "sent_at": "Data wysyłki", "campaign": "Kampania",
        "opened_at": "Data otwarcia", "clicked_at": "Data kliknięcia",
        "unsubscribed_at": "Data wypisania", "session_id": "ID sesji", "ts": "Czas",
        "step": "Etap", "source": "Źródło ruchu",
    },
    "en": {
        "customer_id": "CustomerID", "order_id": "InvoiceNo", "order_ts": "InvoiceDate",
        "revenue": "Amount", "unit_price": "UnitPrice", "quantity": "Quantity",
        "product_id": "StockCode", "category": "Category", "sales_rep": "Account manager",
        "acquired_at": "Signup date", "acquisition_channel": "Source",
        "loyalty_member": "Loyalty", "period": "Month", "channel": "Channel", "spend": "Cost",
        "sent_at": "Sent", "campaign": "Campaign", "opened_at": "Opened",
        "clicked_at": "Clicked", "unsubscribed_at": "Unsubscribed", "session_id": "Session",
        "ts": "Timestamp", "step": "Event", "source": "Traffic source",
    },
}  # fmt: skip
CSV_OPTIONS = {
    "pl": {"sep": ";", "decimal": ",", "encoding": "cp1250", "ts": "%d.%m.%Y %H:%M",
           "date": "%d.%m.%Y", "yes_no": ("nie", "tak")},
    "en": {"sep": ",", "decimal": ".", "encoding": "utf-8", "ts": "%Y-%m-%d %H:%M:%S",
           "date": "%Y-%m-%d", "yes_no": ("no", "yes")},
}  # fmt: skip
REP_NAMES = ["Anna Kowalska", "Piotr Nowak", "Jürgen Weiß", "Sarah O'Neill", "Tomasz Wójcik",
             "Zofia Łęcka"]  # fmt: skip
UNREADABLE = {"pl": "brak daty", "en": "unknown"}  # an unreadable order date
WORSE_REP_B_DIVISOR = 2.5  # the worse rep's customers: p ~ Beta(a, b / 2.5)
MEMBER_SHARE = 0.3  # probability that a customer is a loyalty member (worlds with loyalty)
LOYALTY_LIFT = 0.25  # members' order values are × (1 + lift)
TRANS_EFFECT = 0.6  # |γ_trans| of a channel against the reference ≤ this
LIFE_EFFECT = 0.8  # |γ_life| of a channel against the reference ≤ this
MEMBER_TRANS = (0.2, 0.6)  # members' γ_trans: they buy more often
MEMBER_LIFE = (-0.8, -0.2)  # members' γ_life: a more spread drop-out, more who hardly leave
ECONOMICS = {"gross_margin": 0.35, "annual_discount_rate": 0.1, "horizon_months": 36}
DAYS_PER_MONTH = 30.4375
NEW_CUSTOMER_DRAWS = 200_000  # fresh customers per channel (split evenly over loyalty statuses)
DIRTY_KINDS = ("missing_customer_id", "unparseable_date", "non_numeric_amount", "duplicate_row",
               "outside_window")  # fmt: skip


@dataclass(frozen=True)
class World:
    """One point of the space of clients. Every knob has a default; ``sample_world`` draws them.

    Amounts are in ``currency``; rates per week. Ranges are those ``write_client`` accepts.
    """

    customers: int = 500  # 30 … 20 000 customers (all acquired inside the window)
    history_months: int = 24  # 6 … 60 whole months ending on OBSERVATION_END
    behaviour: str = "bgnbd"  # one of BEHAVIOURS
    spend_response: str = "concave"  # one of SPEND_RESPONSES
    channels: int = 4  # 0 … 8 acquisition channels (paid, organic and the awkward ones below)
    zero_spend_channel: bool = True  # one channel reports spend 0 every month (needs channels ≥ 2)
    single_month_channel: bool = True  # one channel spends in one month only (channels ≥ 3)
    step_language: str = "pl"  # funnel step names: "pl", "en" or "de"
    cart_step: bool = True  # the funnel has a cart step (else e.g. wizyta, oferta, zamówienie)
    optional_tables: tuple[str, ...] = OPTIONAL_TABLES  # a subset of OPTIONAL_TABLES
    messages_unsubscribe: bool = True  # the messages export has an unsubscribed_at column
    locale: str = "pl"  # report locale, one of REGIONS (texts in Polish for pl*, else English)
    currency: str = "PLN"  # "PLN", "GBP" or "EUR"
    csv_dialect: str = "pl"  # "pl": ; , cp1250 dd.mm.yyyy — "en": , . utf-8 ISO dates
    order_lines: bool = True  # several rows per order id, unit_price × quantity (else revenue)
    returns_share: float = 0.03  # 0 … 0.2 of orders get a return row
    loyalty: bool = True  # customers export has a loyalty_member column (members spend more)
    sales_reps: int = 3  # 0 … 6 sales reps (in customers, else in transactions)
    rep_effect: bool = True  # one rep's customers drop out sooner (else every rep is alike)
    channel_effects: bool = False  # λ and p differ by channel and loyalty (else all alike)
    dirty_rows: bool = True  # one transaction row of each kind the loader excludes
    seed: int = 0

    def __post_init__(self) -> None:
        checks = {
            "customers": 30 <= self.customers <= 20_000,
            "history_months": 6 <= self.history_months <= 60,
            "behaviour": self.behaviour in BEHAVIOURS,
            "spend_response": self.spend_response in SPEND_RESPONSES,
            "channels": 0 <= self.channels <= 8,
            "step_language": self.step_language in LANGUAGES,
            "optional_tables": set(self.optional_tables) <= set(OPTIONAL_TABLES),
            "locale": any(self.locale in names for names, _ in REGIONS.values()),
            "currency": self.currency in CURRENCIES,
            "csv_dialect": self.csv_dialect in DIALECTS,
            "returns_share": 0.0 <= self.returns_share <= 0.2,
            "sales_reps": 0 <= self.sales_reps <= len(REP_NAMES),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"World knob(s) out of range: {', '.join(bad)}")
        ordered = tuple(t for t in OPTIONAL_TABLES if t in self.optional_tables)
        object.__setattr__(self, "optional_tables", ordered)

    def has(self, table: str) -> bool:
        return table in self.optional_tables

    def knobs(self) -> dict:
        """The knobs as JSON-ready values."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}  # fmt: skip


def _region(seed: int, language: str) -> str:
    """The formatting locale of a client whose report is in ``language``, from its own stream
    (so that it moved no other knob, nor any data file, of an existing seed)."""
    names, weights = REGIONS[language]
    return str(Generator(PCG64([seed, 19])).choice(names, p=weights))


def sample_world(seed: int, **overrides) -> World:
    """Draw every knob of a ``World`` from the space with ``Generator(PCG64(seed))``.

    Knobs are drawn independently (locale, currency, CSV dialect and step language as realistic
    mixtures); customers log-uniform on 30 … 1500 so that a zoo of 40 audits stays fast.
    ``overrides`` fix knobs by name (the others are still drawn, so a knob's draw does not
    depend on which others are overridden).
    """
    rng = Generator(PCG64([seed, 16]))
    locale = str(rng.choice(LOCALES))
    currency = str(rng.choice(CURRENCIES, p=(0.7, 0.1, 0.2) if locale == "pl" else (0.1, 0.5, 0.4)))
    dialect = locale if rng.random() < 0.8 else str(rng.choice(DIALECTS))
    language = locale if rng.random() < 0.6 else str(rng.choice(LANGUAGES))
    tables = tuple(t for t in OPTIONAL_TABLES if rng.random() < 0.6)
    drawn = {
        "customers": int(np.rint(np.exp(rng.uniform(np.log(30), np.log(1500))))),
        "history_months": int(rng.integers(6, 61)),
        "behaviour": str(rng.choice(BEHAVIOURS, p=(0.4, 0.2, 0.15, 0.25, 0.0))),  # same draws
        "spend_response": str(rng.choice(SPEND_RESPONSES, p=(0.5, 0.3, 0.2))),
        "channels": int(rng.integers(0, 9)),
        "zero_spend_channel": bool(rng.random() < 0.5),
        "single_month_channel": bool(rng.random() < 0.4),
        "step_language": language,
        "cart_step": bool(rng.random() < 0.7),
        "optional_tables": tables,
        "messages_unsubscribe": bool(rng.random() < 0.7),
        "locale": _region(seed, locale),
        "currency": currency,
        "csv_dialect": dialect,
        "order_lines": bool(rng.random() < 0.5),
        "returns_share": float(round(rng.choice([0.0, 0.02, 0.05, 0.12]), 2)),
        "loyalty": bool(rng.random() < 0.5),
        "sales_reps": int(rng.choice([0, 0, 2, 3, 4, 6])),
        "dirty_rows": bool(rng.random() < 0.8),
        # its own stream, so that adding it moved no other knob of an existing seed
        "rep_effect": bool(Generator(PCG64([seed, 17])).random() < 0.75),
        "channel_effects": bool(Generator(PCG64([seed, 18])).random() < 0.7),
        "seed": seed,
    }
    unknown = set(overrides) - set(drawn)
    if unknown:
        raise TypeError(f"unknown World knob(s): {', '.join(sorted(unknown))}")
    return World(**(drawn | overrides))


# ================================================================================================
# the window
# ================================================================================================
@dataclass(frozen=True)
class _Window:
    start: pd.Timestamp
    days: int
    month_first: np.ndarray  # first day (index) of each month
    month_days: np.ndarray

    @property
    def end_min(self) -> int:
        return self.days * MIN_PER_DAY

    @property
    def months(self) -> int:
        return len(self.month_first)


def _window(history_months: int) -> _Window:
    first = pd.date_range(end=OBSERVATION_END, periods=history_months, freq="MS")
    start = first[0]
    days = int((OBSERVATION_END - start).days) + 1
    month_first = np.asarray((first - start).days, dtype=np.int64)
    return _Window(start, days, month_first, np.diff(np.append(month_first, days)))


# ================================================================================================
# channels and acquisition
# ================================================================================================
def _roster(world: World, rng: Generator) -> list[dict]:
    """The acquisition channels: name and kind (paid, zero, single, organic), with true response."""
    n = world.channels
    kinds = []
    if n >= 1:
        kinds.append("paid")
    if world.zero_spend_channel and n >= 2:
        kinds.append("zero")
    if world.single_month_channel and n >= 3:
        kinds.append("single")
    while len(kinds) < n:
        kinds.append("paid" if rng.random() < 0.65 else "organic")
    pools = {"paid": list(PAID_NAMES), "zero": list(FREE_NAMES), "organic": list(FREE_NAMES),
             "single": list(SINGLE_NAMES)}  # fmt: skip
    for pool in pools.values():
        rng.shuffle(pool)
    free = pools["zero"]  # zero and organic share one pool: no name twice
    pools["organic"] = free
    roster = []
    scale = PLN_PER_UNIT[world.currency]
    for kind in kinds:
        name = pools[kind].pop()
        b = {"concave": float(round(rng.uniform(0.35, 0.9), 3)), "linear": 1.0, "flat": 0.0}
        roster.append({
            "name": name,
            "kind": kind,
            "share": float(rng.uniform(0.5, 2.0)),
            "cac": float(round(rng.uniform(40, 400) / scale, 2)),
            "b": b[world.spend_response] if kind == "paid" else None,
        })  # fmt: skip
    return roster


def _acquisition(world: World, win: _Window, roster: list[dict], rng: Generator):
    """Each customer's channel and acquisition minute; the spend matrix (cents, channel × month)."""
    n, months = world.customers, win.months
    if not roster:
        roster = [{"name": None, "kind": "organic", "share": 1.0, "cac": 0.0, "b": None}]
    k = len(roster)
    month = np.arange(months)
    month_of_year = (win.start.month - 1 + month) % 12
    budget = (1 + 0.25 * np.cos(2 * np.pi * (month_of_year - 4) / 12)) * rng.lognormal(
        0.0, 0.45, (k, months)
    )
    budget /= budget.mean(axis=1, keepdims=True)
    single_month = int(rng.integers(0, months))
    weights = np.empty((k, months))
    for i, ch in enumerate(roster):
        if ch["kind"] == "paid" and world.spend_response != "flat":
            w = budget[i] ** (ch["b"] if world.spend_response == "concave" else 1.0)
        elif ch["kind"] == "single":
            w = (month == single_month).astype(float)
        else:
            w = win.month_days.astype(float)
        weights[i] = ch["share"] * w / w.sum()
    weights /= weights.sum()
    cell = rng.choice(weights.size, n, p=weights.ravel())
    channel, m = np.divmod(cell, months)
    day = win.month_first[m] + np.floor(rng.random(n) * win.month_days[m]).astype(np.int64)
    minute = day * MIN_PER_DAY + rng.integers(7 * 60, 22 * 60, n)
    order = np.argsort(minute, kind="stable")
    channel, minute = channel[order], minute[order]

    new = np.zeros((k, months), dtype=np.int64)
    np.add.at(new, (channel, m[order]), 1)
    spend = np.zeros((k, months), dtype=np.int64)  # cents
    truth = {}
    for i, ch in enumerate(roster):
        cac_cents = int(round(ch["cac"] * 100))
        planned = ch["cac"] * n * weights[i].sum() / months * 100  # cents per month
        if ch["kind"] == "paid" and world.spend_response == "linear":
            spend[i] = cac_cents * new[i]  # exactly proportional: new = spend / CAC
        elif ch["kind"] == "paid":
            spend[i] = np.rint(planned * budget[i]).astype(np.int64)
        elif ch["kind"] == "single":
            spend[i, single_month] = max(1, cac_cents * int(new[i].sum()))
        if ch["name"] is None:
            continue
        total = int(spend[i].sum()) / 100
        facts = {"kind": ch["kind"], "new_customers": int(new[i].sum()),
                 "spend": round(total, 2), "spend_response_b": ch["b"]}  # fmt: skip
        if ch["kind"] == "paid":
            pln = spend[i] / 100
            if world.spend_response == "concave":
                k_i = float(np.mean(n * weights[i] / np.maximum(pln, 1e-9) ** ch["b"]))
            elif world.spend_response == "linear":
                k_i = 1.0 / ch["cac"]
            else:
                k_i = None
            facts |= {
                "k": k_i,
                "months_with_spend": int((spend[i] > 0).sum()),
                "max_monthly_spend": round(float(pln.max()), 2),
                "response": "E[new] = k * spend^b (spend in currency per month)",
            }
        if ch["kind"] == "single":
            facts["spend_month"] = str((win.start + pd.DateOffset(months=single_month)).date())
        if ch["kind"] in ("paid", "single") and total:
            facts["cac"] = round(total / max(1, int(new[i].sum())), 2)
        truth[ch["name"]] = facts
    return channel, minute, spend, truth


# ================================================================================================
# purchases and orders
# ================================================================================================
def _btyd_params(world: World, rng: Generator) -> dict:
    """The true purchase-process parameters (per week) of the world's behaviour."""
    if world.behaviour == "one_time":
        return {"process": "one_time", "r": None, "alpha": None, "a": None, "b": None,
                "notes": "nobody buys twice: no repeat purchase process"}  # fmt: skip
    if world.behaviour == "no_dropout":
        r, alpha = float(rng.uniform(1.0, 3.0)), float(rng.uniform(6.0, 20.0))
        return {
            "process": "NBD (BG/NBD with a -> 0)",
            "r": r,
            "alpha": alpha,
            "a": 0.0,
            "b": None,
            "notes": "drop-out probability p = 0: customers never leave",
        }
    if world.behaviour == "seasonal_loyal":
        r, alpha = float(rng.uniform(1.0, 3.0)), float(rng.uniform(6.0, 20.0))
        return {"process": "BG/NBD", "r": r, "alpha": alpha, "a": 1.0, "b": 800.0,
                "seasonal_amplitude": float(rng.uniform(0.6, 0.9)), "seasonal_peak_day": 340,
                "notes": "p ~ Beta(1, 800): ~1 % drop out a year; rate x (1 + A cos(2 pi "
                         "(day of year - peak) / 365.25))"}  # fmt: skip
    r, alpha = float(rng.uniform(0.4, 1.5)), float(rng.uniform(4.0, 20.0))
    a, b = float(rng.uniform(0.4, 1.2)), float(rng.uniform(2.0, 6.0))
    out = {"process": "BG/NBD", "r": r, "alpha": alpha, "a": a, "b": b}
    if world.behaviour == "seasonal":
        out |= {"seasonal_amplitude": float(rng.uniform(0.6, 0.9)), "seasonal_peak_day": 340,
                "notes": "rate x (1 + A cos(2 pi (day of year - peak) / 365.25))"}  # fmt: skip
    return out


def _effects(world: World, roster: list[dict], params: dict) -> dict:
    """The true covariate coefficients, from their own stream ``[seed, 19]``: ``trans`` and
    ``life`` per channel in roster order (the first, the reference, 0; one entry for a world
    without channels), ``member_trans`` and ``member_life`` for loyalty members. All 0 without
    ``channel_effects`` or a repeat-purchase process; life 0 without drop-out (a = 0);
    members' 0 without loyalty."""
    rng = Generator(PCG64([world.seed, 19]))
    k = max(1, len(roster))
    trans = rng.uniform(-TRANS_EFFECT, TRANS_EFFECT, 8)[:k]  # 8: the most channels a world has
    life = rng.uniform(-LIFE_EFFECT, LIFE_EFFECT, 8)[:k]
    member_trans, member_life = float(rng.uniform(*MEMBER_TRANS)), float(rng.uniform(*MEMBER_LIFE))
    trans[0] = life[0] = 0.0
    on = world.channel_effects and params["r"] is not None
    if not on:
        trans, life, member_trans, member_life = np.zeros(k), np.zeros(k), 0.0, 0.0
    if not params["a"]:  # no drop-out: a_i = 0 whatever the exponent
        life, member_life = np.zeros(k), 0.0
    if not world.loyalty:
        member_trans = member_life = 0.0
    return {"trans": trans, "life": life, "member_trans": member_trans, "member_life": member_life}


def _customer_btyd(params: dict, effects: dict, channel, member, worse) -> tuple:
    """Each customer's α_i, a_i, b_i: α·exp(−γ_trans·x), a·exp(γ_life·x), b·exp(γ_life·x) for his
    channel and loyalty status x; then the worse rep's customers' b_i / 2.5 (``worse``: a mask,
    or None)."""
    trans = effects["trans"][channel] + effects["member_trans"] * member
    life = effects["life"][channel] + effects["member_life"] * member
    alpha = (params["alpha"] or 1.0) * np.exp(-trans)
    a = (params["a"] or 0.0) * np.exp(life)
    b = (params["b"] or 1.0) * np.exp(life)
    if worse is not None:
        b[worse] = b[worse] / WORSE_REP_B_DIVISOR
    return alpha, a, b


def _purchases(win: _Window, params: dict, acq_min: np.ndarray, alpha, a, b, rng: Generator):
    """Repeat purchases: per customer the first J arrivals (J ~ Geometric(p)) of a (thinned)
    Poisson process of rate λ on (acquisition, end of window); λ ~ Gamma(r, rate α_i),
    p ~ Beta(a_i, b_i)."""
    n = len(acq_min)
    if params["r"] is None:
        zero = np.zeros(n)
        empty = np.zeros(0, dtype=np.int64)
        return {"customer": empty, "minute": empty, "lam": zero, "p": zero,
                "x": np.zeros(n, np.int64), "alive": np.ones(n, bool)}  # fmt: skip
    lam = rng.gamma(params["r"], 1.0 / alpha)
    p = rng.beta(a, b) if params["a"] else np.zeros(n)
    amp = params.get("seasonal_amplitude", 0.0)
    t_weeks = (win.end_min - acq_min) / MIN_PER_WEEK
    count = rng.poisson(lam * (1 + amp) * t_weeks)
    idx = np.repeat(np.arange(n), count)
    minute = acq_min[idx] + np.floor(rng.random(len(idx)) * (win.end_min - acq_min[idx]))
    minute = np.maximum(minute.astype(np.int64), acq_min[idx] + 1)
    order = np.lexsort((minute, idx))
    idx, minute = idx[order], minute[order]
    keep = np.ones(len(idx), bool)
    if amp:
        doy = ((win.start + pd.to_timedelta(minute // MIN_PER_DAY, "D")).day_of_year).to_numpy()
        season = 1 + amp * np.cos(2 * np.pi * (doy - params["seasonal_peak_day"]) / 365.25)
        keep = rng.random(len(idx)) < season / (1 + amp)
    idx, minute = idx[keep], minute[keep]
    j = np.where(p > 0, rng.geometric(np.clip(p, 1e-12, 1.0)), np.iinfo(np.int64).max)
    starts = np.cumsum(np.bincount(idx, minlength=n)) - np.bincount(idx, minlength=n)
    rank = np.arange(len(idx)) - starts[idx] + 1
    kept = rank <= j[idx]
    x = np.bincount(idx[kept], minlength=n)
    alive = j > np.bincount(idx, minlength=n)  # did not drop out by the end of the window
    return {"customer": idx[kept], "minute": minute[kept], "lam": lam, "p": p, "x": x,
            "alive": alive}  # fmt: skip


def _members(world: World, rng: Generator) -> np.ndarray:
    """Loyalty members: each customer with probability ``MEMBER_SHARE`` (none without loyalty)."""
    n = world.customers
    return (rng.random(n) < MEMBER_SHARE) if world.loyalty else np.zeros(n, bool)


def _gamma_gamma(world: World, rng: Generator) -> dict:
    mean_pln = float(rng.uniform(60, 600)) * (
        3.0 if world.behaviour in ("no_dropout", "seasonal_loyal") else 1.0
    )
    p, q = float(rng.uniform(2.0, 8.0)), float(rng.uniform(2.5, 6.0))
    gamma = mean_pln / PLN_PER_UNIT[world.currency] * (q - 1) / p
    return {"p": p, "q": q, "gamma": gamma, "mean_order_value": p * gamma / (q - 1)}


def _orders(world, acq_min, purchases, gg, member, lift, rng) -> dict:
    n = len(acq_min)
    customer = np.concatenate([np.arange(n), purchases["customer"]])
    minute = np.concatenate([acq_min, purchases["minute"]])
    order = np.lexsort((customer, minute))
    customer, minute = customer[order], minute[order]
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)
    z = rng.gamma(gg["p"], 1.0 / nu[customer]) * np.where(member[customer], 1.0 + lift, 1.0)
    value_cents = np.maximum(1, np.rint(z * 100)).astype(np.int64)
    return {"customer": customer, "minute": minute, "value_cents": value_cents, "nu": nu}


# ================================================================================================
# the true value of a new customer
# ================================================================================================
def intensity_weeks(btyd: dict, horizon_months: int, start: pd.Timestamp) -> np.ndarray:
    """Λ(m) for m = 0 … H: the purchase intensity (weeks at rate 1) from ``start`` to the end of
    month m (months of 30.4375 days). Without a season m·30.4375/7; with one the integral of the
    generator's daily factor 1 + A cos(2π (day of year − peak)/365.25) (a day's factor over the
    whole day, as the thinning applies it)."""
    ends = np.arange(horizon_months + 1) * DAYS_PER_MONTH
    amp = btyd.get("seasonal_amplitude") or 0.0
    if not amp:
        return ends / 7.0
    days = int(np.ceil(ends[-1])) + 1
    doy = pd.date_range(start, periods=days, freq="D").day_of_year.to_numpy()
    factor = 1 + amp * np.cos(2 * np.pi * (doy - btyd["seasonal_peak_day"]) / 365.25)
    cumulative = np.concatenate([[0.0], np.cumsum(factor)])
    return np.interp(ends, np.arange(days + 1), cumulative) / 7.0


def simulate_new_customer_value(
    btyd: dict,
    gamma_gamma: dict,
    *,
    horizon_months: int,
    annual_discount_rate: float,
    margin: float,
    spend_multiplier: float = 1.0,
    worse_rep_share: float = 0.0,
    draws: int = NEW_CUSTOMER_DRAWS,
    seed=0,
    start: pd.Timestamp = ACQUIRED_ON,
) -> tuple[float, float]:
    """The value of a customer acquired on ``start`` (currency) and its Monte-Carlo standard
    error: margin × [first order + Σ_{m=1..H} (order values of month m's repeat purchases) /
    (1 + d)^m], d = (1 + annual rate)^(1/12) − 1, averaged over ``draws`` fresh customers.

    Each customer is drawn from the generator's process: λ ~ Gamma(r, rate α), p ~ Beta(a, b)
    (b / 2.5 for the worse rep's customers, a share ``worse_rep_share``; p = 0 when a = 0),
    ν ~ Gamma(q, rate γ). Given them, his Poisson purchases cut off by geometric drop-out are
    integrated exactly — E[X(Λ) | λ, p] = (1 − e^(−pλΛ)) / p, λΛ at p = 0, Λ the intensity in
    weeks (``intensity_weeks``: the season's where the world has one) — and every order's
    expected value is ``spend_multiplier`` × p_gg / ν. ``btyd["r"]`` None: one-time buyers (the
    first order only). ``btyd`` holds natural parameters ``r, alpha, a, b`` (per week) and the
    season's keys if any; ``gamma_gamma`` ``p, q, gamma``. Seeded by ``seed``.
    """
    rng = Generator(PCG64(seed))
    n = int(draws)
    order_value = (
        spend_multiplier
        * gamma_gamma["p"]
        / rng.gamma(gamma_gamma["q"], 1.0 / gamma_gamma["gamma"], n)
    )
    repeat = np.zeros(n)  # discounted expected repeat purchases
    if btyd["r"] is not None:
        lam = rng.gamma(btyd["r"], 1.0 / btyd["alpha"], n)
        if btyd["a"]:
            worse = rng.random(n) < worse_rep_share
            p = rng.beta(btyd["a"], np.where(worse, btyd["b"] / WORSE_REP_B_DIVISOR, btyd["b"]))
        else:
            p = np.zeros(n)
        log_v = -np.log1p((1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0)  # ln 1/(1 + d)
        weeks = intensity_weeks(btyd, horizon_months, start)
        safe = np.where(p > 0, p, 1.0)
        if not btyd.get("seasonal_amplitude"):
            # equal months: E[ΔX(m)] = (1 − q) q^(m−1) / p with q = e^(−pλΔ), a geometric sum
            step = weeks[1]
            first = np.where(p > 0, -np.expm1(-p * lam * step) / safe, lam * step)
            log_x = log_v - p * lam * step  # ln(q / (1 + d))
            ratio = np.where(
                log_x < 0,
                np.expm1(horizon_months * log_x) / np.expm1(np.minimum(log_x, -1e-300)),
                horizon_months,
            )
            repeat = first * np.exp(log_v) * ratio
        else:
            before = np.zeros(n)
            for m in range(1, horizon_months + 1):
                now = np.where(p > 0, -np.expm1(-p * lam * weeks[m]) / safe, lam * weeks[m])
                repeat += (now - before) * np.exp(m * log_v)
                before = now
    value = margin * order_value * (1.0 + repeat)
    return float(value.mean()), float(value.std(ddof=1) / np.sqrt(n))


def _new_customer_truth(world, roster, params, gg, effects, channel, member, worse_share) -> dict:
    """The true new-customer value per channel and loyalty status (``simulate_new_customer_value``
    at the economics of ``client.yml``), each channel's at the process's member probability and at
    its realised member share, and the value pooled over channels by their customers."""
    econ = {"margin": ECONOMICS["gross_margin"], "horizon_months": ECONOMICS["horizon_months"],
            "annual_discount_rate": ECONOMICS["annual_discount_rate"]}  # fmt: skip
    statuses = (False, True) if world.loyalty else (False,)
    season = {k: params[k] for k in ("seasonal_amplitude", "seasonal_peak_day") if k in params}
    names = [c["name"] for c in roster] or [None]
    entries = {}
    for i, name in enumerate(names):
        by_status = {}
        for status in statuses:
            trans = float(effects["trans"][i] + effects["member_trans"] * status)
            life = float(effects["life"][i] + effects["member_life"] * status)
            natural = {
                "r": params["r"],
                "alpha": None if params["r"] is None else params["alpha"] * np.exp(-trans),
                "a": None if params["a"] is None else params["a"] * np.exp(life),
                "b": None if params["b"] is None else params["b"] * np.exp(life),
            }
            value, se = simulate_new_customer_value(
                natural | season, gg, **econ, spend_multiplier=1.0 + LOYALTY_LIFT * status,
                worse_rep_share=worse_share, draws=NEW_CUSTOMER_DRAWS // len(statuses),
                seed=[world.seed, 20, i, int(status)],
            )  # fmt: skip
            by_status["member" if status else "non_member"] = {
                "trans": trans, "life": life, **natural,
                "new_customer_value": value, "new_customer_value_se": se,
            }  # fmt: skip
        inside = channel == i
        share = float(member[inside].mean()) if world.loyalty and inside.any() else None
        entry = {"customers": int(inside.sum()), "member_share": share,
                 "trans": float(effects["trans"][i]), "life": float(effects["life"][i]),
                 **{k: by_status["non_member"][k] for k in ("r", "alpha", "a", "b")}}  # fmt: skip
        entry |= _mixed(by_status, MEMBER_SHARE if world.loyalty else 0.0)
        if world.loyalty:
            at_share = _mixed(by_status, share or 0.0)
            entry["new_customer_value_at_member_share"] = at_share["new_customer_value"]
            entry["new_customer_value_at_member_share_se"] = at_share["new_customer_value_se"]
            entry["loyalty"] = by_status
        entries[name] = entry
    weights = np.array([e["customers"] for e in entries.values()], float) / len(channel)
    values = np.array([e["new_customer_value"] for e in entries.values()])
    ses = np.array([e["new_customer_value_se"] for e in entries.values()])
    pooled = {"customers": len(channel),
              "member_share": float(member.mean()) if world.loyalty else None,
              "new_customer_value": float(weights @ values),
              "new_customer_value_se": float(np.sqrt((weights**2) @ (ses**2)))}  # fmt: skip
    return {
        "definition": "margin x [E first order + E order value x sum_{m=1..H} (E[X(m)] - "
                      "E[X(m-1)]) / (1 + d)^m], months of 30.4375 days, d = (1 + annual "
                      "rate)^(1/12) - 1; order values gross of returns",
        **econ,
        "monthly_discount_rate": (1 + econ["annual_discount_rate"]) ** (1 / 12) - 1,
        "days_per_month": DAYS_PER_MONTH,
        "acquired_on": str(ACQUIRED_ON.date()),
        "method": "Monte Carlo over fresh customers (lambda, p, nu drawn; purchases, drop-out "
                  "and order values integrated exactly given them)",
        "draws_per_channel": NEW_CUSTOMER_DRAWS,
        "draws_per_loyalty_status": NEW_CUSTOMER_DRAWS // len(statuses),
        "member_probability": MEMBER_SHARE if world.loyalty else None,
        "worse_rep_share": worse_share,
        "value_is": "a fresh customer of the channel: a member with the member probability "
                    "(and of the worse rep with its share); _at_member_share: at the channel's "
                    "realised member share; loyalty: per status",
        "channels": {k: v for k, v in entries.items() if k is not None},
        "all": pooled,
    }  # fmt: skip


def _by_name(names: list[str], values: np.ndarray) -> dict:
    return dict(zip(names, values[: len(names)].tolist(), strict=True))


def _mixed(by_status: dict, share: float) -> dict:
    """The value (and its standard error) of a customer who is a member with probability
    ``share``: the two strata's values weighted."""
    weights = {"non_member": 1.0 - share, "member": share}
    value = sum(w * by_status[k]["new_customer_value"] for k, w in weights.items() if w)
    var = sum((w * by_status[k]["new_customer_value_se"]) ** 2 for k, w in weights.items() if w)
    return {"new_customer_value": float(value), "new_customer_value_se": float(np.sqrt(var))}


# ================================================================================================
# formatting
# ================================================================================================
Table = dict[str, np.ndarray]  # an export: header -> column of str (object arrays)
TWO_DIGITS = np.asarray([f"{i:02d}" for i in range(100)], dtype=object)


def _text(values: np.ndarray) -> np.ndarray:
    """Integers -> their decimal text, as an object array."""
    return np.asarray(list(map(str, np.asarray(values, dtype=np.int64).tolist())), dtype=object)


def _padded(values: np.ndarray, width: int) -> np.ndarray:
    return np.asarray([str(v).zfill(width) for v in np.asarray(values).tolist()], dtype=object)


class _Fmt:
    """Dates, amounts and ids in one CSV dialect (vectorised over numpy arrays)."""

    def __init__(self, dialect: str, win: _Window):
        self.opts = CSV_OPTIONS[dialect]
        self.dialect = dialect
        self.win = win
        days = pd.date_range(win.start, periods=win.days + 400, freq="D")
        self.day = np.asarray(days.strftime(self.opts["date"]), dtype=object)
        self.years = days.year.to_numpy()
        hm = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]
        if dialect == "en":
            hm = [t + ":00" for t in hm]
        self.hm = np.asarray(hm, dtype=object)

    def ts(self, minutes: np.ndarray) -> np.ndarray:
        minutes = np.asarray(minutes, dtype=np.int64)
        return self.day[minutes // MIN_PER_DAY] + " " + self.hm[minutes % MIN_PER_DAY]

    def date(self, days: np.ndarray) -> np.ndarray:
        return self.day[np.asarray(days, dtype=np.int64)]

    def money(self, cents: np.ndarray) -> np.ndarray:
        cents = np.asarray(cents, dtype=np.int64)
        a = np.abs(cents)
        text = _text(a // 100) + self.opts["decimal"] + TWO_DIGITS[a % 100]
        return np.where(cents < 0, "-" + text, text)

    def customer_ids(self, n: int) -> np.ndarray:
        ids = np.arange(n)
        if self.dialect == "pl":
            return _text(10001 + ids)
        return "C" + _padded(ids + 1, 6)

    def order_ids(self, minute: np.ndarray) -> np.ndarray:
        seq = np.arange(1, len(minute) + 1)
        if self.dialect == "pl":
            year = self.years[np.asarray(minute, np.int64) // MIN_PER_DAY]
            return "ZAM/" + _text(year) + "/" + _padded(seq, 6)
        return "INV-" + _padded(seq, 7)


def _csv_bytes(table: Table, fmt: _Fmt) -> bytes:
    """The export: a header and one line per row, CRLF line ends in the Polish (Windows)
    dialect. Values never hold the separator, quotes or line breaks (the name lists above are
    checked by the tests), so nothing is quoted."""
    sep = fmt.opts["sep"]
    columns = list(table.values())
    lines = columns[0]
    for values in columns[1:]:
        lines = lines + sep + values
    newline = "\r\n" if fmt.dialect == "pl" else "\n"
    text = newline.join([sep.join(table), *lines.tolist()]) + newline
    return text.encode(fmt.opts["encoding"])


def _rows(table: Table) -> int:
    return len(next(iter(table.values())))


# ================================================================================================
# tables
# ================================================================================================
def _transactions(world, fmt, win, orders, ids, rep_of, rng) -> tuple[Table, dict, dict]:
    h = HEADERS[world.csv_dialect]
    n_orders = len(orders["minute"])
    order_id = fmt.order_ids(orders["minute"])
    if world.order_lines:
        lines = _build_lines(rng, orders)
        o, qty, unit = lines["order"], lines["qty"], lines["unit"]
        product = lines["category"] * PRODUCTS_PER_CATEGORY + lines["product"]
    else:
        o = np.arange(n_orders)
        qty, unit = np.ones(n_orders, np.int64), orders["value_cents"]
        product = np.zeros(n_orders, np.int64)
    minute = orders["minute"][o]
    # returns: one row (the first line, or a part of the order value) 3-21 days later
    returned = rng.random(n_orders) < world.returns_share
    first_row = np.searchsorted(o, np.arange(n_orders))
    r_day = orders["minute"] // MIN_PER_DAY + rng.integers(3, 22, n_orders)
    r_ok = np.flatnonzero(returned & (r_day < win.days))
    r_row = first_row[r_ok]
    r_min = r_day[r_ok] * MIN_PER_DAY + rng.integers(8 * 60, 16 * 60, len(r_ok))
    if world.order_lines:
        r_qty, r_unit = -qty[r_row], unit[r_row]
    else:
        r_qty = -np.ones(len(r_ok), np.int64)
        r_unit = np.maximum(1, (unit[r_row] * rng.uniform(0.2, 1.0, len(r_ok))).astype(np.int64))
    o = np.concatenate([o, r_ok])
    minute = np.concatenate([minute, r_min])
    qty, unit = np.concatenate([qty, r_qty]), np.concatenate([unit, r_unit])
    product = np.concatenate([product, product[r_row]])
    sort = np.lexsort((np.arange(len(o)), minute))
    o, minute, qty, unit, product = o[sort], minute[sort], qty[sort], unit[sort], product[sort]

    cust = orders["customer"][o]
    cols = {h["order_id"]: order_id[o], h["customer_id"]: ids[cust], h["order_ts"]: fmt.ts(minute)}
    if world.order_lines:
        codes = np.asarray([f"{p}-{i + 1:03d}" for p, _ in CATEGORIES.values()
                            for i in range(PRODUCTS_PER_CATEGORY)], dtype=object)  # fmt: skip
        cols[h["product_id"]] = codes[product]
        cols[h["quantity"]] = _text(qty)
        cols[h["unit_price"]] = fmt.money(unit)
    else:
        cols[h["revenue"]] = fmt.money(unit * qty)
    if rep_of is not None:
        cols[h["sales_rep"]] = np.asarray(REP_NAMES, dtype=object)[rep_of[cust]]
    info = {"clean_rows": _rows(cols), "return_rows": len(r_ok), "orders": n_orders}
    if not world.dirty_rows:
        return cols, {}, info
    cols, dirty = _dirty(world, cols, fmt, win, qty * unit >= 0, rng)
    return cols, dirty, info


def _dirty(world, table: Table, fmt: _Fmt, win: _Window, purchase: np.ndarray, rng):
    """Copies of distinct purchase rows, one per loader exclusion reason, each with exactly one
    defect; a duplicate follows its original, the late row (after the window) comes last."""
    h = HEADERS[world.csv_dialect]
    amount = h["unit_price"] if world.order_lines else h["revenue"]
    n = _rows(table)
    candidates = np.flatnonzero(purchase)
    rows = rng.choice(candidates, len(DIRTY_KINDS), replace=len(candidates) < len(DIRTY_KINDS))
    copies = {name: values[rows].copy() for name, values in table.items()}
    copies[h["customer_id"]][0] = ""
    copies[h["order_ts"]][1] = UNREADABLE[world.csv_dialect]
    copies[amount][2] = "n/d"
    later = win.end_min + int(rng.integers(1, 20)) * MIN_PER_DAY + 12 * 60
    copies[h["order_ts"]][4] = fmt.ts(np.array([later]))[0]
    copies[h["order_id"]][4] = "X-" + str(n + 1)
    key = np.concatenate([np.arange(n) * 2.0, rows * 2.0 + 1])
    key[-1] = 2.0 * n
    order = np.argsort(key, kind="stable")
    out = {name: np.concatenate([values, copies[name]])[order] for name, values in table.items()}
    return out, dict.fromkeys(DIRTY_KINDS, 1)


def _customers(world, fmt, h, ids, acq_min, roster, channel, member, rep_of) -> Table:
    cols = {h["customer_id"]: ids, h["acquired_at"]: fmt.ts(acq_min)}
    if roster:
        names = np.asarray([c["name"] for c in roster], dtype=object)
        cols[h["acquisition_channel"]] = names[channel]
    if world.loyalty:
        cols[h["loyalty_member"]] = np.asarray(fmt.opts["yes_no"], dtype=object)[member.astype(int)]
    if rep_of is not None:
        cols[h["sales_rep"]] = np.asarray(REP_NAMES, dtype=object)[rep_of]
    return cols


def _spend(fmt, h, win, roster, spend) -> Table:
    rows = [
        (m, i)
        for m in range(win.months)
        for i, ch in enumerate(roster)
        if ch["kind"] in ("paid", "zero") or (ch["kind"] == "single" and spend[i, m])
    ]
    m = np.array([r[0] for r in rows], dtype=np.int64)
    i = np.array([r[1] for r in rows], dtype=np.int64)
    names = np.asarray([c["name"] for c in roster], dtype=object)
    return {h["period"]: fmt.date(win.month_first[m]), h["channel"]: names[i],
            h["spend"]: fmt.money(spend[i, m])}  # fmt: skip


def _recent(win: _Window) -> tuple[int, int]:
    days = min(RECENT_DAYS, win.days)
    return win.days - days, days


def _messages(world, fmt, h, ids, acq_min, rng) -> tuple[Table, dict]:
    """Messages with a fatigue curve: click probability × exp(−k (m − 1)) at cadence m per week,
    unsubscribe probability per message u0·exp(k_u (m − 1)), nothing sent after unsubscribing."""
    n = len(ids)
    start, days = _recent(win := fmt.win)
    tiers = np.array([0.5, 1.0, 2.0, 3.0, 5.0])
    cadence = tiers[rng.choice(len(tiers), n, p=(0.3, 0.3, 0.2, 0.12, 0.08))]
    consent = rng.random(n) < 0.65
    first = np.maximum(start, acq_min // MIN_PER_DAY + 1)
    span = np.maximum(0, win.days - first)
    count = np.where(consent, rng.poisson(cadence * span / 7.0), 0)
    ci = np.repeat(np.arange(n), count)
    sent = (first[ci] + np.floor(rng.random(len(ci)) * span[ci]).astype(np.int64)) * MIN_PER_DAY
    sent += rng.integers(8 * 60, 20 * 60, len(ci))
    order = np.lexsort((sent, ci))
    ci, sent = ci[order], sent[order]
    k, u0, ku = 0.25, 0.002, 0.45
    m = cadence[ci]
    kinds = np.array(["email", "sms", "push"], dtype=object)
    ch = rng.choice(3, len(ci), p=(0.7, 0.12, 0.18))
    open_min = sent + 1 + np.floor(rng.exponential(180.0, len(ci))).astype(np.int64)
    opened = (rng.random(len(ci)) < np.array([0.25, 0.0, 0.1])[ch]) & (open_min < win.end_min)
    click_min = np.where(ch == 1, sent, open_min) + 1 + rng.integers(0, 60, len(ci))
    click_p = np.array([0.15, 0.05, 0.3])[ch] * np.exp(-k * (m - 1))
    clicked = (rng.random(len(ci)) < click_p) & (opened | (ch == 1)) & (click_min < win.end_min)
    unsub = rng.random(len(ci)) < u0 * np.exp(ku * (m - 1))
    unsub_min = np.minimum(sent + 1 + rng.integers(0, 600, len(ci)), win.end_min - 1)
    if world.messages_unsubscribe:
        cum = np.cumsum(unsub)
        starts = np.cumsum(count) - count
        base = np.concatenate([[0], cum])[starts][ci]
        keep = (cum - unsub) == base  # nothing after a customer's first unsubscribe
    else:
        keep = np.ones(len(ci), bool)
    same_minute = np.concatenate([[False], (ci[1:] == ci[:-1]) & (sent[1:] == sent[:-1])])
    keep &= ~same_minute  # one message per customer and minute: no exact duplicate rows
    out = np.flatnonzero(keep)
    out = out[np.lexsort((ci[out], sent[out]))]
    empty = np.full(len(out), "", dtype=object)
    cols = {
        h["customer_id"]: ids[ci[out]], h["sent_at"]: fmt.ts(sent[out]),
        h["channel"]: kinds[ch[out]],
        h["campaign"]: np.where(rng.random(len(out)) < 0.3, "Newsletter", "Promo"),
        h["opened_at"]: np.where(opened[out], fmt.ts(open_min[out]), empty),
        h["clicked_at"]: np.where(clicked[out], fmt.ts(click_min[out]), empty),
    }  # fmt: skip
    if world.messages_unsubscribe:
        cols[h["unsubscribed_at"]] = np.where(unsub[out], fmt.ts(unsub_min[out]), empty)
    truth = {
        "window_days": days, "cadence_tiers": tiers.tolist(), "click_fatigue_k": k,
        "unsubscribe_u0": u0, "unsubscribe_k": ku, "messages": int(len(out)),
        "click_multiplier": "exp(-k (m - 1)) at m messages per week",
        "unsubscribed": int(unsub[out].sum()) if world.messages_unsubscribe else None,
    }  # fmt: skip
    return cols, truth


def _sessions(world, fmt, h, ids, acq_min, roster, rng) -> tuple[Table, dict]:
    """One row per session and step reached; conversion rates per source drawn once."""
    steps = FUNNEL_STEPS[world.step_language][0 if world.cart_step else 1]
    n_cust = len(ids)
    win = fmt.win
    start, days = _recent(win)
    n = int(min(4 * n_cust, 40_000))
    sources = [c["name"] for c in roster] + [DIRECT[world.step_language]]
    rates = rng.uniform(0.2, 0.7, (len(sources), len(steps) - 1))
    source = rng.integers(0, len(sources), n)
    passed = rng.random((n, len(steps) - 1)) < rates[source]
    depth = 1 + np.cumprod(passed, axis=1).sum(axis=1)
    begin = (start + rng.integers(0, days, n)) * MIN_PER_DAY * 60 + rng.integers(0, 86_000, n)
    gaps = 1 + rng.integers(20, 200, (n, len(steps) - 1))
    offsets = np.concatenate([np.zeros((n, 1), np.int64), np.cumsum(gaps, axis=1)], axis=1)
    over = begin + offsets[np.arange(n), depth - 1] - (win.end_min * 60 - 1)
    begin -= np.maximum(0, over)
    known = np.flatnonzero(acq_min < start * MIN_PER_DAY)  # customers before the window
    pool = known if len(known) else np.arange(n_cust)
    who = pool[rng.integers(0, len(pool), n)]
    logged = (depth >= len(steps) - 1) | (rng.random(n) < 0.3)
    s = np.repeat(np.arange(n), depth)
    step = np.arange(len(s)) - (np.cumsum(depth) - depth)[s]
    sec = begin[s] + offsets[s, step]
    ts = fmt.ts(sec // 60)
    names = np.asarray(sources, dtype=object)
    cols = {
        h["session_id"]: "S" + _padded(s + 1, 7),
        h["ts"]: ts, h["step"]: np.asarray(steps, dtype=object)[step],
        h["customer_id"]: np.where(logged[s], ids[who[s]], np.full(len(s), "", dtype=object)),
        h["source"]: names[source[s]],
    }  # fmt: skip
    truth = {
        "steps": steps, "window_days": days, "sessions": n, "rows": int(len(s)),
        "step_rates": {src: dict(zip(steps[1:], map(float, rates[i]), strict=True))
                       for i, src in enumerate(sources)},
        "sessions_reaching_step": [int((depth > i).sum()) for i in range(len(steps))],
    }  # fmt: skip
    return cols, truth


# ================================================================================================
# client.yml
# ================================================================================================
def _csv_yml(dialect: str, kind: str) -> dict:
    opts = CSV_OPTIONS[dialect]
    if dialect == "en":
        return {"sep": opts["sep"], "decimal": opts["decimal"], "encoding": opts["encoding"]}
    return {"sep": opts["sep"], "decimal": opts["decimal"], "encoding": opts["encoding"],
            "date_format": opts["ts" if kind == "ts" else "date"]}  # fmt: skip


def _client_yml(world: World, files: dict[str, Table]) -> dict:
    h = HEADERS[world.csv_dialect]
    kinds = {"marketing_spend": "date"}
    sources = {}
    for table, frame in files.items():
        columns = {c: h[c] for c in TABLES[table].columns if c in h and h[c] in frame}
        sources[table] = {"path": f"{table}.csv", "columns": columns,
                          "csv": _csv_yml(world.csv_dialect, kinds.get(table, "ts"))}  # fmt: skip
    config = {
        "client": f"World {world.seed} ({world.behaviour}, {world.customers} customers)",
        "currency": world.currency,
        "locale": world.locale,
        "prepared_by": "clvlib.data.worlds",
        "observation_start": _window(world.history_months).start.date(),
        "observation_end": OBSERVATION_END.date(),
        "holdout_weeks": "auto",  # 26, a third of a short history, a year for a strong season
        "economics": dict(ECONOMICS),
        "sources": sources,
    }
    if "sessions" in files:
        steps = FUNNEL_STEPS[world.step_language][0 if world.cart_step else 1]
        config["funnel"] = {"steps": list(steps)}  # cart_step deliberately not written
    return config


# ================================================================================================
# the public function
# ================================================================================================
def write_client(world: World, out_dir: str | Path) -> Path:
    """Write the client of ``world`` to ``out_dir``; returns the path of its ``client.yml``.

    Writes ``transactions.csv`` and the optional tables of ``world.optional_tables`` (in the
    world's CSV dialect), ``client.yml``, ``ground_truth.json`` and
    ``ground_truth_customers.csv``; each file atomically. Same world → byte-identical files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = Generator(PCG64(world.seed))
    win = _window(world.history_months)
    fmt = _Fmt(world.csv_dialect, win)
    h = HEADERS[world.csv_dialect]

    roster = _roster(world, rng)
    channel, acq_min, spend, channel_truth = _acquisition(world, win, roster, rng)
    params = _btyd_params(world, rng)
    effects = _effects(world, roster, params)
    n = world.customers
    rep_of = rng.integers(0, world.sales_reps, n) if world.sales_reps else None
    worse_rep = int(rng.integers(0, world.sales_reps)) if world.sales_reps else None
    effect = worse_rep is not None and bool(params["a"]) and world.rep_effect
    # membership changes the purchases only with effects: drawn before them then, else where
    # version 1 drew it (a world without effects keeps its exports)
    member = _members(world, rng) if world.channel_effects else None
    alpha_i, a_i, b_i = _customer_btyd(
        params, effects, channel, np.zeros(n, bool) if member is None else member,
        (rep_of == worse_rep) if effect else None,
    )  # fmt: skip
    purchases = _purchases(win, params, acq_min, alpha_i, a_i, b_i, rng)
    lift = LOYALTY_LIFT if world.loyalty else 0.0
    if member is None:
        member = _members(world, rng)
    gg = _gamma_gamma(world, rng)
    orders = _orders(world, acq_min, purchases, gg, member, lift, rng)
    ids = fmt.customer_ids(n)

    reps_in_customers = world.has("customers")
    transactions, dirty, txn_info = _transactions(
        world, fmt, win, orders, ids, None if reps_in_customers else rep_of, rng
    )
    files = {"transactions": transactions}
    if world.has("customers"):
        files["customers"] = _customers(
            world, fmt, h, ids, acq_min, roster, channel, member, rep_of
        )
    if world.has("marketing_spend") and any(c["kind"] != "organic" for c in roster):
        files["marketing_spend"] = _spend(fmt, h, win, roster, spend)
    message_truth = session_truth = None
    if world.has("messages"):
        files["messages"], message_truth = _messages(world, fmt, h, ids, acq_min, rng)
    if world.has("sessions"):
        files["sessions"], session_truth = _sessions(world, fmt, h, ids, acq_min, roster, rng)

    written = {}
    for table, frame in files.items():
        _write_atomic(out / f"{table}.csv", _csv_bytes(frame, fmt))
        written[f"{table}.csv"] = {"rows": _rows(frame), "columns": list(frame)}

    steps = FUNNEL_STEPS[world.step_language][0 if world.cart_step else 1]
    names = [c["name"] for c in roster]
    worse_share = 1.0 / world.sales_reps if effect else 0.0
    truth = {
        "generator": {"module": "clvlib.data.worlds", "version": GENERATOR_VERSION,
                      "bit_generator": "numpy PCG64"},
        "knobs": world.knobs(),
        "observation": {"start": str(win.start.date()), "end": str(OBSERVATION_END.date()),
                        "days": win.days, "months": win.months,
                        "holdout_weeks": "auto",
                        "time_unit": "week (7 days)", "currency": world.currency},
        "btyd": params,
        "covariates": {
            "effects": world.channel_effects,
            "parametrisation": "CLVTools BG/NBD with static covariates: alpha_i = alpha "
                               "exp(-trans x), a_i = a exp(life x), b_i = b exp(life x); btyd "
                               "holds the reference (first channel, non-member)",
            "reference_channel": names[0] if names else None,
            "trans": {"channels": _by_name(names, effects["trans"]),
                      "loyalty_member": effects["member_trans"] if world.loyalty else None},
            "life": {"channels": _by_name(names, effects["life"]),
                     "loyalty_member": effects["member_life"] if world.loyalty else None}},
        "gamma_gamma": gg,
        "loyalty": {"column": world.loyalty and world.has("customers"), "spend_lift": lift,
                    "member_probability": MEMBER_SHARE if world.loyalty else None,
                    "members": int(member.sum())},
        "sales_reps": None if rep_of is None else {
            "names": REP_NAMES[: world.sales_reps], "effect": effect,
            "worse_rep": REP_NAMES[worse_rep] if effect else None,
            "worse_rep_b": params["b"] / WORSE_REP_B_DIVISOR if effect else None,
            "in_table": "customers" if reps_in_customers else "transactions"},
        "channels": channel_truth,
        "new_customer_value": _new_customer_truth(
            world, roster, params, gg, effects, channel, member, worse_share),
        "spend_response": {"kind": world.spend_response,
                           "b": {k: v["spend_response_b"] for k, v in channel_truth.items()
                                 if v["kind"] == "paid"}},
        "funnel": {"steps": steps, "cart_step": steps[CART_INDEX] if world.cart_step else None,
                   "sessions": session_truth},
        "messages": message_truth,
        "orders": {"orders": txn_info["orders"],
                   "repeat_purchases": int(purchases["x"].sum()),
                   "customers_with_repeat": int((purchases["x"] > 0).sum()),
                   "customers_alive_at_end": int(purchases["alive"].sum()),
                   "revenue_gross": round(int(orders["value_cents"].sum()) / 100, 2)},
        "transactions_file": txn_info | {"dirty_rows": sum(dirty.values())},
        "dirty_rows": dirty,
        "files": written,
    }  # fmt: skip
    _write_atomic(
        out / "ground_truth.json",
        (json.dumps(truth, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    latent = pd.DataFrame({
        "customer_id": ids, "acquisition_channel": np.asarray(names or [""], dtype=object)[channel],
        "loyalty_member": member.astype(int), "lambda_per_week": purchases["lam"],
        "dropout_p": purchases["p"], "nu": orders["nu"], "repeat_purchases": purchases["x"],
        "alive_at_end": purchases["alive"],
    })  # fmt: skip
    _write_atomic(out / "ground_truth_customers.csv",
                  latent.to_csv(index=False, lineterminator="\n").encode("utf-8"))  # fmt: skip
    config = out / "client.yml"
    text = "# A synthetic client drawn by clvlib.data.worlds; ground_truth.json holds its knobs.\n"
    text += yaml.safe_dump(_client_yml(world, files), allow_unicode=True, sort_keys=False)
    _write_atomic(config, text.encode("utf-8"))
    return config
