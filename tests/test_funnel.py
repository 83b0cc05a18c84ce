"""Step II — funnel and communication (clvlib.funnel, clvlib.plots.funnel).

Two kinds of reference:
- tiny hand-built tables whose every expected figure is counted by hand in the comment beside
  it, against the definitions in the module docstring of ``clvlib.funnel``;
- a small synthetic demo (``clvlib.data.demo.write_demo``) whose ``ground_truth.json`` holds the
  exact counts the data were drawn with (``funnel``, ``messages.realised``) and the fatigue
  model's parameters (``messages.fatigue``); the generator's code defines them.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import clvlib
from clvlib import funnel
from clvlib.audit import Audit
from clvlib.calculation import wilson_interval

END = "2024-12-31"


def frame(rows, columns) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    for col in out.columns:
        if col in ("order_ts", "ts", "sent_at") or col.endswith("_at"):
            out[col] = pd.to_datetime(out[col], format="ISO8601")
    return out


# -- tiny fixtures -------------------------------------------------------------------------------
TX = frame(
    [
        ("A", "o1", "2024-01-01 10:00", 100.0),
        ("A", "o1", "2024-01-01 10:00", -20.0),  # return line: o1 is worth 80
        ("A", "o2", "2024-01-01 18:00", 50.0),  # same day as o1: one purchase day
        ("A", "o3", "2024-01-11 09:00", 60.0),  # second purchase day, gap 10
        ("B", "o4", "2024-02-01 12:00", 200.0),
        ("B", "o5", "2024-02-08 12:00", -50.0),  # a return document: not a purchase
        ("B", "o6", "2024-02-21 12:00", 40.0),  # second purchase, gap 20
        ("C", "o7", "2024-03-01 12:00", 30.0),
        ("C", "o8", "2024-10-01 12:00", 30.0),  # gap 214 > 180: beyond the horizon
        ("D", "o9", "2024-06-01 12:00", 70.0),  # never again
        ("E", "o10", "2024-11-01 12:00", 90.0),  # first purchase < 180 days before the end
        ("E", "o11", "2024-11-05 12:00", 10.0),
        ("F", "o12", "2024-07-04 12:00", 10.0),  # exactly 180 days before 12-31: eligible
        ("F", "o13", "2024-07-05 12:00", 20.0),  # gap 1
    ],
    ["customer_id", "order_id", "order_ts", "revenue"],
)

_PATH = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]


def _session(sid, steps, source):
    return [(sid, f"2024-12-01 10:0{i}", step, source) for i, step in enumerate(steps)]


SESSIONS = frame(
    _session("s1", _PATH[:1], "google")
    + _session("s2", _PATH[:2], "google")
    + _session("s3", _PATH[:3], "google")
    + _session("s4", _PATH, "google")
    + _session("s5", _PATH[:4], "fb")
    + _session("s6", ["visit", "checkout"], "fb")  # no product_view / add_to_cart rows
    + _session("s7", ["visit", "product_view", "wishlist"], None)  # unknown step ignored
    + _session("s8", ["wishlist"], "fb"),  # no funnel step at all: not counted
    ["session_id", "ts", "step", "source"],
)

MSG_COLUMNS = ["customer_id", "sent_at", "channel", "opened_at", "clicked_at",
               "unsubscribed_at", "order_id"]  # fmt: skip
_A = [("A", f"2024-12-{d:02d} 10:00", "email", None, None, None, None)
      for d in (4, 7, 11, 14, 18, 21, 25, 28)]  # fmt: skip
_A[1] = ("A", "2024-12-07 10:00", "email", "2024-12-07 11:00", None, None, None)
_A[2] = ("A", "2024-12-11 10:00", "email", "2024-12-11 11:00", "2024-12-11 11:05", None, "o1")
MESSAGES = frame(
    _A  # A: 8 emails in 4 weeks, 2 opened, 1 clicked (order o1)
    + [
        ("B", "2024-12-10 10:00", "email", None, None, None, "o1"),  # o1 again: same channel
        ("B", "2024-12-24 10:00", "email", None, None, None, None),
        ("C", "2024-12-04 10:00", "sms", None, None, None, None),
        ("C", "2024-12-06 10:00", "sms", None, "2024-12-06 10:30", None, "o1"),  # o1 by sms
        ("C", "2024-12-09 10:00", "sms", None, None, "2024-12-11 00:00", None),  # unsubscribes
        ("D", "2024-12-31 09:00", "push", "2024-12-31 09:10", "2024-12-31 09:11", None, "o6"),
        ("E", "2024-12-04 10:00", "email", None, None, "2024-12-05 10:00", None),
    ],
    MSG_COLUMNS,
)


@pytest.fixture()
def audit():
    return Audit.from_frames(TX, observation_end=END, sessions=SESSIONS, messages=MESSAGES)


@pytest.fixture()
def bare():
    return Audit.from_frames(TX, observation_end=END)


# -- funnel --------------------------------------------------------------------------------------
def test_funnel_counts_and_rates_by_hand(audit):
    """Reference: module docstring (a session reaches every step up to its furthest)."""
    f = funnel.funnel_table(audit)
    assert f["step"].tolist() == _PATH
    # visit s1-s7; product_view s2-s7 (s6 reached checkout); add_to_cart s3 s4 s5 s6;
    # checkout s4 s5 s6; purchase s4. s8 has no funnel step.
    assert f["sessions"].tolist() == [7, 6, 4, 3, 1]
    assert f["step_number"].tolist() == [1, 2, 3, 4, 5]
    assert math.isnan(f["conversion_from_previous"].iloc[0])
    # 6/7, 4/6, 3/4, 1/3
    assert f["conversion_from_previous"].iloc[1:].tolist() == pytest.approx(
        [6 / 7, 4 / 6, 3 / 4, 1 / 3]
    )
    assert f["conversion_from_start"].tolist() == pytest.approx([1, 6 / 7, 4 / 7, 3 / 7, 1 / 7])
    assert f["drop_off"].iloc[1:].tolist() == [1, 2, 1, 2]  # 7-6, 6-4, 4-3, 3-1
    assert f["drop_off_rate"].iloc[4] == pytest.approx(2 / 3)  # 1 - 1/3


def test_funnel_by_source_by_hand(audit):
    """Reference: module docstring; a session without a source falls under "(unknown)"."""
    f = funnel.funnel_table(audit, by="source")
    counts = f.pivot(index="source", columns="step", values="sessions")[_PATH]
    assert counts.loc["google"].tolist() == [4, 3, 2, 1, 1]  # s1-s4
    assert counts.loc["fb"].tolist() == [2, 2, 2, 2, 0]  # s5, s6 (s8 has no funnel step)
    assert counts.loc["(unknown)"].tolist() == [1, 1, 0, 0, 0]  # s7
    fb = f[f["source"] == "fb"].set_index("step")
    assert fb.loc["purchase", "conversion_from_previous"] == 0.0  # 0/2
    unknown = f[f["source"] == "(unknown)"].set_index("step")
    assert math.isnan(unknown.loc["checkout", "conversion_from_previous"])  # 0/0
    with pytest.raises(ValueError, match="no column 'device'"):
        funnel.funnel_table(audit, by="device")


def test_purchase_aov_by_hand(audit):
    """Reference: step I's AOV = net revenue of purchase orders / purchase orders."""
    # 12 purchase orders (o5 is a return document): 80+50+60+200+40+30+30+70+90+10+10+20 = 690
    assert funnel.purchase_aov(audit) == pytest.approx(690 / 12)


