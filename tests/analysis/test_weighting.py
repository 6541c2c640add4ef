"""Weights and weighted figures against an independent computation on the raw answers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ipfn import ipfn

from consult.analysis.countplan import CountPlan
from consult.analysis.counts import build_counts
from consult.analysis.weighted import figures, kish
from consult.analysis.weighting import Population, cell_weights, merge_categories, rake, trim_weights
from tests.analysis.test_results import questionnaire, respondents

NO_TRIM = (0.0, np.inf)


def full_population(options, seed):
    rng = np.random.default_rng(seed)
    cells = itertools.product(*(range(1, count + 1) for count in options))
    return {cell: int(rng.integers(20, 400)) for cell in cells}


def margins_of(cells, dimensions):
    found = [{} for _ in range(dimensions)]
    for options, headcount in cells.items():
        for d, option in enumerate(options):
            found[d][option] = found[d].get(option, 0) + headcount
    return tuple(found)


def uneven(q, n, seed, missing_profile=0.0):
    """Respondents whose first dimension's first option answers three times as often."""
    answers, profiles = respondents(q, n, seed)
    rng = np.random.default_rng(seed + 1)
    keep = (profiles[:, 0] == 1) | (rng.random(n) < 0.35)
    answers, profiles = answers[keep], profiles[keep]
    if not missing_profile:
        profiles[profiles == 0] = 1
    return answers, profiles


def per_respondent(q, profiles, weights):
    return weights.per_cell[CountPlan.of(q).cell_index(profiles)]


def raw_section(q, answers, s):
    """Keyed answers of section ``s`` (0 = none), one column per item."""
    raw = answers[:, q.section_slices()[s]].astype(int)
    for i, item in enumerate(q.sections[s].items):
        valid = (raw[:, i] >= 1) & (raw[:, i] <= q.scale.points)
        if item.reverse:
            raw[valid, i] = q.scale.points + 1 - raw[valid, i]
        raw[~valid, i] = 0
    return raw


def long_form(raw, w, strata):
    rows, columns = np.nonzero(raw)
    return raw[rows, columns], w[rows], strata[rows]


def poststrat_variance(y, w, strata):
    """Textbook: sum_h W_h^2 p_h (1 - p_h) / n_h, with W_h the weighted share of stratum h."""
    total = w.sum()
    variance = 0.0
    for h in np.unique(strata):
        inside = strata == h
        share, p = w[inside].sum() / total, y[inside].mean()
        variance += share**2 * p * (1 - p) / inside.sum()
    return variance


def section_counts(q, tables, s):
    counts = tables.item_counts[:, q.section_slices()[s], 1 : q.scale.points + 1]
    return counts.sum(axis=1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_post_stratified_figures_equal_the_raw_computation(seed):
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, 900, seed)
    tables = build_counts(q, answers, profiles)
    population = Population(tables.cell_shape, cells=full_population((3, 2), seed))
    weights = cell_weights(population, tables.n_respondents, trim=NO_TRIM)
    w = per_respondent(q, profiles, weights)
    strata = CountPlan.of(q).cell_index(profiles)
    for s in range(len(q.sections)):
        raw = raw_section(q, answers, s)
        y, wy, hy = long_form(raw, w, strata)
        liked = np.isin(y, q.scale.favourable).astype(float)
        units = tables.score_counts[s].sum(axis=1)
        result = figures(
            section_counts(q, tables, s), q.scale.favourable, weights.per_cell, weights.design, units
        )
        assert result.favourable == pytest.approx(np.average(liked, weights=wy), abs=1e-9)
        assert result.mean == pytest.approx(np.average(y, weights=wy), abs=1e-9)
        assert result.se**2 == pytest.approx(poststrat_variance(liked, wy, hy), abs=1e-12)
        answered = (raw > 0).any(axis=1)
        assert result.deff == pytest.approx(
            answered.sum() * (w[answered] ** 2).sum() / w[answered].sum() ** 2
        )
        assert result.n_effective == pytest.approx(w[answered].sum() ** 2 / (w[answered] ** 2).sum())


