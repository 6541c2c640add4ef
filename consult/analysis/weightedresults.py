"""The weighted side of the results JSON (design.md, "Results"): added beside the unweighted figures when a
campaign has headcounts. Pure module.

Sections, items and unsuppressed groups gain ``weighted``; one-way breakdowns gain ``rates`` (respondents
over headcount per option, None where the campaign hides the group or no headcount exists); the campaign gains
``weighting``: the method, the overall rate, the thin groups and the goodness-of-fit per dimension. Which
figures are released still depends only on the unweighted counts: a figure is weighted only where its
unweighted twin is shown, and rates only for groups the campaign shows. Rank tests stay unweighted.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from consult.analysis.counts import CountTables
from consult.analysis.disclosure import suppress_release
from consult.analysis.representation import goodness_of_fit, overall_rate, rates
from consult.analysis.stats import group_mask
from consult.analysis.weighted import WeightedFigures, figures
from consult.analysis.weighting import MIN_CELL, TRIM, Population, Weights, cell_weights
from consult.surveys.questionnaires.spec import Questionnaire


def population_of(q: Questionnaire, info: Mapping[str, Any], cell_shape: tuple[int, ...]) -> Population:
    """The stored headcounts (codes) in the campaign's cell numbering (1-based options)."""
    index = [{o.code: i for i, o in enumerate(d.options, start=1)} for d in q.dimensions]
    codes = [d.code for d in q.dimensions]
    if info["method"] == "cells":
        cells = {
            tuple(index[d][row["options"][code]] for d, code in enumerate(codes)): int(row["headcount"])
            for row in info["rows"]
        }
        return Population(cell_shape, cells=cells)
    margins: list[dict[int, int]] = [{} for _ in codes]
    for row in info["rows"]:
        for d, code in enumerate(codes):
            if code in row["options"]:
                margins[d][index[d][row["options"][code]]] = int(row["headcount"])
    return Population(cell_shape, margins=tuple(margins))


class Weighting:
    """Weights of one campaign's tables and the weighted figures of any set of cells."""

    def __init__(self, q: Questionnaire, tables: CountTables, info: Mapping[str, Any]) -> None:
        self.q, self.tables = q, tables
        self.population = population_of(q, info, tables.cell_shape)
        trim = tuple(info.get("trim") or TRIM)
        self.weights: Weights | None = cell_weights(self.population, tables.n_respondents, MIN_CELL, trim)
        self.trim = trim
        self.rating_basis = info.get("rating_basis") or "weighted"
        self.points = slice(1, q.scale.points + 1)

    def _figures(self, counts: np.ndarray, units: np.ndarray, mask: np.ndarray | None) -> dict | None:
        w = self.weights
        if mask is not None:
            counts, units = counts[mask], units[mask]
        weights = w.per_cell if mask is None else w.per_cell[mask]
        design = w.design if mask is None else w.design[mask]
        found: WeightedFigures | None = figures(counts, self.q.scale.favourable, weights, design, units)
        return None if found is None else found.json()

    def item(self, i: int) -> dict | None:
        counts = self.tables.item_counts[:, i, self.points]
        return self._figures(counts, counts.sum(axis=1), None)

    def section(self, s: int, released: np.ndarray, mask: np.ndarray | None = None) -> dict | None:
        counts = self.tables.item_counts[:, self.q.section_slices()[s], self.points][:, released].sum(axis=1)
        return self._figures(counts, self.tables.score_counts[s].sum(axis=1), mask)

    def add_to(self, section: dict, s: int) -> None:
        """``weighted`` on a released section, its released items and its shown groups."""
        if self.weights is None or section.get("suppressed"):
            return
        first = self.q.section_slices()[s].start
        released = np.array([not item.get("suppressed") for item in section["items"]], bool)
        for i, item in enumerate(section["items"]):
            if not item.get("suppressed"):
                item["weighted"] = self.item(first + i)
        section["weighted"] = self.section(s, released) if released.any() else None
        for key, breakdown in section["breakdowns"].items():
            dimensions = self._dimensions(key)
            for group in breakdown["groups"]:
                if not group.get("suppressed"):
                    mask = group_mask(self.tables.cell_shape, self._options(dimensions, group["code"]))
                    group["weighted"] = self.section(s, released, mask) if released.any() else None

    def _dimensions(self, key: str) -> list[int]:
        codes = [d.code for d in self.q.dimensions]
        return [codes.index(code) for code in key.split(":")]

    def _options(self, dimensions: list[int], code: str) -> dict[int, int]:
        options = {}
        for d, option in zip(dimensions, code.split(":"), strict=True):
            options[d] = [o.code for o in self.q.dimensions[d].options].index(option) + 1
        return options


def respondents_table(tables: CountTables) -> np.ndarray:
    return tables.n_respondents.reshape(tables.cell_shape)