def test_abandoned_carts_by_hand(audit):
    """Reference: abandoned = reached add_to_cart, not purchase; value = abandoned × AOV."""
    c = funnel.abandoned_carts_table(audit).iloc[0]
    assert c["carts"] == 4  # s3 s4 s5 s6
    assert c["abandoned_carts"] == 3  # s3 s5 s6 (s4 bought)
    assert c["abandonment_rate"] == pytest.approx(3 / 4)
    assert c["aov"] == pytest.approx(57.5)  # 690 / 12
    assert c["abandoned_value"] == pytest.approx(172.5)  # 3 × 57.5
    assert c["recovery_rate"] == 0.10  # funnel.cart_recovery_rate default
    assert c["recovered_value"] == pytest.approx(17.25)  # 172.5 × 0.10
    given = funnel.abandoned_carts_table(audit, aov=100.0, recovery_rate=0.2).iloc[0]
    assert (given["abandoned_value"], given["recovered_carts"]) == pytest.approx((300.0, 0.6))
    by = funnel.abandoned_carts_table(audit, aov=100.0, by="source").set_index("source")
    assert by["abandoned_carts"].to_dict() == {"(unknown)": 0, "fb": 2, "google": 1}
    assert math.isnan(by.loc["(unknown)", "abandonment_rate"])  # no carts: 0/0


