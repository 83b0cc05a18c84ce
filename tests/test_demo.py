"""The demo client (clvlib.data.demo): a valid client.yml, byte-identical files for a seed, Polish
exports, and the truth it was drawn from recoverable from the files themselves.

The files are read with pandas here, independently of clvlib's loader; one test then checks that
the loader excludes exactly the dirty rows the generator says it injected.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from clvlib.config import load_config
from clvlib.data.demo import write_demo

N_CUSTOMERS = 2000
TABLES = ("transactions", "customers", "marketing_spend", "messages", "sessions")
FILES = [f"{t}.csv" for t in TABLES] + [
    "client.yml",
    "ground_truth.json",
    "ground_truth_customers.csv",
    "README.md",
]
WINDOW_END = pd.Timestamp("2026-01-01")  # the instant the window closes (observation_end + 1 d)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    config = write_demo(out, customers=N_CUSTOMERS, seed=11, progress=False)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    return out, config, truth


def read(out, name: str) -> pd.DataFrame:
    """A demo export as text columns; empty fields stay empty strings."""
    return pd.read_csv(out / name, sep=";", encoding="cp1250", dtype=str, keep_default_na=False)


def timestamps(text: pd.Series, fmt: str = "%d.%m.%Y %H:%M") -> pd.Series:
    return pd.to_datetime(text, format=fmt, errors="coerce")


def cents(text: pd.Series) -> pd.Series:
    """'1234,56' -> 123456 (integer grosze); anything else -> NaN."""
    ok = text.str.fullmatch(r"\d+,\d\d")
    digits = text.str.replace(",", "", regex=False).where(ok)
    return pd.to_numeric(digits, errors="coerce")


@pytest.fixture(scope="module")
def lines(demo):
    """transactions.csv with each row's defect (or '' for a clean row), found with pandas."""
    out, _, _ = demo
    frame = read(out, "transactions.csv")
    ts = timestamps(frame["Data zamówienia"])
    price = cents(frame["Cena jedn. brutto"])
    text = frame["Data zamówienia"]
    shaped = text.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}( \d{1,2}:\d{1,2})?")
    defect = np.select(
        [
            frame["ID klienta"] == "",
            ts.isna() & ~shaped,
            ts.isna() & shaped,
            price.isna(),
            frame.duplicated(keep="first"),
            ts >= WINDOW_END,
        ],
        [
            "missing_customer_id",
            "unparseable_date",
            "impossible_date",  # the format's shape but no such day (32.01, 31.02)
            "non_numeric_amount",
            "duplicate_row",
            "outside_window",
        ],  # fmt: skip
        default="",
    )
    return frame.assign(ts=ts, cents=price, qty=pd.to_numeric(frame["Ilość"]), defect=defect)


@pytest.fixture(scope="module")
def clean(lines):
    return lines[lines["defect"] == ""]


def test_writes_every_file_and_returns_the_config_path(demo):
    out, config, _ = demo
    assert config == out / "client.yml"
    for name in FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]  # atomic writes


