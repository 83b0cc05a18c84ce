"""Step III — acquisition channels (clvlib.channels, clvlib.plots.channels).

References: the definitions in the module docstring of ``clvlib.channels`` (hand-counted tiny
fixtures, the arithmetic in a comment beside each expected number); the demo generator
``clvlib.data.demo`` (``ground_truth.json`` channels: realised spend and new customers per
channel, so CAC = spend / new customers exactly; paid channels' new customers are drawn with
E[new] = scale · spend^elasticity per month, a known diminishing-returns curve); a simulated
power law new = a·spend^0.6 with Poisson noise; normal theory for the bootstrap interval of a
mean.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from clvlib import channels as ch
from clvlib.audit import Audit
from clvlib.data.demo import write_demo

matplotlib.use("Agg")


# -- the demo ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import clvlib

    out = tmp_path_factory.mktemp("demo")
    config = write_demo(out, customers=3000, seed=5, progress=False)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    audit = clvlib.open_audit(config)
    periods = ch.spend_periods_table(audit)
    return {
        "audit": audit,
        "truth": truth["channels"],
        "channels": ch.channel_table(audit, n_boot=200, seed=1).set_index("channel"),
        "periods": periods,
        "response": ch.spend_response_table(audit, periods=periods).set_index("channel"),
    }


def test_demo_recovers_cac_new_customers_and_spend_exactly(demo):
    """ground_truth.json channels: new_customers, spend and cac per channel, exact (every demo
    customer registers inside the 36 spend months, so all are new customers)."""
    table, truth = demo["channels"], demo["truth"]
    assert sorted(table.index) == sorted(truth)
    for name, t in truth.items():
        row = table.loc[name]
        assert row["new_customers"] == t["new_customers"], name
        assert row["spend"] == pytest.approx(t["spend"], abs=0.005), name  # to the grosz
        assert row["cac"] == pytest.approx(t["cac"], rel=1e-12), name  # realised spend / new
        assert bool(row["paid"]) is t["paid"], name


def test_demo_organic_channels_have_no_ltv_cac(demo):
    """ground_truth.json: the organic channels (paid false) cost 0; DESIGN §5: zero spend gives
    ltv_cac null — no division error, no payback, no flag."""
    table = demo["channels"]
    organic = [n for n, t in demo["truth"].items() if not t["paid"]]
    assert organic  # the demo has two (newsletter/organic and referrals)
    for name in organic:
        row = table.loc[name]
        assert row["cac"] == 0.0 and not bool(row["paid"])
        assert math.isnan(row["ltv_cac"]) and math.isnan(row["payback_months"])
        assert not bool(row["cac_above_clv"])
        assert row["budget_share"] == 0.0 and row["value_share"] > 0
    metrics = {m["channel"]: m for m in ch.channel_metrics(table.reset_index())}
    assert all(metrics[n]["ltv_cac"] is None for n in organic)


def test_demo_paid_channels_ltv_cac_and_shares(demo):
    """ltv_cac = clv_mean / cac and the shares sum to one (definitions in clvlib.channels);
    budget shares match ground_truth spend / total spend."""
    table, truth = demo["channels"], demo["truth"]
    total = sum(t["spend"] for t in truth.values())
    for name, t in truth.items():
        if t["paid"]:
            row = table.loc[name]
            assert row["ltv_cac"] == pytest.approx(row["clv_mean"] / t["cac"], rel=1e-12)
            assert row["budget_share"] == pytest.approx(t["spend"] / total, rel=1e-12)
            assert row["clv_low"] < row["clv_mean"] < row["clv_high"]
    assert table["budget_share"].sum() == pytest.approx(1.0)
    assert table["value_share"].sum() == pytest.approx(1.0)
    assert (table["clv_basis"] == "margin_so_far").all()


def test_demo_spend_response_recovers_the_true_elasticity(demo):
    """ground_truth.json channels.*.elasticity: the demo draws new customers with E[new] =
    scale · spend^b per month (b = 0.5 … 0.9). Every paid channel is fitted on its 36 months,
    the true b lies inside the fit's 95 % interval, and the marginal CAC at the mean spend is the
    average CAC divided by the fitted b (d new / d spend = b · new / spend on a power law)."""
    response, truth = demo["response"], demo["truth"]
    paid = [n for n, t in truth.items() if t["paid"]]
    assert sorted(response.index) == sorted(paid)  # organic channels have no positive spend
    for name in paid:
        row, true_b = response.loc[name], truth[name]["elasticity"]
        assert bool(row["fitted"]) and row["periods"] == 36
        assert row["elasticity_low"] <= true_b <= row["elasticity_high"], name
        assert row["elasticity_high"] - row["elasticity_low"] < 2.0, name  # informative
        assert row["average_cac"] == pytest.approx(truth[name]["cac"], rel=1e-9)
        assert row["spend_mean"] == pytest.approx(truth[name]["monthly_spend_mean"], abs=0.01)


def test_demo_periods_sum_to_the_channel_totals(demo):
    """spend_periods_table per channel and month adds up to ground_truth's totals; a paid
    channel's spend varies from month to month (the budget multipliers of the generator)."""
    periods, truth = demo["periods"], demo["truth"]
    sums = periods.groupby("channel")[["spend", "new_customers"]].sum()
    for name, t in truth.items():
        assert sums.loc[name, "spend"] == pytest.approx(t["spend"], abs=0.005)
        assert sums.loc[name, "new_customers"] == t["new_customers"]
        monthly = periods.loc[periods["channel"] == name, "spend"]
        if t["paid"]:
            assert monthly.std() / monthly.mean() > 0.2  # budgets vary, so b is identifiable


