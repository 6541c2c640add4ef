"""Group figures of the results: one-way and two-way breakdowns of a section, from count tables only.

The tables are summed once per set of dimensions (:class:`DimensionMargins`); a group is then one index into
them. A breakdown lists its groups in option order ("not stated" is never a group); a suppressed group carries
only its code. A group's mean and favourable share pool its answers to the section's released items, as the
section's do. Tests use the unsuppressed groups that have respondents.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from consult.analysis.counts import CountTables
from consult.analysis.disclosure import campaign_hidden_groups, suppress_release
from consult.analysis.disclosurecheck import Suppression
from consult.analysis.ranktests import RankTest, rank_test
from consult.analysis.stats import favourable_chi2, two_proportion_test
from consult.analysis.workers import ordered_map
from consult.surveys.questionnaires.spec import Questionnaire


@dataclass
class DimensionMargins:
    """Count tables summed over every dimension but ``dimensions`` (kept as leading axes)."""

    tables: CountTables
    dimensions: tuple[int, ...]

    def _summed(self, array: np.ndarray) -> np.ndarray:
        shaped = array.reshape(*self.tables.cell_shape, *array.shape[1:])
        others = tuple(d for d in range(len(self.tables.cell_shape)) if d not in self.dimensions)
        return shaped.sum(axis=others)

    @cached_property
    def items(self) -> np.ndarray:
        return self._summed(self.tables.item_counts)

    @cached_property
    def scores(self) -> tuple[np.ndarray, ...]:
        return tuple(self._summed(scores) for scores in self.tables.score_counts)


@dataclass
class SectionView:
    """What the breakdowns of one section share: its items released at the total level and its suppression."""

    q: Questionnaire
    s: int
    released_items: np.ndarray
    suppression: Suppression
    liked: int
    answers: int

    items: slice = field(init=False)

    def __post_init__(self) -> None:
        self.items = self.q.section_slices()[self.s]

    def pooled(self, item_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Favourable answers, answers and the sum of the answers over the section's released items, from
        keyed item counts (groups x items x points + 2), for every group at once."""
        points = self.q.scale.points
        counts = item_counts[..., self.items, :][..., self.released_items, :].sum(axis=-2)
        favourable = [value for value in self.q.scale.favourable if 1 <= value <= points]
        answered = counts[..., 1 : points + 1]
        sums = answered @ np.arange(1, points + 1)
        return counts[..., favourable].sum(axis=-1), answered.sum(axis=-1), sums


@dataclass(frozen=True)
class GroupVsRest:
    """A one-way group's favourable share against the rest of the section's respondents, and the p of the
    pooled two-proportion test (None when undefined)."""

    dimension: int
    option: int
    favourable: float
    rest: float
    p: float | None


@dataclass
class Breakdown:
    """A breakdown's JSON, and what the export-wide adjustment and the rating need from it."""

    json: dict
    p: float | None = None
    equity: list[GroupVsRest] = field(default_factory=list)


