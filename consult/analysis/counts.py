"""Count tables: the mergeable sufficient statistics behind every reported figure (design.md, principle 2).

A *cell* is one combination of dimension values, 0 (not stated) included, numbered in C order over
``cell_shape`` = (options + 1 per dimension). Tables of disjoint sets of respondents add up.

Item values are stored after reverse-keying: ``item_counts[cell, item, v]`` counts no answer at v = 0, the
keyed scale point v at 1..points and "don't know" at points + 1. A respondent's section score is the mean of
their keyed answers in the section (don't know left out); it is one of the fractions of :func:`score_grid`,
and ``score_counts[s][cell, j]`` counts the respondents of the cell whose score is the j-th grid value.
Cronbach's alpha needs, over the respondents who answered every item of a section: their number, the item sums
and the matrix of cross-product sums (its diagonal holds the sums of squares).
"""

from __future__ import annotations

import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import reduce

import numpy as np

from consult.analysis.countchunk import CountAccumulator
from consult.analysis.countfinish import finish
from consult.analysis.countplan import CountPlan, ScoreGrid, score_grid
from consult.surveys.questionnaires.spec import Questionnaire

__all__ = ["CHUNK_ROWS", "CountTables", "ScoreGrid", "build_counts", "empty_counts", "score_grid"]

THREADS = 2
"""Threads counting parts of the respondents at once. numpy releases the GIL in the element-wise work but
np.bincount holds it, so a second thread overlaps the one step with the other; more add little."""

CHUNK_ROWS = 131_072
"""Respondents counted at a time: bounds the working memory (about 60 MB), whatever their number."""


@dataclass(frozen=True, eq=False)
class CountTables:
    points: int
    cell_shape: tuple[int, ...]
    n_respondents: np.ndarray
    item_counts: np.ndarray
    score_counts: tuple[np.ndarray, ...]
    alpha_n: np.ndarray
    alpha_sums: tuple[np.ndarray, ...]
    alpha_cross: tuple[np.ndarray, ...]

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.cell_shape, dtype=np.int64))

    @property
    def total(self) -> int:
        return int(self.n_respondents.sum())

    def __add__(self, other: CountTables) -> CountTables:
        if not isinstance(other, CountTables):
            return NotImplemented
        self._check_compatible(other)
        return CountTables(
            self.points,
            self.cell_shape,
            self.n_respondents + other.n_respondents,
            self.item_counts + other.item_counts,
            _add_each(self.score_counts, other.score_counts),
            self.alpha_n + other.alpha_n,
            _add_each(self.alpha_sums, other.alpha_sums),
            _add_each(self.alpha_cross, other.alpha_cross),
        )

    def _check_compatible(self, other: CountTables) -> None:
        same = (
            self.points == other.points
            and self.cell_shape == other.cell_shape
            and self.item_counts.shape == other.item_counts.shape
            and [a.shape for a in self.score_counts] == [b.shape for b in other.score_counts]
        )
        if not same:
            raise ValueError("count tables of different questionnaires cannot be added")

    def to_bytes(self) -> bytes:
        arrays = {
            "points": np.array(self.points, np.int64),
            "cell_shape": np.array(self.cell_shape, np.int64),
            "n_respondents": self.n_respondents,
            "item_counts": self.item_counts,
            "alpha_n": self.alpha_n,
        }
        for s, (scores, sums, cross) in enumerate(
            zip(self.score_counts, self.alpha_sums, self.alpha_cross, strict=True)
        ):
            arrays |= {f"score_{s}": scores, f"alpha_sums_{s}": sums, f"alpha_cross_{s}": cross}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> CountTables:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        n_sections = len(arrays["alpha_n"])

        def series(prefix: str) -> tuple[np.ndarray, ...]:
            return tuple(arrays[f"{prefix}_{s}"].astype(np.int64) for s in range(n_sections))

        return cls(
            int(arrays["points"]),
            tuple(int(size) for size in arrays["cell_shape"]),
            arrays["n_respondents"].astype(np.int64),
            arrays["item_counts"].astype(np.int64),
            series("score"),
            arrays["alpha_n"].astype(np.int64),
            series("alpha_sums"),
            series("alpha_cross"),
        )


def _add_each(first: tuple[np.ndarray, ...], second: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    return tuple(a + b for a, b in zip(first, second, strict=True))


def build_counts(
    q: Questionnaire,
    answers: np.ndarray,
    profiles: np.ndarray,
    chunk_rows: int = CHUNK_ROWS,
    threads: int = THREADS,
) -> CountTables:
    """Count tables of the respondents in ``answers`` (n x items) and ``profiles`` (n x dimensions), both
    uint8.

    Values out of the scale (other than 0 and 255) or beyond a dimension's options raise ValueError.
    """
    plan = CountPlan.of(q)
    answers, profiles = _checked_arrays(plan, answers, profiles)
    cells = plan.cell_index(profiles)
    rows = max(1, min(chunk_rows, plan.exact_rows))
    parts = max(1, min(threads, len(answers) // rows))
    bounds = np.linspace(0, len(answers), parts + 1).astype(int).tolist()
    with ThreadPoolExecutor(parts) as pool:
        counted = [
            pool.submit(_count, plan, answers, cells, range(a, b, rows))
            for a, b in itertools.pairwise(bounds)
        ]
        accumulator = reduce(CountAccumulator.merge, (future.result() for future in counted))
    return _tables(plan, accumulator, np.bincount(cells, minlength=plan.n_cells))


def _count(plan: CountPlan, answers: np.ndarray, cells: np.ndarray, starts: range) -> CountAccumulator:
    """Count the respondents from ``starts.start`` to ``starts.stop``, ``starts.step`` rows at a time."""
    accumulator = CountAccumulator(plan)
    for start in starts:
        stop = min(start + starts.step, starts.stop)
        accumulator.add(answers[start:stop], cells[start:stop])
    return accumulator


def empty_counts(q: Questionnaire) -> CountTables:
    no_rows = np.zeros((0, len(q.items)), np.uint8)
    return build_counts(q, no_rows, np.zeros((0, len(q.dimensions)), np.uint8))


def _checked_arrays(
    plan: CountPlan, answers: np.ndarray, profiles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    answers, profiles = _as_bytes(answers, "answers"), _as_bytes(profiles, "profiles")
    if answers.ndim != 2 or answers.shape[1] != plan.n_items:
        raise ValueError(f"answers must have shape (respondents, {plan.n_items}), not {answers.shape}")
    if profiles.shape != (len(answers), len(plan.cell_shape)):
        raise ValueError(
            f"profiles must have shape ({len(answers)}, {len(plan.cell_shape)}), not {profiles.shape}"
        )
    return answers, profiles


def _as_bytes(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype != np.uint8 and values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(f"{name} must be bytes (0..255)")
    return np.ascontiguousarray(values, dtype=np.uint8)


def _tables(plan: CountPlan, accumulator: CountAccumulator, n_respondents: np.ndarray) -> CountTables:
    item_counts, sections = finish(plan, accumulator)
    return CountTables(
        plan.points,
        plan.cell_shape,
        n_respondents.astype(np.int64),
        item_counts,
        tuple(section.scores for section in sections),
        np.array([section.alpha_n for section in sections], np.int64),
        tuple(section.alpha_sums.astype(np.int64) for section in sections),
        tuple(section.alpha_cross.astype(np.int64) for section in sections),
    )