# -- second purchase -----------------------------------------------------------------------------
def test_second_purchase_life_table_by_hand(audit):
    """Reference: module docstring (purchase days; same-day merge; returns are no purchases)."""
    t = funnel.second_purchase_table(audit, horizon_days=180).set_index("days")
    assert len(t) == 180
    # eligible (first purchase day on or before 2024-07-04): A B C D F = 5; E is too recent
    assert t.loc[1, "at_risk"] == 5
    # gaps within 180 days: F 1 (07-04 -> 07-05), A 10 (01-01 -> 01-11), B 20 (the 02-08
    # return document is no purchase); C's 214 days are beyond the horizon
    assert t.loc[t["second_buyers"] > 0, "second_buyers"].to_dict() == {1: 1, 10: 1, 20: 1}
    assert (t.loc[2, "at_risk"], t.loc[11, "at_risk"], t.loc[21, "at_risk"]) == (4, 3, 2)
    assert t.loc[10, "cumulative_rate"] == pytest.approx(2 / 5)
    assert t.loc[10, "cumulative_share"] == pytest.approx(2 / 3)
    s = funnel.second_purchase_summary(t.reset_index())
    assert (s["customers"], s["second_buyers"]) == (5, 3)
    assert s["second_purchase_rate"] == pytest.approx(3 / 5)
    assert (s["rate_ci_low"], s["rate_ci_high"]) == pytest.approx(wilson_interval(3, 5))
    # distribution 1/3 at day 1, 2/3 at 10, 1 at 20: p10 = p25 = 1, median 10, p75 = p90 = 20
    assert [s[k] for k in ("p10", "p25", "median", "p75", "p90")] == [1, 1, 10, 20, 20]


def test_follow_up_window_by_hand(audit):
    """Reference: reachable on send day d = eventual second buyers with gap > d."""
    t = funnel.second_purchase_table(audit)
    w = funnel.follow_up_window_table(t, step_days=5).set_index("send_day")
    # gaps 1, 10, 20: day 5 -> A B (2/3); day 10 -> B (A bought on day 10); day 20 -> none
    assert w.loc[[5, 10, 15, 20], "reachable"].tolist() == [2, 1, 1, 0]
    assert w.loc[5, "reachable_share"] == pytest.approx(2 / 3)
    # send day 7 reaches 2/3 < 0.75: no window; at 0.6 the window is the first week only
    assert funnel.second_purchase_summary(t)["follow_up_end_days"] is None
    s = funnel.second_purchase_summary(t, min_reach=0.6)
    assert (s["follow_up_start_days"], s["follow_up_end_days"]) == (7, 7)
    assert s["follow_up_reach"] == pytest.approx(2 / 3)
    s = funnel.second_purchase_summary(t, min_reach=0.3)  # day 14 reaches B: 1/3
    assert (s["follow_up_start_days"], s["follow_up_end_days"]) == (7, 14)


def test_second_purchase_censoring():
    """Reference: the censoring rule in ``second_purchase_table``: only customers first buying
    at least ``horizon_days`` before the end count, each followed for exactly that long."""
    rows = frame(
        [
            ("old", "1", "2024-01-01", 10.0),
            ("old", "2", "2024-03-01", 10.0),  # gap 60
            ("late", "3", "2024-01-01", 10.0),
            ("late", "4", "2024-12-01", 10.0),  # gap 335: after a 180-day horizon
            ("new", "5", "2024-12-01", 10.0),  # only 30 days observed: not eligible
        ],
        ["customer_id", "order_id", "order_ts", "revenue"],
    )
    audit = Audit.from_frames(rows, observation_end=END)
    s = funnel.second_purchase_summary(funnel.second_purchase_table(audit, horizon_days=180))
    # without the rule "new" would count as a customer without a second purchase (1/3)
    # and "late" as a second buyer (2/3); with it: old and late eligible, old bought: 1/2
    assert (s["customers"], s["second_buyers"], s["second_purchase_rate"]) == (2, 1, 0.5)
    assert s["median"] == 60
    # a horizon of 340 days: "old" and "late" buy again (60, 335); "new" still excluded
    s = funnel.second_purchase_summary(funnel.second_purchase_table(audit, horizon_days=340))
    assert (s["customers"], s["second_buyers"]) == (2, 2)
    # a horizon longer than the window: nobody is eligible, figures are NaN, not zero
    s = funnel.second_purchase_summary(funnel.second_purchase_table(audit, horizon_days=400))
    assert s["customers"] == 0 and math.isnan(s["second_purchase_rate"])
    assert math.isnan(s["median"]) and s["follow_up_end_days"] is None