class Breakdowns:
    def __init__(self, q: Questionnaire, tables: CountTables, k: int) -> None:
        self.q, self.tables, self.k = q, tables, k
        self._margins: dict[tuple[int, ...], DimensionMargins] = {}
        self._suppressions: dict[tuple, Suppression] = {}
        self.forced: dict[int, set[int]] = {}
        """Groups hidden in every section: one suppression decision for the whole campaign."""

    def margins(self, dimensions: tuple[int, ...]) -> DimensionMargins:
        if dimensions not in self._margins:
            self._margins[dimensions] = DimensionMargins(self.tables, dimensions)
        return self._margins[dimensions]

    def suppression(self, s: int) -> Suppression:
        """Suppression of section ``s`` from its respondents per cell; sections of equal counts share it."""
        return self.suppression_of(self._section_cells(s))

    def suppression_of(self, cells: np.ndarray) -> Suppression:
        """Suppression of a release of respondents per cell, shared by every release of the same counts."""
        key = self._release_key(cells)
        if key not in self._suppressions:
            self._suppressions[key] = suppress_release(cells, self.k, self.forced)
        return self._suppressions[key]

    def _release_key(self, cells: np.ndarray) -> tuple:
        return cells.tobytes(), tuple(sorted((d, tuple(sorted(o))) for d, o in self.forced.items()))

    def _section_cells(self, s: int) -> np.ndarray:
        return self.tables.score_counts[s].sum(axis=1).reshape(self.tables.cell_shape)

    def audit_together(self, sections: Sequence[int]) -> None:
        """The suppressions of ``sections`` not known yet, their audits spread over the worker processes
        (each is a pure function of its counts, k and the forced groups: the same as one by one)."""
        missing: dict[tuple, np.ndarray] = {}
        for s in sections:
            cells = self._section_cells(s)
            key = self._release_key(cells)
            if key not in self._suppressions:
                missing.setdefault(key, cells)
        audit = partial(suppress_release, k=self.k, forced=self.forced)
        self._suppressions.update(zip(missing, ordered_map(audit, missing.values()), strict=True))

    def settle(self, sections: Sequence[int], carried: Mapping[int, set[int]]) -> dict[int, set[int]]:
        """The campaign's one suppression of groups: those the participation figures hide, those hidden by
        an earlier release (``carried``), and any group a section hides, hidden in every section, until no
        section hides one more (each addition only hides more, so this ends)."""
        respondents = self.tables.n_respondents.reshape(self.tables.cell_shape)
        forced = campaign_hidden_groups(respondents, self.k)
        for d, options in carried.items():
            forced.setdefault(d, set()).update(options)
        while True:
            self.forced = {d: set(options) for d, options in forced.items()}
            self.audit_together(sections)
            found = {d: set(o) for d, o in forced.items()}
            for s in sections:
                for d, options in self.suppression(s).groups.items():
                    found.setdefault(d, set()).update(options)
            if found == forced:
                return forced
            forced = found

    def all(self, section: SectionView) -> dict[str, Breakdown]:
        dimensions = range(len(self.q.dimensions))
        keys = [(d,) for d in dimensions] + list(itertools.combinations(dimensions, 2))
        return {self._key(key): self.breakdown(section, key) for key in keys}

    def _key(self, dimensions: tuple[int, ...]) -> str:
        return ":".join(self.q.dimensions[d].code for d in dimensions)

    def breakdown(self, section: SectionView, dimensions: tuple[int, ...]) -> Breakdown:
        """Groups in option order; tests on the unsuppressed groups that have respondents.

        The rank tests run on the respondents' section scores (which may include a suppressed item's
        answers): that is safe because only their statistic, p and effect size are released, over groups of
        at least k respondents, and no count or sum can be recovered from them.
        """
        margins = self.margins(dimensions)
        scores = margins.scores[section.s]
        respondents = scores.sum(axis=-1)
        liked, answers, sums = section.pooled(margins.items)
        options = [range(1, len(self.q.dimensions[d].options) + 1) for d in dimensions]
        groups, tested, pooled, equity = [], [], [], []
        for group in itertools.product(*options):
            code = self._code(dimensions, group)
            if self._hidden(section.suppression, dimensions, group):
                groups.append({"code": code, "suppressed": True})
                continue
            n, counts = int(respondents[group]), (int(liked[group]), int(answers[group]))
            groups.append(_group_json(code, n, int(sums[group]), *counts))
            if n > 0:
                tested.append(scores[group])
                pooled.append(counts)
            if len(dimensions) == 1 and 0 < counts[1] < section.answers:
                equity.append(_versus_rest(dimensions[0], group[0], *counts, section))
        test = rank_test(tested)
        json = {"groups": groups, "test": _test_json(test), "chi2": _chi2_json(pooled)}
        return Breakdown(json, test.p if test else None, equity)

    def _code(self, dimensions: tuple[int, ...], group: tuple[int, ...]) -> str:
        options = (self.q.dimensions[d].options[o - 1] for d, o in zip(dimensions, group, strict=True))
        return ":".join(option.code for option in options)

    @staticmethod
    def _hidden(suppression: Suppression, dimensions: tuple[int, ...], combination: tuple[int, ...]) -> bool:
        if len(dimensions) == 1:
            return suppression.group(dimensions[0], combination[0])
        return suppression.cell(dimensions, combination)


def _group_json(code: str, n: int, total: int, liked: int, answers: int) -> dict:
    """A group's figures; its mean and favourable share pool its answers (``total`` is their sum)."""
    return {
        "code": code,
        "n": n,
        "mean": total / answers if answers else None,
        "favourable": liked / answers if answers else None,
        "suppressed": False,
    }


def _versus_rest(dimension: int, option: int, liked: int, answers: int, section: SectionView) -> GroupVsRest:
    rest_liked, rest_answers = section.liked - liked, section.answers - answers
    test = two_proportion_test(liked, answers, rest_liked, rest_answers)
    return GroupVsRest(
        dimension, option, liked / answers, rest_liked / rest_answers, test[1] if test else None
    )


def _test_json(test: RankTest | None) -> dict | None:
    if test is None:
        return None
    return {
        "name": test.name,
        "statistic": test.statistic,
        "p": test.p,
        "p_adjusted": None,
        "effect_size": test.effect_size,
    }


def _chi2_json(pooled: list[tuple[int, int]]) -> dict | None:
    """Favourable answers against group, over the tested groups that have answers."""
    chi2 = favourable_chi2([entry for entry in pooled if entry[1] > 0])
    return None if chi2 is None else {"statistic": chi2.statistic, "p": chi2.p, "cramers_v": chi2.cramers_v}
