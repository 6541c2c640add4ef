from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from consult.analysis import stats
from consult.analysis.counts import build_counts
from consult.surveys.questionnaires.spec import Dimension, Item, Option, Questionnaire, Scale, Section


def close(actual, expected, tolerance=1e-9) -> bool:
    return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=1e-12)


def questionnaire(points=5, favourable=(4, 5)) -> Questionnaire:
    items = tuple(Item(f"A.{i}", {"en": "item"}, reverse=i == 1) for i in range(3))
    dimension = Dimension("gender", {"en": "Gender"}, (Option("w", {"en": "W"}), Option("m", {"en": "M"})))
    scale = Scale(points, {}, favourable)
    return Questionnaire({"en": "t"}, ("en",), scale, (dimension,), (Section("A", {"en": "A"}, items),))


@pytest.mark.parametrize("seed", range(5))
def test_item_stats_equal_numpy_on_the_answers(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 8, int(rng.integers(2, 300)))
    counts = np.concatenate([[3], np.bincount(values, minlength=8)[1:8], [11]])
    result = stats.item_stats(counts, (6, 7))
    assert result.n == len(values) and result.dont_know == 11
    assert result.counts == np.bincount(values, minlength=8)[1:].tolist()
    assert close(result.mean, values.mean()) and close(result.sd, values.std(ddof=1))
    liked = int(np.isin(values, (6, 7)).sum())
    assert close(result.favourable, liked / len(values))
    low, high = proportion_confint(liked, len(values), alpha=0.05, method="wilson")
    assert close(result.favourable_ci[0], low) and close(result.favourable_ci[1], high)


def test_item_stats_without_answers_or_with_one():
    empty = stats.item_stats(np.array([4, 0, 0, 0, 0, 0, 2]), (4, 5))
    assert (empty.n, empty.mean, empty.sd, empty.favourable, empty.favourable_ci) == (
        0,
        None,
        None,
        None,
        None,
    )
    single = stats.item_stats(np.array([0, 0, 0, 0, 1, 0, 0]), (4, 5))
    assert (single.mean, single.sd, single.favourable) == (4.0, None, 1.0)


@pytest.mark.parametrize(("successes", "n"), [(0, 10), (10, 10), (1, 1), (37, 412), (293, 412), (5, 7)])
def test_wilson_interval_equals_statsmodels(successes, n):
    low, high = stats.wilson_interval(successes, n)
    expected = proportion_confint(successes, n, alpha=0.05, method="wilson")
    assert math.isclose(low, expected[0], abs_tol=1e-12) and math.isclose(high, expected[1], abs_tol=1e-12)
    assert 0 <= low <= successes / n <= high <= 1


def test_wilson_interval_of_nothing_is_none():
    assert stats.wilson_interval(0, 0) is None


def test_z95_is_the_normal_quantile():
    assert scipy_stats.norm.ppf(0.975) == stats.Z95


@pytest.mark.parametrize("seed", range(5))
def test_favourable_chi2_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    groups = [
        (int(liked), int(liked + rng.integers(1, 50))) for liked in rng.integers(0, 60, rng.integers(2, 7))
    ]
    result = stats.favourable_chi2(groups)
    table = np.array([[liked for liked, _ in groups], [answers - liked for liked, answers in groups]])
    expected = scipy_stats.chi2_contingency(table, correction=False)
    assert close(result.statistic, expected.statistic) and close(result.p, expected.pvalue)
    assert close(result.cramers_v, math.sqrt(expected.statistic / table.sum()))


def test_favourable_chi2_of_an_empty_row_or_single_group_is_none():
    assert stats.favourable_chi2([(5, 10)]) is None
    assert stats.favourable_chi2([(0, 10), (0, 12)]) is None
    assert stats.favourable_chi2([(4, 10), (0, 0)]) is None


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(30, 100, 45, 120), (1, 10, 9, 10), (200, 412, 180, 400)])
def test_two_proportion_test_equals_statsmodels(x1, n1, x2, n2):
    z, p = stats.two_proportion_test(x1, n1, x2, n2)
    expected_z, expected_p = proportions_ztest([x1, x2], [n1, n2])
    assert close(z, expected_z) and close(p, expected_p)


def test_two_proportion_test_is_none_when_undefined():
    assert stats.two_proportion_test(0, 10, 0, 12) is None
    assert stats.two_proportion_test(10, 10, 12, 12) is None
    assert stats.two_proportion_test(1, 0, 2, 5) is None


