from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pytest

from consult.analysis import countplan
from consult.analysis.counts import CountTables, build_counts, empty_counts, score_grid
from consult.surveys.questionnaires.spec import (
    DONT_KNOW,
    Dimension,
    Item,
    Option,
    Questionnaire,
    Scale,
    Section,
)


def questionnaire(sizes, points=5, options=(3, 2), reverse_every=3) -> Questionnaire:
    sections, position = [], 0
    for s, size in enumerate(sizes):
        items = tuple(
            Item(f"S{s}.{i}", {"en": "item"}, reverse=(position + i) % reverse_every == 1)
            for i in range(size)
        )
        position += size
        sections.append(Section(f"S{s}", {"en": "section"}, items, principle=s + 1))
    dimensions = tuple(
        Dimension(
            f"d{d}", {"en": "dimension"}, tuple(Option(f"o{o}", {"en": "option"}) for o in range(count))
        )
        for d, count in enumerate(options)
    )
    scale = Scale(points, {}, tuple(range(points - 1, points + 1)))
    return Questionnaire({"en": "test"}, ("en",), scale, dimensions, tuple(sections))


def respondents(q: Questionnaire, n: int, seed: int = 0, missing: float = 0.1, dont_know: float = 0.05):
    rng = np.random.default_rng(seed)
    answers = rng.integers(1, q.scale.points + 1, (n, len(q.items))).astype(np.uint8)
    draw = rng.random(answers.shape)
    answers[draw < missing] = 0
    answers[(draw >= missing) & (draw < missing + dont_know)] = DONT_KNOW
    columns = [rng.integers(0, len(d.options) + 1, n) for d in q.dimensions]
    profiles = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    return answers, profiles.astype(np.uint8)


def keyed(q: Questionnaire, answers: np.ndarray) -> np.ndarray:
    """Reference: 0 no answer, 1..k keyed, k + 1 don't know."""
    k = q.scale.points
    reverse = np.array([item.reverse for item in q.items])
    values = answers.astype(np.int64)
    scored = (values >= 1) & (values <= k)
    out = np.where(scored, np.where(reverse, k + 1 - values, values), 0)
    return np.where(values == DONT_KNOW, k + 1, out)


def reference_tables(q: Questionnaire, answers: np.ndarray, profiles: np.ndarray) -> dict:
    """Every table computed respondent by respondent, with Fractions for the scores."""
    k = q.scale.points
    shape = tuple(len(d.options) + 1 for d in q.dimensions)
    cells = [int(np.ravel_multi_index(tuple(row), shape)) if shape else 0 for row in profiles]
    n_cells = int(np.prod(shape))
    values = keyed(q, answers)
    items = np.zeros((n_cells, len(q.items), k + 2), np.int64)
    for cell, row in zip(cells, values, strict=True):
        items[cell, np.arange(len(row)), row] += 1
    scores, alpha = [], []
    for s, part in enumerate(q.section_slices()):
        grid = score_grid(len(q.sections[s].items), k)
        fractions = [
            Fraction(int(a), int(b)) for a, b in zip(grid.numerators, grid.denominators, strict=True)
        ]
        table = np.zeros((n_cells, len(grid)), np.int64)
        complete = []
        for cell, row in zip(cells, values[:, part], strict=True):
            answered = [int(v) for v in row if 1 <= v <= k]
            if answered:
                table[cell, fractions.index(Fraction(sum(answered), len(answered)))] += 1
            if len(answered) == len(row):
                complete.append(answered)
        scores.append(table)
        matrix = np.array(complete, np.int64).reshape(len(complete), part.stop - part.start)
        alpha.append((len(complete), matrix.sum(axis=0), matrix.T @ matrix))
    return {"n": np.bincount(cells, minlength=n_cells), "items": items, "scores": scores, "alpha": alpha}


def assert_matches(tables: CountTables, reference: dict) -> None:
    assert np.array_equal(tables.n_respondents, reference["n"])
    assert np.array_equal(tables.item_counts, reference["items"])
    for s, expected in enumerate(reference["scores"]):
        assert np.array_equal(tables.score_counts[s], expected)
    for s, (n, sums, cross) in enumerate(reference["alpha"]):
        assert tables.alpha_n[s] == n
        assert np.array_equal(tables.alpha_sums[s], sums)
        assert np.array_equal(tables.alpha_cross[s], cross)


def same(first: CountTables, second: CountTables) -> bool:
    pairs = [
        (first.n_respondents, second.n_respondents),
        (first.item_counts, second.item_counts),
        (first.alpha_n, second.alpha_n),
    ]
    pairs += list(zip(first.score_counts, second.score_counts, strict=True))
    pairs += list(zip(first.alpha_sums, second.alpha_sums, strict=True))
    pairs += list(zip(first.alpha_cross, second.alpha_cross, strict=True))
    return all(np.array_equal(a, b) for a, b in pairs)


@pytest.mark.parametrize(
    ("sizes", "points", "options"),
    [
        ((3, 1, 2), 5, (3, 2)),
        ((5, 3, 4), 5, (8, 4, 4)),
        ((2, 2), 2, (2,)),
        ((3, 6), 7, (2, 3)),
        ((1, 1, 1), 4, ()),
    ],
)
def test_tables_equal_respondent_by_respondent_counts(sizes, points, options):
    q = questionnaire(sizes, points, options)
    answers, profiles = respondents(q, 700, seed=len(sizes) + points)
    assert_matches(build_counts(q, answers, profiles), reference_tables(q, answers, profiles))


