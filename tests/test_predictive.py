"""Predictive step on the CDNOW transactions through the audit path: with a 39-week holdout the
calibration ends on 1997-09-30, as in Fader, Hardie & Lee (2005), so the published figures
(1,882 holdout repeat transactions; cumulative 4,339 by week 78) must come out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clvlib import predictive
from clvlib.audit import Audit

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def audit():
    df = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "revenue"],
        dtype={"date": str},
    )
    frame = pd.DataFrame(
        {
            "customer_id": df["customer_id"].astype(str),
            "order_id": [f"o{i}" for i in range(len(df))],
            "order_ts": pd.to_datetime(df["date"], format="%Y%m%d"),
            "revenue": df["revenue"],
        }
    )
    return Audit.from_frames(frame, observation_end="1998-06-30", holdout_weeks=39)


def test_validation_uses_the_standard_cdnow_split(audit):
    result = predictive.validate_models(audit)
    assert str(result["calibration_end"]) == "1997-09-30"
    assert result["summary"]["actual_total"] == 1882
    # Same number of parameters, published log-likelihoods −9,582.1 (MBG/NBD) and −9,582.4
    # (BG/NBD): the lowest AIC is MBG/NBD's, and the choice follows the AIC.
    assert result["chosen"] == "MBG/NBD"
    assert result["comparison"]["aic"].is_monotonic_increasing
    assert result["fitted"]["BG/NBD"].params_["r"] == pytest.approx(0.243, abs=5e-4)
    tracking = result["tracking"].set_index("week")
    assert tracking["actual"].iloc[-1] == 4339


def test_no_holdout_means_no_validation(audit):
    audit.config = audit.config.model_copy(update={"holdout_weeks": 0})
    assert predictive.validate_models(audit) is None