@pytest.mark.parametrize("seed", range(6))
def test_benjamini_hochberg_equals_statsmodels(seed):
    rng = np.random.default_rng(seed)
    p_values = rng.random(int(rng.integers(1, 40))) ** 3
    p_values[: len(p_values) // 3] = p_values[0]
    expected = multipletests(p_values, method="fdr_bh")[1]
    assert np.allclose(stats.benjamini_hochberg(list(p_values)), expected, rtol=1e-12, atol=0)


def test_benjamini_hochberg_keeps_none_out_of_the_family():
    adjusted = stats.benjamini_hochberg([0.01, None, 0.04, 0.03])
    expected = multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    assert adjusted[1] is None
    assert np.allclose([adjusted[0], adjusted[2], adjusted[3]], expected)
    assert stats.benjamini_hochberg([]) == []


def reference_alpha(matrix: np.ndarray) -> float:
    k = matrix.shape[1]
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))


@pytest.mark.parametrize("seed", range(4))
def test_cronbach_alpha_from_sums_equals_the_formula_on_answers(seed):
    rng = np.random.default_rng(seed)
    base = rng.integers(1, 6, (150, 1))
    matrix = np.clip(base + rng.integers(-1, 2, (150, 4)), 1, 5)
    alpha = stats.cronbach_alpha(150, matrix.sum(axis=0), matrix.T @ matrix)
    assert close(alpha, reference_alpha(matrix.astype(float)))


def test_cronbach_alpha_undefined_cases():
    matrix = np.array([[1, 2], [2, 3], [3, 4]])
    assert stats.cronbach_alpha(3, matrix[:, :1].sum(axis=0), matrix[:, :1].T @ matrix[:, :1]) is None
    assert stats.cronbach_alpha(2, matrix[:2].sum(axis=0), matrix[:2].T @ matrix[:2]) is None
    same = np.full((4, 3), 2)
    assert stats.cronbach_alpha(4, same.sum(axis=0), same.T @ same) is None


def test_cronbach_alpha_needs_the_minimum_of_complete_respondents():
    rng = np.random.default_rng(3)
    matrix = np.clip(rng.integers(1, 6, (5, 1)) + rng.integers(-1, 2, (5, 3)), 1, 5)
    four, five = matrix[:4], matrix
    assert stats.cronbach_alpha(4, four.sum(axis=0), four.T @ four, minimum=5) is None
    alpha = stats.cronbach_alpha(5, five.sum(axis=0), five.T @ five, minimum=5)
    assert close(alpha, reference_alpha(five.astype(float)))
    assert stats.cronbach_alpha(2, four[:2].sum(axis=0), four[:2].T @ four[:2], minimum=1) is None


def test_group_mask_selects_cells_of_options():
    mask = stats.group_mask((3, 2), {0: 1})
    assert mask.reshape(3, 2)[1].all() and mask.sum() == 2
    both = stats.group_mask((3, 2), {0: 2, 1: 0})
    assert np.flatnonzero(both).tolist() == [4]


def test_section_and_group_figures_equal_raw_computation():
    q = questionnaire()
    rng = np.random.default_rng(9)
    answers = rng.integers(0, 6, (400, 3)).astype(np.uint8)
    answers[rng.random((400, 3)) < 0.05] = 255
    profiles = rng.integers(0, 3, (400, 1)).astype(np.uint8)
    tables = build_counts(q, answers, profiles)
    keyed = answers.astype(float)
    keyed[:, 1] = np.where((answers[:, 1] >= 1) & (answers[:, 1] <= 5), 6 - keyed[:, 1], keyed[:, 1])
    valid = (answers >= 1) & (answers <= 5)
    for option in (None, 1, 2):
        rows = np.ones(400, bool) if option is None else profiles[:, 0] == option
        mask = None if option is None else stats.group_mask(tables.cell_shape, {0: option})
        result = stats.section_stats(q, stats.margins(tables, mask), 0)
        answered = valid[rows]
        some = answered.any(axis=1)
        scores = np.where(answered, keyed[rows], 0).sum(axis=1)[some] / answered.sum(axis=1)[some]
        liked = (np.isin(keyed[rows], (4, 5)) & answered).sum()
        pooled_mean = np.where(answered, keyed[rows], 0).sum() / answered.sum()
        assert result.n == len(scores) and close(result.mean, pooled_mean)
        assert result.favourable_count == liked and result.answers == answered.sum()
        assert close(result.favourable, liked / answered.sum())


def test_section_without_answers():
    q = questionnaire()
    tables = build_counts(q, np.zeros((3, 3), np.uint8), np.ones((3, 1), np.uint8))
    result = stats.section_stats(q, stats.margins(tables), 0)
    assert (result.n, result.mean, result.favourable, result.favourable_ci) == (0, None, None, None)
