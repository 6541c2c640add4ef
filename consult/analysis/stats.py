"""Statistics from count tables only (design.md, "Results"): never from the respondents' answers.

Every figure of a group is computed from the tables summed over the group's cells (:func:`margins`). Values
are plain Python floats; a figure that does not exist (no answer, one answer for a standard deviation, a test
on fewer than two groups...) is None, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy import stats as scipy_stats

from consult.analysis.counts import CountTables
from consult.surveys.questionnaires.spec import Questionnaire

Z95 = float(scipy_stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Margins:
    """Count tables summed over a set of cells: item counts (items x points + 2), score counts per section."""

    respondents: int
    item_counts: np.ndarray
    score_counts: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class ItemStats:
    n: int
    dont_know: int
    counts: list[int]
    mean: float | None
    sd: float | None
    favourable: float | None
    favourable_ci: tuple[float, float] | None


@dataclass(frozen=True)
class SectionStats:
    n: int
    mean: float | None
    favourable: float | None
    favourable_ci: tuple[float, float] | None
    favourable_count: int
    answers: int


@dataclass(frozen=True)
class Chi2Result:
    statistic: float
    p: float
    cramers_v: float


def group_mask(cell_shape: Sequence[int], options: Mapping[int, int]) -> np.ndarray:
    """Cells where each dimension d (0-based) has option ``options[d]`` (1-based; 0 = not stated)."""
    grid = np.indices(tuple(cell_shape)).reshape(len(cell_shape), -1)
    mask = np.ones(grid.shape[1], dtype=bool)
    for dimension, option in options.items():
        mask &= grid[dimension] == option
    return mask


def margins(tables: CountTables, mask: np.ndarray | None = None) -> Margins:
    """The tables summed over the cells of ``mask`` (all cells when None)."""
    if mask is None:
        mask = np.ones(tables.n_cells, dtype=bool)
    return Margins(
        int(tables.n_respondents[mask].sum()),
        tables.item_counts[mask].sum(axis=0),
        tuple(scores[mask].sum(axis=0) for scores in tables.score_counts),
    )


def item_stats(counts: np.ndarray, favourable: Sequence[int]) -> ItemStats:
    """Figures of one item from its keyed counts [no answer, 1..k, don't know]."""
    points = len(counts) - 2
    answered = np.asarray(counts[1 : points + 1], dtype=np.int64)
    n = int(answered.sum())
    liked = int(sum(int(answered[value - 1]) for value in favourable if 1 <= value <= points))
    mean, sd = _mean_sd(answered)
    return ItemStats(
        n,
        int(counts[points + 1]),
        [int(count) for count in answered],
        mean,
        sd,
        liked / n if n else None,
        wilson_interval(liked, n),
    )


def _mean_sd(counts: np.ndarray) -> tuple[float | None, float | None]:
    n = int(counts.sum())
    if n == 0:
        return None, None
    values = np.arange(1, len(counts) + 1, dtype=np.float64)
    mean = float(counts @ values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(float(counts @ (values - mean) ** 2) / (n - 1))


def favourable_answers(item_counts: np.ndarray, favourable: Sequence[int]) -> tuple[int, int]:
    """(favourable answers, answers) pooled over the items of ``item_counts`` (items x points + 2)."""
    liked, answers, _ = pooled_answers(item_counts, favourable)
    return liked, answers


def pooled_answers(item_counts: np.ndarray, favourable: Sequence[int]) -> tuple[int, int, int]:
    """(favourable answers, answers, sum of the answers) pooled over the items of ``item_counts``."""
    points = item_counts.shape[-1] - 2
    answered = item_counts[..., 1 : points + 1].reshape(-1, points).sum(axis=0)
    liked = sum(int(answered[value - 1]) for value in favourable if 1 <= value <= points)
    return liked, int(answered.sum()), int(answered @ np.arange(1, points + 1))


def section_stats(q: Questionnaire, group: Margins, s: int, pooled: np.ndarray | None = None) -> SectionStats:
    """Figures of section ``s`` over the respondents of ``group``.

    The mean and the favourable share pool the answers to the section's items selected by ``pooled`` (all
    of them when None), so that both derive from the released items' figures: mean x answers is the sum of
    the items' sums, and no difference of released figures isolates the answers of those who skipped an
    item. ``n`` counts the respondents with at least one answer in the section (from the score counts).
    """
    item_counts = group.item_counts[q.section_slices()[s]]
    if pooled is not None:
        item_counts = item_counts[pooled]
    n = int(group.score_counts[s].sum())
    liked, answers, total = pooled_answers(item_counts, q.scale.favourable)
    return SectionStats(
        n,
        total / answers if answers else None,
        liked / answers if answers else None,
        wilson_interval(liked, answers),
        liked,
        answers,
    )


def cronbach_alpha(n: int, sums: np.ndarray, cross: np.ndarray, minimum: int = 3) -> float | None:
    """Cronbach's alpha from the number of complete respondents, their item sums and cross-product sums.

    Computed from exact integers: n * cross - sums sums' is (n (n - 1)) times the covariance matrix. None
    under 2 items, under ``minimum`` complete respondents (the campaign's k; never under 3), or when the total
    score does not vary.
    """
    k = len(sums)
    if k < 2 or n < max(3, minimum):
        return None
    sums = [int(value) for value in sums]
    scaled = [[n * int(cross[i][j]) - sums[i] * sums[j] for j in range(k)] for i in range(k)]
    total = sum(map(sum, scaled))
    if total == 0:
        return None
    items = sum(scaled[i][i] for i in range(k))
    return k / (k - 1) * (1 - items / total)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of the proportion successes / n (95% by default); None when n = 0.

    The bounds at 0 and n successes are exactly 0 and 1, as in the formula without rounding.
    """
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    return low, 1.0 if successes >= n else min(1.0, centre + half)


def favourable_chi2(groups: Sequence[tuple[int, int]]) -> Chi2Result | None:
    """Chi-square test of independence of favourable answers and group, from (favourable, answers) per group.

    Pearson's statistic without continuity correction, as scipy.stats.chi2_contingency(correction=False). None
    under 2 groups or when a row or column of the 2 x g table is empty (expected counts of zero).
    """
    if len(groups) < 2:
        return None
    table = np.array(
        [[liked for liked, _ in groups], [answers - liked for liked, answers in groups]], np.float64
    )
    rows, columns, total = table.sum(axis=1), table.sum(axis=0), table.sum()
    if (rows == 0).any() or (columns == 0).any():
        return None
    expected = np.outer(rows, columns) / total
    statistic = float(((table - expected) ** 2 / expected).sum())
    p = float(special.chdtrc(len(groups) - 1, statistic))
    return Chi2Result(statistic, p, math.sqrt(statistic / total))


def two_proportion_test(successes_1: int, n_1: int, successes_2: int, n_2: int) -> tuple[float, float] | None:
    """Pooled two-sided z test of p1 = p2: (z, p); None when a sample is empty, or pooled share 0 or 1."""
    if n_1 <= 0 or n_2 <= 0:
        return None
    pooled = (successes_1 + successes_2) / (n_1 + n_2)
    variance = pooled * (1 - pooled) * (1 / n_1 + 1 / n_2)
    if variance <= 0:
        return None
    z = (successes_1 / n_1 - successes_2 / n_2) / math.sqrt(variance)
    return z, float(2 * special.ndtr(-abs(z)))


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values in the input order; None entries stay None, outside the family."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(len(present), 0, -1):
        p, i = present[rank - 1]
        running = min(running, p * len(present) / rank)
        adjusted[i] = running
    return adjusted