def one_way_rates(weighting: Weighting, hidden: Mapping[int, set[int]], k: int) -> dict[str, dict]:
    """Per dimension code: option code -> rate (None where hidden or without headcount), flagged options."""
    table = respondents_table(weighting.tables)
    total = int(table.sum())
    staff = weighting.population
    overall = _overall(weighting, total)
    found = {}
    for d, dimension in enumerate(weighting.q.dimensions):
        margin = staff.margin(d)
        counts = table.sum(axis=tuple(a for a in range(table.ndim) if a != d))
        entries = {r.options[0]: r for r in rates(counts, {(o,): n for o, n in margin.items()}, overall)}
        shown = {o: entries[o] for o in entries if o not in hidden.get(d, set()) and total >= k}
        found[dimension.code] = {
            "rates": {
                option.code: shown[o].rate if o in shown else None
                for o, option in enumerate(dimension.options, start=1)
            },
            "flagged": [dimension.options[o - 1].code for o, r in shown.items() if r.flagged],
            "fit": _fit(counts, margin, shown),
        }
    return found


def _overall(weighting: Weighting, total: int) -> float | None:
    staff = weighting.population
    headcount = sum(staff.cells.values()) if staff.cells is not None else sum(staff.margin(0).values())
    return overall_rate(total, headcount)


def _fit(counts: np.ndarray, margin: Mapping[int, int], shown: Mapping[int, Any]) -> dict | None:
    fit = goodness_of_fit({o: int(counts[o]) for o in shown}, margin)
    if fit is None:
        return None
    return {"statistic": fit.statistic, "p": fit.p, "over": fit.over, "under": fit.under}


def two_way_rates(
    weighting: Weighting, hidden: Mapping[int, set[int]], k: int, suppress=None
) -> dict[str, dict]:
    """With cell headcounts: rates of every pair of dimensions, suppressed as the results suppress cells
    (``suppress``: respondents per cell -> Suppression, the results' own when given, so that a section
    everyone answered shares it)."""
    staff = weighting.population
    if staff.cells is None or len(weighting.q.dimensions) < 2:
        return {}
    table = respondents_table(weighting.tables)
    forced = {d: set(o) for d, o in hidden.items()}
    suppression = suppress(table) if suppress else suppress_release(table, k, forced)
    overall = _overall(weighting, int(table.sum()))
    found = {}
    for pair in itertools.combinations(range(table.ndim), 2):
        counts = table.sum(axis=tuple(a for a in range(table.ndim) if a not in pair))
        headcounts: dict[tuple[int, int], int] = {}
        for options, n in staff.cells.items():
            key = (options[pair[0]], options[pair[1]])
            headcounts[key] = headcounts.get(key, 0) + n
        key = ":".join(weighting.q.dimensions[d].code for d in pair)
        found[key] = {
            _code(weighting.q, pair, r.options): None
            if suppression.everything or suppression.cell(pair, r.options)
            else {"rate": r.rate, "flagged": r.flagged}
            for r in rates(counts, headcounts, overall)
        }
    return found


def _code(q: Questionnaire, pair: tuple[int, ...], options: tuple[int, ...]) -> str:
    return ":".join(q.dimensions[d].options[o - 1].code for d, o in zip(pair, options, strict=True))


def campaign_weighting(weighting: Weighting, hidden: Mapping[int, set[int]], k: int, suppress=None) -> dict:
    """The campaign's ``weighting`` entry."""
    total = weighting.tables.total
    w = weighting.weights
    return {
        "method": weighting.population.method,
        "applied": w is not None,
        "converged": None if w is None else w.converged,
        "trim": list(weighting.trim),
        "rating_basis": weighting.rating_basis,
        "overall_rate": _overall(weighting, total) if total >= k else None,
        "dimensions": one_way_rates(weighting, hidden, k),
        "two_way": two_way_rates(weighting, hidden, k, suppress),
    }


def add_weighting(
    weighting: Weighting, sections: list[dict], hidden: Mapping[int, set[int]], k: int, suppress=None
) -> dict:
    """Weighted figures on every section, rates on every one-way breakdown; the campaign's entry."""
    entry = campaign_weighting(weighting, hidden, k, suppress)
    for s, section in enumerate(sections):
        weighting.add_to(section, s)
        for code, dimension in entry["dimensions"].items():
            if code in section["breakdowns"]:
                section["breakdowns"][code]["rates"] = dict(dimension["rates"])
    return entry


def rating_figures(
    section: dict, weighting: Weighting | None
) -> tuple[float | None, tuple[float, float] | None, dict | None]:
    """The favourable share and interval the suggested rating uses, and the facts of the sentence saying
    which (worded in the reader's language by :func:`consult.analysis.ratings.basis_sentence`)."""
    unweighted = section["favourable"], tuple(section["favourable_ci"]) if section["favourable_ci"] else None
    weighted = section.get("weighted")
    if weighting is None or not weighted or weighted.get("favourable") is None:
        return (*unweighted, None)
    use_weighted = weighting.rating_basis == "weighted"
    other = section["favourable"] if use_weighted else weighted["favourable"]
    if other is None:
        return (*unweighted, None)
    basis = {"weighted": use_weighted, "method": weighting.population.method, "other": other}
    if not use_weighted:
        return (*unweighted, basis)
    ci = tuple(weighted["favourable_ci"]) if weighted["favourable_ci"] else None
    return weighted["favourable"], ci, basis
