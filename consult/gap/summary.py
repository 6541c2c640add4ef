"""What every gap-analysis document shows for a principle: its table row, its figures and its rating.

Shared by the XLSX, HTML and PDF exports. A table row is matched to a results section by name (in any
language), else by its position in the charter's order.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consult.analysis.chart_common import localised, percent
from consult.analysis.ratings import reason_of
from consult.charter import reference
from consult.gap.tsv import GapRow, Spelling, format_rating
from consult.wording import N_, decimal, say

FIXED_DATE = datetime(2000, 1, 1)
RATING_COLOURS = {"++": "1B7837", "+/-": "A6D96A", "-/+": "FDAE61", "--": "B2182B"}
WORDS = {
    "title": N_("Gap analysis"),
    "no": N_("No."),
    "principle": N_("Principles"),
    "rating": N_("Implementation"),
    "gap": N_("GAP / Implementation impediments"),
    "initiatives": N_("Initiatives undertaken / new proposals"),
    "respondents": N_("Respondents"),
    "favourable": N_("Favourable"),
    "weighted": N_("weighted to the staff"),
    "ci": N_("95% CI"),
    "mean": N_("Mean"),
    "sd": N_("SD"),
    "ci_low": N_("95% CI, lower bound"),
    "ci_high": N_("95% CI, upper bound"),
    "statistic": N_("statistic"),
    "alpha": N_("Cronbach's alpha"),
    "proposed": N_("(proposed)"),
    "uncertain": N_("uncertain"),
    "reason": N_("Reason"),
    "fewer": N_("fewer than {k}"),
    "item": N_("Item"),
    "dont_know": N_("Don't know"),
    "group": N_("Group"),
    "test": N_("Test"),
    "p": N_("p"),
    "p_adjusted": N_("adjusted p"),
    "effect_size": N_("effect size"),
    "other_pillar": N_("Other sections"),
    "not_surveyed": N_("no survey figures"),
    "figures": N_("Key figures"),
    "responses": N_("{n} responses"),
    "few_responses": N_("fewer than {k} responses"),
    "suggested": N_("Suggested rating"),
    "final": N_("Final rating"),
    "justification": N_("Committee's justification"),
    "no_justification": N_("The committee gave no justification."),
    "suggested_reason": N_("Why this rating was suggested"),
    "proposed_rating": N_("Proposed rating (not yet decided by the committee)"),
    "page": N_("page {n}"),
    "charts": N_("Charts"),
    "summary": N_("Summary"),
}
"""The documents' labels, in English; the catalogue translates them when a document is written."""


@functools.cache
def words(language: str) -> dict[str, str]:
    return {key: say(language, text) for key, text in WORDS.items()}


def responses_said(campaign: dict, language: str) -> str:
    """The number of responses, or "fewer than k" when the results suppress a total below k."""
    said = words(language)
    if campaign.get("responses_suppressed") or campaign.get("responses") is None:
        return said["few_responses"].format(k=campaign.get("min_group_size", 5))
    return said["responses"].format(n=campaign["responses"])


@dataclass(frozen=True)
class PrincipleEntry:
    number: int
    name: str
    section: Mapping[str, Any] | None
    row: GapRow | None
    rating: str | None
    proposed: bool
    uncertain: bool
    suggested: str | None = None
    reason: str = ""
    """The suggested rating's reason, in the document's language."""
    justification: str = ""
    """The committee's justification of its final rating."""

    @property
    def code(self) -> str:
        return str(self.section["code"]) if self.section else f"P{self.number:02d}"

    @property
    def gap_html(self) -> str:
        return self.row.gap_html if self.row else ""

    @property
    def initiatives_html(self) -> str:
        return self.row.initiatives_html if self.row else ""

    @property
    def differs(self) -> bool:
        """The committee decided a rating other than the one suggested."""
        return not self.proposed and self.suggested is not None and self.rating != self.suggested


def _name_key(name: str) -> str:
    return "".join(character for character in name.casefold() if character.isalnum())


def _section_names(section: Mapping[str, Any]) -> list[str]:
    title = section.get("title")
    titles = list(title.values()) if isinstance(title, Mapping) else [title or ""]
    return [_name_key(text) for text in titles if text]


