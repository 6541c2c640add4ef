"""What the results pages show: the campaign overview shaped like the gap analysis, and a page per principle.

Everything shown comes from the stored results (already under disclosure control), the working group's
assessments and the releasable comments; nothing here reads a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from consult.analysis.findings import Finding, describe_test
from consult.charter.reference import crosswalk, pillar
from consult.extensions import db
from consult.gap.models import Assessment
from consult.gap.services import assessments_by_section, campaign_sections, imported_gap
from consult.gap.status import STATUSES, status_of
from consult.gap.tsv import GapRow
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign
from consult.surveys.invitations.models import Invitation, counted
from consult.surveys.questionnaires.models import Section
from consult.surveys.responses.models import Comment, Response

if TYPE_CHECKING:
    from consult.analysis import charts

CHARTERS = ("2023", "2005")


@dataclass(frozen=True)
class PrincipleRow:
    """One principle of the overview: its section, its figures (None before any analysis) and assessment."""

    section: Section
    title: str
    figures: Mapping[str, Any] | None
    assessment: Assessment | None

    @property
    def rating(self) -> Mapping[str, Any]:
        return (self.figures or {}).get("rating") or {}

    @property
    def final(self) -> str | None:
        return self.assessment.final_rating if self.assessment else None

    @property
    def status(self) -> str:
        return status_of(self.assessment)

    def shown_by(self, status: str | None, only: str | None) -> bool:
        """Whether the overview's filter keeps this row: a status, and/or uncertain or departing ratings."""
        if status in STATUSES and self.status != status:
            return False
        if only == "uncertain":
            return bool(self.rating.get("uncertain"))
        if only == "differs":
            return self.final is not None and self.final != self.rating.get("suggested")
        return True


@dataclass(frozen=True)
class Participation:
    """Responses and invitations; 1..k-1 responses are not shown (``suppressed``), nor is their rate."""

    responses: int
    invitations: int
    min_group_size: int = 3

    @property
    def suppressed(self) -> bool:
        return 0 < self.responses < self.min_group_size

    @property
    def rate(self) -> float | None:
        return self.responses / self.invitations if self.invitations and not self.suppressed else None


def min_group_size(campaign: Campaign) -> int:
    """The campaign's k, never below 3 (as in the results)."""
    return max(3, int(campaign.min_group_size or 0))


def participation(campaign: Campaign) -> Participation:
    responses = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )
    invitations = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == campaign.id, counted())
    )
    return Participation(responses or 0, invitations or 0, min_group_size(campaign))


def section_figures(results: Mapping[str, Any] | None, code: str) -> dict[str, Any] | None:
    return next((s for s in (results or {}).get("sections", []) if s.get("code") == code), None)


def principle_rows(
    campaign: Campaign, results: Mapping[str, Any] | None, language: str
) -> list[PrincipleRow]:
    assessments = assessments_by_section(campaign.id)
    return [
        PrincipleRow(
            section,
            translated(section.title, language),
            section_figures(results, section.code),
            assessments.get(section.code),
        )
        for section in campaign_sections(campaign)
    ]


def by_pillar(
    campaign: Campaign, rows: list[PrincipleRow], language: str
) -> list[tuple[str, list[PrincipleRow]]]:
    """The rows grouped under their pillar of the charter, in questionnaire order; others last."""
    groups: dict[str, list[PrincipleRow]] = {}
    for row in rows:
        groups.setdefault(pillar_title(campaign, row.section.pillar, language), []).append(row)
    return list(groups.items())


def pillar_title(campaign: Campaign, number: int | None, language: str) -> str:
    charter = campaign.questionnaire.charter_version
    if number is None or charter not in CHARTERS:
        return ""
    try:
        return f"{number}. {translated(pillar(charter, number).name, language)}"
    except KeyError:
        return ""


def section_or_none(campaign: Campaign, code: str) -> Section | None:
    return next((section for section in campaign_sections(campaign) if section.code == code), None)


# The principle page: data tables behind the charts, findings, change, comments.


def item_texts(section: Section, language: str) -> dict[str, str]:
    return {item.code: translated(item.text, language) for item in section.items}


@dataclass(frozen=True)
class GroupTable:
    """A breakdown as a table: one column of groups, or a two-way crossing (rows x columns)."""

    key: str
    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Mapping[str, Any] | None]]
    finding: Finding | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def group_tables(figures: Mapping[str, Any], dims: charts.DimensionLabels, language: str) -> list[GroupTable]:
    from consult.analysis import charts

    tables = [_one_way_table(figures, key, dims, language) for key in charts.one_way_keys(figures, dims)]
    return tables + [_two_way_table(figures, key, dims) for key in charts.two_way_keys(figures)]


