"""The working group's gap analysis: assessments, their history, and TSV imports. Services flush; the caller
commits (once)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from consult.accounts.models import User
from consult.accounts.services import record
from consult.analysis.services import latest_results
from consult.charter.reference import normalise_name, principle_by_name
from consult.extensions import db
from consult.gap.models import Assessment, AssessmentRevision, ImportedGap
from consult.gap.sanitize import clean_html
from consult.gap.tsv import (
    HEADER_NAMES,
    GapFormatError,
    GapRow,
    normalise_rating,
    parse_gap_tsv,
    principle_name,
)
from consult.gap.tsv import spelling_of as rating_spelling_of
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.models import Section
from consult.timeutil import utcnow

MAX_TEXT = 200_000
MAX_JUSTIFICATION = 5_000
PURPOSES = ("assessments", "previous")
CHARTERS = ("2023", "2005")
_OPENS_BLOCK = re.compile(r"<(?:p|ul|ol)\b", re.IGNORECASE)
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


class AssessmentError(ValueError):
    """A save refused, with a message for the person who asked; nothing was written."""


class JustificationMissing(AssessmentError):
    """The final rating departs from the suggestion and the justification is empty (codes of both)."""

    def __init__(self, rating: str, suggested: str):
        self.rating, self.suggested = rating, suggested
        super().__init__(
            f"the final rating {rating} differs from the suggested rating {suggested}: "
            "say why in the justification"
        )


class StaleAssessment(AssessmentError):
    """Someone else saved the principle after the form was opened; ``current`` is what they saved."""

    def __init__(self, current: Assessment):
        self.current = current
        who = current.updated_by.email if current.updated_by else "someone"
        super().__init__(
            f"Someone else saved this principle meanwhile ({who}, version {current.version}, "
            f"{current.updated_at:%Y-%m-%d %H:%M} UTC). Nothing was overwritten."
        )


@dataclass(frozen=True)
class AssessmentChange:
    """What the edit form sends; ``version`` is the version the form was opened on."""

    final_rating: str | None
    justification: str
    gap_html: str
    initiatives_html: str
    version: int | None


def campaign_sections(campaign: Campaign) -> list[Section]:
    return list(campaign.questionnaire.sections)


def section_of(campaign: Campaign, section_code: str) -> Section:
    for section in campaign_sections(campaign):
        if section.code == section_code:
            return section
    raise AssessmentError(f"campaign {campaign.slug} has no section {section_code!r}")


def neighbours(campaign: Campaign, section_code: str) -> tuple[Section | None, Section | None]:
    """The principles before and after this one, in the questionnaire's order."""
    sections = campaign_sections(campaign)
    at = next(i for i, section in enumerate(sections) if section.code == section_code)
    return (sections[at - 1] if at else None, sections[at + 1] if at + 1 < len(sections) else None)


def get_assessment(campaign_id: int, section_code: str) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(
            Assessment.campaign_id == campaign_id, Assessment.section_code == section_code
        )
    )


def assessments_by_section(campaign_id: int) -> dict[str, Assessment]:
    rows = db.session.scalars(select(Assessment).where(Assessment.campaign_id == campaign_id))
    return {assessment.section_code: assessment for assessment in rows}


def suggested_rating(campaign: Campaign, section_code: str) -> str | None:
    results = latest_results(campaign) or {}
    for section in results.get("sections", []):
        if section.get("code") == section_code:
            return (section.get("rating") or {}).get("suggested")
    return None


