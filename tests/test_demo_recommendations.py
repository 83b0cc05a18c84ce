"""The whole audit on a 6,000-customer demo: the recommendations fire where the demo's ground
truth says they should (``ground_truth.json``): Instagram's CAC (≈ 450 zł) exceeds what its
customers are worth, Tomasz Wójcik's customers drop out more often (b = 1.6 vs 3.0), abandoned
carts exist, and message fatigue makes heavy cadences stop paying. Reallocation from Instagram
follows from its CAC being the highest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clvlib.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def metrics(tmp_path_factory):
    from clvlib.data.demo import write_demo

    root = tmp_path_factory.mktemp("demo-recs")
    config = write_demo(root / "demo", customers=6000, seed=21, progress=False)
    code = main(["run", str(config), "--out", str(root / "reports"), "--no-pdf", "--quiet"])
    assert code == 0
    run = sorted((root / "reports").glob("*/*"))[-1]
    truth = json.loads((Path(config).parent / "ground_truth.json").read_text("utf-8"))
    return json.loads((run / "metrics.json").read_text()), truth


def test_the_channel_that_costs_more_than_it_earns_is_cut(metrics):
    found, truth = metrics
    ids = {r["id"] for r in found["recommendations"]}
    dearest = max(truth["channels"], key=lambda c: truth["channels"][c]["cac"])
    assert dearest == "Instagram"
    assert f"cut_channel:{dearest}" in ids
    flagged = [c["channel"] for c in found["channels"] if c["cac_above_clv"]]
    assert flagged == [dearest]  # the cheaper channels are worth their cost


def test_the_worse_sales_rep_is_to_be_coached(metrics):
    found, truth = metrics
    assert f"coach_sales_rep:{truth['sales_reps']['worse_rep']}" in {
        r["id"] for r in found["recommendations"]
    }


def test_carts_follow_up_and_message_cap_fire_with_ranked_impacts(metrics):
    found, _ = metrics
    recs = found["recommendations"]
    ids = [r["id"] for r in recs]
    for expected in ("cart_reminder", "follow_up_offer", "cap_messages", "reallocate_budget"):
        assert expected in ids, ids
    priced = [r["estimated_impact"] for r in recs if r["estimated_impact"] is not None]
    assert priced == sorted(priced, reverse=True) and all(v > 0 for v in priced)
