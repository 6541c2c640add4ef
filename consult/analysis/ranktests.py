"""Rank tests computed exactly from per-group counts over a sorted grid of distinct values.

Each group is given as the number of its members at each grid value (the grid sorted ascending, every group on
the same grid), so ties share the mid-rank of their run. The results equal scipy.stats.kruskal and
scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True, alternative="two-sided") on the raw values;
the work is O(groups x grid) whatever the number of respondents.

Degenerate cases: groups with no member are left out; when every value is tied the tests say nothing, and
statistic, p and effect size are None (scipy returns NaN for Kruskal-Wallis and p = 1 for Mann-Whitney).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

KRUSKAL_WALLIS = "kruskal-wallis"
MANN_WHITNEY = "mann-whitney"


@dataclass(frozen=True)
class RankTest:
    """A test result; ``effect_size`` is epsilon-squared (Kruskal-Wallis) or the rank-biserial correlation."""

    name: str
    statistic: float | None
    p: float | None
    effect_size: float | None


@dataclass(frozen=True)
class _Ranked:
    counts: np.ndarray
    sizes: np.ndarray
    rank_sums: np.ndarray
    n: int
    tie_term: int


def rank_test(groups: Sequence[np.ndarray]) -> RankTest | None:
    """Kruskal-Wallis for 3 or more non-empty groups, Mann-Whitney for 2, None for fewer."""
    present = [np.asarray(group) for group in groups if np.asarray(group).sum() > 0]
    if len(present) >= 3:
        return kruskal_wallis(present)
    if len(present) == 2:
        return mann_whitney(present[0], present[1])
    return None


def _ranked(groups: Sequence[np.ndarray]) -> _Ranked:
    counts = np.array([np.asarray(group, dtype=np.int64) for group in groups])
    counts = counts[counts.sum(axis=1) > 0]
    totals = counts.sum(axis=0)
    below = np.cumsum(totals) - totals
    doubled_midranks = 2 * below + totals + 1
    tie_term = sum(int(t) ** 3 - int(t) for t in totals if t > 1)
    return _Ranked(counts, counts.sum(axis=1), (counts @ doubled_midranks) / 2, int(totals.sum()), tie_term)


def kruskal_wallis(groups: Sequence[np.ndarray]) -> RankTest:
    """Kruskal-Wallis H with tie correction; effect size epsilon-squared H / (n - 1)."""
    ranked = _ranked(groups)
    n, sizes = ranked.n, ranked.sizes
    if len(sizes) < 2 or ranked.tie_term == n**3 - n:
        return RankTest(KRUSKAL_WALLIS, None, None, None)
    deviations = 2 * ranked.rank_sums - sizes * (n + 1)
    h = 3 * float(np.sum(deviations.astype(np.float64) ** 2 / sizes)) / (n * (n + 1))
    h /= 1 - ranked.tie_term / (n**3 - n)
    p = float(special.chdtrc(len(sizes) - 1, h))
    return RankTest(KRUSKAL_WALLIS, h, p, h / (n - 1))


def mann_whitney(first: np.ndarray, second: np.ndarray) -> RankTest:
    """Two-sided asymptotic Mann-Whitney U with continuity correction and tie-corrected variance.

    The statistic is U of the first group (as scipy returns it). The effect size is the rank-biserial
    correlation 1 - 2U / (n1 n2): positive when the first group tends to lower values than the second,
    negative when it tends to higher ones.
    """
    ranked = _ranked([first, second])
    if len(ranked.sizes) < 2:
        return RankTest(MANN_WHITNEY, None, None, None)
    n1, n2 = (int(size) for size in ranked.sizes)
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ranked.tie_term / (n * (n - 1)))
    if ranked.tie_term == n**3 - n or variance <= 0:
        return RankTest(MANN_WHITNEY, None, None, None)
    u1 = float(ranked.rank_sums[0]) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    z = (u - n1 * n2 / 2 - 0.5) / np.sqrt(variance)
    p = min(1.0, 2 * float(special.ndtr(-z)))
    return RankTest(MANN_WHITNEY, u1, p, 1 - 2 * u1 / (n1 * n2))
