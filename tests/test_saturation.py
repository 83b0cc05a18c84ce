"""Step V — saturation and potential (clvlib.saturation, clvlib.plots.saturation).

Two kinds of reference:
- a tiny hand-built table (``TX``) whose every expected figure is counted by hand in the
  comment beside it, against the definitions in the module docstring of ``clvlib.saturation``;
- a small synthetic demo (``clvlib.data.demo.write_demo``) checked against independent numpy /
  pandas computations on the raw rows (Gini by the mean-absolute-difference formula, category
  pairs by a pandas crosstab), and for invariants (segments partition the customers).
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

import clvlib
from clvlib import saturation as sat
from clvlib.audit import Audit
from clvlib.calculation import historical_clv_table

matplotlib.use("Agg")

END = "2024-12-31"
COLUMNS = ["customer_id", "order_id", "order_ts", "revenue", "category"]


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=COLUMNS[: len(rows[0])])
    out["order_ts"] = pd.to_datetime(out["order_ts"])
    return out


# Per customer (net revenue, purchase orders, last purchase → recency to 2024-12-31):
#   A 400, 4 orders, 12-30 → 1 day     categories x, y
#   B 300, 3 orders, 12-01 → 30 days   categories x, y, z   (w only on a return line)
#   C 200, 2 orders, 09-02 → 120 days  category x
#   D  50, 1 order,  12-21 → 10 days   category y
#   E  10, 1 order,  2023-12-31 → 366 days (2024 is a leap year)  category z
# Order values: 90 100 110 100 | 100 85 115 | 150 50 | 50 | 10  (11 purchase orders)
TX = frame(
    [
        ("A", "a1", "2024-03-01 10:00", 90.0, "x"),
        ("A", "a2", "2024-06-01 10:00", 100.0, "y"),
        ("A", "a3", "2024-09-01 10:00", 110.0, "x"),
        ("A", "a4", "2024-12-30 10:00", 100.0, "y"),
        ("B", "b1", "2024-05-01 10:00", 120.0, "z"),
        ("B", "b1", "2024-05-01 10:00", -20.0, "w"),  # return line: b1 is worth 100
        ("B", "b2", "2024-10-01 10:00", 85.0, "x"),
        ("B", "b3", "2024-12-01 10:00", 115.0, "y"),
        ("C", "c1", "2024-05-05 10:00", 150.0, "x"),
        ("C", "c2", "2024-09-02 10:00", 50.0, "x"),
        ("D", "d1", "2024-12-21 10:00", 50.0, "y"),
        ("E", "e1", "2023-12-31 10:00", 10.0, "z"),
    ]
)
TOTAL = 960.0


@pytest.fixture(scope="module")
def tiny():
    return Audit.from_frames(TX, observation_end=END)


# -- RFM -----------------------------------------------------------------------------------------
def test_rfm_scores_by_hand(tiny):
    """Reference: the score rule ceil(5 · average rank / n) worked by hand on TX.
    Recency 1, 30, 120, 10, 366 → ranks (descending) A5 B3 C2 D4 E1 = R.
    Frequency 4, 3, 2, 1, 1 → D and E tie at rank 1.5 → ceil(1.5) = 2; F = A5 B4 C3 D2 E2.
    Monetary 400, 300, 200, 50, 10 → M = A5 B4 C3 D2 E1. FM = (F + M + 1) // 2 = 5 4 3 2 2."""
    s = sat.rfm_scores_table(tiny).set_index("customer_id")
    assert s["recency_days"].to_dict() == {"A": 1, "B": 30, "C": 120, "D": 10, "E": 366}
    assert s["frequency"].to_dict() == {"A": 4, "B": 3, "C": 2, "D": 1, "E": 1}
    assert s["monetary"].to_dict() == pytest.approx(
        {"A": 400, "B": 300, "C": 200, "D": 50, "E": 10}
    )
    assert s["r_score"].to_dict() == {"A": 5, "B": 3, "C": 2, "D": 4, "E": 1}
    assert s["f_score"].to_dict() == {"A": 5, "B": 4, "C": 3, "D": 2, "E": 2}
    assert s["m_score"].to_dict() == {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}
    assert s["fm_score"].to_dict() == {"A": 5, "B": 4, "C": 3, "D": 2, "E": 2}
    assert s.loc["A", "rfm"] == "555"


