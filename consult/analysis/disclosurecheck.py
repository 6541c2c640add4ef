"""A check of disclosure control: can released figures add up to the count of a set of 1..k-1 respondents?

The respondents are split into *atoms* (the cells of the full cross-classification, "not stated" included);
every figure counts a union of atoms. A set of atoms is derivable when its indicator vector is a linear
combination of the released figures' vectors; atoms known to be empty (in a derivable set of count 0) are
derivable one by one, since counts are never negative. Searching every such set is a small mixed-integer
program: binary atom choices w, free coefficients c, with c . figures = w and 1 <= counts . w <= k - 1. It
covers the total minus the shown groups of a breakdown, a margin minus the shown cells of its row, differences
of margins across tables and every longer chain, without listing them.

It does not rely on how the suppression was decided; the suppression itself (:mod:`consult.analysis.
disclosure`) calls it, in its faster form, once its rules are applied.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

COEFFICIENT_BOUND = 64.0
"""Largest coefficient of a figure in a derivation searched (they are small integers in practice).

The programs run with HiGHS presolve off: on some of them it crashes the process (scipy 1.17).
"""


@dataclass
class Suppression:
    """What a release hides: everything (fewer than k respondents), groups per dimension, cells per pair."""

    everything: bool = False
    groups: dict[int, set[int]] = field(default_factory=dict)
    cells: dict[tuple[int, int], set[tuple[int, int]]] = field(default_factory=dict)

    def group(self, dimension: int, option: int) -> bool:
        return self.everything or option in self.groups.get(dimension, set())

    def cell(self, pair: tuple[int, int], options: tuple[int, int]) -> bool:
        return self.everything or options in self.cells.get(pair, set())

    def hide(self, key: tuple) -> None:
        """Suppress the figure of ``key``: ("group", dimension, option) or ("cell", pair, options)."""
        if key[0] == "group":
            self.groups.setdefault(key[1], set()).add(key[2])
        elif key[0] == "cell":
            self.cells.setdefault(key[1], set()).add(key[2])


@dataclass(frozen=True)
class Figure:
    label: str
    atoms: tuple[int, ...]
    count: int | None
    """None when the figure is not released."""
    key: tuple = ("total",)


@dataclass(frozen=True)
class Release:
    atom_counts: tuple[int, ...]
    figures: tuple[Figure, ...]

    @property
    def released(self) -> tuple[Figure, ...]:
        return tuple(figure for figure in self.figures if figure.count is not None)


@dataclass(frozen=True)
class Violation:
    atoms: tuple[int, ...]
    count: int
    derivation: str
    used: tuple[Figure, ...]
    """The released figures the derivation adds or subtracts."""


def release_of(cell_counts: np.ndarray, suppression: Suppression) -> Release:
    """The figures of a results page: total, one-way groups and two-way cells (not stated excluded)."""
    index = np.indices(cell_counts.shape).reshape(cell_counts.ndim, -1)
    counts = cell_counts.ravel()
    figures = [_figure("total", np.ones(len(counts), bool), counts, suppression.everything, ("total",))]
    for d in range(cell_counts.ndim):
        for option in range(1, cell_counts.shape[d]):
            key = ("group", d, option)
            figures.append(
                _figure(f"{d}={option}", index[d] == option, counts, suppression.group(d, option), key)
            )
    for d1, d2 in itertools.combinations(range(cell_counts.ndim), 2):
        for o1, o2 in itertools.product(range(1, cell_counts.shape[d1]), range(1, cell_counts.shape[d2])):
            mask = (index[d1] == o1) & (index[d2] == o2)
            hidden = suppression.cell((d1, d2), (o1, o2))
            key = ("cell", (d1, d2), (o1, o2))
            figures.append(_figure(f"{d1}:{d2}={o1}:{o2}", mask, counts, hidden, key))
    return Release(tuple(int(n) for n in counts), tuple(figures))


def _figure(label: str, mask: np.ndarray, counts: np.ndarray, hidden: bool, key: tuple) -> Figure:
    count = None if hidden else int(counts[mask].sum())
    return Figure(label, tuple(np.flatnonzero(mask).tolist()), count, key)


def check_disclosure(release: Release, k: int, limit: int = 10, thorough: bool = True) -> list[Violation]:
    """Up to ``limit`` distinct sets of 1..k-1 respondents whose count the released figures give away.

    ``thorough=False`` takes as known-empty only the atoms of released figures of count 0, instead of every
    atom of a derivable empty set: faster, and what the suppression loop uses before the full check.
    """
    counts = np.array(release.atom_counts, np.int64)
    vectors = _vectors(release.released, len(counts))
    empty = _known_empty(vectors, counts) if thorough else _released_empty(release, len(counts))
    return _violations(release, vectors, empty, k, limit)


def first_violation(release: Release, k: int) -> Violation | None:
    """The first violation of the fast check, or else of the thorough one (``check_disclosure``).

    The thorough check runs only when it knows more empty atoms than the fast one: with the same ones it
    would solve the very program the fast check has just found without a solution.
    """
    counts = np.array(release.atom_counts, np.int64)
    vectors = _vectors(release.released, len(counts))
    released_empty = _released_empty(release, len(counts))
    found = _violations(release, vectors, released_empty, k, 1)
    if not found:
        known_empty = _known_empty(vectors, counts)
        if not np.array_equal(known_empty, released_empty):
            found = _violations(release, vectors, known_empty, k, 1)
    return found[0] if found else None


def _violations(
    release: Release, vectors: np.ndarray, empty: np.ndarray, k: int, limit: int
) -> list[Violation]:
    counts = np.array(release.atom_counts, np.int64)
    vectors = np.vstack([vectors, empty])
    violations: list[Violation] = []
    cuts: list[np.ndarray] = []
    while len(violations) < limit:
        found = _search(vectors, counts, (1, k - 1), cuts, allowed=counts < k)
        if found is None:
            break
        cuts.append(found[0] & (counts > 0))
        violations.append(_violation(*found, counts, release.released))
    return violations


def _violation(chosen: np.ndarray, coefficients: np.ndarray, counts: np.ndarray, released) -> Violation:
    coefficients = coefficients[: len(released)]
    used = tuple(figure for figure, c in zip(released, coefficients, strict=True) if abs(c) > 1e-7)
    atoms = tuple(np.flatnonzero(chosen).tolist())
    return Violation(atoms, int(counts[chosen].sum()), _derivation(coefficients, released), used)


def _vectors(figures: Sequence[Figure], n_atoms: int) -> np.ndarray:
    vectors = np.zeros((len(figures), n_atoms))
    for row, figure in enumerate(figures):
        vectors[row, list(figure.atoms)] = 1
    return vectors


def _released_empty(release: Release, n_atoms: int) -> np.ndarray:
    known = np.zeros(n_atoms, bool)
    for figure in release.released:
        if figure.count == 0:
            known[list(figure.atoms)] = True
    return np.eye(n_atoms)[known]


def _known_empty(vectors: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Unit vectors of the atoms that lie in a derivable set of count 0, found until no more appear."""
    known = np.zeros(len(counts), bool)
    while True:
        units = np.eye(len(counts))[known]
        empty = counts == 0
        found = _search(np.vstack([vectors, units]), counts, (0, 0), [], allowed=empty, reward=empty & ~known)
        if found is None or not (found[0] & ~known).any():
            return units
        known |= found[0]