def test_demo_reallocation_moves_budget_from_the_dearest_to_the_cheapest(demo):
    """Purchase behaviour does not depend on the channel in the demo, so marginal LTV:CAC is
    ordered by the marginal CAC: Instagram (true b 0.5, CAC ≈ 450 zł) gives budget to the
    channel with the lowest fitted marginal CAC; each side's change in new customers is the
    fitted power law's difference a·((s + Δ)^b − s^b) at its mean spend s."""
    response = demo["response"]
    table = ch.reallocation_table(
        demo["channels"].reset_index(), response.reset_index(), share=0.10
    ).set_index("role")
    cheapest = response["marginal_cac"].idxmin()
    assert table.loc["from", "channel"] == "Instagram" and table.loc["to", "channel"] == cheapest
    moved = table.loc["to", "spend_change"]
    asked = 0.10 * response.loc["Instagram", "spend_mean"]
    room = response.loc[cheapest, "spend_max"] - response.loc[cheapest, "spend_mean"]
    assert moved == pytest.approx(min(asked, room))  # within the observed spend
    for role, name, delta in (("from", "Instagram", -moved), ("to", cheapest, moved)):
        a, b, s = response.loc[name, ["scale", "elasticity", "spend_mean"]]
        expected = a * ((s + delta) ** b - s**b)
        assert table.loc[role, "new_customers_change"] == pytest.approx(expected, rel=1e-9)
    assert table["value_change"].sum() > 0
    assert len(ch.reallocation_caveats(table.reset_index())) >= 3


def test_demo_payback_follows_cac(demo):
    """Payback (first month the cumulative margin per new customer reaches the CAC) is ordered
    like the CAC when behaviour does not depend on the channel: Allegro (45) first, Instagram
    (450) last or never."""
    table = demo["channels"]
    allegro, google = (
        table.loc["Allegro", "payback_months"],
        table.loc["Google Ads", "payback_months"],
    )
    assert allegro == 1.0  # the first order's margin (~200 zł × 35 % = 70 zł) covers 45 zł
    assert allegro <= google <= table.loc["Facebook", "payback_months"]
    instagram = table.loc["Instagram", "payback_months"]
    assert math.isnan(instagram) or instagram >= table.loc["Facebook", "payback_months"]


