"""The results JSON of a campaign (design.md, "Results"), from its count tables only.

Disclosure choices, on top of the group suppression of :mod:`consult.analysis.disclosure`:

* a section with 1..k-1 respondents (for instance in a campaign of fewer than k) is suppressed whole: it
  carries ``"suppressed": true``, its figures are None, its items and groups carry only their codes, and it
  gets no rating; a section nobody answered shows n = 0;
* figures are closed under differencing (design.md, principle 3): a section's mean and favourable share (and
  every group's) pool the answers to its released items, so each derives from the items' figures (mean x
  answers is the sum of the items' sums) and no difference of released figures isolates the answers of the
  respondents who skipped an item or answered "don't know";
* an item answered by 1..k-1 respondents carries only its code and ``"suppressed": true`` and is left out of
  its section's pooled figures, in the total and in every group, so that it cannot be recovered by
  subtraction; when no item is suppressed they pool all the section's answers;
* Cronbach's alpha needs at least k complete respondents; a campaign of 1..k-1 respondents does not give
  their number: ``campaign.responses`` is None and ``campaign.responses_suppressed`` true.

``p_adjusted`` adjusts, by Benjamini-Hochberg, every test of the export together: the rank test of every
breakdown and the test of every one-way group against the rest of its section (which the rating uses); the
chi-square tests and the change since the previous campaign are reported unadjusted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from consult.analysis.breakdowns import Breakdown, Breakdowns, GroupVsRest, SectionView
from consult.analysis.counts import CountTables
from consult.analysis.ratings import EquityFinding, basis_sentence, suggest_rating, suppressed_rating
from consult.analysis.resultparts import change, item_json, label, suppressed_section
from consult.analysis.stats import SectionStats, benjamini_hochberg, cronbach_alpha, margins, section_stats
from consult.analysis.weightedresults import Weighting, add_weighting, rating_figures
from consult.surveys.questionnaires.spec import Questionnaire


def build_results(
    campaign: Mapping[str, Any],
    q: Questionnaire,
    tables: CountTables,
    language: str = "en",
    previous: Mapping[str, Any] | None = None,
    crosswalk: Mapping[int, Sequence[int]] | None = None,
) -> dict:
    """``campaign``: slug, title, min_group_size (k, never taken below 3) and optionally final_ratings
    (section code or principle number -> the committee's rating) and rating_spelling (how the reasons write
    ratings: ``compact``, the default, or ``plus-slash``) and headcounts (the staff numbers and the weighting
    settings, :mod:`consult.analysis.weightedresults`)."""
    k = max(3, int(campaign.get("min_group_size") or q.min_group_size))
    builder = _Builder(q, tables, k, language)
    hidden_groups = builder.settle(group_indices(q, campaign.get("hidden_groups") or {}))
    sections = [builder.section(s) for s in range(len(q.sections))]
    builder.adjust()
    headcounts = campaign.get("headcounts")
    weighting = Weighting(q, tables, headcounts) if headcounts else None
    suppress = builder.breakdowns.suppression_of
    weighted = add_weighting(weighting, sections, hidden_groups, k, suppress) if weighting else None
    for s, section in enumerate(sections):
        _rate(section, builder, s, campaign, q, weighting)
        if previous is not None:
            section["change"] = change(section, q, previous, crosswalk)
    hidden = 0 < tables.total < k
    return {
        "campaign": {
            "slug": campaign.get("slug"),
            "title": label(campaign.get("title"), language),
            "responses": None if hidden else tables.total,
            "responses_suppressed": hidden,
            "min_group_size": k,
            "charter": q.charter,
            "hidden_groups": group_codes(q, hidden_groups),
        }
        | ({"weighting": weighted} if weighted else {}),
        "sections": sections,
    }


def group_indices(q: Questionnaire, codes: Mapping[str, Sequence[str]]) -> dict[int, set[int]]:
    """``{dimension code: [option codes]}``, as results carry them -> 1-based option indices per dimension."""
    found = {}
    for d, dimension in enumerate(q.dimensions):
        wanted = set(codes.get(dimension.code, ()))
        found[d] = {i for i, option in enumerate(dimension.options, start=1) if option.code in wanted}
    return found


def group_codes(q: Questionnaire, indices: Mapping[int, set[int]]) -> dict[str, list[str]]:
    return {
        dimension.code: [dimension.options[i - 1].code for i in sorted(indices.get(d, ()))]
        for d, dimension in enumerate(q.dimensions)
    }


class _Builder:
    def __init__(self, q: Questionnaire, tables: CountTables, k: int, language: str) -> None:
        self.q, self.tables, self.k, self.language = q, tables, k, language
        self.breakdowns = Breakdowns(q, tables, k)
        self.total = margins(tables)
        self.tests: list[tuple[dict, int]] = []
        """Each breakdown's test entry and the position of its p in ``p_values``."""
        self.equity: dict[int, list[tuple[GroupVsRest, int]]] = {}
        self.p_values: list[float | None] = []

    def settle(self, carried: Mapping[int, set[int]]) -> dict[int, set[int]]:
        """One suppression of groups for every section (see ``Breakdowns.settle``)."""
        shown = [s for s in range(len(self.q.sections)) if not 0 < self.tables.score_counts[s].sum() < self.k]
        return self.breakdowns.settle(shown, carried)

    def section(self, s: int) -> dict:
        section = self.q.sections[s]
        base = {
            "code": section.code,
            "principle": section.principle,
            "title": label(section.title, self.language),
        }
        n = int(self.total.score_counts[s].sum())
        if 0 < n < self.k:
            return base | suppressed_section(section, self.q)
        first = self.q.section_slices()[s].start
        items = [
            item_json(item.code, self.total.item_counts[first + i], self.q, self.k)
            for i, item in enumerate(section.items)
        ]
        released = np.array([not entry["suppressed"] for entry in items], bool)
        stats = section_stats(self.q, self.total, s, released)
        breakdowns = self._breakdowns(s, released, stats)
        return base | self._figures(s, stats) | {"items": items, "breakdowns": breakdowns}

    def _figures(self, s: int, stats: SectionStats) -> dict:
        return {
            "n": stats.n,
            "mean": stats.mean,
            "favourable": stats.favourable,
            "favourable_ci": list(stats.favourable_ci) if stats.favourable_ci else None,
            "favourable_count": stats.favourable_count,
            "answers": stats.answers,
            "alpha": cronbach_alpha(
                int(self.tables.alpha_n[s]), self.tables.alpha_sums[s], self.tables.alpha_cross[s], self.k
            ),
            "suppressed": False,
        }

    def _breakdowns(self, s: int, released: np.ndarray, stats: SectionStats) -> dict:
        view = SectionView(
            self.q, s, released, self.breakdowns.suppression(s), stats.favourable_count, stats.answers
        )
        result = self.breakdowns.all(view)
        for breakdown in result.values():
            self._collect(s, breakdown)
        return {key: breakdown.json for key, breakdown in result.items()}

    def _collect(self, s: int, breakdown: Breakdown) -> None:
        if breakdown.json["test"] is not None:
            self.tests.append((breakdown.json["test"], len(self.p_values)))
            self.p_values.append(breakdown.p)
        for finding in breakdown.equity:
            self.equity.setdefault(s, []).append((finding, len(self.p_values)))
            self.p_values.append(finding.p)

    def adjust(self) -> None:
        self.adjusted = benjamini_hochberg(self.p_values)
        for test, position in self.tests:
            test["p_adjusted"] = self.adjusted[position]

    def findings(self, s: int) -> list[EquityFinding]:
        found = []
        for finding, position in self.equity.get(s, []):
            dimension = self.q.dimensions[finding.dimension]
            option = dimension.options[finding.option - 1]
            found.append(
                EquityFinding(
                    dimension.label, option.label, finding.favourable, finding.rest, self.adjusted[position]
                )
            )
        return found


def _rate(
    section: dict, builder: _Builder, s: int, campaign: Mapping, q: Questionnaire, weighting: Weighting | None
) -> None:
    if section.get("suppressed"):
        rating = suppressed_rating(builder.k, builder.language)
    else:
        favourable, ci, basis = rating_figures(section, weighting)
        n, findings = section["n"], builder.findings(s)
        spelling = campaign.get("rating_spelling") or "compact"
        rating = suggest_rating(favourable, ci, n, findings, q.rating, builder.language, spelling)
        if basis is not None:
            reason = rating.reason + basis_sentence(basis, builder.language)
            rating = replace(rating, reason=reason, facts=rating.facts | {"basis": basis})
    section["rating"] = {
        "suggested": rating.suggested,
        "final": _final(section, campaign.get("final_ratings") or {}),
        "reason": rating.reason,
        "uncertain": rating.uncertain,
        "facts": rating.facts,
    }


def _final(section: dict, finals: Mapping) -> str | None:
    """The committee's rating, keyed by section code or else by principle number."""
    final = finals.get(section["code"])
    if final is None and section.get("principle") is not None:
        final = finals.get(str(section["principle"]), finals.get(section["principle"]))
    return final