def rich_text(text: str) -> str:
    """Limited HTML from the form: markup is sanitised (safe markup kept as written); plain text becomes
    paragraphs, one per block separated by a blank line."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise AssessmentError(f"a text is limited to {MAX_TEXT:,} characters; this one has {len(text):,}")
    if not text or not _LOOKS_LIKE_HTML.search(text):
        blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
        return " ".join(f"<p>{html.escape(block, quote=False)}</p>" for block in blocks if block)
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text)]
    return clean_html(" ".join(_as_block(block) for block in blocks if block))


def _as_block(block: str) -> str:
    """A block typed between blank lines: kept when it opens with a paragraph or a list, else (plain text,
    or text with inline markup) made a paragraph of its own, so that it is not merged into its neighbour."""
    if _OPENS_BLOCK.match(block):
        return block
    if _LOOKS_LIKE_HTML.search(block):
        return f"<p>{' '.join(block.split())}</p>"
    return f"<p>{html.escape(' '.join(block.split()), quote=False)}</p>"


def checked_rating(final_rating: str | None) -> str | None:
    try:
        return normalise_rating(final_rating or "")
    except ValueError as error:
        raise AssessmentError(str(error)) from error


def require_justification(rating: str | None, suggested: str | None, justification: str) -> None:
    if len(justification) > MAX_JUSTIFICATION:
        raise AssessmentError(f"the justification is limited to {MAX_JUSTIFICATION:,} characters")
    if rating is not None and suggested is not None and rating != suggested and not justification:
        raise JustificationMissing(rating, suggested)


@dataclass(frozen=True)
class _Fields:
    rating: str | None
    justification: str
    gap_html: str
    initiatives_html: str


def save_assessment(
    campaign_id: int, section_code: str, change: AssessmentChange, actor: User | None
) -> Assessment:
    """Save the working group's row: sanitised texts, a justification when the rating departs from the
    suggestion, a revision in the history, and no silent overwrite of a concurrent save (a form opened
    before the principle had an assessment carries no version)."""
    campaign = db.session.get(Campaign, campaign_id)
    section_of(campaign, section_code)
    rating = checked_rating(change.final_rating)
    justification = change.justification.replace("\r\n", "\n").strip()
    require_justification(rating, suggested_rating(campaign, section_code), justification)
    fields = _Fields(rating, justification, rich_text(change.gap_html), rich_text(change.initiatives_html))
    existing = get_assessment(campaign.id, section_code)
    if existing is not None and change.version != existing.version:
        raise StaleAssessment(existing)
    assessment = _write(campaign.id, section_code, existing, fields, actor)
    record(actor, "gap.assessment.save", f"{campaign.slug}/{section_code}", version=assessment.version)
    return assessment


def _write(
    campaign_id: int, section_code: str, existing: Assessment | None, fields: _Fields, actor: User | None
) -> Assessment:
    """Store the fields (the UPDATE names the version read, so a concurrent commit is caught) and their
    revision; a concurrent save raises StaleAssessment with what the other person saved."""
    assessment = existing or Assessment(campaign_id=campaign_id, section_code=section_code)
    try:
        with db.session.begin_nested():
            assessment.final_rating, assessment.justification = fields.rating, fields.justification
            assessment.gap_html, assessment.initiatives_html = fields.gap_html, fields.initiatives_html
            assessment.updated_by_id, assessment.updated_at = actor.id if actor else None, utcnow()
            assessment.validated_by_id = assessment.validated_at = None
            db.session.add(assessment)
            db.session.flush()
    except StaleDataError as error:
        db.session.refresh(assessment)
        raise StaleAssessment(assessment) from error
    except IntegrityError as error:
        raise StaleAssessment(get_assessment(campaign_id, section_code)) from error
    db.session.add(
        AssessmentRevision(
            assessment_id=assessment.id,
            version=assessment.version,
            final_rating=fields.rating,
            justification=fields.justification,
            gap_html=fields.gap_html,
            initiatives_html=fields.initiatives_html,
            user_id=assessment.updated_by_id,
            at=assessment.updated_at,
        )
    )
    db.session.flush()
    return assessment


def revisions(assessment_id: int) -> list[AssessmentRevision]:
    return list(
        db.session.scalars(
            select(AssessmentRevision)
            .where(AssessmentRevision.assessment_id == assessment_id)
            .order_by(AssessmentRevision.version.desc(), AssessmentRevision.id.desc())
        )
    )


# Import of a gap-analysis table (TSV): into the campaign's assessments, or as the previous analysis.


@dataclass(frozen=True)
class ImportReport:
    purpose: str
    rows: int
    charter_version: str
    sections: tuple[str, ...]


def row_lines(data: bytes | str) -> dict[str, int]:
    """The line number of each principle row, by its name folded to compare (the file already parsed)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        first = line.split("\t", 1)[0]
        if line.strip() and first.strip().casefold() not in HEADER_NAMES:
            lines.setdefault(principle_name(first).casefold(), number)
    return lines


def import_gap(
    campaign_id: int, data: bytes, filename: str, purpose: str, actor: User | None
) -> ImportReport:
    """Read a gap-analysis table and store it whole, or refuse it whole (GapFormatError: line and reason)."""
    if purpose not in PURPOSES:
        raise AssessmentError(f"unknown import purpose {purpose!r}; choose one of {', '.join(PURPOSES)}")
    campaign = db.session.get(Campaign, campaign_id)
    rows = parse_gap_tsv(data)
    if purpose == "previous":
        return _import_previous(campaign, rows, row_lines(data), filename, actor)
    return _import_assessments(campaign, rows, row_lines(data), filename, actor)


