"""Step IV — retention (clvlib.retention, clvlib.plots.retention).

References:
- a tiny hand-built audit whose every expected figure is counted by hand in the comment beside
  it, against the definitions in the module docstring of ``clvlib.retention``;
- the Kaplan–Meier product-limit arithmetic written out by hand, and the exact survival
  function exp(−λt) of a simulated exponential sample;
- a synthetic demo (``clvlib.data.demo.write_demo``) whose ``ground_truth.json`` holds the
  loyalty spend lift (0.25, on every order of a member) and the worse sales rep (higher
  drop-out probability after each repeat purchase: mean 0.36 vs 0.23).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

import clvlib
from clvlib import retention
from clvlib.audit import Audit

# -- the tiny audit ------------------------------------------------------------------------------
TX = pd.DataFrame(
    [
        ("A", "o1", "2024-01-05 10:00", 100.0),  # cohort 2024-01
        ("A", "o2", "2024-02-10 10:00", 50.0),  # k = 1; gap 36 days
        ("A", "o3", "2024-03-15 10:00", -20.0),  # return document: k = 2 revenue, not active
        ("B", "o4", "2024-01-20 10:00", 200.0),  # cohort 2024-01
        ("B", "o5", "2024-03-02 10:00", 100.0),  # k = 2; gap 42 days
        ("C", "o6", "2024-02-03 10:00", 80.0),  # cohort 2024-02
        ("C", "o7", "2024-02-20 10:00", 20.0),  # same month; gap 17 days
        ("D", "o8", "2024-03-10 10:00", 60.0),  # cohort 2024-03, one purchase
    ],
    columns=["customer_id", "order_id", "order_ts", "revenue"],
)
TX["order_ts"] = pd.to_datetime(TX["order_ts"])
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D"],
        "loyalty_member": [True, False, True, False],
        "loyalty_joined_at": pd.to_datetime(["2024-02-01", None, "2024-02-10", None]),
        "sales_rep": ["X", "X", "Y", None],
    }
)


def with_retention(audit: Audit, **values) -> Audit:
    """The audit with ``retention`` settings replaced (the config is frozen)."""
    settings = audit.config.retention.model_copy(update=values)
    return dataclasses.replace(
        audit, config=audit.config.model_copy(update={"retention": settings})
    )


@pytest.fixture
def tiny():
    return Audit.from_frames(TX, observation_end="2024-03-31", customers=CUSTOMERS)


def test_cohort_counts_by_hand():
    """Reference: hand count of TX plus a return document of a customer Z on 2024-01-01 (not a
    purchase, so no cohort for Z; it only makes the data start on the 1st, so January is a
    complete month). End 2024-03-31: cohorts Jan {A, B}, Feb {C}, Mar {D}."""
    start = pd.DataFrame(
        [("Z", "o0", pd.Timestamp("2024-01-01 09:00"), -5.0)],  # a return: no purchase, no cohort
        columns=TX.columns,
    )
    audit = Audit.from_frames(pd.concat([start, TX], ignore_index=True),
                              observation_end="2024-03-31")  # fmt: skip
    c = retention.cohort_table(audit)
    got = {(str(r.cohort.date()), r.months_since_acquisition): r for r in c.itertuples()}
    assert len(c) == 6  # Jan: k 0, 1, 2; Feb: k 0, 1; Mar: k 0
    jan0, jan1, jan2 = (got[("2024-01-01", k)] for k in range(3))
    assert jan0.cohort_customers == 2 and jan0.active_customers == 2  # A and B
    assert jan0.revenue == pytest.approx(300.0)  # 100 + 200
    assert jan1.active_customers == 1 and jan1.revenue == pytest.approx(50.0)  # A's o2
    assert jan2.active_customers == 1  # B's o5; A's return document is not a purchase
    assert jan2.revenue == pytest.approx(80.0)  # 100 - 20
    assert jan1.revenue_retention == pytest.approx(50 / 300)
    assert jan2.revenue_retention == pytest.approx(80 / 300)
    assert jan2.cumulative_revenue_per_customer == pytest.approx((300 + 50 + 80) / 2)
    feb0, feb1 = got[("2024-02-01", 0)], got[("2024-02-01", 1)]
    assert (feb0.cohort_customers, feb0.active_customers, feb0.revenue) == (1, 1, 100.0)
    assert (feb1.active_customers, feb1.revenue, feb1.active_share) == (0, 0.0, 0.0)
    mar0 = got[("2024-03-01", 0)]
    assert (mar0.cohort_customers, mar0.active_customers, mar0.revenue) == (1, 1, 60.0)


def test_cohort_incomplete_months_are_left_out():
    """Reference: the complete-month rule of the module docstring. Data from 2024-01-05 make
    January incomplete (no January cohort, A and B drop out); an end on 2024-03-30 makes March
    incomplete: only the February cohort's month 0 (C: 80 + 20) is left."""
    audit = Audit.from_frames(TX, observation_end="2024-03-30")
    c = retention.cohort_table(audit)
    assert len(c) == 1
    row = c.iloc[0]
    assert str(row["cohort"].date()) == "2024-02-01" and row["months_since_acquisition"] == 0
    assert (row["cohort_customers"], row["active_customers"], row["revenue"]) == (1, 1, 100.0)