# -- campaigns -----------------------------------------------------------------------------------
def test_campaigns_by_hand(audit):
    """Reference: module docstring (open rate, CTR = clicked / sent, click-to-open)."""
    c = funnel.campaign_table(audit).set_index("channel")
    assert c.index.tolist() == ["email", "sms", "push"]  # by messages sent: 11, 3, 1
    email = c.loc["email"]  # A 8, B 2, E 1
    assert email[["sent", "customers", "opened", "clicked", "unsubscribed"]].tolist() == [
        11, 3, 2, 1, 1
    ]  # fmt: skip
    assert email["open_rate"] == pytest.approx(2 / 11)
    assert email["ctr"] == pytest.approx(1 / 11)
    assert email["click_to_open"] == pytest.approx(1 / 2)
    assert email["unsubscribe_rate"] == pytest.approx(1 / 11)
    # o1 attributed twice by email: one order; its net revenue 100 - 20 = 80
    assert (email["attributed_orders"], email["attributed_revenue"]) == (1, 80.0)
    sms = c.loc["sms"]  # C: 3 sent, no opens recorded -> not tracked, NaN (not 0)
    assert math.isnan(sms["open_rate"]) and math.isnan(sms["click_to_open"])
    assert sms["ctr"] == pytest.approx(1 / 3)
    assert (sms["attributed_orders"], sms["attributed_revenue"]) == (1, 80.0)  # o1 again
    push = c.loc["push"]  # D: 1 sent, opened, clicked, order o6 worth 40
    assert (push["open_rate"], push["ctr"], push["attributed_revenue"]) == (1.0, 1.0, 40.0)


def test_campaigns_without_optional_columns():
    """Reference: module docstring; a missing optional column gives NaN, not zero."""
    few = MESSAGES[["customer_id", "sent_at", "channel", "clicked_at"]]
    audit = Audit.from_frames(TX, observation_end=END, messages=few)
    c = funnel.campaign_table(audit).set_index("channel")
    assert c["opened"].isna().all() and c["open_rate"].isna().all()
    assert c.loc["email", "ctr"] == pytest.approx(1 / 11)
    assert c["attributed_orders"].tolist() == [0, 0, 0]


# -- message load and fatigue --------------------------------------------------------------------
def test_message_load_by_hand(audit):
    """Reference: rate = messages / weeks subscribed (span 12-04 ... 12-31 = 4 weeks)."""
    s = funnel.message_load_summary(audit)
    assert s["weeks"] == 4.0 and (s["customers"], s["messages"]) == (5, 15)
    # A 8/4 = 2.0; B 2/4 = 0.5; C 3 messages until its unsubscribe 12-11 00:00 = 1 week: 3.0;
    # D 1/4 = 0.25; E unsubscribes after 1.4 days, counted as 1 week: 1/1 = 1.0
    assert s["mean_messages_per_week"] == pytest.approx((2 + 0.5 + 3 + 0.25 + 1) / 5)
    assert s["median_messages_per_week"] == pytest.approx(1.0)
    assert (s["customers_above_cap"], s["share_above_cap"]) == (1, 0.2)  # C; A = 2.0 is not above
    s = funnel.message_load_summary(audit, contact_cap_per_week=0.75)
    assert s["customers_above_cap"] == 3  # A, C, E