def test_segments_by_hand(tiny):
    """Reference: the rule table of the module docstring applied by hand to the scores above:
    A R5 FM5 → champions; B R3 FM4 → loyal; C R2 FM3 → at risk; D R4, one order → new;
    E R1 FM2 → lost. Revenue shares = 400, 300, 200, 50, 10 over 960."""
    s = sat.rfm_scores_table(tiny).set_index("customer_id")
    assert s["segment"].to_dict() == {
        "A": "champions",
        "B": "loyal",
        "C": "at risk",
        "D": "new",
        "E": "lost",
    }
    table = sat.segment_table(tiny).set_index("segment")
    assert list(table.index) == sat.SEGMENTS
    assert table.loc["champions", "revenue_share"] == pytest.approx(400 / TOTAL)
    assert table.loc["at risk", "revenue_share"] == pytest.approx(200 / TOTAL)
    assert table.loc["lost", "customers"] == 1
    assert table.loc["hibernating", "customers"] == 0
    assert table["customer_share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("r", "fm", "n", "expected"),
    [
        (5, 5, 1, "new"),
        (4, 3, 2, "potential loyalists"),
        (3, 3, 2, "potential loyalists"),
        (3, 2, 2, "hibernating"),
        (2, 2, 1, "hibernating"),
        (1, 5, 9, "can't lose them"),
        (2, 4, 3, "at risk"),
        (1, 1, 1, "lost"),
        (3, 5, 5, "loyal"),
    ],
)
def test_segment_rules_cells(r, fm, n, expected):
    """Reference: SEGMENT_RULES in the module docstring, one cell of the R × FM grid each."""
    assert sat._segment(r, fm, n) == expected


def test_segment_rules_partition_the_grid():
    """Reference: the docstring claims the rules partition R × FM × (one order or more); every
    cell must land in one of SEGMENTS, and each segment must be reachable."""
    got = {sat._segment(r, fm, n) for r in range(1, 6) for fm in range(1, 6) for n in (1, 2)}
    assert got == set(sat.SEGMENTS)


def test_value_tiers_by_hand(tiny):
    """Reference: TX ranked 400, 300, 200, 50, 10; tiers 20 % / 40 % / 40 % of 5 customers cut
    at 1 and 3 → top {A}: threshold 400, share 400/960; middle {B, C}: threshold 200, 500/960;
    rest {D, E}: threshold 10, 60/960. Default tiers: top 5 % rounds to 0 customers."""
    t = sat.value_tiers_table(tiny, tiers=(("top", 0.2), ("middle", 0.4), ("rest", 0.4)))
    assert list(t["customers"]) == [1, 2, 2]
    assert list(t["threshold"]) == pytest.approx([400, 200, 10])
    assert list(t["value_share"]) == pytest.approx([400 / TOTAL, 500 / TOTAL, 60 / TOTAL])
    default = sat.value_tiers_table(tiny)
    assert list(default["customers"]) == [0, 1, 2, 2]  # 0.25→0, 1.0→1, 2.5→3 (half up), rest
    assert math.isnan(default["threshold"].iloc[0])


# -- concentration -------------------------------------------------------------------------------
def test_gini_and_top20_by_hand(tiny):
    """Reference: Σ|xᵢ−xⱼ| over ordered pairs of 10, 50, 200, 300, 400 = 2 × 2060 = 4120;
    G = 4120 / (2 · 25 · 192) = 103/240. Top 20 % = ceil(1) customer = 400/960 = 5/12."""
    c = sat.concentration_summary(tiny)
    assert c["gini"] == pytest.approx(103 / 240)
    assert c["top20_share"] == pytest.approx(5 / 12)
    lorenz = sat.lorenz_table(tiny)
    assert list(lorenz["revenue_share"]) == pytest.approx([0, 10 / 960, 60 / 960, 260 / 960,
                                                           560 / 960, 1])  # fmt: skip
    area = np.trapezoid(lorenz["revenue_share"], lorenz["customer_share"])
    assert 1 - 2 * area == pytest.approx(103 / 240)


def _one_order_each(values) -> pd.DataFrame:
    return frame([(f"c{i}", f"o{i}", "2024-06-01", float(v), "x") for i, v in enumerate(values)])


