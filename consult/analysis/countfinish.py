"""From summed bins to count tables: decode patterns, pairs and score keys, then apply reverse-keying."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from consult.analysis.countchunk import CountAccumulator
from consult.analysis.countplan import CountPlan, score_grid


@dataclass(frozen=True)
class SectionTables:
    scores: np.ndarray
    alpha_n: int
    alpha_sums: np.ndarray
    alpha_cross: np.ndarray


@dataclass(frozen=True, eq=False)
class Patterns:
    """What each answer pattern of a section means; patterns are numbered in C order of the item codes."""

    keyed: np.ndarray
    complete: np.ndarray
    positions: np.ndarray
    """Score grid position of each pattern, -1 for no answer."""


@cache
def patterns(size: int, points: int, reverse: tuple[bool, ...]) -> Patterns:
    codes = np.indices((points + 2,) * size).reshape(size, -1).T if size else np.zeros((1, 0), np.int64)
    answered = codes >= 2
    keyed = np.where(reverse, points + 2 - codes, codes - 1) * answered
    counts = answered.sum(axis=1)
    positions = score_grid(size, points).positions(counts, keyed.sum(axis=1))
    return Patterns(keyed, (counts == size) & (size > 0), positions)


def _collapse(block: np.ndarray, positions: np.ndarray, width: int) -> np.ndarray:
    """out[cell, j] = sum of block[cell, c] over the columns c at position j (-1: none)."""
    order = np.argsort(positions, kind="stable")
    order = order[positions[order] >= 0]
    out = np.zeros((block.shape[0], width), np.int64)
    if len(order):
        sorted_positions = positions[order]
        starts = np.flatnonzero(np.diff(sorted_positions, prepend=-1))
        out[:, sorted_positions[starts]] = np.add.reduceat(block[:, order], starts, axis=1)
    return out


def finish(plan: CountPlan, accumulator: CountAccumulator) -> tuple[np.ndarray, tuple[SectionTables, ...]]:
    """Item counts (cells x items x points + 2, keyed) and the tables of each section."""
    raw_items = np.zeros((plan.n_cells, plan.n_items, plan.codes), np.int64)
    _pair_items(plan, accumulator.bins, raw_items)
    sections = []
    for s in range(len(plan.section_sizes)):
        if plan.patterned[s]:
            sections.append(_patterned_section(plan, s, accumulator.bins, raw_items))
        else:
            sections.append(_split_section(plan, s, accumulator))
    return np.take_along_axis(raw_items, _keyed_order(plan)[None], axis=2), tuple(sections)


def _keyed_order(plan: CountPlan) -> np.ndarray:
    """For each item, the code stored at each keyed value: no answer, keyed points 1..k, don't know."""
    forward = np.array([1, *range(2, plan.points + 2), 0])
    backward = np.array([1, *range(plan.points + 1, 1, -1), 0])
    return np.where(plan.reverse[:, None], backward, forward).astype(np.intp)


def _pair_items(plan: CountPlan, bins: np.ndarray, raw_items: np.ndarray) -> None:
    for pair in range(plan.n_pairs):
        counts = plan.block(bins, plan.layout.first_pair + pair).reshape(plan.n_cells, plan.codes, plan.codes)
        for item, half in zip(
            plan.split_items[2 * pair : 2 * pair + 2], (counts.sum(axis=2), counts.sum(axis=1)), strict=True
        ):
            if item < plan.n_items:
                raw_items[:, item] = half


def _patterned_section(plan: CountPlan, s: int, bins: np.ndarray, raw_items: np.ndarray) -> SectionTables:
    size, start = plan.section_sizes[s], plan.section_starts[s]
    meaning = patterns(size, plan.points, tuple(plan.reverse[plan.section_items(s)].tolist()))
    row = plan.layout.pattern_rows.get(s)
    block = plan.block(bins, row) if row is not None else np.zeros((plan.n_cells, 1), np.int64)
    shaped = block.reshape(plan.n_cells, *(plan.codes,) * size)
    for j in range(size):
        raw_items[:, start + j] = shaped.sum(axis=tuple(a for a in range(1, size + 1) if a != j + 1))
    weights = block[:, meaning.complete].sum(axis=0)
    values = meaning.keyed[meaning.complete]
    return SectionTables(
        _collapse(block, meaning.positions, len(plan.grids[s])),
        int(weights.sum()),
        weights @ values,
        values.T @ (weights[:, None] * values),
    )


def _split_section(plan: CountPlan, s: int, accumulator: CountAccumulator) -> SectionTables:
    k = plan.split_sections.index(s)
    size, grid, base = plan.section_sizes[s], plan.grids[s], plan.score_base
    block = plan.block(accumulator.bins, plan.layout.key_rows[s])
    counts, totals = np.divmod(np.arange(block.shape[1]), base)
    start = accumulator.split_bounds[k][0]
    return SectionTables(
        _collapse(block, grid.positions(counts, totals), len(grid)),
        int(block[:, size * base :].sum()),
        accumulator.item_sums[start : start + size].copy(),
        _cross_matrix(accumulator.cross[:, start : start + size], size),
    )


def _cross_matrix(diagonals: np.ndarray, size: int) -> np.ndarray:
    matrix = np.zeros((size, size), np.int64)
    for d in range(size):
        rows = np.arange(size - d)
        matrix[rows, rows + d] = matrix[rows + d, rows] = diagonals[d, : size - d]
    return matrix