def test_fatigue_buckets_by_hand(audit):
    """Reference: ``fatigue_table`` docstring (rates while subscribed, Wilson intervals)."""
    f = funnel.fatigue_table(audit, min_customers=1).set_index("messages_per_week")
    # B 0.5 and D 0.25 -> 0.5; E 1.0; A 2.0; C 3.0 (over the whole span it would be 0.75)
    assert f.index.tolist() == [0.5, 1.0, 2.0, 3.0]
    assert f["customers"].tolist() == [2, 1, 1, 1]
    assert f["messages"].tolist() == [3, 1, 8, 3]
    assert f["clicks"].tolist() == [1, 0, 1, 1]  # D's push; A's email; C's sms
    assert f["unsubscribed"].tolist() == [0, 1, 0, 1]  # E; C
    assert f.loc[0.5, "ctr"] == pytest.approx(1 / 3)
    assert (f.loc[0.5, "ctr_ci_low"], f.loc[0.5, "ctr_ci_high"]) == pytest.approx(
        wilson_interval(1, 3)
    )
    assert f.loc[3.0, "unsubscribe_rate"] == pytest.approx(1 / 3)
    assert f.loc[0.5, "mean_messages_per_week"] == pytest.approx(0.375)  # (0.5 + 0.25) / 2
    assert (f.loc[0.5, "rate_low"], f.loc[2.0, "rate_low"], f.loc[2.0, "rate_high"]) == (
        0.0, 1.75, 2.25
    )  # fmt: skip
    assert f.loc[3.0, "rate_high"] == math.inf  # the top bucket is open-ended
    # expected clicks over 52 weeks: 0.5 -> (1/3)·0.375·52 = 6.5 (no unsubscribes);
    # 2.0 -> (1/8)·2·52 = 13; 3.0 -> (1/3)·3·(1 - e^-52)/1 = 1.0 (hazard (1/3)·3 = 1 a week)
    expected = f["expected_clicks_per_customer"]
    assert expected.loc[[0.5, 1.0, 2.0, 3.0]].tolist() == pytest.approx([6.5, 0.0, 13.0, 1.0])
    limit = funnel.fatigue_limit(f.reset_index())
    assert limit["messages_per_week"] == 2.0 and limit["clicks_keep_rising"] is False
    # at least 2 customers in the top bucket: C folds into A's bucket (2.0 and up)
    merged = funnel.fatigue_table(audit, min_customers=2).set_index("messages_per_week")
    assert merged.index.tolist() == [0.5, 1.0, 2.0]
    assert merged.loc[2.0, ["customers", "messages", "clicks", "unsubscribed"]].tolist() == [
        2, 11, 2, 1
    ]  # fmt: skip


def test_missing_tables_give_none(bare):
    """Reference: module docstring, "Missing tables"."""
    assert funnel.funnel_table(bare) is None
    assert funnel.funnel_table(bare, by="source") is None
    assert funnel.abandoned_carts_table(bare) is None
    assert funnel.campaign_table(bare) is None
    assert funnel.message_load_summary(bare) is None
    assert funnel.fatigue_table(bare) is None
    assert funnel.second_purchase_summary(funnel.second_purchase_table(bare))["customers"] == 5


# -- the demo's ground truth ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from clvlib.data.demo import write_demo

    config = write_demo(tmp_path_factory.mktemp("demo"), customers=3000, seed=11, progress=False)
    truth = json.loads((config.parent / "ground_truth.json").read_text(encoding="utf-8"))
    return clvlib.open_audit(config), truth


def test_demo_funnel_counts_exact(demo):
    """Reference: ground_truth.json funnel.sources.*.sessions_reaching_step, sessions."""
    audit, truth = demo
    by = funnel.funnel_table(audit, by="source")
    sources = truth["funnel"]["sources"]
    assert set(by["source"]) == set(sources)
    for name, source in sources.items():
        got = by.loc[by["source"] == name, "sessions"].tolist()
        assert got == source["sessions_reaching_step"], name
    overall = funnel.funnel_table(audit)
    assert overall["sessions"].iloc[0] == truth["funnel"]["sessions"]
    summed = np.sum([s["sessions_reaching_step"] for s in sources.values()], axis=0)
    assert overall["sessions"].tolist() == summed.tolist()


def test_demo_abandoned_carts_exact(demo):
    """Reference: ground_truth.json funnel.abandoned_carts."""
    audit, truth = demo
    carts = funnel.abandoned_carts_table(audit, aov=200.0).iloc[0]
    assert carts["abandoned_carts"] == truth["funnel"]["abandoned_carts"]
    assert carts["abandoned_value"] == pytest.approx(200.0 * truth["funnel"]["abandoned_carts"])


def test_demo_campaign_counts_exact(demo):
    """Reference: ground_truth.json messages.realised (by_channel, attributed_orders)."""
    audit, truth = demo
    realised = truth["messages"]["realised"]
    c = funnel.campaign_table(audit).set_index("channel")
    for name, counts in realised["by_channel"].items():
        for key, value in counts.items():
            assert c.loc[name, key] == value, (name, key)
    assert math.isnan(c.loc["sms", "open_rate"])  # opens not tracked
    # each order is attributed to one message, so the channels' orders add up
    assert c["attributed_orders"].sum() == realised["attributed_orders"]
    assert (c["attributed_revenue"] > 0).all()
    load = funnel.message_load_summary(audit)
    assert load["weeks"] == truth["messages"]["window"]["weeks"]
    assert (load["customers"], load["messages"]) == (realised["customers"], realised["messages"])


