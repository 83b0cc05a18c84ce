"""Error bars of estimates that sit a rounding error outside their own interval (issue 16: a
108-customer client crashed step II with matplotlib's "'yerr' must not contain negative
values" — a CTR of 0 whose Wilson interval began at 1e-17)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from clvlib.plots import plot_fatigue
from clvlib.plots.base import error_extents


def test_error_extents_are_never_negative_and_keep_missing_ends():
    below, above = error_extents([0.0, 0.5, 1.0], [1e-17, 0.4, np.nan], [0.2, 0.6, 1.0 - 1e-16])
    np.testing.assert_allclose(below, [0.0, 0.1, np.nan])
    np.testing.assert_allclose(above, [0.2, 0.1, 0.0], atol=1e-15)
    assert np.isnan(below[2])


@pytest.mark.parametrize("low", [1e-17, 0.0])
def test_fatigue_plot_draws_a_rate_just_outside_its_interval(low):
    fatigue = pd.DataFrame(
        {
            "messages_per_week": [1.0, 2.0],
            "ctr": [0.0, 0.05],
            "ctr_ci_low": [low, 0.03],
            "ctr_ci_high": [0.1, 0.08],
            "unsubscribe_rate": [1.0, 0.01],
            "unsubscribe_ci_low": [0.5, 0.0],
            "unsubscribe_ci_high": [1.0 - 1e-16, 0.02],
        }
    )
    ax = plot_fatigue(fatigue)
    assert ax.right_ax.get_ylim()[1] > 0
