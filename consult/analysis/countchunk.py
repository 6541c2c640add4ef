"""The counting of one chunk of respondents (see :mod:`consult.analysis.countplan` for the layout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from consult.analysis.countplan import CountPlan


class CountAccumulator:
    """Running sums of one build (the bincount bins and the split sections' alpha sums) and work buffers.

    Every chunk is transposed (items x respondents) so that per-item work runs on contiguous memory.
    """

    def __init__(self, plan: CountPlan) -> None:
        self.plan = plan
        code = plan.code_dtype
        self.bins = np.zeros(plan.layout.offsets[-1], np.int64)
        sizes = [plan.section_sizes[s] for s in plan.split_sections]
        self.split_bounds = tuple(zip(np.cumsum([0, *sizes])[:-1].tolist(), sizes, strict=True))
        self._complete_at = (np.array(sizes, np.int64) * plan.score_base).astype(code)[:, None]
        self._split_reverse = np.flatnonzero(plan.reverse[plan.split_items[: sum(sizes)]])
        self.item_sums = np.zeros(sum(sizes), np.int64)
        self.cross = np.zeros((max(sizes, default=0), sum(sizes)), np.int64)
        """``cross[d, i]``: sum of the products of split items i and i + d of one section; d = 0: squares."""
        self._rows = -1

    def merge(self, other: CountAccumulator) -> CountAccumulator:
        """Add the sums of ``other`` (respondents of another part) into this one."""
        self.bins += other.bins
        self.item_sums += other.item_sums
        self.cross += other.cross
        return self

    def add(self, answers: np.ndarray, cells: np.ndarray) -> None:
        rows, plan = len(answers), self.plan
        if rows == 0:
            return
        self._ensure_buffers(rows)
        v = self._v[:, :rows]
        np.add(answers.T, np.uint8(1), out=v[: plan.n_items])
        self._check_values(v[: plan.n_items])
        codes = self._codes[:, :rows]
        patterned = self._pattern_codes(v, codes)
        if plan.split_sections:
            self._split_codes(v, codes[patterned:])
        self._count_rows(codes, cells)

    def _count_rows(self, codes: np.ndarray, cells: np.ndarray) -> None:
        """One bincount per index row, into the row's own block: small outputs that stay in cache."""
        layout, index = self.plan.layout, self._index[: len(cells)]
        scaled = {width: cells * width for width in set(layout.widths)}
        for row, width in enumerate(layout.widths):
            np.add(codes[row], scaled[width], out=index)
            block = self.bins[layout.offsets[row] : layout.offsets[row + 1]]
            block += np.bincount(index, minlength=len(block))

    def _ensure_buffers(self, rows: int) -> None:
        if rows <= self._rows:
            return
        plan, split = self.plan, len(self.plan.split_items)
        self._rows = rows
        self._v = np.ones((plan.n_items + 1, rows), np.uint8)
        self._codes = np.empty((plan.index_rows, rows), plan.code_dtype)
        self._index = np.empty(rows, np.intp)
        self._raw = np.empty((split, rows), np.uint8)
        self._work = np.empty((split, rows), np.uint8)
        self._answered = np.empty((split, rows), np.uint8)
        self._keyed_values = np.empty((split, rows), np.uint8)
        self._combined = np.empty((split, rows), self._combined_dtype())
        self._products = np.empty((split, rows), np.uint8 if plan.points**2 < 2**8 else np.uint16)

    def _combined_dtype(self) -> type[np.unsignedinteger]:
        return np.uint8 if self.plan.score_base + self.plan.points < 2**8 else self.plan.code_dtype

    def _check_values(self, v: np.ndarray) -> None:
        if not len(v):
            return
        too_high = v.max(axis=1) > self.plan.points + 1
        if too_high.any():
            item = int(np.argmax(too_high))
            raise ValueError(f"item {item + 1} has an answer outside the scale 1..{self.plan.points}")

    def _pattern_codes(self, v: np.ndarray, out: np.ndarray) -> int:
        """Write each patterned section's code: its items' v as the digits of a base-``codes`` number."""
        row, base = 0, self.plan.code_dtype(self.plan.codes)
        for run in self.plan.pattern_runs:
            digits = v[run.first_item : run.first_item + run.sections * run.size].reshape(
                run.sections, run.size, -1
            )
            target = out[row : row + run.sections]
            np.copyto(target, digits[:, 0])
            for j in range(1, run.size):
                target *= base
                target += digits[:, j]
            row += run.sections
        return row

    def _split_codes(self, v: np.ndarray, out: np.ndarray) -> None:
        """Write the pair codes and the score keys of the split sections; add their alpha sums."""
        plan, rows = self.plan, v.shape[1]
        split = np.take(v, plan.split_items, axis=0, out=self._raw[:, :rows], mode="clip")
        pairs = out[: plan.n_pairs]
        np.multiply(split[0::2], plan.codes, out=pairs, dtype=pairs.dtype)
        pairs += split[1::2]
        answered, keyed = self._keyed(split[: len(self.item_sums)])
        keys = out[plan.n_pairs :]
        self._section_keys(answered, keyed, keys)
        self._alpha(keyed, keys >= self._complete_at)

    def _keyed(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows, points = v.shape[1], self.plan.points
        answered = self._answered[: len(v), :rows]
        np.less(np.subtract(v, np.uint8(2), out=self._work[: len(v), :rows]), points, out=answered.view(bool))
        raw = np.subtract(v, np.uint8(1), out=self._work[: len(v), :rows])
        keyed = np.multiply(raw, answered, out=self._keyed_values[: len(v), :rows])
        for item in self._split_reverse:
            np.subtract(answered[item] * np.uint8(points + 1), keyed[item], out=keyed[item])
        return answered, keyed

    def _section_keys(self, answered: np.ndarray, keyed: np.ndarray, out: np.ndarray) -> None:
        """Each respondent's answer count * score_base + keyed sum, per split section."""
        combined = self._combined[: len(keyed), : keyed.shape[1]]
        np.multiply(answered, self.plan.score_base, out=combined, dtype=combined.dtype)
        combined += keyed
        for s, (start, size) in enumerate(self.split_bounds):
            combined[start : start + size].sum(axis=0, dtype=out.dtype, out=out[s])

    def _alpha(self, keyed: np.ndarray, complete: np.ndarray) -> None:
        """Sums over the respondents who answered every item of a section: items, squares and products."""
        sizes = [size for _, size in self.split_bounds]
        values = keyed * np.repeat(complete.view(np.uint8), sizes, axis=0)
        self.item_sums += values.sum(axis=1, dtype=np.uint32)
        for d in range(len(self.cross)):
            for start, size in self.split_bounds:
                if size > d:
                    self._add_products(values, start, start + size - d, d)

    def _add_products(self, values: np.ndarray, low: int, high: int, d: int) -> None:
        products = self._products[: high - low, : values.shape[1]]
        np.multiply(values[low:high], values[low + d : high + d], out=products, dtype=products.dtype)
        self.cross[d, low:high] += products.sum(axis=1, dtype=np.uint32)