def test_repeat_gaps_and_survival_by_hand(tiny):
    """Reference: hand count. Purchase days: A 01-05, 02-10 (the 03-15 return is not one);
    B 01-20, 03-02; C 02-03, 02-20; D 03-10. Repeat rate 3/4. Gaps 36, 42, 17. Open spells at
    2024-03-31: A 50, B 29, C 40, D 21 days (all < 365: censored).
    Product limit: t=17 n=7 d=1 → 6/7; t=21 censored; t=36 n=4 (36, 40, 42, 50) d=1 → ·3/4;
    t=42 n=2 (42, 50) d=1 → ·1/2: S = 6/7 · 3/4 · 1/2 = 9/28, constant to t = 365 = churn rate.
    """
    gaps = retention.inter_purchase_table(tiny)
    assert list(gaps["days"]) == [17, 36, 42] and list(gaps["gaps"]) == [1, 1, 1]
    km = retention.survival_table(tiny)
    assert retention.survival_at(km, 20)["survival"] == pytest.approx(6 / 7)
    assert retention.survival_at(km, 36)["survival"] == pytest.approx(6 / 7 * 3 / 4)
    assert km["time"].max() == 50  # longest open spell, below H = 365
    s = retention.retention_summary(tiny, km=km)
    assert (s["customers"], s["repeaters"], s["repeat_rate"]) == (4, 3, 0.75)
    assert s["churn_rate"] == pytest.approx(9 / 28)
    assert s["median_gap_days"] == 36 and s["mean_gap_days"] == pytest.approx(95 / 3)
    assert s["median_days_to_next_purchase"] == 42  # first t with S(t) ≤ 1/2


def test_survival_gaps_beyond_the_horizon_are_churn():
    """Reference: the churn rule. H = 30: A buys on 01-01 and 03-01 (gap 60 > 30: churn, not a
    next purchase), B on 01-01 and 01-11 (gap 10: event). Spells: A 30 (churn), A open 31 days
    from 03-01 to 04-01 → capped at 30, churn; B 10 (event), B open 81 → 30, churn.
    S(10) = 1 − 1/4 = 3/4, and nothing else happens: churn rate 3/4."""
    tx = pd.DataFrame(
        {"customer_id": ["A", "A", "B", "B"], "order_id": ["1", "2", "3", "4"],
         "order_ts": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-01", "2024-01-11"]),
         "revenue": [10.0, 10.0, 10.0, 10.0]}
    )  # fmt: skip
    audit = with_retention(Audit.from_frames(tx, observation_end="2024-04-01"),
                           churn_after_days=30)  # fmt: skip
    km = retention.survival_table(audit)
    assert km["time"].max() == 30
    assert km.set_index("time").loc[30, "censored"] == 3
    assert retention.retention_summary(audit, km=km)["churn_rate"] == pytest.approx(0.75)


