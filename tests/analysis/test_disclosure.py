from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from consult.analysis.disclosure import comments_releasable, suppress, suppress_release
from consult.analysis.disclosurecheck import Suppression, check_disclosure, first_violation, release_of

small_counts = st.integers(0, 12) | st.integers(0, 3) | st.just(0)
property_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_way_release(groups: list[int], not_stated: int, suppressed: set[int]):
    counts = np.array([not_stated, *groups])
    return release_of(counts, Suppression(groups={0: {g + 1 for g in suppressed}}))


def primary_only(cell_counts: np.ndarray, k: int) -> Suppression:
    """Naive suppression: only the groups and cells of 1..k-1 respondents."""
    small = (cell_counts > 0) & (cell_counts < k)
    groups, cells = {}, {}
    for d in range(cell_counts.ndim):
        margin = cell_counts.sum(axis=tuple(a for a in range(cell_counts.ndim) if a != d))
        groups[d] = {o for o in range(1, len(margin)) if 0 < margin[o] < k}
    for d1, d2 in itertools.combinations(range(cell_counts.ndim), 2):
        table = cell_counts.sum(axis=tuple(a for a in range(cell_counts.ndim) if a not in (d1, d2)))
        cells[(d1, d2)] = {(a, b) for a, b in np.argwhere((table > 0) & (table < k)) if a and b}
    assert small.shape == cell_counts.shape
    return Suppression(groups=groups, cells=cells)


@property_settings
@given(st.lists(small_counts, min_size=1, max_size=8), small_counts, st.integers(3, 10))
def test_one_way_suppression_leaves_nothing_derivable(groups, not_stated, k):
    assume(not 0 < sum(groups) + not_stated < k)
    suppressed = suppress({g: n for g, n in enumerate(groups)}, k, hidden=not_stated)
    assert {g for g, n in enumerate(groups) if 0 < n < k} <= suppressed
    assert all(groups[g] > 0 for g in suppressed)
    assert check_disclosure(one_way_release(groups, not_stated, suppressed), k) == []


@property_settings
@given(st.data(), st.integers(3, 10))
def test_checker_finds_what_primary_suppression_leaves(data, k):
    hidden = data.draw(st.integers(1, k - 1))
    not_stated = data.draw(st.integers(0, hidden))
    small = data.draw(
        st.lists(st.integers(1, k - 1), max_size=3).filter(
            lambda s: sum(s) == hidden - not_stated or (not s and hidden == not_stated)
        )
    )
    large = data.draw(st.lists(st.integers(k, 3 * k), min_size=1, max_size=4))
    groups = data.draw(st.permutations(small + large + [0]))
    primary = {g for g, n in enumerate(groups) if 0 < n < k}
    violations = check_disclosure(one_way_release(groups, not_stated, primary), k)
    assert [v.count for v in violations] == [hidden]


def test_complement_is_the_next_smallest_group():
    assert suppress({"a": 3, "b": 9, "c": 6, "d": 0}, 5) == {"a", "c"}
    assert suppress({"a": 5, "b": 9}, 5, hidden=2) == {"a"}
    assert suppress({"a": 5, "b": 9}, 5, hidden=5) == set()
    assert suppress({"a": 0, "b": 9}, 5, hidden=0) == set()


def test_fewer_than_k_respondents_suppresses_everything():
    suppression = suppress_release(np.array([[1, 1], [0, 1]]), 5)
    assert suppression.everything and suppression.group(0, 1) and suppression.cell((0, 1), (1, 1))
    assert check_disclosure(release_of(np.array([[1, 1], [0, 1]]), suppression), 5) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(3, 8))
def test_two_way_suppression_leaves_nothing_derivable(data, k):
    shape = data.draw(st.tuples(st.integers(2, 4), st.integers(2, 5)))
    cells = np.array(
        data.draw(st.lists(small_counts, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
    )
    counts = cells.reshape(shape)
    suppression = suppress_release(counts, k)
    assert check_disclosure(release_of(counts, suppression), k, limit=1) == []


def three_way_counts(data) -> np.ndarray:
    """A small school x stage x gender table of small counts."""
    shape = data.draw(st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 4)))
    size = int(np.prod(shape))
    return np.array(data.draw(st.lists(small_counts, min_size=size, max_size=size))).reshape(shape)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(3, 7))
def test_three_way_suppression_leaves_nothing_derivable(data, k):
    counts = three_way_counts(data)
    suppression = suppress_release(counts, k)
    assert check_disclosure(release_of(counts, suppression), k, limit=1) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(3, 6))
def test_first_violation_is_the_fast_checks_else_the_thorough_checks(data, k):
    """Skipping the thorough check when it knows no more empty atoms gives what running it gives."""
    counts = three_way_counts(data)
    release = release_of(counts, primary_only(counts, k))
    both = check_disclosure(release, k, limit=1, thorough=False) or check_disclosure(release, k, limit=1)
    assert first_violation(release, k) == (both[0] if both else None)


def test_not_stated_cell_of_two_dimensions_is_protected():
    counts = np.array([[0, 10, 8, 2], [7, 10, 12, 3], [5, 8, 5, 8]])
    naive = check_disclosure(release_of(counts, primary_only(counts, 5)), 5)
    assert any(set(v.atoms) == {0, 3} for v in naive)
    assert check_disclosure(release_of(counts, suppress_release(counts, 5)), 5) == []


def test_three_tables_combined_by_inclusion_exclusion_are_protected():
    counts = np.array([[[1, 2], [3, 3]], [[5, 1], [0, 5]], [[2, 1], [1, 0]]])
    assert check_disclosure(release_of(counts, primary_only(counts, 4)), 4)
    assert check_disclosure(release_of(counts, suppress_release(counts, 4)), 4) == []


def test_violation_names_its_derivation():
    counts = np.array([1, 10, 3, 12])
    (violation,) = check_disclosure(release_of(counts, Suppression(groups={0: {2}})), 5)
    assert violation.count == 4 and violation.atoms == (0, 2)
    assert violation.derivation == "+ 1 x [total] - 1 x [0=1] - 1 x [0=3]"


def test_comments_need_the_threshold():
    assert comments_releasable(10, 10) and not comments_releasable(9, 10)
