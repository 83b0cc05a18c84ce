"""A synthetic Polish online shop drawn from known processes, with the truth written beside it.

``write_demo(out)`` writes the five canonical tables as Polish-formatted CSV (``;``, decimal
comma, cp1250, ``dd.mm.yyyy HH:MM``), a commented ``client.yml`` and ``ground_truth.json``:

- purchases follow BG/NBD (λ ~ Gamma(r, α) per week, dropout p ~ Beta(a, b) after each purchase);
  one sales rep's customers drop out faster, Facebook customers buy less often;
- order values follow Gamma-Gamma (ν ~ Gamma(q, γ), value ~ Gamma(p, ν)); loyalty members spend
  ``loyalty_spend_lift`` times more per order; orders are split into 1–4 lines;
- monthly marketing spend = the channel's true CAC × its new customers (organic channels: 0);
- web sessions pass the funnel steps with known conversion rates; messages have a fatigue effect;
- a counted handful of dirty rows, each with exactly one defect, so the loader's exclusions can
  be checked exactly.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2025-12-31")
WEEK = pd.Timedelta(days=7)

BGNBD = {"r": 0.8, "alpha": 12.0, "a": 0.9, "b": 3.0}  # alpha per week
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 100.0}  # order value in PLN
# channel: (share of new customers, true CAC in PLN, purchase-rate multiplier)
CHANNELS = {
    "Google Ads": (0.30, 85.0, 1.0),
    "Facebook": (0.22, 140.0, 0.7),
    "Instagram": (0.10, 120.0, 0.9),
    "Allegro": (0.13, 60.0, 1.0),
    "Newsletter": (0.10, 0.0, 1.2),
    "Polecenia": (0.15, 0.0, 1.3),
}
SALES_REPS = {
    "Anna Nowak": 1.0,
    "Piotr Zieliński": 1.0,
    "Katarzyna Wójcik": 1.0,
    "Marek Wiśniewski": 1.8,
}  # multiplier of the dropout probability p
WORSE_REP = "Marek Wiśniewski"
LOYALTY_SHARE = 0.30
LOYALTY_SPEND_LIFT = 1.15
CATEGORIES = {
    "Ogród": ("OG", 79.0),
    "Meble": ("MB", 320.0),
    "Oświetlenie": ("OS", 95.0),
    "Dekoracje": ("DK", 45.0),
    "Narzędzia": ("NR", 120.0),
    "Kuchnia": ("KU", 60.0),
}
REGIONS = [
    "mazowieckie",
    "śląskie",
    "wielkopolskie",
    "małopolskie",
    "dolnośląskie",
    "łódzkie",
    "pomorskie",
    "zachodniopomorskie",
    "lubelskie",
    "podkarpackie",
    "kujawsko-pomorskie",
    "warmińsko-mazurskie",
    "świętokrzyskie",
    "podlaskie",
    "lubuskie",
    "opolskie",
]
RETURN_SHARE = 0.03
FUNNEL = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]
# per source: conversion from the previous step for product_view, add_to_cart, checkout, purchase
FUNNEL_RATES = {
    "Google Ads": [0.62, 0.24, 0.55, 0.70],
    "Facebook": [0.48, 0.15, 0.45, 0.60],
    "Instagram": [0.50, 0.18, 0.50, 0.62],
    "Allegro": [0.70, 0.30, 0.60, 0.78],
    "Newsletter": [0.66, 0.28, 0.58, 0.74],
    "Polecenia": [0.72, 0.32, 0.62, 0.80],
}
MESSAGE_WEEKS = 12
MESSAGE_RATES = {0.25: 0.30, 0.5: 0.30, 1.0: 0.20, 2.0: 0.12, 4.0: 0.08}  # per week: share
MESSAGE_CHANNELS = {
    "email": (0.7, 0.25, 0.040),
    "sms": (0.2, 0.0, 0.020),
    "push": (0.1, 0.0, 0.015),
}  # share, open rate, base click rate
FATIGUE_SLOPE = 0.18  # click rate × exp(-slope × (messages per week − 0.25))
UNSUBSCRIBE_BASE = 0.0015  # per message, × (1 + messages per week)
DIRTY = {
    "missing_customer_id": 5,
    "unparseable_date": 4,
    "non_numeric_amount": 4,
    "duplicate_row": 6,
    "outside_window": 3,
}


def _ts(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%d.%m.%Y %H:%M")


def _money(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float)).map(lambda v: f"{v:.2f}".replace(".", ","))


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    text = frame.to_csv(sep=";", index=False, lineterminator="\n")
    _write_bytes(path, text.encode("cp1250"))


def _write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    names = list(CHANNELS)
    shares = np.array([CHANNELS[c][0] for c in names])
    span = (END - START).total_seconds()
    acquired = START + pd.to_timedelta(np.sort(rng.uniform(0, span, n)), unit="s")
    acquired = acquired.floor("min")
    member = rng.random(n) < LOYALTY_SHARE
    joined = acquired + pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    joined = joined.where(joined <= END, END)
    return pd.DataFrame(
        {
            "customer_id": [f"K{i:06d}" for i in range(1, n + 1)],
            "acquired_at": acquired,
            "channel": rng.choice(names, n, p=shares / shares.sum()),
            "loyalty": member,
            "joined_at": pd.Series(joined).where(member),
            "sales_rep": rng.choice(list(SALES_REPS), n),
            "region": rng.choice(REGIONS, n),
        }
    )


def _purchases(rng: np.random.Generator, cust: pd.DataFrame) -> pd.DataFrame:
    """BG/NBD purchase times (first purchase at acquisition) and Gamma-Gamma values."""
    n = len(cust)
    lam = rng.gamma(BGNBD["r"], 1.0 / BGNBD["alpha"], n)
    lam *= cust["channel"].map({c: v[2] for c, v in CHANNELS.items()}).to_numpy()
    p = rng.beta(BGNBD["a"], BGNBD["b"], n)
    p = np.minimum(p * cust["sales_rep"].map(SALES_REPS).to_numpy(), 0.99)
    repeats = np.minimum(rng.geometric(p) - 1, 400)  # purchases made before dropping out
    owner = np.repeat(np.arange(n), repeats)
    gaps = rng.exponential(1.0, owner.size) / lam[owner]  # weeks between purchases
    cum = np.cumsum(gaps)
    starts = np.concatenate([[0], np.cumsum(repeats)[:-1]])
    before = np.where(starts > 0, cum[np.maximum(starts - 1, 0)] if cum.size else 0.0, 0.0)
    within = cum - np.repeat(before, repeats)  # weeks since the customer's first purchase
    within = np.minimum(within, 1000.0)  # beyond the window anyway; keeps timestamps in range
    acquired = cust["acquired_at"].to_numpy()
    repeat_ts = acquired[owner] + pd.to_timedelta(within * 7 * 86400, unit="s").to_numpy()
    keep = repeat_ts <= np.datetime64(END + pd.Timedelta(hours=23, minutes=59))
    idx = np.concatenate([np.arange(n), owner[keep]])
    ts = np.concatenate([acquired, repeat_ts[keep]])
    nu = rng.gamma(GAMMA_GAMMA["q"], 1.0 / GAMMA_GAMMA["gamma"], n)
    nu /= np.where(cust["loyalty"].to_numpy(), LOYALTY_SPEND_LIFT, 1.0)  # members spend more
    value = rng.gamma(GAMMA_GAMMA["p"], 1.0 / nu[idx])
    out = pd.DataFrame({"cust": idx, "order_ts": pd.to_datetime(ts).floor("min"), "value": value})
    out = out.sort_values(["order_ts", "cust"]).reset_index(drop=True)
    out["order_id"] = [f"ZM/{t.year}/{i:07d}" for i, t in enumerate(out["order_ts"], 1)]
    return out


def _lines(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """Split each order into 1–4 lines whose unit price × quantity sums to the order value."""
    k = rng.choice([1, 2, 3, 4], len(orders), p=[0.45, 0.30, 0.17, 0.08])
    line_order = np.repeat(np.arange(len(orders)), k)
    weights = rng.gamma(2.0, 1.0, line_order.size)
    totals = np.bincount(line_order, weights)
    share = weights / totals[line_order]
    line_value = orders["value"].to_numpy()[line_order] * share
    qty = rng.choice([1, 1, 1, 2, 2, 3], line_order.size)
    unit = np.maximum(np.round(line_value / qty, 2), 0.01)
    cats = list(CATEGORIES)
    cat = rng.choice(cats, line_order.size)
    product = [
        f"{CATEGORIES[c][0]}-{n:04d}"
        for c, n in zip(cat, rng.integers(1, 400, line_order.size), strict=True)
    ]
    lines = pd.DataFrame(
        {
            "order_id": orders["order_id"].to_numpy()[line_order],
            "cust": orders["cust"].to_numpy()[line_order],
            "order_ts": orders["order_ts"].to_numpy()[line_order],
            "product": product,
            "category": cat,
            "quantity": qty,
            "unit_price": unit,
            "coupon": np.where(rng.random(line_order.size) < 0.08, "WIOSNA10", ""),
        }
    )
    # returns: a negative-quantity line for one product of ~3 % of orders (same order number)
    returned = rng.random(len(orders)) < RETURN_SHARE
    first_line = np.concatenate([[0], np.cumsum(k)[:-1]])[returned]
    ret = lines.iloc[first_line].copy()
    ret["quantity"] = -1
    ret["coupon"] = ""
    return pd.concat([lines, ret], ignore_index=True).sort_values(
        ["order_ts", "order_id", "quantity"], ascending=[True, True, False], kind="stable"
    ).reset_index(drop=True), int(returned.sum())


def _dirty(rng: np.random.Generator, clean: pd.DataFrame) -> pd.DataFrame:
    """Rows with exactly one defect each, counted in ``DIRTY``."""
    base = clean.sample(sum(DIRTY.values()), random_state=int(rng.integers(1 << 31))).copy()
    base["Nr zamówienia"] = [f"ZM/X/{i:05d}" for i in range(len(base))]  # never a real order
    rows, at = [], 0
    for reason, count in DIRTY.items():
        part = base.iloc[at : at + count].copy()
        at += count
        if reason == "missing_customer_id":
            part["ID klienta"] = ""
        elif reason == "unparseable_date":
            part["Data zamówienia"] = ["31.02.2024 10:00", "brak daty", "2024-13-45", "00.00.0000"][
                :count
            ]
        elif reason == "non_numeric_amount":
            part["Cena jedn. brutto"] = ["12,x", "brak", "1O0,00", "?"][:count]
        elif reason == "duplicate_row":
            part = clean.sample(count, random_state=int(rng.integers(1 << 31))).copy()
        elif reason == "outside_window":
            part["Data zamówienia"] = [f"{d:02d}.01.2026 12:00" for d in range(2, 2 + count)]
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def _sessions(rng: np.random.Generator, cust: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    n = 3 * len(cust)
    sources = rng.choice(list(FUNNEL_RATES), n, p=[0.30, 0.25, 0.10, 0.10, 0.10, 0.15])
    span = (END - START).total_seconds()
    start = START + pd.to_timedelta(rng.uniform(0, span, n), unit="s")
    reached = np.ones(n, dtype=int)
    alive = np.ones(n, dtype=bool)
    for step in range(4):
        rate = np.array([FUNNEL_RATES[s][step] for s in sources])
        alive &= rng.random(n) < rate
        reached += alive
    sid = np.repeat(np.arange(n), reached)
    step_no = np.concatenate([np.arange(k) for k in reached])
    known = rng.random(n) < 0.4
    who = np.where(known, rng.choice(cust["customer_id"].to_numpy(), n), "")
    frame = pd.DataFrame(
        {
            "ID sesji": [f"S{i:08d}" for i in sid],
            "Czas": _ts(
                pd.Series(start[sid] + pd.to_timedelta(step_no * 90, unit="s")).dt.floor("min")
            ),
            "Etap": np.array(FUNNEL)[step_no],
            "ID klienta": who[sid],
            "Źródło": sources[sid],
        }
    )
    counts = {FUNNEL[i]: int((reached > i).sum()) for i in range(5)}
    return frame, {
        "rates_by_source": FUNNEL_RATES,
        "sessions_reaching_step": counts,
        "abandoned_carts": int(((reached >= 3) & (reached < 5)).sum()),
    }


def _messages(rng: np.random.Generator, cust: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    rates = np.array(list(MESSAGE_RATES))
    per_week = rng.choice(rates, len(cust), p=list(MESSAGE_RATES.values()))
    count = rng.poisson(per_week * MESSAGE_WEEKS)
    owner = np.repeat(np.arange(len(cust)), count)
    m = owner.size
    first = END - pd.Timedelta(weeks=MESSAGE_WEEKS) + pd.Timedelta(days=1)
    sent = first + pd.to_timedelta(rng.uniform(0, MESSAGE_WEEKS * 7 * 86400, m), unit="s")
    names = list(MESSAGE_CHANNELS)
    channel = rng.choice(names, m, p=[MESSAGE_CHANNELS[c][0] for c in names])
    open_rate = np.array([MESSAGE_CHANNELS[c][1] for c in channel])
    click = np.array([MESSAGE_CHANNELS[c][2] for c in channel])
    click *= np.exp(-FATIGUE_SLOPE * (per_week[owner] - 0.25))
    opened = rng.random(m) < open_rate
    # e-mail clicks need an open (click rate per sent message stays `click`); sms/push have none
    draw = rng.random(m)
    clicked = np.where(
        open_rate > 0, opened & (draw < click / np.maximum(open_rate, 1e-9)), draw < click
    )
    unsub = rng.random(m) < UNSUBSCRIBE_BASE * (1 + per_week[owner])
    sent = pd.Series(sent).dt.floor("min")
    later = lambda mask, minutes: _ts(sent + pd.Timedelta(minutes=minutes)).where(mask, "")  # noqa: E731
    frame = pd.DataFrame(
        {
            "ID klienta": cust["customer_id"].to_numpy()[owner],
            "Wysłano": _ts(sent),
            "Kanał": channel,
            "Kampania": rng.choice(
                ["Nowości", "Wyprzedaż", "Porzucony koszyk", "Przypomnienie"], m
            ),
            "Otwarto": later(opened, 30),
            "Kliknięto": later(clicked, 35),
            "Wypisano": later(unsub, 40),
        }
    ).sort_values(["Wysłano", "ID klienta"], kind="stable")
    frame = frame.drop_duplicates()  # minute-resolution times can collide; keep the file clean
    m = len(frame)
    truth = {
        "weeks": MESSAGE_WEEKS,
        "rates_per_week": {str(k): v for k, v in MESSAGE_RATES.items()},
        "channels": {
            c: {"share": v[0], "open_rate": v[1], "base_click_rate": v[2]}
            for c, v in MESSAGE_CHANNELS.items()
        },
        "fatigue": f"click rate x exp(-{FATIGUE_SLOPE:.2f} x (messages per week - 0.25))",
        "fatigue_slope": FATIGUE_SLOPE,
        "unsubscribe_per_message": f"{UNSUBSCRIBE_BASE:.4f} x (1 + messages per week)",
        "messages": int(m),
    }
    return frame, truth


def _spend(cust: pd.DataFrame) -> pd.DataFrame:
    month = cust["acquired_at"].dt.to_period("M").dt.to_timestamp()
    new = cust.groupby([month, "channel"]).size().rename("new").reset_index()
    new.columns = ["month", "channel", "new"]
    grid = pd.MultiIndex.from_product(
        [pd.date_range(START, END, freq="MS"), list(CHANNELS)], names=["month", "channel"]
    ).to_frame(index=False)
    spend = grid.merge(new, how="left").fillna({"new": 0})
    spend["cost"] = spend["new"] * spend["channel"].map({c: v[1] for c, v in CHANNELS.items()})
    spend["impressions"] = (spend["cost"] * 55).round().astype(int)
    spend["clicks"] = (spend["impressions"] * 0.012).round().astype(int)
    return pd.DataFrame(
        {
            "Miesiąc": spend["month"].dt.strftime("%d.%m.%Y"),
            "Kanał": spend["channel"],
            "Koszt": _money(spend["cost"]),
            "Wyświetlenia": spend["impressions"],
            "Kliknięcia": spend["clicks"],
        }
    )


CLIENT_YML = """\
# Demo client generated by `clv-audit demo` (seed {seed}, {customers} customers): synthetic data.
client: Ogród i Dom sp. z o.o. (demo)
currency: PLN
locale: pl                       # pl | en: language and number format of the report
prepared_by: Zespół analiz CLV
observation_end: {end}           # last day of the data window
holdout_weeks: 26                # last 26 weeks hold out to validate the models
economics:
  gross_margin: 0.35             # margin as a fraction of revenue (no margin column here)
  annual_discount_rate: 0.10     # per year
  horizon_months: 36             # CLV horizon