def _search(
    vectors: np.ndarray,
    counts: np.ndarray,
    bounds: tuple[int, int],
    cuts: Sequence[np.ndarray],
    allowed: np.ndarray,
    reward: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """A derivable set of ``allowed`` atoms (a boolean mask) with a count within ``bounds``, and its
    coefficients. When the solver's coefficients cannot be made exact, the set is still returned (with them):
    a doubtful answer counts as a disclosure."""
    n_figures, n_atoms = vectors.shape
    if n_figures == 0 or n_atoms == 0:
        return None
    zeros = np.zeros(n_figures)
    objective = np.concatenate([zeros, -reward.astype(float) if reward is not None else np.zeros(n_atoms)])
    result = milp(
        objective,
        constraints=_constraints(vectors, counts, bounds, cuts),
        integrality=np.concatenate([np.zeros(n_figures), np.ones(n_atoms)]),
        bounds=Bounds(
            np.concatenate([np.full(n_figures, -COEFFICIENT_BOUND), np.zeros(n_atoms)]),
            np.concatenate([np.full(n_figures, COEFFICIENT_BOUND), allowed.astype(float)]),
        ),
        options={"presolve": False},
    )
    if result.x is None:
        return None
    chosen = result.x[n_figures:] > 0.5
    rounded = np.round(result.x[:n_figures])
    coefficients = _exact_coefficients(vectors, chosen, rounded)
    return chosen, rounded if coefficients is None else coefficients


def _constraints(
    vectors: np.ndarray, counts: np.ndarray, bounds: tuple[int, int], cuts: Sequence[np.ndarray]
) -> list[LinearConstraint]:
    """Coefficients . figures = chosen atoms; their count within bounds; none of the sets already found."""
    zeros = np.zeros(len(vectors))
    constraints = [
        LinearConstraint(np.hstack([vectors.T, -np.eye(len(counts))]), 0, 0),
        LinearConstraint(np.concatenate([zeros, counts]), *bounds),
    ]
    positive = counts > 0
    for people in cuts:
        row = np.concatenate([zeros, np.where(people, 1.0, np.where(positive, -1.0, 0.0))])
        constraints.append(LinearConstraint(row, -np.inf, people.sum() - 1))
    return constraints


def _exact_coefficients(vectors: np.ndarray, chosen: np.ndarray, rounded: np.ndarray) -> np.ndarray | None:
    """Coefficients giving exactly the chosen set, or None when the solver's answer was only approximate.

    A basic solution by elimination is preferred (it names only the figures needed); the solver's rounded
    coefficients are the fallback.
    """
    for coefficients in (_basic_solution(vectors, chosen.astype(float)), rounded):
        if coefficients is not None and np.abs(coefficients @ vectors - chosen).max(initial=0) < 1e-7:
            return coefficients
    return None


def _basic_solution(vectors: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Coefficients c with c @ vectors = target, by Gauss-Jordan elimination on the rows of ``vectors``.

    Element-wise numpy operations only: LAPACK's threaded solvers crawl on such small systems when the
    machine is busy.
    """
    n_rows, n_columns = vectors.shape
    work = np.hstack([vectors.astype(np.float64), np.eye(n_rows)])
    pivots: list[int] = []
    for column in range(n_columns):
        rank = len(pivots)
        if rank == n_rows:
            break
        best = rank + int(np.argmax(np.abs(work[rank:, column])))
        if abs(work[best, column]) < 1e-9:
            continue
        work[[rank, best]] = work[[best, rank]]
        work[rank] /= work[rank, column]
        factors = work[:, column].copy()
        factors[rank] = 0
        work -= np.multiply.outer(factors, work[rank])
        pivots.append(column)
    weights = target[pivots]
    return weights @ work[: len(pivots), n_columns:]


def _derivation(coefficients: np.ndarray, figures: Sequence[Figure]) -> str:
    terms = []
    for coefficient, figure in zip(coefficients, figures, strict=True):
        fraction = Fraction(float(coefficient)).limit_denominator(1000)
        if fraction:
            terms.append(f"{'+' if fraction > 0 else '-'} {abs(fraction)} x [{figure.label}]")
    return " ".join(terms) or "known to be empty"