def test_post_stratification_reproduces_the_staff_split():
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, 900, 4)
    tables = build_counts(q, answers, profiles)
    cells = full_population((3, 2), 4)
    weights = cell_weights(Population(tables.cell_shape, cells=cells), tables.n_respondents, trim=NO_TRIM)
    weighted = (weights.per_cell * tables.n_respondents).reshape(tables.cell_shape)
    staff = sum(cells.values())
    for (a, b), headcount in cells.items():
        assert weighted[a, b] / tables.total == pytest.approx(headcount / staff, abs=1e-12)
    assert weights.per_cell.mean() != 1.0


def raking_setup(seed, missing_profile=0.0):
    q = questionnaire(options=(4, 3))
    answers, profiles = uneven(q, 1500, seed, missing_profile)
    tables = build_counts(q, answers, profiles)
    cells = full_population((4, 3), seed)
    return q, answers, profiles, tables, cells


@pytest.mark.parametrize("seed", [5, 6])
def test_raking_converges_to_the_margins_and_matches_ipfn(seed):
    _q, _answers, _profiles, tables, cells = raking_setup(seed)
    margins = margins_of(cells, 2)
    weights = cell_weights(Population(tables.cell_shape, margins=margins), tables.n_respondents, trim=NO_TRIM)
    assert weights.converged
    fitted = (weights.per_cell * tables.n_respondents).reshape(tables.cell_shape)[1:, 1:]
    for d, margin in enumerate(margins):
        shares = fitted.sum(axis=1 - d) / fitted.sum()
        staff = np.array([margin[o] for o in sorted(margin)], float)
        assert np.abs(shares - staff / staff.sum()).max() < 1e-8
    seed_table = tables.n_respondents.reshape(tables.cell_shape)[1:, 1:].astype(float)
    aggregates = [np.array([m[o] for o in sorted(m)], float) for m in margins]
    aggregates = [a / a.sum() * seed_table.sum() for a in aggregates]
    reference = ipfn.ipfn(
        seed_table.copy(), aggregates, [[0], [1]], convergence_rate=1e-14, max_iteration=5000
    )
    assert np.abs(fitted - reference.iteration()).max() < 1e-6


@pytest.mark.parametrize("seed", [7, 8])
def test_raked_figures_equal_the_raw_linearisation(seed):
    q, answers, profiles, tables, cells = raking_setup(seed, missing_profile=0.1)
    population = Population(tables.cell_shape, margins=margins_of(cells, 2))
    weights = cell_weights(population, tables.n_respondents, trim=NO_TRIM)
    w = per_respondent(q, profiles, weights)
    placed = (profiles > 0).all(axis=1)
    dummies = np.hstack(
        [(profiles[:, [d]] == np.arange(1, size)[None, :]) & placed[:, None] for d, size in [(0, 5), (1, 4)]]
        + [~placed[:, None]]
    ).astype(float)
    for s in range(len(q.sections)):
        raw = raw_section(q, answers, s)
        rows, columns = np.nonzero(raw)
        y, wy, x = raw[rows, columns], w[rows], dummies[rows]
        liked = np.isin(y, q.scale.favourable).astype(float)
        units = tables.score_counts[s].sum(axis=1)
        result = figures(
            section_counts(q, tables, s), q.scale.favourable, weights.per_cell, weights.design, units
        )
        share = np.average(liked, weights=wy)
        assert result.favourable == pytest.approx(share, abs=1e-9)
        assert result.mean == pytest.approx(np.average(y, weights=wy), abs=1e-9)
        z = liked - share
        root = np.sqrt(wy)
        b = np.linalg.lstsq(x * root[:, None], z * root, rcond=None)[0]
        residual = z - x @ b
        assert result.se**2 == pytest.approx((wy**2 * residual**2).sum() / wy.sum() ** 2, abs=1e-12)


def test_raking_stops_at_its_iteration_limit_when_margins_cannot_be_met():
    n = np.array([10.0, 0.0, 0.0, 10.0])
    labels = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    weights, converged = rake(n, labels, [np.array([0.5, 0.5]), np.array([0.9, 0.1])], max_iterations=50)
    assert not converged and np.isfinite(weights).all()