def principle_entries(
    results: Mapping[str, Any], rows: Sequence[GapRow], language: str, spelling: Spelling = "compact"
) -> list[PrincipleEntry]:
    """The table's rows in order, each with its section; then the sections no row names."""
    sections = list(results.get("sections", []))
    by_name = {key: section for section in sections for key in _section_names(section)}
    by_number = {section.get("principle"): section for section in sections}
    used: set[int] = set()
    entries = []
    for index, row in enumerate(rows):
        section = by_name.get(_name_key(row.name)) or by_number.get(index + 1)
        if section is not None and id(section) in used:
            section = None
        if section is not None:
            used.add(id(section))
        entries.append(_entry(section, row, index + 1, language, spelling))
    rest = [section for section in sections if id(section) not in used]
    return entries + [
        _entry(s, None, s.get("principle") or len(entries) + i + 1, language, spelling)
        for i, s in enumerate(rest)
    ]


def _entry(
    section: Mapping[str, Any] | None, row: GapRow | None, position: int, language: str, spelling: Spelling
) -> PrincipleEntry:
    rating = dict((section or {}).get("rating") or {})
    final = rating.get("final") or (row.rating if row else None)
    number = int((section or {}).get("principle") or position)
    name = row.name if row else localised((section or {}).get("title"), language) or f"P{number:02d}"
    return PrincipleEntry(
        number,
        name,
        section,
        row,
        final or rating.get("suggested"),
        proposed=final is None and rating.get("suggested") is not None,
        uncertain=final is None and bool(rating.get("uncertain")),
        suggested=rating.get("suggested"),
        reason=reason_of(rating, language, spelling),
        justification=str(rating.get("justification") or "") if final else "",
    )


def rating_label(entry: PrincipleEntry, language: str, spelling: Spelling = "compact") -> str:
    if entry.rating is None:
        return ""
    label = format_rating(entry.rating, spelling)
    return f"{label} {words(language)['proposed']}" if entry.proposed else label


def pillars(
    entries: Sequence[PrincipleEntry], charter: str, language: str
) -> list[tuple[str, list[PrincipleEntry]]]:
    """The entries grouped by pillar of the charter, in order; sections outside the charter come last."""
    version = charter if charter in reference.VERSIONS else "2023"
    pillar_of = {principle.number: principle.pillar for principle in reference.principles(version)}
    groups: dict[str, list[PrincipleEntry]] = {}
    for pillar in reference.pillars(version):
        members = [entry for entry in entries if pillar_of.get(entry.number) == pillar.number]
        if members:
            groups[f"{pillar.number}. {localised(pillar.name, language)}"] = members
    grouped = {id(entry) for members in groups.values() for entry in members}
    rest = [entry for entry in entries if id(entry) not in grouped]
    return [*groups.items(), *([(words(language)["other_pillar"], rest)] if rest else [])]


def key_figures(section: Mapping[str, Any] | None, language: str) -> str:
    """A one-line summary: respondents, favourable share with its interval, mean and alpha."""
    if not section or section.get("favourable") is None:
        return words(language)["not_surveyed"]
    said = words(language)
    parts = [f"n = {section.get('n', 0)}", f"{said['favourable']} {percent(section['favourable'], language)}"]
    if section.get("favourable_ci"):
        low, high = section["favourable_ci"]
        parts[-1] += f" [{percent(low, language)}\u2013{percent(high, language)}]"
    if section.get("mean") is not None:
        parts.append(f"{said['mean']} {number(section['mean'], language)}")
    if section.get("alpha") is not None:
        parts.append(f"\u03b1 {number(section['alpha'], language)}")
    return " · ".join(parts + weighted_figures(section.get("weighted"), language))


def weighted_figures(weighted: Mapping[str, Any] | None, language: str) -> list[str]:
    """The weighted favourable share and its interval, beside the unweighted ones, when headcounts exist."""
    if not weighted or weighted.get("favourable") is None:
        return []
    said = words(language)
    text = f"{said['favourable']} ({said['weighted']}) {percent(weighted['favourable'], language)}"
    if weighted.get("favourable_ci"):
        low, high = weighted["favourable_ci"]
        text += f" [{percent(low, language)}\u2013{percent(high, language)}]"
    return [text]


def number(value: float, language: str, digits: int = 2) -> str:
    return decimal(value, language, digits)


def charter_of(results: Mapping[str, Any]) -> str:
    return str(results.get("campaign", {}).get("charter") or "2023")


def min_group_size(results: Mapping[str, Any]) -> int:
    return int(results.get("campaign", {}).get("min_group_size") or 5)


def document_date(results: Mapping[str, Any]) -> datetime:
    """The campaign's ``date`` when the results carry one, else a fixed date: documents never carry "now"."""
    stated = results.get("campaign", {}).get("date")
    try:
        return datetime.fromisoformat(str(stated)).replace(tzinfo=None) if stated else FIXED_DATE
    except ValueError:
        return FIXED_DATE