def test_split_and_patterned_sections_are_both_exercised():
    plan = countplan.CountPlan.of(questionnaire((5, 3, 4), 5, (8, 4, 4)))
    assert plan.patterned == (False, True, False)


@pytest.mark.parametrize("chunk_rows", [7, 1000])
def test_every_section_split_gives_the_same_tables(monkeypatch, chunk_rows):
    q = questionnaire((3, 2, 4), 5, (3, 2))
    answers, profiles = respondents(q, 400, seed=3)
    patterned = build_counts(q, answers, profiles)
    monkeypatch.setattr(countplan, "PATTERN_BINS", 0)
    assert countplan.CountPlan.of(q).patterned == (False, False, False)
    assert same(build_counts(q, answers, profiles, chunk_rows=chunk_rows), patterned)


@pytest.mark.parametrize(("chunk_rows", "threads"), [(1, 1), (7, 2), (64, 3), (1000, 2), (13, 8)])
def test_chunks_and_threads_do_not_change_the_tables(chunk_rows, threads):
    q = questionnaire((3, 5, 1), 5, (3, 2))
    answers, profiles = respondents(q, 300, seed=4)
    expected = build_counts(q, answers, profiles, threads=1)
    assert same(build_counts(q, answers, profiles, chunk_rows=chunk_rows, threads=threads), expected)


def test_tables_of_disjoint_chunks_add_up():
    q = questionnaire((3, 5, 2), 5, (3, 2))
    answers, profiles = respondents(q, 500, seed=5)
    whole = build_counts(q, answers, profiles)
    parts = [build_counts(q, answers[a:b], profiles[a:b]) for a, b in ((0, 120), (120, 121), (121, 500))]
    assert same(sum(parts[1:], parts[0]), whole)
    assert same(parts[2] + parts[0] + parts[1], whole)
    assert same(empty_counts(q) + whole, whole)


def test_tables_of_different_questionnaires_do_not_add():
    first, second = questionnaire((3,), 5, (3,)), questionnaire((3,), 5, (4,))
    with pytest.raises(ValueError, match="different questionnaires"):
        _ = empty_counts(first) + empty_counts(second)


def test_bytes_round_trip():
    q = questionnaire((3, 5), 5, (3, 2))
    tables = build_counts(q, *respondents(q, 200, seed=6))
    assert same(CountTables.from_bytes(tables.to_bytes()), tables)
    assert CountTables.from_bytes(tables.to_bytes()).cell_shape == (4, 3)


def test_bytes_with_pickled_objects_are_refused():
    buffer = io.BytesIO()
    np.savez(buffer, points=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        CountTables.from_bytes(buffer.getvalue())


def test_no_respondents_gives_empty_tables():
    q = questionnaire((3, 2), 5, (3, 2))
    tables = empty_counts(q)
    assert tables.total == 0
    assert tables.item_counts.shape == (12, 5, 7)
    assert not tables.item_counts.any() and not any(scores.any() for scores in tables.score_counts)


def test_adversarial_answers():
    q = questionnaire((1, 3, 2), 5, (2,))
    n = 40
    answers = np.zeros((n, 6), np.uint8)
    answers[:10] = 3
    answers[10:20] = DONT_KNOW
    answers[20:30, :3] = 5
    profiles = np.repeat(np.array([[0], [1], [2], [1]], np.uint8), 10, axis=0)
    tables = build_counts(q, answers, profiles)
    assert_matches(tables, reference_tables(q, answers, profiles))
    assert tables.item_counts[:, :, 6].sum() == 60
    assert int(tables.score_counts[2].sum()) == 10


def test_reverse_keying_maps_x_to_points_plus_one_minus_x():
    q = questionnaire((2,), 7, (), reverse_every=2)
    assert [item.reverse for item in q.items] == [False, True]
    tables = build_counts(q, np.array([[2, 2]], np.uint8), np.zeros((1, 0), np.uint8))
    assert tables.item_counts[0, 0, 2] == 1 and tables.item_counts[0, 1, 6] == 1


@pytest.mark.parametrize(
    ("answers", "profiles", "message"),
    [
        ([[6, 1, 1]], [[1, 1]], "outside the scale"),
        ([[1, 1, 254]], [[1, 1]], "outside the scale"),
        ([[1, 1, 1]], [[4, 1]], "beyond its 3 options"),
        ([[1, 1]], [[1, 1]], "shape"),
        ([[1, 1, 1]], [[1]], "shape"),
        ([[1, 1, 256]], [[1, 1]], "bytes"),
    ],
)
def test_bad_input_is_refused(answers, profiles, message):
    q = questionnaire((3,), 5, (3, 2))
    with pytest.raises(ValueError, match=message):
        build_counts(q, np.array(answers), np.array(profiles))


@pytest.mark.parametrize(("size", "points"), [(1, 5), (3, 5), (4, 2), (6, 7)])
def test_score_grid_holds_every_mean_once_in_order(size, points):
    grid = score_grid(size, points)
    fractions = [Fraction(int(a), int(b)) for a, b in zip(grid.numerators, grid.denominators, strict=True)]
    expected = sorted(
        {Fraction(total, count) for count in range(1, size + 1) for total in range(count, points * count + 1)}
    )
    assert fractions == expected
    for count in range(1, size + 1):
        for total in range(count, points * count + 1):
            assert fractions[grid.index[count * grid.base + total]] == Fraction(total, count)