@pytest.mark.parametrize(
    ("values", "expected"),
    [([50, 50, 50, 50], 0.0), ([100, 0, 0, 0], 3 / 4), ([7, 0, 0, 0, 0, 0, 0, 0, 0, 0], 9 / 10)],
)
def test_gini_closed_forms(values, expected):
    """Reference: equal revenues → Gini 0; one of n customers with everything → (n − 1)/n
    (a zero-value order is still a purchase, so those customers count)."""
    audit = Audit.from_frames(_one_order_each(values), observation_end=END)
    assert sat.concentration_summary(audit)["gini"] == pytest.approx(expected, abs=1e-12)


# -- potential -----------------------------------------------------------------------------------
VALUE = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D", "E"],
        "clv_future": [100.0, 80.0, 40.0, 30.0, 20.0],
        "p_alive": [0.9, 0.7, 0.99, 0.75, 0.95],
        "margin_so_far": [140.0, 105.0, 70.0, 17.5, 3.5],
    }
)


def test_potential_by_hand(tiny):
    """Reference: one customer per segment in TX, so each segment carries its customer's
    figures: champions clv 100 vs margin 140 → future_to_past 100/140, share 100/270."""
    p = sat.potential_table(tiny, VALUE).set_index("segment")
    assert p.loc["champions", "clv_future"] == pytest.approx(100)
    assert p.loc["champions", "future_to_past"] == pytest.approx(100 / 140)
    assert p.loc["champions", "clv_future_share"] == pytest.approx(100 / 270)
    assert p.loc["lost", "mean_p_alive"] == pytest.approx(0.95)
    assert p["clv_future"].sum() == pytest.approx(270)


def test_reactivation_by_hand(tiny):
    """Reference: spend in (2023-12-31, 2024-12-31]: A 400, B 300, C 200, D 50, E 0 (its only
    order is on the cut day). 40th percentile (linear) at position 1.6 = 50 + 0.6 · 150 = 140.
    P(alive) > 0.7 and spend ≤ 140: D (0.75, 50) and E (0.95, 0); B has 0.7 (not > 0.7), C
    spends 200. Ordered by clv_future: D 30, E 20."""
    targets = sat.reactivation_targets(tiny, VALUE)
    assert list(targets["customer_id"]) == ["D", "E"]
    assert list(targets["spend_last_12m"]) == pytest.approx([50, 0])
    assert targets["spend_threshold"].iloc[0] == pytest.approx(140)
    summary = sat.reactivation_summary(targets, VALUE)
    assert summary["customers"] == 2
    assert summary["clv_future"] == pytest.approx(50)
    assert summary["clv_future_share"] == pytest.approx(50 / 270)


# -- cross-sell ----------------------------------------------------------------------------------
def test_category_breadth_and_rules_by_hand(tiny):
    """Reference: categories bought (non-return lines): A {x,y}, B {x,y,z}, C {x}, D {y},
    E {z}; N = 5. Buyers x 3, y 3, z 2; both x&y 2, x&z 1, y&z 1.
    x→y: support 2/5, confidence 2/3, lift (2/3)/(3/5) = 10/9. z→x: support 1/5, confidence
    1/2, lift (1/2)/(3/5) = 5/6. w (only on a return line) never appears."""
    breadth = sat.category_breadth_table(tiny)
    assert dict(zip(breadth["categories"], breadth["customers"], strict=True)) == {1: 3, 2: 1, 3: 1}
    rules = sat.category_rules_table(tiny, min_support=0.0)
    assert len(rules) == 6
    assert "w" not in set(rules["antecedent"]) | set(rules["consequent"])
    r = rules.set_index(["antecedent", "consequent"])
    assert r.loc[("x", "y"), "support"] == pytest.approx(0.4)
    assert r.loc[("x", "y"), "confidence"] == pytest.approx(2 / 3)
    assert r.loc[("x", "y"), "lift"] == pytest.approx(10 / 9)
    assert r.loc[("z", "x"), "confidence"] == pytest.approx(1 / 2)
    assert r.loc[("z", "x"), "lift"] == pytest.approx(5 / 6)
    assert r.loc[("y", "z"), "customers_both"] == 1
    strong = sat.category_rules_table(tiny, min_support=0.3)
    assert set(zip(strong["antecedent"], strong["consequent"], strict=True)) == {
        ("x", "y"),
        ("y", "x"),
    }


