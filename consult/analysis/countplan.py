"""How :func:`consult.analysis.counts.build_counts` counts: np.bincount over a few codes per respondent.

Every item is coded v = raw + 1 in uint8 arithmetic (don't know 255 wraps to 0, no answer is 1, scale point
x is x + 1). Each respondent then contributes one code per *index row*:

* per *patterned* section (a small one): the pattern of its items' codes, read as a base-(k + 2) number. The
  pattern counts give the section's item counts, score counts and alpha sums exactly.
* for the items of the other (*split*) sections: one code per pair of consecutive items (which halves the
  elements to count), and per split section its (answer count, keyed sum) score key; their alpha sums are
  added up chunk by chunk.

Row r counts ``cell * widths[r] + code`` into its own block of bins, one np.bincount per row and chunk: the
outputs are small enough to stay in cache. Reverse-keying and the decoding of patterns, pairs and keys are
applied to the summed tables, never to the respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from consult.surveys.questionnaires.spec import Questionnaire

PATTERN_BINS = 2**18
"""A section is patterned when its patterns over all cells fit in this many bins (2 MB of counts)."""


@dataclass(frozen=True)
class ScoreGrid:
    """The possible section scores, sorted and distinct: numerators[j] / denominators[j].

    ``index[count * base + total]`` is the grid position of the score total / count, -1 where impossible.
    """

    numerators: np.ndarray
    denominators: np.ndarray
    base: int
    index: np.ndarray

    @property
    def values(self) -> np.ndarray:
        return self.numerators / self.denominators

    def __len__(self) -> int:
        return len(self.numerators)

    def positions(self, counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
        """Grid positions of the scores totals / counts; -1 where there is none (count 0 or impossible)."""
        inside = (counts >= 1) & (totals >= 0) & (totals < self.base) & (counts * self.base < len(self.index))
        positions = np.full(np.shape(counts), -1, np.int64)
        positions[inside] = self.index[counts[inside] * self.base + totals[inside]]
        return positions


@cache
def score_grid(n_items: int, points: int) -> ScoreGrid:
    """Every mean of 1..n_items answers on a 1..points scale, as reduced fractions sorted by value."""
    base = points * n_items + 1
    counts = np.concatenate([np.full(points * c - c + 1, c) for c in range(1, n_items + 1)] or [[]])
    totals = np.concatenate([np.arange(c, points * c + 1) for c in range(1, n_items + 1)] or [[]])
    counts, totals = counts.astype(np.int64), totals.astype(np.int64)
    divisor = np.gcd(counts, totals)
    reduced = np.stack([totals // divisor, counts // divisor], axis=1).reshape(-1, 2)
    unique, position = np.unique(reduced, axis=0, return_inverse=True)
    order = np.argsort(unique[:, 0] / np.maximum(unique[:, 1], 1), kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    index = np.full((n_items + 1) * base, -1, np.int64)
    index[counts * base + totals] = rank[position.ravel()]
    return ScoreGrid(unique[order, 0].copy(), unique[order, 1].copy(), base, index)


@dataclass(frozen=True)
class PatternRun:
    """Consecutive patterned sections of equal size: their codes are computed together."""

    first_section: int
    sections: int
    size: int
    first_item: int


@dataclass(frozen=True)
class Layout:
    """The index rows of a chunk (one index per respondent each) and their blocks of bins.

    Rows are: the non-empty patterned sections (in order), the pairs, then the split sections' score keys.
    Row r counts ``cell * widths[r] + code`` in its block ``bins[offsets[r] : offsets[r + 1]]``.
    """

    widths: tuple[int, ...]
    offsets: tuple[int, ...]
    pattern_rows: dict[int, int]
    first_pair: int
    key_rows: dict[int, int]


@dataclass(frozen=True, eq=False)
class CountPlan:
    points: int
    cell_shape: tuple[int, ...]
    reverse: np.ndarray
    section_starts: tuple[int, ...]
    section_sizes: tuple[int, ...]

    @classmethod
    def of(cls, q: Questionnaire) -> CountPlan:
        sizes = tuple(len(section.items) for section in q.sections)
        return cls(
            q.scale.points,
            tuple(len(dimension.options) + 1 for dimension in q.dimensions),
            np.array([item.reverse for item in q.items], dtype=bool),
            tuple(int(start) for start in np.cumsum((0, *sizes))[:-1]),
            sizes,
        )

    @property
    def codes(self) -> int:
        return self.points + 2

    @property
    def n_items(self) -> int:
        return len(self.reverse)

    @cached_property
    def n_cells(self) -> int:
        return int(np.prod(self.cell_shape, dtype=np.int64))

    @cached_property
    def grids(self) -> tuple[ScoreGrid, ...]:
        return tuple(score_grid(size, self.points) for size in self.section_sizes)

    @cached_property
    def patterned(self) -> tuple[bool, ...]:
        return tuple(self.codes**size * self.n_cells <= PATTERN_BINS for size in self.section_sizes)

    @cached_property
    def pattern_runs(self) -> tuple[PatternRun, ...]:
        runs: list[PatternRun] = []
        for s, size in enumerate(self.section_sizes):
            if not self.patterned[s] or size == 0:
                continue
            last = runs[-1] if runs else None
            if last and last.size == size and last.first_section + last.sections == s:
                runs[-1] = PatternRun(last.first_section, last.sections + 1, size, last.first_item)
            else:
                runs.append(PatternRun(s, 1, size, self.section_starts[s]))
        return tuple(runs)

    @cached_property
    def split_sections(self) -> tuple[int, ...]:
        return tuple(s for s, patterned in enumerate(self.patterned) if not patterned)

    def section_items(self, s: int) -> range:
        return range(self.section_starts[s], self.section_starts[s] + self.section_sizes[s])

    @cached_property
    def split_items(self) -> np.ndarray:
        """The items of the split sections, padded to an even number with the index of a no-answer row."""
        items = [i for s in self.split_sections for i in self.section_items(s)]
        return np.array(items + [self.n_items] * (len(items) % 2), np.intp)

    @property
    def n_pairs(self) -> int:
        return len(self.split_items) // 2

    @cached_property
    def score_base(self) -> int:
        """Multiplier of the answer count in a score key: above any keyed sum of any split section."""
        return self.points * max((self.section_sizes[s] for s in self.split_sections), default=0) + 1

    @cached_property
    def layout(self) -> Layout:
        patterned = [
            s for run in self.pattern_runs for s in range(run.first_section, run.first_section + run.sections)
        ]
        widths = [self.codes ** self.section_sizes[s] for s in patterned]
        widths += [self.codes**2] * self.n_pairs
        widths += [(self.section_sizes[s] + 1) * self.score_base for s in self.split_sections]
        offsets = np.cumsum([0, *(width * self.n_cells for width in widths)]).tolist()
        first_key = len(patterned) + self.n_pairs
        return Layout(
            tuple(widths),
            tuple(offsets),
            {s: row for row, s in enumerate(patterned)},
            len(patterned),
            {s: first_key + k for k, s in enumerate(self.split_sections)},
        )

    def block(self, bins: np.ndarray, row: int) -> np.ndarray:
        """The bins of index row ``row`` as a cells x width table."""
        start, stop = self.layout.offsets[row], self.layout.offsets[row + 1]
        return bins[start:stop].reshape(self.n_cells, self.layout.widths[row])

    @property
    def index_rows(self) -> int:
        return len(self.layout.widths)

    @property
    def code_dtype(self) -> type[np.unsignedinteger]:
        return np.uint16 if max(self.layout.widths, default=0) < 2**16 else np.uint32

    @property
    def exact_rows(self) -> int:
        """Most respondents per chunk for which the uint32 sums of answer products cannot overflow."""
        return 2**32 // (self.points**2 + 1)

    def cell_index(self, profiles: np.ndarray) -> np.ndarray:
        if not self.cell_shape:
            return np.zeros(len(profiles), np.intp)
        for d, size in enumerate(self.cell_shape):
            if len(profiles) and profiles[:, d].max() >= size:
                raise ValueError(f"dimension {d + 1} has a value beyond its {size - 1} options")
        cells = profiles[:, 0].astype(np.intp)
        for d in range(1, len(self.cell_shape)):
            cells *= self.cell_shape[d]
            cells += profiles[:, d]
        return cells