sources:
  transactions:                  # order lines: revenue = unit price x quantity
    path: transactions.csv
    columns:
      order_id: "Nr zamówienia"
      customer_id: "ID klienta"
      order_ts: "Data zamówienia"
      product_id: "Kod produktu"
      category: "Kategoria"
      quantity: "Ilość"
      unit_price: "Cena jedn. brutto"
      channel: "Kanał sprzedaży"
      coupon_code: "Kod rabatowy"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}
  customers:
    path: customers.csv
    columns:
      customer_id: "ID klienta"
      acquired_at: "Data rejestracji"
      acquisition_channel: "Źródło pozyskania"
      loyalty_member: "Program lojalnościowy"
      loyalty_joined_at: "Data przystąpienia"
      sales_rep: "Opiekun"
      region: "Województwo"
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}
  marketing_spend:
    path: marketing_spend.csv
    columns: {{period: "Miesiąc", channel: "Kanał", spend: "Koszt",
               impressions: "Wyświetlenia", clicks: "Kliknięcia"}}
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y"}}
  messages:
    path: messages.csv
    columns: {{customer_id: "ID klienta", sent_at: "Wysłano", channel: "Kanał",
               campaign: "Kampania",
               opened_at: "Otwarto", clicked_at: "Kliknięto", unsubscribed_at: "Wypisano"}}
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}
  sessions:
    path: sessions.csv
    columns: {{session_id: "ID sesji", ts: "Czas", step: "Etap", customer_id: "ID klienta",
               source: "Źródło"}}
    csv: {{sep: ";", decimal: ",", encoding: cp1250, date_format: "%d.%m.%Y %H:%M"}}