# -- diminishing returns -------------------------------------------------------------------------
def power_law_audit(b: float = 0.6, a: float = 0.5, months: int = 36, seed: int = 3) -> Audit:
    """One channel whose monthly new customers are Poisson(a · spend^b), spend lognormal."""
    rng = np.random.default_rng(seed)
    period = pd.date_range("2022-01-01", periods=months, freq="MS")
    spend = np.round(rng.lognormal(np.log(6000), 0.8, months), 2)
    new = rng.poisson(a * spend**b)
    acquired = np.repeat(period, new) + pd.to_timedelta(np.tile([3], new.sum()), unit="D")
    ids = [f"c{i}" for i in range(new.sum())]
    customers = pd.DataFrame({"customer_id": ids, "acquired_at": acquired})
    customers["acquisition_channel"] = "Search"
    tx = pd.DataFrame({"customer_id": ids, "order_id": ids, "order_ts": acquired, "revenue": 100.0})
    marketing = pd.DataFrame({"period": period, "channel": "Search", "spend": spend})
    return Audit.from_frames(
        tx, observation_end="2024-12-31", customers=customers, marketing_spend=marketing
    )


def test_power_law_elasticity_is_recovered_within_its_interval():
    """Simulated new = 0.5 · spend^0.6 (Poisson noise, seed 3): the 95 % CI of b covers 0.6
    and excludes 1 (diminishing returns detected); marginal CAC > average CAC since b < 1
    (marginal CAC = average CAC / b at a point of the curve)."""
    audit = power_law_audit()
    row = ch.spend_response_table(audit).set_index("channel").loc["Search"]
    assert row["periods"] == 36
    assert row["elasticity_low"] <= 0.6 <= row["elasticity_high"]
    assert row["elasticity_high"] < 1.0
    assert row["elasticity"] == pytest.approx(0.6, abs=0.1)
    assert row["marginal_cac"] > row["average_cac"]
    assert row["r_squared"] > 0.9


def test_fit_spend_response_matches_a_hand_computed_regression():
    """log-log least squares by hand: spend 1, e, e² with new e^1, e^1.5, e^3 → x = 0, 1, 2,
    y = 1, 1.5, 3: b = Σ(x-x̄)(y-ȳ)/Σ(x-x̄)² = (−1·−0.8333 + 1·1.1667)/2 = 1.0, intercept
    ȳ − b x̄ = 1.8333 − 1 = 0.8333; residuals e = 1/6, −1/3, 1/6. HC3 (MacKinnon & White
    1985): leverages h = 1/3 + (x − 1)²/2 = 5/6, 1/3, 5/6; b's weights (x − x̄)/Sxx = −½, 0, ½;
    Var(b) = Σ w² e²/(1 − h)² = ¼·(1/36)/(1/36) + 0 + ¼·1 = ½; t(0.975, 1 d.o.f.) = 12.7062."""
    e = math.e
    fit = ch.fit_spend_response(np.array([1, e, e**2]), np.array([e, e**1.5, e**3]))
    assert fit["elasticity"] == pytest.approx(1.0)
    assert fit["elasticity_se"] == pytest.approx(math.sqrt(0.5))
    assert fit["elasticity_high"] == pytest.approx(1.0 + 12.7062047 * math.sqrt(0.5))
    smear = np.mean(np.exp([1 / 6, -1 / 3, 1 / 6]))  # Duan's factor
    assert fit["scale"] == pytest.approx(math.exp(5 / 6) * smear)
    # SST = (−0.8333)² + (−0.3333)² + 1.1667² = 13/6, SSR = 1/6 → R² = 1 − 1/13
    assert fit["r_squared"] == pytest.approx(1 - 1 / 13)
    assert fit["residual_se"] == pytest.approx(math.sqrt(1 / 6))  # SSR / (3 − 2)


def test_too_few_spend_periods_are_not_fitted():
    """channels.min_spend_periods (default 6): a channel with 5 positive-spend months gets no
    fit, and says so."""
    audit = power_law_audit(months=5)
    row = ch.spend_response_table(audit).iloc[0]
    assert not row["fitted"] and math.isnan(row["elasticity"]) and math.isnan(row["marginal_cac"])
    assert "need 6" in row["note"]


