from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from consult.analysis.representation import fit_sentence, goodness_of_fit, overall_rate, rates

TEXTS = {
    "differ": "{dimension}: respondents differ from the staff, {p}: {over} over-represented",
    "same": "{dimension}: respondents do not differ from the staff, {p}",
}


def test_rates_one_and_two_way_with_flags():
    respondents = np.array([[3, 1, 2], [5, 40, 10], [0, 9, 30]])
    two_way = {(1, 1): 100, (1, 2): 50, (2, 1): 200, (2, 2): 60}
    overall = overall_rate(int(respondents.sum()), sum(two_way.values()))
    found = {r.options: r for r in rates(respondents, two_way, overall)}
    assert found[(1, 1)].rate == 40 / 100 and found[(2, 2)].rate == 30 / 60
    assert [options for options, r in found.items() if r.flagged] == [(2, 1)]
    one_way = rates(respondents.sum(axis=1), {(1,): 150, (2,): 0}, overall)
    assert one_way[0].rate == pytest.approx(55 / 150) and one_way[1].rate is None
    assert overall_rate(3, 0) is None


@pytest.mark.parametrize("seed", range(4))
def test_goodness_of_fit_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    staff = {o: int(rng.integers(10, 500)) for o in range(1, 6)}
    observed = {o: int(rng.integers(0, 80)) for o in range(0, 6)}
    fit = goodness_of_fit(observed, staff)
    counts = np.array([observed[o] for o in range(1, 6)], float)
    expected = np.array([staff[o] for o in range(1, 6)], float)
    reference = scipy_stats.chisquare(counts, expected / expected.sum() * counts.sum())
    assert fit.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert fit.p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-300)
    if fit.p < 0.05:
        ratio = counts / (expected / expected.sum() * counts.sum())
        assert fit.over == int(ratio.argmax()) + 1 and fit.under == int(ratio.argmin()) + 1


def test_goodness_of_fit_in_words():
    fit = goodness_of_fit({1: 90, 2: 10}, {1: 100, 2: 100})
    assert fit_sentence("career stage", fit, ["R1", "R2"], TEXTS) == (
        "career stage: respondents differ from the staff, p < 0.001: R1 over-represented"
    )
    same = goodness_of_fit({1: 50, 2: 52}, {1: 100, 2: 100})
    assert fit_sentence("gender", same, ["W", "M"], TEXTS).startswith("gender: respondents do not differ")
    assert goodness_of_fit({1: 5}, {1: 10}) is None
    assert goodness_of_fit({1: 5, 2: 3}, {1: 10, 2: 0}) is None