def test_kaplan_meier_by_hand():
    """Reference: product-limit arithmetic. Durations 1, 2, 2+, 3, 4+, 5 (+ = censored).
    t=1: n=6, d=1 → S = 5/6;            Greenwood Σ = 1/(6·5) = 1/30
    t=2: n=5, d=1 (one censored at 2, still at risk) → S = 5/6 · 4/5 = 2/3;  Σ += 1/(5·4)
    t=3: n=3, d=1 → S = 2/3 · 2/3 = 4/9;  Σ += 1/(3·2) → Σ = 1/30 + 1/20 + 1/6 = 1/4
    t=4: n=2, d=0 (censored) → S = 4/9
    t=5: n=1, d=1 → S = 0.
    Var S(3) = S² Σ = 16/81 · 1/4 = 4/81. Log-log CI at t=3: σ = √Σ / |log S| = 0.5 / log(9/4),
    bounds exp(−exp(log(−log S) ± 1.96 σ))."""
    km = retention.kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert list(km["time"]) == [0, 1, 2, 3, 4, 5]
    assert list(km["at_risk"]) == [6, 6, 5, 3, 2, 1]
    assert km["survival"].tolist() == pytest.approx([1, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    row = km.set_index("time").loc[3]
    assert row["variance"] == pytest.approx(4 / 81)
    sigma = 0.5 / math.log(9 / 4)
    loglog = math.log(math.log(9 / 4))
    assert row["ci_low"] == pytest.approx(math.exp(-math.exp(loglog + 1.959964 * sigma)))
    assert row["ci_high"] == pytest.approx(math.exp(-math.exp(loglog - 1.959964 * sigma)))
    assert row["ci_low"] < 4 / 9 < row["ci_high"]
    # counts are the same as repeated rows
    weighted = retention.kaplan_meier([1, 2, 2, 3, 4, 5][::-1], [1, 1, 0, 1, 0, 1][::-1])
    counted = retention.kaplan_meier([1, 2, 3, 4, 5, 2], [1, 1, 1, 0, 1, 0], [1, 1, 1, 1, 1, 1])
    assert weighted["survival"].tolist() == pytest.approx(counted["survival"].tolist())


def test_kaplan_meier_recovers_an_exponential():
    """Reference: exact survival exp(−λt), λ = 0.05 a day, of 3000 simulated durations with
    independent uniform(0, 60) censoring (seeded): the 95 % interval covers it at t = 5, 15, 30
    and the estimate is within 0.03 everywhere up to t = 40."""
    rng = np.random.default_rng(4)
    true = rng.exponential(1 / 0.05, 3000)
    censor = rng.uniform(0, 60, 3000)
    km = retention.kaplan_meier(np.minimum(true, censor), true <= censor)
    for t in (5, 15, 30):
        at = retention.survival_at(km, t)
        assert at["ci_low"] <= math.exp(-0.05 * t) <= at["ci_high"], t
    early = km[km["time"] <= 40]
    assert np.max(np.abs(early["survival"] - np.exp(-0.05 * early["time"]))) < 0.03


def test_loyalty_and_reps_by_hand(tiny):
    """Reference: hand count. Members A (orders 100, 50) and C (80, 20): spend per order
    250/4 = 62.5; non-members B (200, 100) and D (60): 360/3 = 120; lift 62.5/120 − 1.
    Joiners with orders on both sides: A (joined 02-01: before 100, after 50) and C (joined
    02-10: before 80, after 20) → mean before 90, after 35, change 35/90 − 1.
    Reps: X = A, B (both repeat: 1.0), Y = C (1.0), (none) = D (0.0); all small samples."""
    loyalty = retention.loyalty_table(tiny, n_boot=200, seed=1)
    row = loyalty.set_index("metric").loc["spend_per_order"]
    assert row["members"] == pytest.approx(62.5) and row["non_members"] == pytest.approx(120)
    assert row["lift"] == pytest.approx(62.5 / 120 - 1)
    assert (row["members_customers"], row["non_members_customers"]) == (2, 2)
    ba = retention.loyalty_before_after(tiny, n_boot=200, seed=1).iloc[0]
    assert ba["joiners"] == 2
    assert (ba["aov_before"], ba["aov_after"]) == (pytest.approx(90), pytest.approx(35))
    assert ba["change"] == pytest.approx(35 / 90 - 1)
    reps = retention.sales_rep_table(tiny).set_index("sales_rep")
    assert reps.loc["X", "customers"] == 2 and reps.loc["X", "repeat_rate"] == 1.0
    assert reps.loc["(none)", "repeat_rate"] == 0.0
    assert reps["small_sample"].all()
    assert reps["clv_mean"].isna().all() and reps["scorecard"].isna().all()


def test_rep_clv_counts_only_customers_with_a_purchase_order():
    """Reference: hand count. E's only order is a return document (no purchase) and F's
    customer id is missing: neither is a rep's customer, so E's value (1,000) is not in X's
    mean, which stays that of A and B: (10 + 20) / 2 = 15; Y = C: 30; (none) = D: 40."""
    tx = pd.concat(
        [
            TX,
            pd.DataFrame(
                {
                    "customer_id": ["E", None],
                    "order_id": ["o9", "o10"],
                    "order_ts": pd.to_datetime(["2024-02-01 10:00", "2024-02-02 10:00"]),
                    "revenue": [-30.0, 70.0],
                }
            ),
        ],
        ignore_index=True,
    )
    customers = pd.concat(
        [CUSTOMERS, pd.DataFrame({"customer_id": ["E"], "loyalty_member": [False],
                                  "loyalty_joined_at": [pd.NaT], "sales_rep": ["X"]})],
        ignore_index=True,
    )  # fmt: skip
    audit = Audit.from_frames(tx, observation_end="2024-03-31", customers=customers)
    value = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E"],
                          "clv": [10.0, 20.0, 30.0, 40.0, 1000.0]})  # fmt: skip
    reps = retention.sales_rep_table(audit, customer_value=value, n_boot=50).set_index("sales_rep")
    assert reps.loc["X", "customers"] == 2
    assert reps.loc["X", "clv_mean"] == pytest.approx(15.0)
    assert reps.loc["Y", "clv_mean"] == pytest.approx(30.0)
    assert reps.loc["(none)", "clv_mean"] == pytest.approx(40.0)