def test_trimming_keeps_weights_within_bounds_and_their_total():
    rng = np.random.default_rng(9)
    n = rng.integers(1, 40, 30).astype(float)
    weights = rng.lognormal(0, 1.2, 30)
    weights *= n.sum() / (weights * n).sum()
    placed = np.ones(30, bool)
    trimmed = trim_weights(weights, n, placed, (0.3, 3.0))
    mean = (trimmed * n).sum() / n.sum()
    assert mean == pytest.approx(1.0)
    assert trimmed.min() >= 0.3 - 1e-9 and trimmed.max() <= 3.0 + 1e-9
    assert weights.max() > 3.0 and weights.min() < 0.3
    inside = (weights > 0.5) & (weights < 2)
    ratio = trimmed[inside] / weights[inside]
    assert np.allclose(ratio, ratio[0])


def test_trimming_setting_is_applied_by_cell_weights():
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, 900, 10)
    tables = build_counts(q, answers, profiles)
    population = Population(tables.cell_shape, cells=full_population((3, 2), 10))
    loose = cell_weights(population, tables.n_respondents, trim=NO_TRIM).per_cell
    tight = cell_weights(population, tables.n_respondents, trim=(0.8, 1.25)).per_cell
    n = tables.n_respondents
    assert loose[n > 0].max() > 1.25
    assert tight[n > 0].max() <= 1.25 + 1e-9 and tight[n > 0].min() >= 0.8 - 1e-9


def test_a_weak_cell_is_pooled_with_the_most_similar_smallest_group():
    shape = (3, 3, 3)
    n = np.zeros(shape)
    n[1:, 1:, 1:] = 10
    n[1, 1, 1] = 2
    n[1, 2, 1:] = [11, 9]
    n[2, 2, 1:] = [1, 1]
    cells = {options: 100 for options in itertools.product((1, 2), (1, 2), (1, 2))}
    weights = cell_weights(Population(shape, cells=cells), n.reshape(-1), trim=NO_TRIM).per_cell
    weights = weights.reshape(shape)
    assert weights[1, 1, 1] == weights[1, 1, 2]
    assert len({weights[1, 1, 1], weights[1, 2, 1], weights[1, 2, 2]}) == 3
    assert weights[2, 2, 1] == weights[2, 2, 2] == weights[2, 1, 1] != weights[2, 1, 2]
    assert weights[1, 1, 1] == pytest.approx(n.sum() * 200 / 800 / n[1, 1, 1:].sum())
    pooled = n[2, 2, 1:].sum() + n[2, 1, 1]
    assert weights[2, 2, 1] == pytest.approx(n.sum() * 300 / 800 / pooled)


def test_a_cell_of_staff_without_respondents_passes_its_staff_to_its_line():
    shape = (2, 3)
    n = np.array([0, 0, 0, 0, 20, 0], float)
    weights = cell_weights(Population(shape, cells={(1, 1): 50, (1, 2): 50}), n, trim=NO_TRIM)
    assert weights.per_cell[4] == pytest.approx(1.0)


def test_weak_raking_categories_merge_with_the_smallest_other():
    n = np.array([3, 2, 40, 30, 3])
    assert merge_categories({1: 10, 2: 20, 3: 30, 4: 40}, n, 5) == [[2], [3], [4, 1]]
    assert merge_categories({1: 10, 2: 20}, np.array([0, 1, 1]), 5) == [[2, 1]]


def test_unplaced_respondents_keep_weight_one_and_no_headcount_means_no_weights():
    shape = (3, 2)
    n = np.array([4, 6, 0, 30, 0, 10], float)
    weights = cell_weights(Population(shape, margins=({1: 10, 2: 30}, {1: 40})), n, trim=NO_TRIM)
    assert weights.per_cell[[0, 1, 2, 4]].tolist() == [1, 1, 1, 1]
    assert weights.per_cell[3] == pytest.approx(1 / 3) and weights.per_cell[5] == pytest.approx(3.0)
    assert cell_weights(Population(shape, margins=({2: 5}, {1: 5})), np.array([9, 9, 9, 9, 0, 0.0])) is None


def test_kish_figures():
    deff, n_eff = kish(np.array([2.0, 3.0]), np.array([1.0, 2.0]))
    w = np.array([1, 1, 2, 2, 2.0])
    assert deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
    assert n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