def test_no_category_column_gives_none():
    """Reference: the module docstring — cross-sell needs a category column; without it None."""
    audit = Audit.from_frames(TX.drop(columns="category"), observation_end=END)
    assert sat.category_breadth_table(audit) is None
    assert sat.category_rules_table(audit) is None


# -- order value ---------------------------------------------------------------------------------
def test_free_delivery_gap_by_hand(tiny):
    """Reference: threshold 100, band 20 % → 80 ≤ v < 100: orders 90 and 85 (of 11); gap
    10 + 15 = 25 = uplift, 25/960 of revenue; at or above 100: 110, 100, 100, 100, 115, 150."""
    fd = sat.free_delivery_table(tiny, threshold=100).iloc[0]
    assert fd["orders"] == 11
    assert fd["orders_near"] == 2
    assert fd["near_share"] == pytest.approx(2 / 11)
    assert fd["gap_total"] == pytest.approx(25)
    assert fd["uplift"] == pytest.approx(25)
    assert fd["uplift_share"] == pytest.approx(25 / TOTAL)
    assert fd["orders_above"] == 6
    assert sat.free_delivery_table(tiny) is None  # no threshold configured


def test_order_value_summary_by_hand(tiny):
    """Reference: sorted order values 10 50 50 85 90 100 100 100 110 115 150: median (6th)
    100; p75 at position 7.5 = (100 + 110)/2 = 105; headroom 5; AOV 960/11."""
    s = sat.order_value_summary(tiny)
    assert s["orders"] == 11
    assert s["median"] == pytest.approx(100)
    assert s["p75"] == pytest.approx(105)
    assert s["upsell_headroom"] == pytest.approx(5)
    assert s["aov"] == pytest.approx(TOTAL / 11)
    dist = sat.order_value_table(tiny, bins=4, upper_quantile=1.0)  # width 150/4 = 37.5
    assert list(dist["orders"]) == [1, 2, 6, 2]  # 10 | 50 50 | 85 90 100×3 110 | 115 150
    assert dist["revenue"].sum() == pytest.approx(TOTAL)


# -- acquisition saturation ----------------------------------------------------------------------
def test_acquisition_saturation_marks_channels():
    """Reference: the definition — saturated iff marginal CAC > CLV; unknown when either is
    missing. ads 300 > 250 saturated; seo 100 < 250 not; tv NaN unknown."""
    response = pd.DataFrame(
        {
            "channel": ["ads", "seo", "tv"],
            "elasticity": [0.5, 0.9, math.nan],
            "marginal_cac": [300.0, 100.0, math.nan],
            "average_cac": [150.0, 90.0, 200.0],
            "spend_mean": [1000.0, 500.0, 800.0],
        }
    )
    t = sat.acquisition_saturation_table(response, 250.0)
    assert t["saturated"].tolist()[:2] == [True, False]
    assert pd.isna(t["saturated"].iloc[2])
    assert t["headroom"].iloc[0] == pytest.approx(-50)
    per_channel = sat.acquisition_saturation_table(response, {"ads": 400.0, "seo": 50.0})
    assert per_channel["saturated"].tolist()[:2] == [False, True]


def test_break_even_spend_is_where_the_marginal_cac_reaches_the_clv():
    """Reference: the power law new = a·s^b has d new / d s = a·b·s^(b−1), so the marginal CAC
    s^(1−b)/(a·b) equals the CLV at s* = (a·b·CLV)^(1/(1−b)). a = 2, b = 0.5, CLV = 100:
    s* = (2·0.5·100)² = 10 000; checked against a numerical derivative of the curve. The
    number is given only inside the observed spend range (REPORT.md: no effect counted beyond
    what the data has seen): with the highest month at 4 000 the channel pays at every spend
    seen, with the lowest at 12 000 at none. A missing scale has no break-even."""
    response = pd.DataFrame(
        {
            "channel": ["ads", "seo"],
            "elasticity": [0.5, 0.8],
            "scale": [2.0, math.nan],
            "marginal_cac": [50.0, 80.0],
            "average_cac": [25.0, 64.0],
            "spend_mean": [9000.0, 500.0],
            "spend_min": [5000.0, 100.0],
            "spend_max": [20_000.0, 900.0],
        }
    )
    t = sat.acquisition_saturation_table(response, 100.0).set_index("channel")
    assert t.loc["ads", "break_even_kind"] == "pays_below"
    assert bool(t.loc["ads", "break_even_observed"])
    s_star = t.loc["ads", "break_even_spend"]
    assert s_star == pytest.approx(10_000.0, rel=1e-12)
    h = 1e-3
    slope = (2.0 * (s_star + h) ** 0.5 - 2.0 * (s_star - h) ** 0.5) / (2 * h)
    assert 1 / slope == pytest.approx(100.0, rel=1e-6)
    assert t.loc["seo", "break_even_kind"] == "unknown" and pd.isna(
        t.loc["seo", "break_even_spend"]
    )
    assert pd.isna(t.loc["seo", "break_even_observed"])
    below_max = sat.acquisition_saturation_table(
        response.assign(spend_max=4000.0, spend_min=1000.0), 100.0
    )
    row = below_max.set_index("channel").loc["ads"]
    assert row["break_even_kind"] == "pays_throughout" and pd.isna(row["break_even_spend"])
    assert not row["break_even_observed"]
    above_min = sat.acquisition_saturation_table(response.assign(spend_min=12_000.0), 100.0)
    row = above_min.set_index("channel").loc["ads"]
    assert row["break_even_kind"] == "pays_nowhere" and pd.isna(row["break_even_spend"])


