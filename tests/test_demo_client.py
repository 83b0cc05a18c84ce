"""The demo client: valid config, deterministic files, and the truth it was drawn from is
recoverable from the files themselves (read with pandas, independently of clvlib's loader)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from clvlib.config import load_config
from clvlib.data.demo import write_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    config = write_demo(out, customers=3000, seed=11, progress=False)
    return out, config, json.loads((out / "ground_truth.json").read_text())


def read(out, name):
    return pd.read_csv(out / name, sep=";", encoding="cp1250", dtype=str, keep_default_na=False)


def test_config_validates_and_points_at_all_five_tables(demo):
    out, config_path, _ = demo
    config = load_config(config_path)
    assert set(config.sources.present()) == {
        "transactions",
        "customers",
        "marketing_spend",
        "messages",
        "sessions",
    }
    assert config.locale == "pl" and config.currency == "PLN"


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = write_demo(tmp_path / "a", customers=200, seed=3, progress=False).parent
    b = write_demo(tmp_path / "b", customers=200, seed=3, progress=False).parent
    c = write_demo(tmp_path / "c", customers=200, seed=4, progress=False).parent
    for name in ("transactions.csv", "customers.csv", "messages.csv", "sessions.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "transactions.csv").read_bytes() != (c / "transactions.csv").read_bytes()


def test_files_are_polish_cp1250(demo):
    out, _, _ = demo
    raw = (out / "transactions.csv").read_bytes()
    text = raw.decode("cp1250")
    assert "Nr zamówienia;ID klienta" in text.splitlines()[0]
    assert "Ogród" in text or "Oświetlenie" in text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_counts_match_ground_truth(demo):
    out, _, truth = demo
    lines = read(out, "transactions.csv")
    dirty = truth["dirty_rows"]
    assert len(lines) == truth["order_lines"] + sum(dirty.values())  # order_lines incl. returns
    assert (lines["ID klienta"] == "").sum() == dirty["missing_customer_id"]
    assert lines.duplicated().sum() == dirty["duplicate_row"]
    late = lines["Data zamówienia"].str.endswith("2026 12:00")
    assert late.sum() == dirty["outside_window"]
    clean = lines[~lines["Nr zamówienia"].str.startswith("ZM/X/")]
    assert clean["Nr zamówienia"].nunique() == truth["orders"]
    assert (clean["Ilość"].astype(int) < 0).sum() == truth["returns"]["orders"]
    assert len(read(out, "customers.csv")) == truth["customers"]


def test_spend_over_new_customers_is_the_true_cac(demo):
    out, _, truth = demo
    spend = read(out, "marketing_spend.csv")
    spend["cost"] = spend["Koszt"].str.replace(",", ".").astype(float)
    customers = read(out, "customers.csv")
    new = customers["Źródło pozyskania"].value_counts()
    for channel, facts in truth["channels"].items():
        total = spend.loc[spend["Kanał"] == channel, "cost"].sum()
        assert total / new[channel] == pytest.approx(facts["cac"], abs=0.01), channel


def test_first_year_purchases_match_the_bgnbd_expectation(demo):
    # Fader, Hardie & Lee (2005), eq. 9: E[X(t)] = (a+b-1)/(a-1) * [1 - (α/(α+t))^r
    #   * 2F1(r, b; a+b-1; t/(α+t))], the expected repeat purchases in (0, t] of a new customer.
    # Checked on customers of channels whose purchase-rate multiplier is 1 and reps with the
    # base dropout, acquired more than a year before the end (so the year is fully observed).
    out, _, truth = demo
    r, alpha, a, b = (truth["bgnbd"][k] for k in ("r", "alpha", "a", "b"))
    t = 52.0
    expected = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )
    customers = read(out, "customers.csv")
    base = [c for c, f in truth["channels"].items() if f["purchase_rate_multiplier"] == 1.0]
    reps = [n for n, m in truth["sales_reps"]["dropout_multiplier"].items() if m == 1.0]
    customers["acq"] = pd.to_datetime(customers["Data rejestracji"], format="%d.%m.%Y %H:%M")
    chosen = customers[
        customers["Źródło pozyskania"].isin(base)
        & customers["Opiekun"].isin(reps)
        & (customers["acq"] < pd.Timestamp(truth["window"]["end"]) - pd.Timedelta(days=366))
    ]
    lines = read(out, "transactions.csv")
    lines = lines[~lines["Nr zamówienia"].str.startswith("ZM/X/") & (lines["Ilość"] != "-1")]
    orders = lines.drop_duplicates("Nr zamówienia")[["ID klienta", "Data zamówienia"]]
    orders = orders.merge(chosen[["ID klienta", "acq"]], on="ID klienta")
    orders["ts"] = pd.to_datetime(orders["Data zamówienia"], format="%d.%m.%Y %H:%M")
    within = (orders["ts"] > orders["acq"]) & (
        orders["ts"] <= orders["acq"] + pd.Timedelta(weeks=t)
    )
    per_customer = (
        within.groupby(orders["ID klienta"]).sum().reindex(chosen["ID klienta"], fill_value=0)
    )
    # sampling error of the mean: its standard error from the sample itself, 4 SE tolerance
    se = per_customer.std(ddof=1) / np.sqrt(len(per_customer))
    assert abs(per_customer.mean() - expected) < 4 * se, (per_customer.mean(), expected, se)