def test_client_yml_validates_and_maps_real_columns(demo):
    out, config_path, truth = demo
    config = load_config(config_path)  # raises ConfigError if anything is off
    assert set(config.sources.present()) == set(TABLES)
    assert (config.client, config.currency, config.locale) == (
        "Zielony Zakątek (demo)",
        "PLN",
        "pl",
    )
    assert (
        config.observation_end
        == dt.date(2025, 12, 31)
        == dt.date.fromisoformat(truth["observation"]["end"])
    )
    assert config.holdout_weeks == 26
    assert (config.economics.gross_margin, config.economics.annual_discount_rate) == (0.35, 0.10)
    assert config.economics.horizon_months == 36
    assert config.funnel.steps == truth["funnel"]["steps"]
    assert config.retention.churn_after_days == 365
    assert config.backend.name == "duckdb" and config.privacy.pseudonymize_ids is True
    assert "#" in config_path.read_text(encoding="utf-8")  # a commented file
    for table in TABLES:
        source = getattr(config.sources, table)
        assert (source.csv.sep, source.csv.decimal, source.csv.encoding) == (";", ",", "cp1250")
        assert config.source_path(table) == (out / f"{table}.csv").resolve()
        header = read(out, f"{table}.csv").columns
        for canonical, column in source.columns.items():
            assert column in header, (table, canonical, column)
    assert config.sources.marketing_spend.csv.date_format == "%d.%m.%Y"
    assert config.sources.transactions.csv.date_format == "%d.%m.%Y %H:%M"
    # the e-mail column exists but is never mapped, so it cannot reach a report
    assert "E-mail" in read(out, "customers.csv").columns
    assert "E-mail" not in config.sources.customers.columns.values()


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = write_demo(tmp_path / "a", customers=300, seed=3, progress=False).parent
    b = write_demo(tmp_path / "b", customers=300, seed=3, progress=False).parent
    c = write_demo(tmp_path / "c", customers=300, seed=4, progress=False).parent
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("transactions.csv", "customers.csv", "messages.csv", "sessions.csv"):
        assert (a / name).read_bytes() != (c / name).read_bytes(), name
    # writing again over existing files gives the same bytes and leaves no temporary files
    write_demo(a, customers=300, seed=3, progress=False)
    assert (a / "transactions.csv").read_bytes() == (b / "transactions.csv").read_bytes()
    assert sorted(p.name for p in a.iterdir()) == sorted(FILES)


def test_too_few_customers_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 10"):
        write_demo(tmp_path, customers=5, progress=False)


def test_exports_are_polish_cp1250(demo):
    out, _, _ = demo
    raw = (out / "transactions.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1250")
    header = text.split("\r\n", 1)[0]
    assert header == (
        "Nr zamówienia;ID klienta;Data zamówienia;Kod produktu;Kategoria;Ilość;"
        "Cena jedn. brutto;Kanał sprzedaży;Kod rabatowy"
    )
    body = text.split("\r\n", 1)[1]
    assert all(ch in body for ch in "ęśŁŚ")  # Polish diacritics in the data too (categories)
    first = text.split("\r\n")[1].split(";")
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", first[2])
    assert re.fullmatch(r"\d+,\d\d", first[6])
    assert "Środki czystości" in text or "Łazienka" in text


def test_rows_orders_customers_and_dirty_rows_match_the_truth(demo, lines, clean):
    out, _, truth = demo
    counts = lines["defect"].value_counts().drop("", errors="ignore").to_dict()
    assert counts == truth["dirty_rows"]
    assert (
        len(lines)
        == truth["transactions_file"]["rows"]
        == truth["files"]["transactions.csv"]["rows"]
    )
    assert len(clean) == truth["transactions_file"]["clean_rows"]
    assert not clean.drop(columns=["ts", "cents", "qty", "defect"]).duplicated().any()
    returns = clean[clean["qty"] < 0]
    assert (
        len(returns)
        == truth["returns"]["return_lines"]
        == truth["transactions_file"]["return_rows"]
    )
    purchases = clean[clean["qty"] > 0]
    assert purchases["Nr zamówienia"].nunique() == truth["orders"]["orders"]
    assert set(returns["Nr zamówienia"]) <= set(purchases["Nr zamówienia"])  # same order number
    assert len(purchases) == truth["orders"]["purchase_lines"]
    assert purchases["ID klienta"].nunique() == N_CUSTOMERS == truth["orders"]["customers"]
    # revenue = unit price x quantity; order values are exact to the grosz
    value = purchases["cents"] * purchases["qty"]
    assert value.sum() == round(truth["orders"]["revenue_gross"] * 100)
    assert -(returns["cents"] * returns["qty"]).sum() == round(
        truth["orders"]["revenue_returned"] * 100
    )
    # no two lines of one order are the same product
    assert not purchases.duplicated(["Nr zamówienia", "Kod produktu"]).any()

    customers = read(out, "customers.csv")
    assert len(customers) == N_CUSTOMERS and customers["ID klienta"].is_unique
    assert (customers["Program lojalnościowy"] == "tak").sum() == truth["loyalty"]["members"]
    member = customers["Program lojalnościowy"] == "tak"
    assert (customers.loc[member, "Data przystąpienia"] != "").all()
    assert (customers.loc[~member, "Data przystąpienia"] == "").all()
    # the first purchase is at registration
    first = purchases.groupby("ID klienta")["ts"].min()
    registered = timestamps(customers.set_index("ID klienta")["Data rejestracji"])
    assert (first.reindex(registered.index) == registered).all()