def _labels(dims: charts.DimensionLabels, key: str) -> tuple[str, Mapping[str, str]]:
    dimension = dims.get(key, {})
    return str(dimension.get("label", key)), dimension.get("options", {})


def _one_way_table(
    figures: Mapping[str, Any], key: str, dims: charts.DimensionLabels, language: str
) -> GroupTable:
    breakdown = figures["breakdowns"][key]
    title, options = _labels(dims, key)
    groups = {group["code"]: group for group in breakdown.get("groups", [])}
    codes = [code for code in options if code in groups] + [code for code in groups if code not in options]
    finding = describe_test(title, list(groups.values()), breakdown.get("test"), options, language)
    return GroupTable(
        key, title, [options.get(code, code) for code in codes], [], [[groups[c]] for c in codes], finding
    )


def _two_way_table(figures: Mapping[str, Any], key: str, dims: charts.DimensionLabels) -> GroupTable:
    first, second = key.split(":", 1)
    (first_title, first_options), (second_title, second_options) = _labels(dims, first), _labels(dims, second)
    groups = {
        tuple(group["code"].split(":", 1)): group for group in figures["breakdowns"][key].get("groups", [])
    }
    rows = [code for code in first_options if any(a == code for a, _ in groups)]
    columns = [code for code in second_options if any(b == code for _, b in groups)]
    rows += [a for a, _ in dict.fromkeys(groups) if a not in rows]
    columns += [b for _, b in dict.fromkeys(groups) if b not in columns]
    return GroupTable(
        key,
        f"{first_title} \u00d7 {second_title}",
        [first_options.get(r, r) for r in rows],
        [second_options.get(c, c) for c in columns],
        [[groups.get((r, c)) for c in columns] for r in rows],
    )


def releasable_comments(campaign: Campaign, section_code: str, respondents: int | None) -> list[str] | None:
    """The section's comments, redacted and in alphabetical order (never the order they were written in),
    without any demographics; None while the section has fewer respondents than the campaign's threshold."""
    from consult.analysis.disclosure import comments_releasable
    from consult.analysis.redaction import redact

    if not comments_releasable(respondents or 0, campaign.comment_min_responses):
        return None
    texts = db.session.scalars(
        select(Comment.text).where(Comment.campaign_id == campaign.id, Comment.section_code == section_code)
    ).all()
    return sorted((redact(text) for text in texts), key=str.casefold)


# Change since the previous campaign or the previous gap analysis (across charters through the crosswalk).


def related_principles(number: int | None, charter: str | None, other: str) -> list[int]:
    """The principles of the ``other`` charter that correspond to principle ``number`` of ``charter``."""
    if number is None or charter not in CHARTERS or other not in CHARTERS:
        return []
    if charter == other:
        return [number]
    if charter == "2023":
        return list(crosswalk().get(number, ()))
    return [new for new, old in crosswalk().items() if number in old]


@dataclass(frozen=True)
class PreviousRow:
    number: int | None
    name: str
    rating: str | None
    gap_html: str
    source: str


def previous_rows(campaign: Campaign, section: Section, language: str) -> list[PreviousRow]:
    """What the previous analysis said about this principle: the previous campaign's assessments, and the
    gap analysis imported to compare with."""
    return _previous_campaign_rows(campaign, section, language) + _imported_rows(campaign, section)


def _previous_campaign_rows(campaign: Campaign, section: Section, language: str) -> list[PreviousRow]:
    previous = campaign.previous_campaign
    if previous is None:
        return []
    charter, other = campaign.questionnaire.charter_version, previous.questionnaire.charter_version
    numbers = related_principles(section.principle, charter, other)
    assessments = assessments_by_section(previous.id)
    source = translated(previous.title, language)
    return [
        PreviousRow(
            s.principle,
            translated(s.title, language),
            getattr(assessments.get(s.code), "final_rating", None),
            getattr(assessments.get(s.code), "gap_html", ""),
            source,
        )
        for s in campaign_sections(previous)
        if s.principle in numbers or (not numbers and s.code == section.code)
    ]


def _imported_rows(campaign: Campaign, section: Section) -> list[PreviousRow]:
    imported = imported_gap(campaign.id, "previous")
    if imported is None:
        return []
    numbers = related_principles(
        section.principle, campaign.questionnaire.charter_version, imported.charter_version
    )
    rows = [(entry.get("principle"), GapRow.from_dict(entry)) for entry in imported.rows]
    return [
        PreviousRow(number, row.name, row.rating, row.gap_html, imported.filename)
        for number, row in rows
        if number is not None and number in numbers
    ]
