"""Cell weights from the staff headcounts (design.md, "Headcounts file"): pure functions over count tables.

A respondent is *placed* when every dimension they stated has a headcount for their option (an option absent
from the headcounts, like "prefer not to say", and "not stated" have none). Placed respondents share their
number according to the population; the others keep weight 1. So the weights have mean 1 over the placed
respondents and their total is the number of respondents.

* **Post-stratification** (headcounts of every cell): a placed cell h gets ``n_placed * N_h / N / n_h``.
* **Raking** (headcounts of margins only): iterative proportional fitting of the placed cells' weights until
  every dimension's weighted shares equal the staff's (within ``tolerance``).
* **Collapsing**: a cell with fewer than ``min_cell`` respondents (staff but nobody included), or with
  respondents but no staff, is pooled with the most similar group: the one sharing the most leading
  dimensions with it (school, then career stage...: the last dimension is pooled over first), and among those
  the one with the fewest respondents; the weakest group goes first, until none is weak (pooled cells share
  one weight). When raking, a category of a dimension with fewer than ``min_cell`` respondents is merged with
  the smallest other category.
* **Trimming**: weights are clipped to ``[low, high]`` times their mean, then scaled back to their total,
  until they stay within the bounds. Trimming trades a little bias for a smaller variance: trimmed weighted
  shares match the staff only approximately.

Weights are per cell: weighted counts are the count tables' counts times their cell's weight.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MIN_CELL = 5
"""Fewest respondents a weighting cell (or a raking category) may rest on before it is pooled."""
TRIM = (0.3, 3.0)
TOLERANCE = 1e-10
MAX_ITERATIONS = 1000


@dataclass(frozen=True)
class Population:
    """The staff numbers of a campaign, in the campaign's cell numbering (0 = not stated).

    ``cells``: tuple of 1-based options -> headcount (every dimension filled), or ``margins``: one mapping
    per dimension, 1-based option -> headcount. Exactly one of them is given.
    """

    cell_shape: tuple[int, ...]
    cells: Mapping[tuple[int, ...], int] | None = None
    margins: tuple[Mapping[int, int], ...] | None = None

    @property
    def method(self) -> str:
        return "post-stratification" if self.cells is not None else "raking"

    def margin(self, d: int) -> dict[int, int]:
        """Headcount per 1-based option of dimension ``d`` (only the options that have one)."""
        if self.margins is not None:
            return dict(self.margins[d])
        found: dict[int, int] = {}
        for options, headcount in self.cells.items():
            found[options[d]] = found.get(options[d], 0) + headcount
        return found

    def placed(self) -> np.ndarray:
        """Per cell (C order over ``cell_shape``): True when its respondents can be weighted."""
        grid = np.indices(self.cell_shape).reshape(len(self.cell_shape), -1).T
        if self.cells is not None:
            return np.array([tuple(int(o) for o in cell) in self.cells for cell in grid], bool)
        covered = [set(self.margin(d)) for d in range(len(self.cell_shape))]
        return np.array([all(int(o) in covered[d] for d, o in enumerate(cell)) for cell in grid], bool)

    def cell_headcounts(self) -> np.ndarray:
        """Headcount per cell (0 where none is known): post-stratification only."""
        grid = np.indices(self.cell_shape).reshape(len(self.cell_shape), -1).T
        return np.array([self.cells.get(tuple(int(o) for o in cell), 0) for cell in grid], np.float64)


@dataclass(frozen=True)
class Weights:
    """One weight per cell, and what the variance needs: the calibration groups of the placed cells."""

    method: str
    per_cell: np.ndarray
    design: np.ndarray
    """Cells x columns of 0/1: the groups the weights were calibrated to (cells of post-stratification, or
    categories of each raked dimension), plus one column for the respondents who are not placed."""
    converged: bool = True


def cell_weights(
    population: Population,
    respondents: np.ndarray,
    min_cell: int = MIN_CELL,
    trim: tuple[float, float] = TRIM,
) -> Weights | None:
    """Weights of every cell from its respondents (C order); None when no respondent can be placed."""
    placed = population.placed()
    n = np.asarray(respondents, np.float64).reshape(-1)
    if n[placed].sum() <= 0:
        return None
    if population.cells is not None:
        groups = collapse_cells(population.cell_shape, n, population.cell_headcounts(), placed, min_cell)
        weights = post_stratify(n, population.cell_headcounts(), groups)
        converged, design = True, _indicators(groups)
    else:
        categories = [
            merge_categories(population.margin(d), _margin(n * placed, population.cell_shape, d), min_cell)
            for d in range(len(population.cell_shape))
        ]
        labels = _category_labels(population.cell_shape, categories, placed)
        weights, converged = rake(n, labels, _targets(population, categories))
        design = np.hstack([_indicators(column) for column in labels.T])
    weights = trim_weights(weights, n, placed, trim)
    per_cell = np.where(placed, weights, 1.0)
    unplaced = (~placed).astype(np.float64)[:, None]
    return Weights(population.method, per_cell, np.hstack([design, unplaced]), converged)


def _margin(n: np.ndarray, shape: tuple[int, ...], d: int) -> np.ndarray:
    others = tuple(axis for axis in range(len(shape)) if axis != d)
    return n.reshape(shape).sum(axis=others)


def collapse_cells(
    shape: tuple[int, ...], n: np.ndarray, headcounts: np.ndarray, placed: np.ndarray, min_cell: int
) -> np.ndarray:
    """A group label per cell (-1 for cells not placed): weak groups pooled as the module says."""
    grid = np.indices(shape).reshape(len(shape), -1).T
    groups = [_Group([c], tuple(grid[c]), n[c], headcounts[c]) for c in np.flatnonzero(placed)]
    groups = [g for g in groups if g.n > 0 or g.staff > 0]
    while len(groups) > 1:
        weak = [g for g in groups if g.weak(min_cell)]
        if not weak:
            break
        smallest = min(weak, key=lambda g: (g.n, g.cells[0]))
        groups.remove(smallest)
        partner = max(groups, key=lambda g: (_common(g.prefix, smallest.prefix), -g.n, -g.cells[0]))
        partner.absorb(smallest)
    labels = np.full(len(n), -1)
    for number, group in enumerate(groups):
        labels[group.cells] = number
    return labels


@dataclass
class _Group:
    cells: list[int]
    prefix: tuple[int, ...]
    """The options its cells share, from the first dimension on."""
    n: float
    staff: float

    def weak(self, min_cell: int) -> bool:
        return self.n < min_cell or self.staff <= 0

    def absorb(self, other: _Group) -> None:
        self.cells = sorted(self.cells + other.cells)
        self.prefix = self.prefix[: _common(self.prefix, other.prefix)]
        self.n, self.staff = self.n + other.n, self.staff + other.staff


def _common(first: tuple[int, ...], second: tuple[int, ...]) -> int:
    """How many leading options two prefixes share."""
    shared = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        shared += 1
    return shared


def post_stratify(n: np.ndarray, headcounts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``n_placed * N_g / N / n_g`` for every cell of group g (0 where the group has no respondents)."""
    weights = np.zeros(len(n))
    placed = groups >= 0
    n_placed, staff = n[placed].sum(), headcounts[placed].sum()
    for g in np.unique(groups[placed]):
        members = groups == g
        if n[members].sum() > 0:
            weights[members] = n_placed * headcounts[members].sum() / staff / n[members].sum()
    return weights