def test_returns_are_about_three_percent_of_orders(demo, clean):
    _, _, truth = demo
    orders = truth["orders"]["orders"]
    drawn = truth["returns"]["drawn"]
    p = truth["returns"]["probability"]
    assert abs(drawn - p * orders) < 4 * np.sqrt(orders * p * (1 - p))  # binomial, 4 SE
    returns = clean[clean["qty"] < 0]
    assert (returns["cents"] > 0).all()
    assert len(returns) <= drawn  # returns after the export date are not in the file


def test_spend_over_new_customers_is_the_true_cac(demo):
    out, _, truth = demo
    spend = read(out, "marketing_spend.csv")
    assert len(spend) == 36 * len(truth["channels"])
    assert timestamps(spend["Miesiąc"], "%d.%m.%Y").dt.day.eq(1).all()
    spend["pln"] = cents(spend["Koszt"]) / 100
    new = read(out, "customers.csv")["Źródło pozyskania"].value_counts()
    for channel, facts in truth["channels"].items():
        total = spend.loc[spend["Kanał"] == channel, "pln"].sum()
        assert new[channel] == facts["new_customers"]
        assert total / new[channel] == pytest.approx(facts["cac"], abs=0.01), channel
        if not facts["paid"]:
            assert total == 0
            assert (spend.loc[spend["Kanał"] == channel, "Kliknięcia"] == "").all()


def test_first_year_purchases_match_the_bgnbd_expectation(demo, clean):
    # Fader, Hardie & Lee (2005), "Counting your customers the easy way", eq. 9: the expected
    # number of repeat purchases in (0, t] of a customer just acquired,
    #   E[X(t)] = (a+b-1)/(a-1) * [1 - (α/(α+t))^r * 2F1(r, b; a+b-1; t/(α+t))].
    # The worse sales rep's customers have b = b_worse, so the expectation is the mixture over
    # the customers checked: those registered at least t weeks before the window closes.
    out, _, truth = demo
    r, alpha, a, b = (truth["bgnbd"][k] for k in ("r", "alpha", "a", "b"))
    t = 52.0

    def expected(b):
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))

    customers = read(out, "customers.csv").set_index("ID klienta")
    registered = timestamps(customers["Data rejestracji"])
    checked = registered[registered + pd.Timedelta(weeks=t) <= WINDOW_END]
    worse = customers.loc[checked.index, "Opiekun"] == truth["sales_reps"]["worse_rep"]
    mixture = np.where(worse, expected(truth["sales_reps"]["worse_rep_b"]), expected(b)).mean()

    orders = clean[clean["qty"] > 0].drop_duplicates("Nr zamówienia")[["ID klienta", "ts"]]
    orders = orders[orders["ID klienta"].isin(checked.index)]
    start = checked.reindex(orders["ID klienta"]).to_numpy()
    repeat = (orders["ts"].to_numpy() > start) & (
        orders["ts"].to_numpy() <= start + pd.Timedelta(weeks=t)
    )
    per_customer = (pd.Series(repeat, index=orders["ID klienta"]).groupby(level=0).sum()).reindex(
        checked.index, fill_value=0
    )
    assert len(per_customer) > 1000
    # sampling error of the mean, from the sample itself; 4 standard errors
    se = per_customer.std(ddof=1) / np.sqrt(len(per_customer))
    assert abs(per_customer.mean() - mixture) < 4 * se, (per_customer.mean(), mixture, se)
    assert 1.5 < mixture < 2.5  # the closed form itself is in the range the parameters imply