# -- hand-counted fixture ------------------------------------------------------------------------
def tiny_frames() -> dict[str, pd.DataFrame]:
    """Spend months Jan–Feb 2024 (window 2024-01-01 … 2024-02-29), observation end 2024-04-30.

    Ads: a1, a2, a3 new (a4 acquired before, n1 after the window); Ref (organic): r1, r2 (r2
    has no acquired_at: its first purchase 02-03 stands in); Bad: b1. Margins are given.
    """
    customers = pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "a3", "a4", "n1", "r1", "r2", "b1"],
            "acquired_at": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-01-20",
                    "2024-02-10",
                    "2023-12-15",
                    "2024-03-05",
                    "2024-01-10",
                    None,
                    "2024-02-15",
                ]
            ),
            "acquisition_channel": ["Ads", "Ads", "Ads", "Ads", "Ads", "Ref", "Ref", "Bad"],
        }
    )
    rows = [  # customer, order, date, revenue, margin
        ("a1", "o1", "2024-01-05", 100.0, 40.0),
        ("a1", "o2", "2024-02-20", 200.0, 80.0),  # 46 days after acquisition: month 2
        ("a2", "o3", "2024-01-20", 50.0, 10.0),
        ("a3", "o4", "2024-02-10", 200.0, 60.0),
        ("a3", "o5", "2024-02-12", -50.0, -15.0),  # a return document: not a purchase
        ("a4", "o6", "2023-12-15", 2000.0, 1000.0),
        ("n1", "o7", "2024-03-05", 10.0, 5.0),
        ("r1", "o8", "2024-01-10", 100.0, 30.0),
        ("r1", "o9", "2024-01-25", 100.0, 30.0),
        ("r2", "o10", "2024-02-03", 50.0, 20.0),
        ("b1", "o11", "2024-02-15", 60.0, 25.0),
    ]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_ts", "revenue", "margin"])
    tx["order_ts"] = pd.to_datetime(tx["order_ts"])
    spend = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-01-01"]),
            "channel": ["Ads", "Ads", "Bad", "Ref"],
            "spend": [100.0, 50.0, 300.0, 0.0],
        }
    )
    return {"transactions": tx, "customers": customers, "marketing_spend": spend}


def tiny_audit(**overrides) -> Audit:
    frames = tiny_frames() | overrides
    tx = frames.pop("transactions")
    frames = {k: v for k, v in frames.items() if v is not None}
    return Audit.from_frames(tx, observation_end="2024-04-30", **frames)


@pytest.fixture(scope="module")
def tiny():
    return ch.channel_table(tiny_audit(), n_boot=500, seed=0, min_customers=1).set_index("channel")


def test_tiny_window_and_new_customers(tiny):
    """Window = Jan–Feb 2024 (the spend months). Ads: a1, a2, a3 (a4 before, n1 after);
    Ref: r1 and r2 (acquired at its first purchase 02-03); Bad: b1."""
    window = ch.spend_window(tiny_audit())
    assert window == (dt.date(2024, 1, 1), dt.date(2024, 2, 29))
    assert tiny["new_customers"].to_dict() == {"Bad": 1, "Ads": 3, "Ref": 2}
    assert list(tiny.index) == ["Bad", "Ads", "Ref"]  # by spend, largest first


def test_tiny_cac_clv_ltv_cac_and_flag(tiny):
    """Hand-counted CAC, mean CLV (margin so far), LTV:CAC and the cac_above_clv flag."""
    ads, bad, ref = tiny.loc["Ads"], tiny.loc["Bad"], tiny.loc["Ref"]
    assert ads["cac"] == 50.0  # (100 + 50) / 3
    assert ads["clv_mean"] == pytest.approx(175 / 3)  # a1 40+80, a2 10, a3 60−15 → 175 / 3
    assert ads["ltv_cac"] == pytest.approx(7 / 6)  # 58.33 / 50
    assert not ads["cac_above_clv"]
    assert bad["cac"] == 300.0 and bad["clv_mean"] == 25.0  # 300 / 1; b1's margin 25
    assert bad["ltv_cac"] == pytest.approx(1 / 12)  # 25 / 300
    assert bad["cac_above_clv"]  # 300 > 25
    assert ref["cac"] == 0.0 and math.isnan(ref["ltv_cac"]) and not ref["paid"]
    assert ref["clv_mean"] == 40.0  # r1 30+30, r2 20 → 80 / 2