def test_demo_fatigue_recovers_the_curve(demo):
    """Reference: ground_truth.json messages.fatigue: CTR = Σ share·base·exp(-k(m-1)) and
    unsubscribes per message u0·exp(k_u(m-1)) for cadence tiers m.

    A bucket maps to a tier when its centre is the tier's rate. Ten 95 % intervals (CTR and
    unsubscribes of five tiers) may miss once by chance (0.5 misses expected; seeds 1-30 at
    3,000 customers gave 12 misses in 300, never two in one seed); buckets also mix in a few
    customers of neighbouring tiers (Poisson spread of the counts), a bias well inside the
    intervals."""
    audit, truth = demo
    f = funnel.fatigue_table(audit)
    tiers = {t["messages_per_week"]: t for t in truth["messages"]["fatigue"]["cadence_tiers"]}
    checks = []
    for _, row in f[f["messages_per_week"].isin(list(tiers))].iterrows():
        tier = tiers[row["messages_per_week"]]
        checks.append(row["ctr_ci_low"] <= tier["expected_ctr"] <= row["ctr_ci_high"])
        u = tier["unsubscribe_per_message"]
        checks.append(row["unsubscribe_ci_low"] <= u <= row["unsubscribe_ci_high"])
    assert len(checks) == 10 and sum(checks) >= 9
    # the direction: pooled buckets of at most 1 vs at least 3 messages a week
    low, high = f[f["messages_per_week"] <= 1], f[f["messages_per_week"] >= 3]

    def ci(part, col):
        return wilson_interval(int(part[col].sum()), int(part["messages"].sum()))

    assert ci(low, "clicks")[0] > ci(high, "clicks")[1]  # CTR falls
    assert ci(high, "unsubscribed")[0] > ci(low, "unsubscribed")[1]  # unsubscribes rise
    # the limit: the truth's expected clicks over 52 weeks, c(m)·m·(1 - e^(-u(m)·m·52))/(u(m)·m),
    # peak near 2.6 messages a week; the estimate sits within a bucket or two of it
    fat = truth["messages"]["fatigue"]
    m = np.linspace(0.5, 6, 1101)
    c = tiers[1.0]["expected_ctr"] * np.exp(-fat["k"] * (m - 1))
    h = fat["u0"] * np.exp(fat["k_u"] * (m - 1)) * m
    best = m[np.argmax(c * m * (1 - np.exp(-h * 52)) / h)]
    assert 2.4 < best < 2.8
    assert abs(funnel.fatigue_limit(f)["messages_per_week"] - best) <= 1.0


# -- plots ---------------------------------------------------------------------------------------
def test_plots_draw_the_tables(audit):
    """Reference: clvlib.plots conventions (frame + ax in, the same ax out)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clvlib import plots

    second = funnel.second_purchase_table(audit)
    summary = funnel.second_purchase_summary(second, min_reach=0.3)
    fatigue = funnel.fatigue_table(audit, min_customers=1)
    fig, axs = plt.subplots(4, 2)
    axs = axs.ravel()
    assert plots.plot_funnel(funnel.funnel_table(audit), ax=axs[0]) is axs[0]
    assert len(axs[0].patches) == 5  # one bar per step
    plots.plot_funnel_by_source(funnel.funnel_table(audit, by="source"), ax=axs[1])
    # by visit -> purchase: google 1/4, then fb and (unknown) at 0, ties by name
    assert [t.get_text() for t in axs[1].get_yticklabels()] == ["google", "(unknown)", "fb"]
    carts = funnel.abandoned_carts_table(audit, by="source")
    plots.plot_abandoned_carts(carts, ax=axs[2], by="source")
    assert len(axs[2].patches) == 6  # abandoned and recovered bars for three sources
    plots.plot_second_purchase(second, ax=axs[3], summary=summary)
    assert sum(bar.get_height() for bar in axs[3].containers[0]) == 3  # three second buyers
    plots.plot_follow_up_window(funnel.follow_up_window_table(second), ax=axs[4])
    assert len(axs[4].lines[0].get_xdata()) == 25  # send days 7, 14, ..., 175
    plots.plot_campaigns(funnel.campaign_table(audit), ax=axs[5])
    drawn = [p for p in axs[5].patches if p.get_height() > 0]
    assert len(drawn) == 7  # email 3 rates, sms CTR only, push 3
    ax = plots.plot_fatigue(fatigue, ax=axs[6], cap=2.0, limit=2.0)
    assert ax is axs[6] and ax.right_ax is not ax
    from clvlib.plots import funnel as funnel_plots

    assert all(getattr(plots, name) for name in funnel_plots.__all__)  # star-imported
    plt.close(fig)
