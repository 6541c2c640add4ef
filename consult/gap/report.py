"""The gap analysis as one printable, self-contained HTML5 page (no external resource of any kind)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from consult.analysis.chart_common import localised
from consult.analysis.chart_common import words as chart_words
from consult.analysis.chartparts import family_of
from consult.gap.pdfdetails import PrincipleDetails, comments_note
from consult.gap.sanitize import clean_html
from consult.gap.summary import (
    RATING_COLOURS,
    PrincipleEntry,
    charter_of,
    key_figures,
    pillars,
    principle_entries,
    rating_label,
    responses_said,
    words,
)
from consult.gap.tsv import GapRow, Spelling, format_rating
from consult.wording import N_, say

TEMPLATES = Path(__file__).parent / "templates"
RATING_CLASSES = {"++": "rating-pp", "+/-": "rating-pm", "-/+": "rating-mp", "--": "rating-mm"}
_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def gap_report_html(
    results: Mapping[str, Any],
    rows: Sequence[GapRow],
    language: str,
    charts: Mapping[str, str] | None = None,
    spelling: Spelling = "compact",
    details: Mapping[str, PrincipleDetails] | None = None,
) -> str:
    """The report; ``charts`` maps a section code (or ``CODE/name``) to an SVG document, embedded as data."""
    entries = principle_entries(results, rows, language, spelling)
    campaign = results.get("campaign", {})
    context = {
        "language": language,
        "words": words(language),
        "headings": detail_headings(language),
        "colours": RATING_COLOURS,
        "campaign_title": localised(campaign.get("title"), language),
        "responses": responses_said(campaign, language),
        "pillars": [
            {
                "title": title,
                "entries": [
                    _entry_view(entry, language, charts or {}, spelling)
                    | _details_view(entry, details, language)
                    for entry in members
                ],
            }
            for title, members in pillars(entries, charter_of(results), language)
        ],
    }
    return _ENVIRONMENT.get_template("gap/report.html").render(context)


def _details_view(
    entry: PrincipleEntry, details: Mapping[str, PrincipleDetails] | None, language: str
) -> dict[str, Any]:
    found = (details or {}).get(entry.code)
    return {"details": found, "comments_note": comments_note(found, language) if found else ""}


def detail_headings(language: str) -> dict[str, str]:
    """The headings and notes of what follows the charts (the same words as the principle page and PDF)."""
    return {
        "differences": say(language, N_("Differences between groups")),
        "change": say(language, N_("Change since the previous analysis")),
        "no_change": say(language, N_("No previous campaign or previous gap analysis to compare with.")),
        "comments": say(language, N_("Comments")),
    }


def _entry_view(
    entry: PrincipleEntry, language: str, charts: Mapping[str, str], spelling: Spelling
) -> dict[str, Any]:
    return {
        "anchor": "principle-" + re.sub(r"[^A-Za-z0-9_-]", "-", entry.code),
        "number": entry.number,
        "name": entry.name,
        "rating": entry.rating,
        "rating_label": rating_label(entry, language, spelling),
        "rating_class": RATING_CLASSES.get(entry.rating or "", ""),
        "proposed": entry.proposed,
        "uncertain": entry.uncertain,
        "figures": key_figures(entry.section, language),
        "reason": entry.reason,
        "suggested": entry.suggested,
        "suggested_label": format_rating(entry.suggested, spelling) if entry.suggested else "",
        "justification": entry.justification,
        "gap_html": Markup(clean_html(entry.gap_html)),  # nosec B704 # sanitised (allowed tags only)
        "initiatives_html": Markup(clean_html(entry.initiatives_html)),  # nosec B704 # sanitised
        "charts": _chart_images(entry, charts, language),
    }


def _chart_images(entry: PrincipleEntry, charts: Mapping[str, str], language: str) -> list[dict[str, str]]:
    names = [name for name in charts if name == entry.code or name.startswith(f"{entry.code}/")]
    return [
        {
            "src": svg_data_uri(charts[name]),
            "alt": f"{entry.number}. {entry.name}: {_chart_title(name, language)}",
        }
        for name in names
    ]


URI_ESCAPES = str.maketrans(
    {"%": "%25", '"': "%22", "#": "%23", "&": "%26", "\n": "%0A", "\r": "%0D", "\t": "%09"}
)
"""What an SVG data URI inside a double-quoted attribute must escape: the attribute's quote and character
references, the URL's escape and fragment marks, and control characters. Every other character stays as it
is, accented letters included (the page is UTF-8; a browser's URL parser encodes them itself): a third fewer
bytes than base64."""


QUOTED_ATTRIBUTE = re.compile('(\\s[\\w:-]+)="([^"\']*)"')


def svg_data_uri(svg: str) -> Markup:
    """The SVG's attributes in single quotes where their value allows (the double one costs three bytes),
    then the characters of ``URI_ESCAPES`` escaped."""
    encoded = QUOTED_ATTRIBUTE.sub(r"\1='\2'", svg).translate(URI_ESCAPES)
    return Markup("data:image/svg+xml;charset=utf-8," + encoded)  # nosec B704 # no quote or ampersand left


def _chart_title(name: str, language: str) -> str:
    return chart_words(language)[family_of(name.partition("/")[2]) or "distribution"]