def test_tiny_repeat_rate_and_shares(tiny):
    """Repeat rate = new customers with ≥ 2 purchase orders / new customers; budget share =
    spend / 450; value share = Σ CLV / 280 (Ads 175 + Ref 80 + Bad 25)."""
    assert tiny.loc["Ads", "repeat_rate"] == pytest.approx(1 / 3)  # a1; a3's return is no order
    assert tiny.loc["Ref", "repeat_rate"] == 0.5  # r1 of r1, r2
    assert tiny.loc["Bad", "repeat_rate"] == 0.0
    assert tiny.loc["Ads", "budget_share"] == pytest.approx(150 / 450)
    assert tiny.loc["Bad", "budget_share"] == pytest.approx(300 / 450)
    assert tiny.loc["Ref", "budget_share"] == 0.0
    assert tiny.loc["Ads", "value_share"] == pytest.approx(175 / 280)
    assert tiny.loc["Ref", "value_share"] == pytest.approx(80 / 280)
    assert tiny.loc["Bad", "value_total"] == 25.0


def test_tiny_payback_curve_and_months(tiny):
    """Ads, observed to 04-30: a1 (117 days → 3 whole months of 30.4375 d), a2 (102 → 3),
    a3 (81 → 2). Month 1: (40 + 10 + 60 − 15) / 3 = 31.67; month 2: + a1's 80 → 175 / 3 =
    58.33 ≥ CAC 50 → payback 2; month 3 over a1, a2 only: (120 + 10) / 2 = 65. Bad never
    reaches 300: NaN; Ref is organic: NaN."""
    curve = ch.payback_table(tiny_audit(), min_customers=1)
    ads = curve[curve["channel"] == "Ads"]
    assert ads["month"].tolist() == [1, 2, 3]
    assert ads["customers"].tolist() == [3, 3, 2]
    assert ads["cumulative_margin_per_customer"].tolist() == pytest.approx([95 / 3, 175 / 3, 65])
    assert tiny.loc["Ads", "payback_months"] == 2.0
    assert math.isnan(tiny.loc["Bad", "payback_months"])
    assert math.isnan(tiny.loc["Ref", "payback_months"])
    # months observed for fewer than min_customers customers are left out: month 3 has 2
    shorter = ch.payback_table(tiny_audit(), min_customers=3)
    assert shorter.loc[shorter["channel"] == "Ads", "month"].tolist() == [1, 2]
    assert ch.payback_table(tiny_audit()).empty  # default 30: no channel has that many


def test_tiny_customer_value_is_used_and_labelled():
    """With step I's customer_value (clv per customer) the mean is over it: Ads (200 + 100 +
    60) / 3 = 120 → LTV:CAC 120 / 50 = 2.4; r2 has no row and counts at its margin so far
    20, so Ref = (70 + 20) / 2 = 45."""
    value = pd.DataFrame({"customer_id": ["a1", "a2", "a3", "r1"], "clv": [200.0, 100, 60, 70]})
    table = ch.channel_table(tiny_audit(), value, n_boot=100).set_index("channel")
    assert table.loc["Ads", "clv_mean"] == pytest.approx(120.0)
    assert table.loc["Ads", "ltv_cac"] == pytest.approx(2.4)
    assert table.loc["Ref", "clv_mean"] == pytest.approx(45.0)
    assert (table["clv_basis"] == "predicted").all()
    assert "1 buyer(s) without a customer_value row" in table.loc["Ref", "note"]


def test_tiny_customer_value_first_row_per_customer_and_ids_as_text():
    """The engine joins step I's values as ``_customer_clv`` always read them: the first row of
    a customer counts (a1's second row, 1,000, does not), ids compare as text and a value for
    a customer who is no new customer changes nothing. Reference: the hand count of
    ``test_tiny_customer_value_is_used_and_labelled`` (Ads 120, Ref 45, three new customers)."""
    value = pd.DataFrame(
        {
            "customer_id": ["a1", "a2", "a3", "r1", "a1", "zz"],
            "clv": [200.0, 100, 60, 70, 1000, 5000],
        }
    )
    table = ch.channel_table(tiny_audit(), value, n_boot=100).set_index("channel")
    assert table.loc["Ads", "clv_mean"] == pytest.approx(120.0)
    assert table.loc["Ads", "new_customers"] == 3
    assert table.loc["Ref", "clv_mean"] == pytest.approx(45.0)