def _import_assessments(
    campaign: Campaign, rows: list[GapRow], lines: dict[str, int], filename: str, actor: User | None
) -> ImportReport:
    matched = match_sections(campaign, rows, lines)
    justification = f"Imported from {filename or 'a gap-analysis file'}."
    for row, section in zip(rows, matched, strict=True):
        fields = _Fields(row.rating, justification, row.gap_html, row.initiatives_html)
        _write(campaign.id, section.code, get_assessment(campaign.id, section.code), fields, actor)
    campaign.rating_spelling = rating_spelling_of(rows)
    stored = [{**row.as_dict(), "section_code": s.code} for row, s in zip(rows, matched, strict=True)]
    db.session.add(
        ImportedGap(
            campaign_id=campaign.id,
            purpose="assessments",
            filename=filename[:255],
            charter_version=campaign.questionnaire.charter_version or "",
            rows=stored,
        )
    )
    record(actor, "gap.import", campaign.slug, purpose="assessments", rows=len(rows), filename=filename)
    db.session.flush()
    codes = tuple(section.code for section in matched)
    return ImportReport("assessments", len(rows), campaign.questionnaire.charter_version or "", codes)


def match_sections(campaign: Campaign, rows: list[GapRow], lines: dict[str, int]) -> list[Section]:
    """The section each row is about: by principle name (or section title), else by order for a full
    20-row table of the 2023 charter. Every row must find its own section."""
    sections = campaign_sections(campaign)
    by_name = [_section_named(sections, campaign.questionnaire.charter_version, row.name) for row in rows]
    if None in by_name and _matches_by_order(campaign, rows):
        by_number = {section.principle: section for section in sections}
        by_name = [by_number.get(index + 1) for index in range(len(rows))]
    errors = _match_errors(rows, by_name, lines)
    if errors:
        raise GapFormatError(errors)
    return by_name


def _section_named(sections: list[Section], charter: str | None, name: str) -> Section | None:
    principle = principle_by_name(charter, name) if charter in CHARTERS else None
    if principle is not None:
        numbered = [section for section in sections if section.principle == principle.number]
        if numbered:
            return numbered[0]
    wanted = normalise_name(name)
    titled = [s for s in sections if any(normalise_name(title) == wanted for title in s.title.values())]
    return titled[0] if titled else None


def _matches_by_order(campaign: Campaign, rows: list[GapRow]) -> bool:
    numbers = sorted(s.principle for s in campaign_sections(campaign) if s.principle is not None)
    return (
        campaign.questionnaire.charter_version == "2023" and len(rows) == 20 and numbers == list(range(1, 21))
    )


def _match_errors(
    rows: list[GapRow], sections: list[Section | None], lines: dict[str, int]
) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    first_row: dict[str, GapRow] = {}
    for row, section in zip(rows, sections, strict=True):
        line = lines.get(row.name.casefold(), 0)
        if section is None:
            errors.append(
                (
                    line,
                    f"{row.name!r} is not a principle of this campaign's questionnaire (import it "
                    "as the previous analysis to compare with instead)",
                )
            )
        elif section.code in first_row:
            earlier = lines.get(first_row[section.code].name.casefold(), 0)
            errors.append((line, f"{row.name!r} is section {section.code} again (already on line {earlier})"))
        else:
            first_row[section.code] = row
    return errors


def _import_previous(
    campaign: Campaign, rows: list[GapRow], lines: dict[str, int], filename: str, actor: User | None
) -> ImportReport:
    charter, numbers = charter_of_rows(rows)
    if not any(numbers):
        raise GapFormatError(
            [
                (
                    min(lines.values(), default=1),
                    "no row names a principle of the 2023 or 2005 European Charter for Researchers",
                )
            ]
        )
    stored = [{**row.as_dict(), "principle": number} for row, number in zip(rows, numbers, strict=True)]
    db.session.add(
        ImportedGap(
            campaign_id=campaign.id,
            purpose="previous",
            charter_version=charter,
            filename=filename[:255],
            rows=stored,
        )
    )
    record(actor, "gap.import", campaign.slug, purpose="previous", rows=len(rows), filename=filename)
    db.session.flush()
    return ImportReport("previous", len(rows), charter, ())


def charter_of_rows(rows: list[GapRow]) -> tuple[str, list[int | None]]:
    """The charter whose principle names the rows use most (2023 on a tie), with each row's principle."""
    best: tuple[str, list[int | None]] = ("2023", [None] * len(rows))
    for charter in CHARTERS:
        found = [getattr(principle_by_name(charter, row.name), "number", None) for row in rows]
        if sum(n is not None for n in found) > sum(n is not None for n in best[1]):
            best = (charter, found)
    return best


def imported_gap(campaign_id: int, purpose: str) -> ImportedGap | None:
    return db.session.scalar(
        select(ImportedGap)
        .where(ImportedGap.campaign_id == campaign_id, ImportedGap.purpose == purpose)
        .order_by(ImportedGap.id.desc())
        .limit(1)
    )