def merge_categories(headcounts: Mapping[int, int], n: np.ndarray, min_cell: int) -> list[list[int]]:
    """A raked dimension's categories: its options with a headcount, a weak one merged with the smallest
    other category until each has at least ``min_cell`` respondents and staff (or one category is left)."""
    categories = [[option] for option in sorted(headcounts)]

    def size(category: list[int]) -> tuple[float, int]:
        return float(sum(n[o] for o in category)), sum(headcounts[o] for o in category)

    while len(categories) > 1:
        weak = [c for c in categories if size(c)[0] < min_cell or (size(c)[1] == 0 < size(c)[0])]
        if not weak:
            break
        smallest = min(weak, key=size)
        categories.remove(smallest)
        partner = min(categories, key=size)
        partner.extend(smallest)
    return categories


def _category_labels(
    shape: tuple[int, ...], categories: Sequence[list[list[int]]], placed: np.ndarray
) -> np.ndarray:
    """Cells x dimensions: the raking category of each placed cell on each dimension (-1 when not placed)."""
    grid = np.indices(shape).reshape(len(shape), -1).T
    lookup = [{o: i for i, category in enumerate(cats) for o in category} for cats in categories]
    labels = np.array([[lookup[d].get(int(o), -1) for d, o in enumerate(cell)] for cell in grid])
    labels[~placed] = -1
    return labels


def _targets(population: Population, categories: Sequence[list[list[int]]]) -> list[np.ndarray]:
    """Each dimension's staff shares per category."""
    shares = []
    for d, cats in enumerate(categories):
        margin = population.margin(d)
        counts = np.array([sum(margin[o] for o in category) for category in cats], np.float64)
        shares.append(counts / counts.sum())
    return shares


def rake(
    n: np.ndarray,
    labels: np.ndarray,
    shares: Sequence[np.ndarray],
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> tuple[np.ndarray, bool]:
    """Iterative proportional fitting: weights of the placed cells (label >= 0 on every dimension) whose
    weighted respondents split like ``shares`` on every dimension and total the placed respondents."""
    placed = (labels >= 0).all(axis=1)
    weights = placed.astype(np.float64)
    total = n[placed].sum()
    for _ in range(max_iterations):
        for d, target in enumerate(shares):
            weighted = np.bincount(labels[placed, d], (n * weights)[placed], len(target))
            factor = np.divide(target * total, weighted, out=np.zeros_like(target), where=weighted > 0)
            weights[placed] *= factor[labels[placed, d]]
        if _fitted(n * weights, labels, placed, shares, total, tolerance):
            return weights, True
    return weights, False


def _fitted(weighted, labels, placed, shares, total, tolerance) -> bool:
    for d, target in enumerate(shares):
        margin = np.bincount(labels[placed, d], weighted[placed], len(target))
        if np.abs(margin / total - target).max() > tolerance:
            return False
    return True


def trim_weights(
    weights: np.ndarray, n: np.ndarray, placed: np.ndarray, bounds: tuple[float, float]
) -> np.ndarray:
    """Clip to ``bounds`` times the mean weight of the placed respondents, rescale to their total, repeat."""
    low, high = bounds
    weights = weights.copy()
    inside = placed & (n > 0)
    total = (weights * n)[inside].sum()
    for _ in range(100):
        mean = total / n[inside].sum()
        clipped = np.clip(weights[inside], low * mean, high * mean)
        if np.allclose(clipped, weights[inside], rtol=1e-12, atol=0):
            break
        weights[inside] = clipped * total / (clipped * n[inside]).sum()
    return weights


def _indicators(labels: np.ndarray) -> np.ndarray:
    """Cells x groups 0/1 matrix from a label per cell (-1: in no group)."""
    groups = np.unique(labels[labels >= 0])
    return (labels[:, None] == groups[None, :]).astype(np.float64)


def combinations(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Every cell of every stated option, 1-based, in C order."""
    return list(itertools.product(*(range(1, size) for size in shape)))