def _marginal_cac(a: float, b: float, s: np.ndarray) -> np.ndarray:
    """d spend / d new of new = a·s^b, by a central difference (no closed form used)."""
    h = 1e-4 * s
    return 2 * h / (a * (s + h) ** b - a * (s - h) ** b)


@pytest.mark.parametrize("b", [0.0, 0.5, 0.999999, 1.0, 1.2])
@pytest.mark.parametrize("a", [0.02, 0.005])
def test_break_even_holds_for_every_elasticity(a, b):
    """Regression (issue 16, defect 2): a client whose new customers grew in proportion to
    spend (b = 1.00) crashed step V with OverflowError in (a·b·v)^(1/(1−b)). Reference: a
    brute-force scan of the marginal CAC (numerical derivative of a·s^b) over 400 spends in
    the observed range 500–3 000 a month against a customer value of 100: the channel pays
    throughout when it is below 100 everywhere, nowhere when above everywhere, otherwise the
    break-even lies where it crosses 100. b = 0 is no response at all (pays nowhere). a = 0.02
    (1/a = 50 < 100) pays throughout when b = 1; a = 0.005 (1/a = 200) pays nowhere."""
    grid = np.linspace(500.0, 3000.0, 400)
    slope_at_mean = a * b * 1500.0 ** (b - 1) if b > 0 else 0.0
    response = pd.DataFrame(
        {
            "channel": ["c"],
            "elasticity": [b],
            "scale": [a],
            "marginal_cac": [1 / slope_at_mean if slope_at_mean > 0 else math.nan],
            "average_cac": [1500.0 / (a * 1500.0**b)],
            "spend_mean": [1500.0],
            "spend_min": [500.0],
            "spend_max": [3000.0],
        }
    )
    row = sat.acquisition_saturation_table(response, 100.0).iloc[0]
    if b == 0:
        assert row["returns"] == "none" and row["break_even_kind"] == "pays_nowhere"
        return
    m = _marginal_cac(a, b, grid)
    if (m < 100).all():
        assert row["break_even_kind"] == "pays_throughout"
    elif (m >= 100).all():
        assert row["break_even_kind"] == "pays_nowhere"
    else:
        assert row["break_even_kind"] in ("pays_below", "pays_above")
        s = row["break_even_spend"]
        assert 500 <= s <= 3000
        assert _marginal_cac(a, b, np.array([s]))[0] == pytest.approx(100.0, rel=1e-4)
    if row["break_even_kind"] not in ("pays_below", "pays_above"):
        assert pd.isna(row["break_even_spend"])  # never a number beyond the observed spend
    assert row["returns"] == ("constant" if b == 1 else "diminishing" if b < 1 else "increasing")