def test_order_values_follow_gamma_gamma_with_the_loyalty_lift(demo, clean):
    # Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"): E[order value] = p*γ/(q-1);
    # members' values are x (1 + spend_lift). Standard error clustered by customer (orders of
    # one customer share ν): ratio estimator Σ_i (S_i - m n_i)^2 / (Σ n_i)^2.
    out, _, truth = demo
    p, q, gamma = (truth["gamma_gamma"][k] for k in ("p", "q", "gamma"))
    purchases = clean[clean["qty"] > 0]
    value = (purchases["cents"] * purchases["qty"] / 100).groupby(purchases["Nr zamówienia"]).sum()
    owner = purchases.groupby("Nr zamówienia")["ID klienta"].first()
    member = read(out, "customers.csv").set_index("ID klienta")["Program lojalnościowy"] == "tak"
    for is_member, multiplier in ((False, 1.0), (True, 1 + truth["loyalty"]["spend_lift"])):
        mine = owner[owner.map(member) == is_member]
        v = value[mine.index]
        sums = v.groupby(mine).sum()
        n = v.groupby(mine).size()
        mean = sums.sum() / n.sum()
        se = np.sqrt(((sums - mean * n) ** 2).sum()) / n.sum()
        assert abs(mean - multiplier * p * gamma / (q - 1)) < 4 * se, (is_member, mean, se)


def test_sessions_follow_the_funnel_rates(demo):
    out, _, truth = demo
    sessions = read(out, "sessions.csv")
    steps = truth["funnel"]["steps"]
    assert set(sessions["Etap"]) == set(steps)
    rank = sessions["Etap"].map({s: i for i, s in enumerate(steps)})
    # one row per step reached, no gaps: ranks within a session are 0, 1, ..., depth-1
    assert (rank == sessions.groupby("ID sesji").cumcount()).all()
    assert sessions["ID sesji"].nunique() == truth["funnel"]["sessions"]
    depth = rank.groupby(sessions["ID sesji"]).max() + 1
    assert ((depth >= 3) & (depth < 5)).sum() == truth["funnel"]["abandoned_carts"]
    source = sessions.groupby("ID sesji")["Źródło ruchu"].first()
    for name, facts in truth["funnel"]["sources"].items():
        d = depth[source == name]
        for k, step in enumerate(steps[1:], start=1):
            at, passed = (d >= k).sum(), (d >= k + 1).sum()
            rate = facts["step_rates"][step]
            assert abs(passed / at - rate) < 4 * np.sqrt(rate * (1 - rate) / at), (name, step)
    # checkout needs a login: every session reaching it carries a customer id
    late = sessions[rank >= steps.index("checkout")]
    assert (late["ID klienta"] != "").all()
    ts = timestamps(sessions["Czas"], "%d.%m.%Y %H:%M:%S")
    assert ts.notna().all() and (ts < WINDOW_END).all()


def test_messages_carry_fatigue_and_honest_attribution(demo, clean):
    out, _, truth = demo
    msgs = read(out, "messages.csv")
    assert len(msgs) == truth["messages"]["realised"]["messages"]
    assert len(msgs) <= 300_000 * N_CUSTOMERS / 20_000
    for column in ("Data wysyłki", "Data otwarcia", "Data kliknięcia", "Data wypisania"):
        msgs[column] = timestamps(msgs[column])
    assert msgs.loc[msgs["Kanał"] == "sms", "Data otwarcia"].isna().all()  # not tracked
    email = msgs[msgs["Kanał"] == "email"]
    rate = truth["messages"]["channels"]["email"]["open_rate"]
    opened = email["Data otwarcia"].notna().mean()
    assert abs(opened - rate) < 4 * np.sqrt(rate * (1 - rate) / len(email)) + 0.01
    # nothing is sent after a customer's unsubscribe
    unsub = msgs.dropna(subset=["Data wypisania"]).groupby("ID klienta")["Data wysyłki"].min()
    last = msgs.groupby("ID klienta")["Data wysyłki"].max()
    assert (last[unsub.index] <= unsub).all()
    assert unsub.index.is_unique

    # fatigue: messages per week of exposure (eligibility start to the window end or the
    # unsubscribe); heavy receivers click less and unsubscribe more per message
    customers = read(out, "customers.csv").set_index("ID klienta")
    registered = timestamps(customers["Data rejestracji"]).dt.normalize() + pd.Timedelta(days=1)
    start = registered.clip(lower=pd.Timestamp(truth["messages"]["window"]["start"]))
    by = msgs.groupby("ID klienta")
    stop = by["Data wypisania"].min().fillna(WINDOW_END)
    weeks = ((stop - start.reindex(stop.index)).dt.total_seconds() / 604800).clip(lower=1.0)
    per_week = by.size() / weeks
    heavy = msgs["ID klienta"].map(per_week >= 2.5)
    light = msgs["ID klienta"].map(per_week <= 1.0)
    ctr = {
        k: msgs.loc[m, "Data kliknięcia"].notna().mean() for k, m in (("h", heavy), ("l", light))
    }
    unsub_rate = {
        k: msgs.loc[m, "Data wypisania"].notna().mean() for k, m in (("h", heavy), ("l", light))
    }
    assert ctr["h"] < 0.8 * ctr["l"], ctr
    assert unsub_rate["h"] > 1.5 * unsub_rate["l"], unsub_rate

    # an attributed order is the same customer's, within 7 days after the message's click
    attributed = msgs[msgs["Przypisane zamówienie"] != ""]
    assert len(attributed) == truth["messages"]["realised"]["attributed_orders"] > 0
    orders = clean[clean["qty"] > 0].drop_duplicates("Nr zamówienia").set_index("Nr zamówienia")
    matched = orders.loc[attributed["Przypisane zamówienie"]]
    assert (matched["ID klienta"].to_numpy() == attributed["ID klienta"].to_numpy()).all()
    lag = matched["ts"].to_numpy() - attributed["Data kliknięcia"].to_numpy()
    assert (lag >= pd.Timedelta(0)).all() and (lag <= pd.Timedelta(days=7)).all()