def test_channel_tables_payback_equals_payback_table():
    """``channel_tables`` builds the payback curves from the new customers it fetched for the
    channel table; ``payback_table`` from its own query. Reference: the two curves agree, and
    the months are those of the hand count in ``test_tiny_payback_curve_and_months``."""
    audit = tiny_audit()
    table, curves = ch.channel_tables(audit, None, n_boot=50, min_customers=1)
    pd.testing.assert_frame_equal(curves, ch.payback_table(audit, min_customers=1))
    table = table.set_index("channel")
    assert table.loc["Ads", "payback_months"] == ch.payback_months(curves)["Ads"] == 2.0
    for name in ("Bad", "Ref"):
        assert math.isnan(table.loc[name, "payback_months"])
    pd.testing.assert_frame_equal(
        table.reset_index(), ch.channel_table(audit, None, n_boot=50, min_customers=1)
    )


def test_tiny_channel_value_replaces_the_per_customer_basis():
    """A new-customer value per channel (step I's models) replaces the CLV columns where given:
    Ads 40 < CAC 50 → flagged, LTV:CAC 0.8, value total 40 × 3 = 120; Ref keeps its per-customer
    mean (80 / 2 = 40, margin so far)."""
    value = pd.DataFrame({"channel": ["Ads"], "value": [40.0], "low": [35.0], "high": [46.0]})
    table = ch.channel_table(tiny_audit(), None, n_boot=50, channel_value=value)
    table = table.set_index("channel")
    ads = table.loc["Ads"]
    assert (ads["clv_mean"], ads["clv_low"], ads["clv_high"]) == (40.0, 35.0, 46.0)
    assert ads["ltv_cac"] == pytest.approx(0.8) and ads["cac_above_clv"]
    assert ads["value_total"] == pytest.approx(120.0)
    assert ads["clv_basis"] == "new_customer_model"
    assert table.loc["Ref", "clv_mean"] == 40.0 and table.loc["Ref", "clv_basis"] == "margin_so_far"


def test_tiny_bootstrap_interval_is_seeded_and_bounded(tiny):
    """Percentile bootstrap of the mean: within the sample's range, deterministic for a seed."""
    ads = tiny.loc["Ads"]
    assert 10.0 <= ads["clv_low"] <= ads["clv_mean"] <= ads["clv_high"] <= 120.0
    again = ch.channel_table(tiny_audit(), n_boot=500, seed=0).set_index("channel")
    assert again.loc["Ads", "clv_low"] == ads["clv_low"]
    assert again.loc["Ads", "clv_high"] == ads["clv_high"]
    assert tiny.loc["Bad", "clv_low"] == tiny.loc["Bad", "clv_high"] == 25.0  # one customer


def test_bootstrap_interval_agrees_with_normal_theory():
    """For 4000 draws of N(100, 20²) the 95 % interval of the mean is ≈ x̄ ± 1.96·s/√n."""
    values = np.random.default_rng(7).normal(100, 20, 4000)
    low, high = ch.bootstrap_mean_interval(values, n_boot=2000, rng=1)
    half = 1.959964 * values.std(ddof=1) / math.sqrt(len(values))
    assert low == pytest.approx(values.mean() - half, abs=0.1 * half)
    assert high == pytest.approx(values.mean() + half, abs=0.1 * half)


def test_spend_without_customers_is_noted():
    """A spend row whose channel no customer names: spend counts, CAC is NaN, a note says why."""
    frames = tiny_frames()
    ghost = pd.DataFrame(
        {"period": [pd.Timestamp("2024-01-01")], "channel": "Ghost", "spend": 90.0}
    )
    audit = tiny_audit(marketing_spend=pd.concat([frames["marketing_spend"], ghost]))
    row = ch.channel_table(audit, n_boot=50).set_index("channel").loc["Ghost"]
    assert row["new_customers"] == 0 and row["spend"] == 90.0 and math.isnan(row["cac"])
    assert "no new customers" in row["note"]
    assert row["budget_share"] == pytest.approx(90 / 540)  # 450 + 90