def test_linear_client_fitted_from_proportional_spend_has_no_break_even():
    """Regression (issue 16): 36 months where new customers are exactly 2 % of spend. The fit
    gives b = 1 up to rounding (a hair above or below); the marginal CAC is 50 at every spend,
    below a value of 100, so every level seen pays and no break-even figure is computed."""
    from clvlib.channels import fit_spend_response

    spend = np.linspace(1000.0, 6000.0, 36)
    fit = fit_spend_response(spend, 0.02 * spend)
    assert fit["elasticity"] == pytest.approx(1.0, abs=1e-9)
    response = pd.DataFrame(
        {
            "channel": ["newsletter"],
            "elasticity": [fit["elasticity"]],
            "scale": [fit["scale"]],
            "marginal_cac": [50.0],
            "average_cac": [50.0],
            "spend_mean": [spend.mean()],
            "spend_min": [spend.min()],
            "spend_max": [spend.max()],
        }
    )
    pays = sat.acquisition_saturation_table(response, 100.0).iloc[0]
    assert (pays["returns"], pays["break_even_kind"]) == ("constant", "pays_throughout")
    assert pd.isna(pays["break_even_spend"])
    loses = sat.acquisition_saturation_table(response, 40.0).iloc[0]
    assert loses["break_even_kind"] == "pays_nowhere" and pd.isna(loses["break_even_spend"])


@pytest.mark.parametrize(
    ("a", "b", "v", "lo", "hi", "expected"),
    [
        (0.0, 0.5, 100.0, 500.0, 3000.0, ("none", "pays_nowhere")),  # a = 0: no customers
        (0.02, 0.5, 0.0, 500.0, 3000.0, ("diminishing", "pays_nowhere")),  # v = 0
        (0.02, 0.5, -5.0, 500.0, 3000.0, ("diminishing", "pays_nowhere")),  # v < 0
        (0.02, 1e-6, 100.0, 500.0, 3000.0, ("diminishing", "pays_nowhere")),  # flat: b ≈ 0
        (0.02, 0.5, 100.0, 800.0, 800.0, ("diminishing", "pays_nowhere")),  # one month's spend
        (0.02, math.nan, 100.0, 800.0, 800.0, ("unknown", "unknown")),  # not fitted
        (0.02, 1 + 1e-12, 100.0, 500.0, 3000.0, ("constant", "pays_throughout")),
    ],
)
def test_break_even_edge_cases(a, b, v, lo, hi, expected):
    """Reference: the definition in ``break_even``. a = 0 or b ≤ 0: no response, nothing pays.
    v ≤ 0: a customer worth nothing is never worth buying. b = 10⁻⁶: the marginal CAC
    s^(1−b)/(a·b) ≈ 2.5·10⁷ at 500, far above 100. A single month (min = max = 800) with
    a = 0.02, b = 0.5: marginal CAC √800/0.01 ≈ 2 828 > 100. Never a number outside the range."""
    returns, kind, spend = sat.break_even(a, b, v, lo, hi)
    assert (returns, kind) == expected
    assert math.isnan(spend)


def test_metrics_contract(tiny):
    """Reference: DESIGN.md §5 — saturation: {gini, top20_share, segments: [{segment, customers,
    revenue_share}]}, NaN as null, values as above."""
    m = sat.saturation_metrics(tiny)
    assert set(m) == {"gini", "top20_share", "segments"}
    assert m["gini"] == pytest.approx(103 / 240)
    assert [s["segment"] for s in m["segments"]] == sat.SEGMENTS
    assert all(set(s) == {"segment", "customers", "revenue_share"} for s in m["segments"])
    assert sum(s["customers"] for s in m["segments"]) == 5


# -- demo ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from clvlib.data.demo import write_demo

    config = write_demo(tmp_path_factory.mktemp("demo"), customers=1500, seed=7, progress=False)
    audit = clvlib.open_audit(config)
    return audit, historical_clv_table(audit)


def test_demo_segments_partition_and_shares(demo):
    """Reference: invariants — each customer of historical_clv_table in exactly one segment,
    customer counts sum to the customers, revenue shares sum to 1, segment revenues sum to
    the customers' net revenue."""
    audit, history = demo
    scores = sat.rfm_scores_table(audit, history=history)
    assert scores["customer_id"].is_unique
    assert set(scores["customer_id"]) == set(history["customer_id"])
    assert scores["segment"].isin(sat.SEGMENTS).all()
    table = sat.segment_table(audit, scores=scores)
    assert table["customers"].sum() == len(history)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    assert table["revenue"].sum() == pytest.approx(history["revenue"].sum())
    for col in ("r_score", "f_score", "m_score"):
        assert scores[col].between(1, 5).all()
    # the most recent customers get R = 5, the least recent R = 1
    assert scores.loc[scores["recency_days"].idxmin(), "r_score"] == 5
    assert scores.loc[scores["recency_days"].idxmax(), "r_score"] == 1


