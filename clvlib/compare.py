"""Do groups differ? The tests behind every sentence that names a best and a worst, a higher and
a lower, or a rise and a fall.

The report states a difference only when the data support it (REPORT.md, "Writing"). Here
that is decided by a two-sided test at ``alpha`` (5 % by default):

- ``two_proportions_p`` — two rates k/n (click-through, conversion, unsubscribes per message):
  the pooled two-proportion z-test; Fisher's exact test when an expected count is below 5 (the
  normal approximation is poor there).
- ``two_estimates_p`` — two independent estimates with standard errors (a Kaplan–Meier churn
  rate with a customer-level variance): the Wald z-test.
- ``extremes_differ`` / ``extremes_differ_estimates`` — g ≥ 2 groups, of which the report names
  the highest and the lowest. Those two are picked *after* looking at the data, so their
  pairwise test is one of the g(g−1)/2 pairwise tests one could have run; the family-wise
  error stays at ``alpha`` only when that test must pass ``alpha / (g(g−1)/2)`` (Bonferroni
  over all pairs). With g = 2 that is the plain test.
- ``intervals_separate`` — two intervals that do not overlap (used where only bootstrap
  intervals exist, e.g. a lift; separate 95 % intervals are a stricter rule than a 5 % test).

Every function is pure; rates are fractions, counts whole numbers ≥ 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scipy import stats

ALPHA = 0.05
MIN_EXPECTED = 5.0  # below this expected count the z-test gives way to Fisher's exact test


@dataclass(frozen=True)
class Comparison:
    """The decision on whether the highest and the lowest of g groups differ.

    ``differs``: ``p_value < threshold``; ``p_value``: the two-sided p-value of the highest
    against the lowest group (not adjusted); ``threshold`` = ``alpha / comparisons``;
    ``comparisons`` = g(g−1)/2; ``low`` and ``high``: positions (0-based, in the order given)
    of the lowest and the highest group (ties: the first given); ``method``: the test used.
    """

    differs: bool
    p_value: float
    threshold: float
    comparisons: int
    alpha: float
    low: int
    high: int
    method: str

    def record(self) -> dict:
        """JSON-ready (``metrics.json``): NaN p-values become None."""
        out = asdict(self)
        out["p_value"] = None if math.isnan(self.p_value) else float(self.p_value)
        return out


def _z_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return float(2.0 * stats.norm.sf(abs(z)))


def two_proportions_p(k1: int, n1: int, k2: int, n2: int) -> tuple[float, str]:
    """Two-sided p-value of H0: p1 = p2 for k1 successes in n1 trials against k2 in n2, and the
    test's name.

    The pooled z-test, z = (k1/n1 − k2/n2) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with p̂ = (k1 + k2) /
    (n1 + n2); when an expected count (n_i·p̂ or n_i·(1 − p̂)) is below 5, Fisher's exact test
    of the 2×2 table (``scipy.stats.fisher_exact``). Identical rates give 1; an empty group
    (n = 0) gives NaN (nothing to compare).
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan, "none"
    pooled = (k1 + k2) / (n1 + n2)
    expected = [n * p for n in (n1, n2) for p in (pooled, 1.0 - pooled)]
    if min(expected) < MIN_EXPECTED:
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        return float(stats.fisher_exact(table, alternative="two-sided")[1]), "fisher_exact"
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return _z_p((k1 / n1 - k2 / n2) / se), "two_proportion_z"


def two_estimates_p(est1: float, se1: float, est2: float, se2: float) -> float:
    """Two-sided p-value of H0: θ1 = θ2 for two independent, approximately normal estimates
    with standard errors ``se1``, ``se2`` (Wald: z = (est1 − est2) / √(se1² + se2²)).
    NaN when a figure is missing; 1 when both standard errors are 0 (nothing can be weighed:
    no evidence of a difference is claimed)."""
    if any(v is None or math.isnan(v) for v in (est1, se1, est2, se2)):
        return math.nan
    scale = math.sqrt(se1**2 + se2**2)
    if scale == 0.0:
        return 1.0
    return _z_p((est1 - est2) / scale)


def _extremes(values: Sequence[float]) -> tuple[int, int]:
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    high = max(range(len(values)), key=lambda i: (values[i], -i))
    return order[0], high


def _decide(p: float, g: int, alpha: float, low: int, high: int, method: str) -> Comparison:
    pairs = g * (g - 1) // 2
    threshold = alpha / pairs
    differs = bool(not math.isnan(p) and p < threshold)
    return Comparison(differs, p, threshold, pairs, alpha, low, high, method)


def extremes_differ(
    successes: Sequence[int], trials: Sequence[int], alpha: float = ALPHA
) -> Comparison:
    """Whether the group with the highest rate k/n and the one with the lowest differ, for
    g ≥ 2 groups with ``trials`` > 0.

    The pair is chosen after looking (it is the most extreme of all pairs), so it is tested
    with ``two_proportions_p`` against ``alpha / (g(g−1)/2)`` — Bonferroni over every pair the
    choice could have fallen on. The family-wise chance of declaring a difference among g
    groups with one true rate is then at most ``alpha`` (the test is conservative, more so as
    g grows). Raises ``ValueError`` for fewer than two groups or an empty group.
    """
    if len(successes) != len(trials) or len(trials) < 2:
        raise ValueError("extremes_differ needs two or more groups, one count and trial each")
    if min(trials) <= 0:
        raise ValueError("every group needs at least one trial")
    rates = [k / n for k, n in zip(successes, trials, strict=True)]
    low, high = _extremes(rates)
    p, method = two_proportions_p(successes[high], trials[high], successes[low], trials[low])
    return _decide(p, len(trials), alpha, low, high, method)


def extremes_differ_estimates(
    estimates: Sequence[float], standard_errors: Sequence[float], alpha: float = ALPHA
) -> Comparison:
    """As ``extremes_differ`` for g ≥ 2 independent estimates with standard errors (the
    highest against the lowest with ``two_estimates_p``, Bonferroni over all pairs)."""
    if len(estimates) != len(standard_errors) or len(estimates) < 2:
        raise ValueError("extremes_differ_estimates needs two or more estimates with errors")
    low, high = _extremes(list(estimates))
    p = two_estimates_p(estimates[high], standard_errors[high], estimates[low],
                        standard_errors[low])  # fmt: skip
    return _decide(p, len(estimates), alpha, low, high, "wald_z")


def intervals_separate(lo_a: float, hi_a: float, lo_b: float, hi_b: float) -> bool:
    """True when the intervals [lo_a, hi_a] and [lo_b, hi_b] do not overlap (either lies
    wholly above the other); False when they touch, overlap or an end is missing.

    Use it where only intervals exist (a bootstrap interval per group). Two separate 95 %
    intervals imply a difference at well below 5 %, so the rule is conservative; overlapping
    intervals do *not* show that the groups are equal, only that no difference was found.
    """
    ends = (lo_a, hi_a, lo_b, hi_b)
    if any(v is None or math.isnan(v) for v in ends):
        return False
    return lo_a > hi_b or lo_b > hi_a


__all__ = [
    "ALPHA",
    "Comparison",
    "extremes_differ",
    "extremes_differ_estimates",
    "intervals_separate",
    "two_estimates_p",
    "two_proportions_p",
]
