from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from consult.analysis.ranktests import KRUSKAL_WALLIS, MANN_WHITNEY, kruskal_wallis, mann_whitney, rank_test


def close(actual, expected) -> bool:
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


def random_groups(seed: int, n_groups: int, grid_size: int, sizes=(1, 300)):
    rng = np.random.default_rng(seed)
    grid = np.sort(rng.choice(np.arange(1, 200) / 7, grid_size, replace=False))
    raw = [
        rng.choice(grid, int(rng.integers(*sizes)), p=rng.dirichlet(np.ones(grid_size)))
        for _ in range(n_groups)
    ]
    counts = [np.array([(values == v).sum() for v in grid]) for values in raw]
    return raw, counts


@pytest.mark.parametrize("seed", range(12))
def test_kruskal_wallis_equals_scipy(seed):
    raw, counts = random_groups(seed, 3 + seed % 5, 2 + seed % 9)
    expected = scipy_stats.kruskal(*raw)
    result = kruskal_wallis(counts)
    if np.isnan(expected.statistic):
        assert result.statistic is None and result.p is None
        return
    assert result.name == KRUSKAL_WALLIS
    assert close(result.statistic, expected.statistic) and close(result.p, expected.pvalue)
    assert close(result.effect_size, expected.statistic / (sum(len(values) for values in raw) - 1))


@pytest.mark.parametrize("seed", range(12))
def test_mann_whitney_equals_scipy(seed):
    raw, counts = random_groups(100 + seed, 2, 2 + seed % 9)
    expected = scipy_stats.mannwhitneyu(
        raw[0], raw[1], method="asymptotic", use_continuity=True, alternative="two-sided"
    )
    result = mann_whitney(counts[0], counts[1])
    assert result.name == MANN_WHITNEY
    assert close(result.statistic, expected.statistic) and close(result.p, expected.pvalue)
    assert close(result.effect_size, 1 - 2 * expected.statistic / (len(raw[0]) * len(raw[1])))


def test_large_groups_stay_exact():
    raw, counts = random_groups(7, 4, 13, sizes=(40_000, 60_000))
    expected = scipy_stats.kruskal(*raw)
    assert close(kruskal_wallis(counts).statistic, expected.statistic)
    expected_mw = scipy_stats.mannwhitneyu(raw[0], raw[1], method="asymptotic")
    assert close(mann_whitney(counts[0], counts[1]).p, expected_mw.pvalue)


def test_rank_biserial_is_positive_when_the_first_group_is_lower():
    lower, higher = np.array([5, 3, 0, 0]), np.array([0, 0, 3, 5])
    assert mann_whitney(lower, higher).effect_size == 1.0
    assert mann_whitney(higher, lower).effect_size == -1.0


def test_all_values_tied_gives_no_result():
    tied = [np.array([0, 4, 0]), np.array([0, 2, 0]), np.array([0, 7, 0])]
    assert kruskal_wallis(tied).statistic is None and kruskal_wallis(tied).p is None
    result = mann_whitney(tied[0], tied[1])
    assert (result.statistic, result.p, result.effect_size) == (None, None, None)


def test_empty_groups_are_left_out():
    raw, counts = random_groups(3, 3, 6)
    empty = np.zeros_like(counts[0])
    with_empty = kruskal_wallis([counts[0], empty, counts[1], counts[2]])
    assert close(with_empty.statistic, scipy_stats.kruskal(*raw).statistic)
    dispatched = rank_test([counts[0], empty, counts[1]])
    assert dispatched.name == MANN_WHITNEY
    assert close(dispatched.p, scipy_stats.mannwhitneyu(raw[0], raw[1], method="asymptotic").pvalue)


def test_rank_test_needs_two_groups():
    assert rank_test([np.array([1, 2]), np.zeros(2)]) is None
    assert rank_test([]) is None
    assert rank_test([np.array([1, 2]), np.array([2, 1]), np.array([0, 3])]).name == KRUSKAL_WALLIS