def test_missing_customers_table_gives_none():
    """Reference: module docstring — sections needing ``customers`` return None without it
    (and without the needed column)."""
    bare = Audit.from_frames(TX, observation_end="2024-03-31")
    assert retention.loyalty_table(bare) is None
    assert retention.loyalty_before_after(bare) is None
    assert retention.sales_rep_table(bare) is None
    no_cols = Audit.from_frames(TX, observation_end="2024-03-31",
                                customers=CUSTOMERS[["customer_id", "sales_rep"]])  # fmt: skip
    assert retention.loyalty_table(no_cols) is None
    assert retention.sales_rep_table(no_cols) is not None
    m = retention.retention_metrics(retention.retention_summary(bare))
    assert m["loyalty"] is None and m["by_sales_rep"] == [] and m["repeat_rate"] == 0.75


# -- the demo's ground truth ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from clvlib.data.demo import write_demo

    config = write_demo(tmp_path_factory.mktemp("demo"), customers=4000, seed=7, progress=False)
    truth = json.loads((config.parent / "ground_truth.json").read_text(encoding="utf-8"))
    return clvlib.open_audit(config), truth


def test_demo_loyalty_lift_recovered(demo):
    """Reference: ground_truth.json loyalty.spend_lift = 0.25 (members' order values × 1.25,
    membership drawn independently of behaviour): the bootstrap 95 % interval of the lift in
    spend per order covers 0.25 and excludes 0. As the multiplier applies to every order of a
    member, joiners' order values do not change at joining: that interval covers 0."""
    audit, truth = demo
    lift = truth["loyalty"]["spend_lift"]
    row = retention.loyalty_table(audit).set_index("metric").loc["spend_per_order"]
    assert row["ci_low"] <= lift <= row["ci_high"]
    assert row["ci_low"] > 0
    ba = retention.loyalty_before_after(audit).iloc[0]
    assert ba["joiners"] > 100
    assert ba["ci_low"] <= 0 <= ba["ci_high"] and not ba["change_significant"]


