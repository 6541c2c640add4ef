"""What the PDF report adds to each principle after its rating and texts: the group chart and heat map panels
(the stored PNG files), the differences between groups in words, the change since the previous campaign and
the comments, exactly as the principle page releases them (above the threshold, redacted, never more).

``principle_details`` reads the database; ``change_sentences`` and the dataclass are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from consult.analysis.chartparts import family_of, kind_order
from consult.wording import N_, decimal, say, share

if TYPE_CHECKING:
    from consult.analysis.chart_common import DimensionLabels
    from consult.analysis.models import AnalysisRun
    from consult.surveys.campaigns.models import Campaign

PDF_CHARTS = ("by_group", "heatmap")
"""The charts the PDF embeds as stored images (it draws the distribution itself, as vector graphics)."""


@dataclass(frozen=True)
class PrincipleDetails:
    charts: tuple[bytes, ...] = ()
    """PNG files, in reading order: group charts, then heat map panels."""
    differences: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    comments: tuple[str, ...] | None = None
    """None while the principle has fewer respondents than the comment threshold."""
    comment_threshold: int = 10


def comments_note(details: PrincipleDetails, language: str) -> str:
    """What the reader is told about the comments: why none are shown, or how those shown were chosen."""
    if details.comments is None:
        note = N_(
            "Comments are shown only when at least %(m)s people answered this principle, so that no one can "
            "be recognised by what they wrote."
        )
        return say(language, note, m=details.comment_threshold)
    if not details.comments:
        return say(language, N_("No comments."))
    note = N_(
        "%(n)s comments, in alphabetical order, shown without any information about who wrote them; e-mail "
        "addresses and phone numbers are removed."
    )
    return say(language, note, n=len(details.comments))


def change_sentences(section: Mapping[str, Any], language: str) -> list[str]:
    """The favourable share now against the previous campaign's, and whether the change is clear."""
    change = section.get("change")
    if not change or section.get("favourable") is None:
        return []
    difference = float(change["difference"])
    delta = ("+" if difference > 0 else "") + decimal(100 * difference, language, 0)
    said = N_(
        "Favourable answers: %(now)s now, %(before)s in the previous campaign (%(delta)s percentage points)."
    )
    sentence = say(
        language,
        said,
        now=share(section["favourable"], language),
        before=share(change["previous_favourable"], language),
        delta=delta,
    )
    p = change.get("p")
    if p is None:
        return [sentence]
    if p < 0.05:
        return [sentence, f"{say(language, N_('A clear change'))} (p = {decimal(p, language, 3)})."]
    return [sentence, say(language, N_("Not a clear change (p = %(p)s)."), p=decimal(p, language))]


def previous_sentences(campaign: Campaign, code: str, language: str) -> list[str]:
    """What the previous gap analysis rated the corresponding principles (the principle page's table)."""
    from consult.analysis.pages import previous_rows, section_or_none
    from consult.gap.tsv import format_rating

    section = section_or_none(campaign, code)
    if section is None:
        return []
    said = N_("Rating in the previous gap analysis (%(source)s), %(principle)s: %(rating)s.")
    return [
        say(
            language,
            said,
            source=row.source,
            principle=f"{row.number}. {row.name}" if row.number else row.name,
            rating=format_rating(row.rating, campaign.rating_spelling) if row.rating else "\u2013",
        )
        for row in previous_rows(campaign, section, language)
    ]


def difference_sentences(section: Mapping[str, Any], dims: DimensionLabels, language: str) -> list[str]:
    """The principle page's findings, one sentence per tested breakdown, the significant ones flagged."""
    from consult.analysis.pages import group_tables

    findings = [table.finding for table in group_tables(section, dims, language) if table.finding]
    flag = say(language, N_("Significant:"))
    return [f"{flag} {f.sentence}." if f.significant else f"{f.sentence}." for f in findings]


def stored_pngs(run: AnalysisRun | None, language: str) -> dict[str, list[bytes]]:
    """Each section's stored group charts and heat map panels (PNG), in reading order."""
    from consult.analysis import chartstore

    if run is None:
        return {}
    chartstore.ensure_charts(run, language)
    stored = chartstore.stored_charts(run.id, language, ("png",))
    pngs: dict[str, list[bytes]] = {}
    for code, kind, _fmt in sorted(stored, key=lambda key: (key[0], kind_order(key[1]))):
        if family_of(kind) in PDF_CHARTS:
            pngs.setdefault(code, []).append(stored[(code, kind, "png")])
    return pngs


def principle_details(
    campaign: Campaign,
    run: AnalysisRun | None,
    sections: Sequence[Mapping[str, Any]],
    language: str,
    with_charts: bool = True,
) -> dict[str, PrincipleDetails]:
    """Every section's details, keyed by section code (without the PNG charts for the HTML report)."""
    from consult.analysis.chart_common import dimension_labels
    from consult.analysis.pages import releasable_comments
    from consult.surveys.questionnaires.convert import campaign_spec

    dims = dimension_labels(campaign_spec(campaign).dimensions, language)
    pngs = stored_pngs(run, language) if with_charts else {}
    details = {}
    for section in sections:
        code = str(section.get("code"))
        hidden = section.get("suppressed")
        comments = None if hidden else releasable_comments(campaign, code, section.get("n"))
        details[code] = PrincipleDetails(
            tuple(pngs.get(code, [])),
            tuple(difference_sentences(section, dims, language)) if section.get("breakdowns") else (),
            (*change_sentences(section, language), *previous_sentences(campaign, code, language)),
            tuple(comments) if comments is not None else None,
            int(campaign.comment_min_responses),
        )
    return details