def test_channel_metrics_contract(tiny):
    """DESIGN §5: channels: [{channel, new_customers, spend, cac, clv_mean, ltv_cac,
    payback_months, cac_above_clv}], JSON-ready, null where a figure cannot be computed."""
    rows = ch.channel_metrics(tiny.reset_index())
    assert [set(r) for r in rows] == [
        {
            "channel",
            "new_customers",
            "spend",
            "cac",
            "clv_mean",
            "ltv_cac",
            "payback_months",
            "cac_above_clv",
        }
    ] * 3
    by = {r["channel"]: r for r in rows}
    assert by["Bad"]["cac_above_clv"] is True and by["Ref"]["ltv_cac"] is None
    assert by["Ads"]["payback_months"] == 2.0 and by["Bad"]["payback_months"] is None
    json.dumps(rows, allow_nan=False)


# -- missing tables ------------------------------------------------------------------------------
def test_without_marketing_spend_spend_figures_are_unknown():
    """No marketing_spend: the window is the data window (2023-12-15 … 2024-04-30), so Ads has
    all 5 customers; spend, CAC, LTV:CAC, payback and budget share are NaN, paid NA; the spend
    tables are empty; channel_data_gaps names the table."""
    audit = tiny_audit(marketing_spend=None)
    assert ch.channel_data_gaps(audit) == ["marketing_spend"]
    table = ch.channel_table(audit, n_boot=50).set_index("channel")
    assert table.loc["Ads", "new_customers"] == 5
    for col in ("spend", "cac", "ltv_cac", "payback_months", "budget_share"):
        assert table[col].isna().all(), col
    assert table["paid"].isna().all() and table["cac_above_clv"].isna().all()
    assert table["value_share"].sum() == pytest.approx(1.0)
    assert all(r["cac_above_clv"] is None for r in ch.channel_metrics(table.reset_index()))
    assert ch.spend_periods_table(audit).empty and ch.spend_response_table(audit).empty
    assert ch.payback_table(audit)["cac"].isna().all()


def test_without_customers_every_table_is_empty():
    """No customers table: no channel can be told apart; every table is empty with its
    columns."""
    audit = tiny_audit(customers=None)
    assert ch.channel_data_gaps(audit) == ["customers"]
    assert list(ch.channel_table(audit).columns) == ch.CHANNEL_COLUMNS
    assert ch.channel_table(audit).empty and ch.payback_table(audit).empty
    assert ch.spend_periods_table(audit).empty and ch.spend_response_table(audit).empty
    assert ch.reallocation_table(ch.channel_table(audit), ch.spend_response_table(audit)).empty


def test_without_acquired_at_the_first_purchase_is_the_acquisition():
    """No acquired_at column: a4's first purchase (2023-12-15) is before the window, n1's
    (03-05) after it; the other customers bought first on their acquisition day."""
    customers = tiny_frames()["customers"].drop(columns="acquired_at")
    audit = tiny_audit(customers=customers)
    assert ch.channel_data_gaps(audit) == ["customers.acquired_at"]
    table = ch.channel_table(audit, n_boot=50).set_index("channel")
    assert table["new_customers"].to_dict() == {"Bad": 1, "Ads": 3, "Ref": 2}