def test_demo_worse_rep_found(demo):
    """Reference: ground_truth.json sales_reps.worse_rep (drop-out mean 0.36 vs 0.23): the rep
    with the highest Kaplan–Meier churn rate is the worse rep, and their interval lies above
    the best rep's; the worse rep also has the lowest 12-month retention. Reps are assigned
    uniformly, so each has ~800 customers and no small-sample flag."""
    audit, truth = demo
    reps = retention.sales_rep_table(audit)
    worse = truth["sales_reps"]["worse_rep"]
    assert set(reps["sales_rep"]) == set(truth["sales_reps"]["names"])
    assert reps.iloc[-1]["sales_rep"] == worse
    assert reps.iloc[-1]["churn_ci_low"] > reps.iloc[0]["churn_ci_high"]
    assert reps.sort_values("retention_12m").iloc[0]["sales_rep"] == worse
    assert not reps["small_sample"].any()


def test_demo_rep_clv_scorecard_and_metrics(demo):
    """Reference: a plain pandas mean of the given per-customer values per rep, and the
    configured scorecard copied beside it; the metrics dict has the DESIGN §5 keys."""
    audit, truth = demo
    customers = audit.table("customers").select("customer_id", "sales_rep").to_pandas()
    value = customers[["customer_id"]].assign(clv=np.arange(len(customers), dtype="float64"))
    expected = customers.merge(value, on="customer_id")
    names = truth["sales_reps"]["names"]
    scored = with_retention(audit, sales_scorecard={names[0]: 4.0})
    reps = retention.sales_rep_table(scored, customer_value=value, n_boot=300, seed=2)
    reps = reps.set_index("sales_rep")
    buyers = set(retention._fetch(retention._purchase_days(audit))["customer_id"])
    expected = expected[expected["customer_id"].isin(buyers)].groupby("sales_rep")["clv"].mean()
    for rep in names:
        assert reps.loc[rep, "clv_mean"] == pytest.approx(expected[rep])
        assert reps.loc[rep, "clv_ci_low"] < expected[rep] < reps.loc[rep, "clv_ci_high"]
    assert reps.loc[names[0], "scorecard"] == 4.0 and reps["scorecard"].isna().sum() == 4
    summary = retention.retention_summary(audit)
    m = retention.retention_metrics(summary, retention.loyalty_table(audit, n_boot=200),
                                    reps.reset_index())  # fmt: skip
    assert set(m["loyalty"]) == {"metric", "members", "non_members", "lift", "ci_low", "ci_high"}
    assert {tuple(sorted(r)) for r in m["by_sales_rep"]} == {
        ("clv_mean", "customers", "repeat_rate", "sales_rep")
    }
    assert 0 < m["repeat_rate"] < 1 and m["repeat_rate"] == summary["repeat_rate"]


# -- plots ---------------------------------------------------------------------------------------
def test_plots_draw_the_tables(tiny):
    """Reference: clvlib.plots conventions (frame + ax in, the same ax out)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from clvlib.plots import retention as rplots

    fig, axs = plt.subplots(3, 2)
    axs = axs.ravel()
    cohorts = retention.cohort_table(Audit.from_frames(TX, observation_end="2024-04-30"))
    assert rplots.plot_cohort_heatmap(cohorts, ax=axs[0]) is axs[0]
    assert rplots.plot_ltv_curves(cohorts, ax=axs[1], every=1) is axs[1]
    assert rplots.plot_inter_purchase(retention.inter_purchase_table(tiny), ax=axs[2],
                                      median=36) is axs[2]  # fmt: skip
    assert rplots.plot_survival(retention.survival_table(tiny), ax=axs[3]) is axs[3]
    assert rplots.plot_loyalty(retention.loyalty_table(tiny, n_boot=100), ax=axs[4]) is axs[4]
    assert rplots.plot_sales_reps(retention.sales_rep_table(tiny), ax=axs[5]) is axs[5]
    assert set(rplots.__all__) == {n for n in dir(rplots) if n.startswith("plot_")}
    plt.close(fig)