funnel: {{steps: [visit, product_view, add_to_cart, checkout, purchase]}}
retention: {{churn_after_days: 365}}   # no purchase for a year = lost customer
backend: {{name: duckdb}}
privacy: {{pseudonymize_ids: true}}    # customer ids in report tables are keyed hashes
"""


def write_demo(
    out: str | Path, *, customers: int = 20_000, seed: int = 42, progress: bool = True
) -> Path:
    """Write a synthetic Polish online shop to ``out``; returns the path of its client.yml."""
    from tqdm.auto import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(seed))
    bar = tqdm(total=6, desc="demo", disable=not progress)
    cust = _customers(rng, customers)
    orders = _purchases(rng, cust)
    lines, returns = _lines(rng, orders)
    bar.update()
    ids = cust["customer_id"].to_numpy()
    clean = pd.DataFrame(
        {
            "Nr zamówienia": lines["order_id"],
            "ID klienta": ids[lines["cust"].to_numpy()],
            "Data zamówienia": _ts(pd.Series(lines["order_ts"])),
            "Kod produktu": lines["product"],
            "Kategoria": lines["category"],
            "Ilość": lines["quantity"],
            "Cena jedn. brutto": _money(lines["unit_price"]),
            "Kanał sprzedaży": np.where(
                lines["cust"].to_numpy() % 5 == 0, "Allegro", "Sklep internetowy"
            ),
            "Kod rabatowy": lines["coupon"],
        }
    )
    dirty = _dirty(rng, clean)
    positions = np.sort(rng.choice(len(clean) + len(dirty), len(dirty), replace=False))
    mask = np.zeros(len(clean) + len(dirty), dtype=bool)
    mask[positions] = True
    transactions = pd.DataFrame(index=range(len(mask)), columns=clean.columns, dtype=object)
    transactions.loc[~mask] = clean.to_numpy()
    transactions.loc[mask] = dirty.to_numpy()
    _write_csv(transactions, out / "transactions.csv")
    bar.update()
    customers_csv = pd.DataFrame(
        {
            "ID klienta": cust["customer_id"],
            "Data rejestracji": _ts(cust["acquired_at"]),
            "Źródło pozyskania": cust["channel"],
            "Program lojalnościowy": np.where(cust["loyalty"], "tak", "nie"),
            "Data przystąpienia": _ts(cust["joined_at"]).fillna(""),
            "Opiekun": cust["sales_rep"],
            "Województwo": cust["region"],
            "E-mail": [f"klient{i}@example.pl" for i in range(1, len(cust) + 1)],
        }
    )
    _write_csv(customers_csv, out / "customers.csv")
    _write_csv(_spend(cust), out / "marketing_spend.csv")
    bar.update()
    sessions, funnel_truth = _sessions(rng, cust)
    _write_csv(sessions, out / "sessions.csv")
    bar.update()
    messages, message_truth = _messages(rng, cust)
    _write_csv(messages, out / "messages.csv")
    bar.update()
    truth = {
        "seed": seed,
        "customers": customers,
        "window": {"start": START.date().isoformat(), "end": END.date().isoformat()},
        "bgnbd": BGNBD,
        "gamma_gamma": GAMMA_GAMMA,
        "channels": {
            c: {"share": v[0], "cac": v[1], "purchase_rate_multiplier": v[2]}
            for c, v in CHANNELS.items()
        },
        "sales_reps": {"dropout_multiplier": SALES_REPS, "worse": WORSE_REP},
        "loyalty": {"share": LOYALTY_SHARE, "spend_per_order_lift": LOYALTY_SPEND_LIFT},
        "orders": int(len(orders)),
        "order_lines": int(len(clean)),
        "returns": {"convention": "negative quantity line in the same order", "orders": returns},
        "rounding": "unit prices rounded to 0.01 PLN",
        "dirty_rows": DIRTY,
        "funnel": funnel_truth,
        "messages": message_truth,
    }
    _write_bytes(
        out / "ground_truth.json", json.dumps(truth, indent=2, ensure_ascii=False).encode()
    )
    _write_bytes(
        out / "client.yml",
        CLIENT_YML.format(seed=seed, customers=customers, end=END.date().isoformat()).encode(
            "utf-8"
        ),
    )
    _write_bytes(
        out / "README.md",
        (
            "# Demo client (synthetic)\n\nGenerated by `clv-audit demo --customers "
            f"{customers} --seed {seed}` from known processes (BG/NBD purchases, Gamma-Gamma order "
            "values, channel CAC, loyalty lift, funnel rates, message fatigue); the parameters are "
            "in `ground_truth.json`. No real customer is in these files.\n"
        ).encode(),
    )
    bar.update()
    bar.close()
    return out / "client.yml"
