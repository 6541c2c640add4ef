"""Figures closed under differencing (design.md, principle 3; issue 14): no sum or difference of released
figures gives the answers of fewer than k respondents."""

from __future__ import annotations

import math

import numpy as np
import pytest

from consult.surveys.questionnaires.spec import DONT_KNOW
from tests.analysis.test_results import (
    CAMPAIGN,
    Raw,
    close,
    group_conditions,
    questionnaire,
    respondents,
    results_of,
)

SWAP_SEEDS = range(12)


def without_tests_and_alpha(value):
    """The results with what may move when answers move between respondents removed: alpha and the rank
    tests (statistic, p, p_adjusted, effect size), which work on respondents, not on pooled answers."""
    if isinstance(value, dict):
        return {
            key: without_tests_and_alpha(entry)
            for key, entry in value.items()
            if key not in ("alpha", "test")
        }
    if isinstance(value, list):
        return [without_tests_and_alpha(entry) for entry in value]
    return value


def swappable(q, answers, profiles, rng) -> tuple[int, int, int]:
    """Two respondents of the same profile who answered item ``x`` differently, the first of whom skipped or
    answered "don't know" to another item of the section; they then swap their answers to ``x``."""
    section = q.section_slices()[0]
    x, other = section.start, section.start + 1
    answers[:, x] = np.where(np.isin(answers[:, x], (0, DONT_KNOW)), 3, answers[:, x])
    first = int(rng.integers(len(answers)))
    answers[first, other] = DONT_KNOW if rng.random() < 0.5 else 0
    same = np.flatnonzero((profiles == profiles[first]).all(axis=1) & (answers[:, x] != answers[first, x]))
    same = same[same != first]
    if not len(same):
        second = (first + 1) % len(answers)
        profiles[second] = profiles[first]
        answers[second, x] = 1 if answers[first, x] != 1 else 5
    else:
        second = int(rng.choice(same))
    answers[second, other] = 2
    return first, second, x


@pytest.mark.parametrize("seed", SWAP_SEEDS)
def test_swapping_one_item_between_two_respondents_changes_no_released_figure(seed):
    """Two data sets that differ only by two same-profile respondents swapping their answers to one item
    (one of them skipped another item) release the same figures, but for alpha and the rank tests."""
    rng = np.random.default_rng(seed)
    q = questionnaire((2, 3, 1), 5, (3, 2))
    answers, profiles = respondents(q, 300, seed)
    first, second, x = swappable(q, answers, profiles, rng)
    swapped = answers.copy()
    swapped[[first, second], x] = answers[[second, first], x]
    before, after = results_of(q, answers, profiles), results_of(q, swapped, profiles)
    assert without_tests_and_alpha(before) == without_tests_and_alpha(after)
    everyone = np.ones(len(answers), bool)
    old_means = [Raw(q, data, profiles).scores(0, everyone).mean() for data in (answers, swapped)]
    assert not math.isclose(*old_means), "the mean of respondents' scores would have moved"


def test_a_two_item_section_mean_is_the_items_pooled():
    """In a two-item section, the section's mean times its answers is the sum of the items' sums, so
    2·n·mean - Σ item sums isolates no one (with the mean of respondents' scores it gave the answer of the one
    person who said "don't know")."""
    q = questionnaire((2,), 5, (2,))
    answers, profiles = respondents(q, 120, seed=21, missing=0, dont_know=0)
    answers[7, 1] = DONT_KNOW
    result = results_of(q, answers, profiles)
    section = result["sections"][0]
    item_sums = sum(item["mean"] * item["n"] for item in section["items"])
    assert section["answers"] == sum(item["n"] for item in section["items"]) == 2 * 120 - 1
    assert math.isclose(section["mean"] * section["answers"], item_sums)
    keyed = Raw(q, answers, profiles).keyed
    assert not math.isclose(2 * section["n"] * section["mean"] - item_sums, keyed[7, 0])
    for other in range(len(answers)):
        if other != 7 and (profiles[other] == profiles[7]).all() and answers[other, 0] != answers[7, 0]:
            swapped = answers.copy()
            swapped[[7, other], 0] = answers[[other, 7], 0]
            assert without_tests_and_alpha(results_of(q, swapped, profiles)) == without_tests_and_alpha(
                result
            )
            break
    else:
        pytest.fail("no respondent to swap with")


def test_a_suppressed_item_does_not_move_its_sections_figures():
    """An item answered by fewer than k is left out of the section's mean and favourable share, in the total
    and in every group: what its few respondents answered changes nothing released."""
    q = questionnaire((3,), 5, (3, 2))
    answers, profiles = respondents(q, 200, seed=5, missing=0, dont_know=0)
    answers[:, 2] = 0
    answers[:3, 2] = 5
    low = answers.copy()
    low[:3, 2] = 1
    high_result, low_result = results_of(q, answers, profiles), results_of(q, low, profiles)
    for result in (high_result, low_result):
        assert result["sections"][0]["items"][2] == {"code": "P1.2", "suppressed": True}
    assert without_tests_and_alpha(high_result) == without_tests_and_alpha(low_result)
    section, raw = high_result["sections"][0], Raw(q, answers, profiles)
    kept = raw.keyed[:, :2]
    assert math.isclose(section["mean"], float(np.nanmean(kept)))
    assert math.isclose(section["favourable"], np.isin(kept, (4, 5)).sum() / (~np.isnan(kept)).sum())
    released = np.array([True, True, False])
    for key, breakdown in section["breakdowns"].items():
        for conditions, group in zip(group_conditions(q, key), breakdown["groups"], strict=True):
            if not group["suppressed"]:
                rows = raw.rows(conditions)
                assert close(group["mean"], raw.pooled_mean(0, rows, released))
                liked, answered = raw.pooled(0, rows, released)
                assert close(group["favourable"], liked / answered if answered else None)


@pytest.mark.parametrize(("complete", "published"), [(4, False), (5, True), (6, True)])
def test_alpha_needs_k_complete_respondents(complete, published):
    q = questionnaire((3,), 5, (2,))
    answers, profiles = respondents(q, 30, seed=13, missing=0, dont_know=0)
    for i in range(complete, len(answers)):
        answers[i, i % 3] = 0 if i % 2 else DONT_KNOW
    section = results_of(q, answers, profiles, {**CAMPAIGN, "min_group_size": 5})["sections"][0]
    assert not section["suppressed"] and all(not item["suppressed"] for item in section["items"])
    assert (section["alpha"] is not None) == published
    if published:
        assert math.isclose(section["alpha"], Raw(q, answers, profiles).alpha(0, k=5))


def test_a_total_below_k_is_not_given():
    q = questionnaire((2,), 5, (2,))
    for n, shown in ((0, 0), (1, None), (4, None), (5, 5)):
        answers, profiles = respondents(q, n, seed=n, missing=0, dont_know=0)
        campaign = results_of(q, answers, profiles)["campaign"]
        assert campaign["responses"] == shown and campaign["responses_suppressed"] == (shown is None)