def test_demo_gini_matches_numpy(demo):
    """Reference: Gini by the mean-absolute-difference formula Σᵢⱼ|xᵢ−xⱼ| / (2 n² x̄) with
    numpy on the per-customer net revenue, and 1 − 2 × trapezoid area of the Lorenz table;
    top-20 % share by sorting with numpy."""
    audit, history = demo
    x = history["revenue"].to_numpy(float)
    reference = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    c = sat.concentration_summary(audit, history=history)
    assert 0 < c["gini"] < 1
    assert c["gini"] == pytest.approx(reference, rel=1e-9)
    lorenz = sat.lorenz_table(audit, history=history)
    area = np.trapezoid(lorenz["revenue_share"], lorenz["customer_share"])
    assert 1 - 2 * area == pytest.approx(reference, rel=1e-9)
    top = np.sort(x)[::-1][: math.ceil(0.2 * len(x))].sum() / x.sum()
    assert c["top20_share"] == pytest.approx(top)
    tiers = sat.value_tiers_table(audit, history=history)
    assert tiers["customers"].sum() == len(history)
    assert tiers["value_share"].sum() == pytest.approx(1.0)
    assert tiers["threshold"].is_monotonic_decreasing


def test_demo_rules_match_pandas_crosstab(demo):
    """Reference: customers × categories incidence built with pandas from the raw rows
    (non-return lines up to the end); pair counts = incidenceᵀ · incidence."""
    audit, _ = demo
    t = audit.transactions
    raw = t.filter(t["order_ts"].cast("date") <= audit.observation_end).to_pandas()
    raw = raw[(raw["revenue"] >= 0) & ~raw["is_return"].fillna(False).astype(bool)]
    inc = (pd.crosstab(raw["customer_id"], raw["category"]) > 0).astype(int)
    both = inc.T @ inc
    n = len(inc)
    rules = sat.category_rules_table(audit, min_support=0.05)
    assert len(rules) > 0
    for row in rules.head(10).itertuples():
        a, b = row.antecedent, row.consequent
        assert row.customers_both == both.loc[a, b]
        assert row.support == pytest.approx(both.loc[a, b] / n)
        assert row.lift == pytest.approx(both.loc[a, b] * n / (inc[a].sum() * inc[b].sum()))
    assert (rules["support"] >= 0.05).all()
    expected = sum(both.loc[a, b] / n >= 0.05 for a in both.index for b in both.columns if a != b)
    assert len(rules) == expected
    breadth = sat.category_breadth_table(audit)
    counts = inc.sum(axis=1).value_counts().sort_index()
    assert dict(zip(breadth["categories"], breadth["customers"], strict=True)) == counts.to_dict()


def test_plots_draw(tiny):
    """Reference: each plot twin returns the axes it drew on, with the expected artists."""
    import matplotlib.pyplot as plt

    from clvlib.plots import saturation as plots

    segments = sat.segment_table(tiny)
    ax = plots.plot_segments(segments)
    assert len(ax.patches) == 2 * len(sat.SEGMENTS)
    ax = plots.plot_lorenz(sat.lorenz_table(tiny), gini=0.43)
    assert len(ax.lines) == 2
    plots.plot_value_tiers(sat.value_tiers_table(tiny))
    plots.plot_potential(sat.potential_table(tiny, VALUE))
    plots.plot_category_breadth(sat.category_breadth_table(tiny))
    ax = plots.plot_category_rules(sat.category_rules_table(tiny, min_support=0.0), top=4)
    assert len(ax.patches) == 4
    s = sat.order_value_summary(tiny)
    ax = plots.plot_order_values(
        sat.order_value_table(tiny, bins=5), threshold=100, median=s["median"], p75=s["p75"]
    )
    assert len(ax.lines) == 3
    response = pd.DataFrame(
        {
            "channel": ["ads", "seo"],
            "elasticity": [0.5, 0.9],
            "marginal_cac": [300.0, 100.0],
            "average_cac": [150.0, 90.0],
            "spend_mean": [1000.0, 500.0],
        }
    )
    plots.plot_acquisition_saturation(sat.acquisition_saturation_table(response, 250.0))
    plt.close("all")