def test_ground_truth_lists_every_parameter(demo):
    _, _, truth = demo
    for key in ("r", "alpha", "a", "b"):
        assert truth["bgnbd"][key] > 0
    for key in ("p", "q", "gamma"):
        assert truth["gamma_gamma"][key] > 0
    assert truth["gamma_gamma"]["rounding"] == 0.01
    assert truth["sales_reps"]["worse_rep"] in truth["sales_reps"]["names"]
    assert truth["sales_reps"]["worse_rep_b"] < truth["bgnbd"]["b"]  # higher mean dropout
    assert truth["loyalty"]["spend_lift"] > 0
    assert set(truth["dirty_rows"]) == {
        "missing_customer_id",
        "unparseable_date",
        "impossible_date",
        "non_numeric_amount",
        "duplicate_row",
        "outside_window",
    }
    assert all(n >= 1 for n in truth["dirty_rows"].values())
    assert truth["generator"]["seed"] == 11 and truth["generator"]["customers"] == N_CUSTOMERS
    assert truth["funnel"]["steps"] == [
        "visit",
        "product_view",
        "add_to_cart",
        "checkout",
        "purchase",
    ]
    assert truth["messages"]["fatigue"]["cadence_tiers"]


def test_latent_customer_truth_matches_the_files(demo, clean):
    out, _, truth = demo
    latent = pd.read_csv(out / "ground_truth_customers.csv", dtype={"customer_id": str})
    assert len(latent) == N_CUSTOMERS
    repeats = clean[clean["qty"] > 0].drop_duplicates("Nr zamówienia").groupby("ID klienta").size()
    assert (
        repeats.reindex(latent["customer_id"]).to_numpy() - 1 == latent["repeat_purchases"]
    ).all()
    assert latent["alive_at_end"].sum() == truth["orders"]["customers_alive_at_end"]
    assert latent["repeat_purchases"].sum() == truth["orders"]["repeat_purchases"]


def test_the_loader_excludes_exactly_the_injected_rows(demo):
    import ibis

    from clvlib.data.load import load_tables

    _, config_path, truth = demo
    loaded = load_tables(load_config(config_path), ibis.duckdb.connect(), progress=False)
    quality = loaded.quality["transactions"]
    assert quality.rows_excluded == truth["dirty_rows"]
    assert quality.rows_used == truth["transactions_file"]["clean_rows"]
    assert quality.returns == truth["transactions_file"]["return_rows"]
    for table in TABLES[1:]:
        q = loaded.quality[table]
        assert q.rows_excluded == {} and q.rows_used == truth["files"][f"{table}.csv"]["rows"]
    assert loaded.observation_end == dt.date(2025, 12, 31)