# -- reallocation --------------------------------------------------------------------------------
def test_reallocation_by_hand():
    """X: clv 100, new = 0.01·spend, mean spend 1000 (observed 500-1500) → marginal LTV:CAC
    100·0.01 = 1; Y: clv 100, new = 2·spend^0.5, mean spend 400 (observed 300-450) → d new/d
    spend = 2·0.5/√400 = 0.05, LTV:CAC 5. 10 % of X's 1000 = 100 is asked, but Y has only
    450 - 400 = 50 of observed range left, so 50 moves (counted): X 10 → 9.5 new (−0.5, −50
    value); Y 2·√400 = 40 → 2·√450 = 42.43 (+2.43, +242.6 value); yearly gain 12 × the net.
    The uncapped 100 (Y at 500, above its observed 450) is the labelled, uncounted variant."""
    channels = pd.DataFrame(
        {"channel": ["X", "Y", "Z"], "clv_mean": [100.0, 100.0, 500.0], "paid": [True, True, False]}
    )
    response = pd.DataFrame(
        {
            "channel": ["X", "Y"],
            "fitted": [True, True],
            "scale": [0.01, 2.0],
            "elasticity": [1.0, 0.5],
            "spend_mean": [1000.0, 400.0],
            "spend_min": [500.0, 300.0],
            "spend_max": [1500.0, 450.0],
            "marginal_new_per_spend": [0.01, 0.05],
        }
    )
    table = ch.reallocation_table(channels, response, share=0.10).set_index("channel")
    assert table.loc["X", "role"] == "from" and table.loc["Y", "role"] == "to"
    assert table.loc["X", "spend_after"] == 950.0 and table.loc["Y", "spend_after"] == 450.0
    assert table.loc["X", "new_customers_change"] == pytest.approx(-0.5)
    assert table.loc["X", "value_change"] == pytest.approx(-50.0)
    assert table.loc["Y", "new_customers_change"] == pytest.approx(2 * math.sqrt(450) - 40)
    assert table.loc["Y", "value_change"] == pytest.approx(100 * (2 * math.sqrt(450) - 40))
    assert table["marginal_ltv_cac"].tolist() == pytest.approx([1.0, 5.0])
    assert table["within_observed_range"].tolist() == [True, True]
    assert table["max_observed_spend"].tolist() == [1500.0, 450.0]
    assert not table["extrapolated"].any()
    net = 100 * (2 * math.sqrt(450) - 40) - 50
    assert table["yearly_gain"].tolist() == pytest.approx([12 * net, 12 * net])
    assert table["yearly_value_change"].sum() == pytest.approx(12 * net)
    uncapped = ch.reallocation_table(channels, response, share=0.10, extrapolated=True)
    uncapped = uncapped.set_index("channel")
    assert uncapped.loc["X", "spend_after"] == 900.0 and uncapped.loc["Y", "spend_after"] == 500.0
    assert uncapped.loc["Y", "value_change"] == pytest.approx(100 * (2 * math.sqrt(500) - 40))
    assert uncapped["within_observed_range"].tolist() == [True, False]
    assert uncapped["extrapolated"].all() and uncapped["yearly_gain"].isna().all()
    caveats = ch.reallocation_caveats(uncapped.reset_index())
    assert any("Y lies outside" in c for c in caveats)
    # a share the observed range holds: counted = asked, no uncapped variant
    assert ch.reallocation_table(channels, response, share=0.04)["spend_change"].tolist() == [
        -40.0,
        40.0,
    ]
    assert ch.reallocation_table(channels, response, share=0.04, extrapolated=True).empty
    with pytest.raises(ValueError):
        ch.reallocation_table(channels, response, share=1.5)


# -- pictures ------------------------------------------------------------------------------------
def test_plots_draw_the_tables(demo, tiny):
    """Each plot_* returns its ax; the flagged channel's CAC bar is red, the curves and points
    are drawn per channel."""
    import matplotlib.pyplot as plt

    from clvlib import plots
    from clvlib.plots.channels import FLAG_COLOUR

    ax = plots.plot_cac_vs_clv(tiny.reset_index())
    reds = [p for p in ax.patches if matplotlib.colors.to_hex(p.get_facecolor()) == FLAG_COLOUR]
    assert len(reds) == 1  # Bad
    ax = plots.plot_budget_vs_value(tiny.reset_index())
    assert len(ax.patches) == 6  # 3 channels × 2 bars
    ax = plots.plot_payback(ch.payback_table(tiny_audit(), min_customers=1))
    assert len(ax.get_lines()) >= 2  # Ads and Bad curves (Ref is organic)
    ax = plots.plot_spend_response(demo["periods"], demo["response"].reset_index())
    assert len(ax.collections) == 4  # one scatter per paid demo channel
    realloc = ch.reallocation_table(demo["channels"].reset_index(), demo["response"].reset_index())
    ax = plots.plot_reallocation(realloc)
    assert len(ax.patches) == 3  # from, to, net
    plt.close("all")
