"""The gap analysis as a PDF made with matplotlib alone: the gap table grouped by pillar, then a section per
principle: key figures, rating and justification, GAP and initiatives, the answers' distribution, the group
chart and heat map panels, the differences between groups in words, the change since the previous campaign
and the releasable comments (``PrincipleDetails``, gathered by the export)."""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.lines
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import LoadFlags
from PIL import Image

from consult.analysis.chart_common import METADATA, STYLE, localised
from consult.analysis.charts import draw_item_distribution, legend_columns
from consult.gap.pdfdetails import PrincipleDetails, comments_note
from consult.gap.sanitize import html_to_paragraphs
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

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 8.27, 11.69, 0.8
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = "#555555"
CHART_DPI, CHART_SCALE = 150, 0.82
WHITE_TEXT = frozenset({"++", "--"})


@functools.cache
def _advance(character: str) -> float:
    """The advance width of a DejaVu Sans character, in ems (unhinted, as in the PDF)."""
    font = get_font(findfont(FontProperties(family="DejaVu Sans")))
    font.set_size(100, 72)
    return font.load_char(ord(character), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536 / 100


def colon(language: str) -> str:
    """A colon after a label, as the language writes it (French puts a narrow no-break space before it)."""
    return "\u202f:" if language == "fr" else ":"


def text_width(text: str, size: float) -> float:
    """The width in inches of a line of DejaVu Sans at ``size`` points (kerning left out)."""
    return size * sum(_advance(character) for character in text) / 72


def wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current, current_width = "", 0.0
    space = text_width(" ", size)
    for word in text.split():
        word_width = text_width(word, size)
        if not current or current_width + space + word_width > width:
            lines += [current] if current else []
            current, current_width = word, word_width
        else:
            current, current_width = f"{current} {word}", current_width + space + word_width
    return [*lines, current] if current else lines


def image_size(pixels_wide: int, pixels_high: int) -> tuple[float, float]:
    """A chart's size in inches on the page: ``CHART_SCALE`` of its own (150 dpi), so that two heat map
    panels share a page; narrowed to fit the text if needed."""
    width, height = pixels_wide / CHART_DPI, pixels_high / CHART_DPI
    scale = min(CHART_SCALE, TEXT_WIDTH / width, (PAGE_HEIGHT - 2 * MARGIN - 0.6) / height)
    return width * scale, height * scale


def indexed_colours(png: bytes) -> np.ndarray:
    """The chart's pixels in at most 256 colours, which the PDF stores indexed: a third of the size of
    true colour, for a chart of flat colours and anti-aliased text that looks the same."""
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB").quantize(256, dither=Image.Dither.NONE).convert("RGB"))


def png_height(png: bytes) -> float:
    """The height on the page of a PNG chart, read from its header (width and height at bytes 16 to 24)."""
    return image_size(int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))[1]


class _Pages:
    """Lays out text and charts from the top of A4 pages, starting a new page when one is full."""

    def __init__(self, pdf: PdfPages, footer: str, language: str):
        self.pdf, self.footer, self.language = pdf, footer, language
        self.number = 0
        self.heading = ""
        self.figure: Figure | None = None
        self.y = MARGIN

    def new_page(self) -> None:
        self.finish()
        self.number += 1
        self.figure = Figure(figsize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.y = MARGIN
        parts = [self.footer, self.heading, words(self.language)["page"].format(n=self.number)]
        self.figure.text(
            0.5,
            0.4 / PAGE_HEIGHT,
            " · ".join(part for part in parts if part),
            ha="center",
            fontsize=7,
            color=GREY,
        )

    def finish(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None

    def room(self, height: float) -> Figure:
        if self.figure is None or self.y + height > PAGE_HEIGHT - MARGIN:
            self.new_page()
        assert self.figure is not None
        return self.figure

    def place(self, indent: float, text: str, **style: Any) -> None:
        """Text at the current height, ``indent`` inches from the left margin."""
        assert self.figure is not None
        self.figure.text((MARGIN + indent) / PAGE_WIDTH, 1 - self.y / PAGE_HEIGHT, text, va="top", **style)

    def text(
        self, text: str, size: float = 9.5, indent: float = 0.0, after: float = 0.06, **style: Any
    ) -> None:
        height = size * 1.45 / 72
        for line in wrap(text, size * (1.1 if style.get("fontweight") == "bold" else 1), TEXT_WIDTH - indent):
            self.room(height)
            self.place(indent, line, fontsize=size, **style)
            self.y += height
        self.y += after

    def image(self, png: bytes) -> None:
        """A stored chart at its own size (150 dpi), narrowed to the text width if wider, centred."""
        rgb = indexed_colours(png)
        width, height = image_size(rgb.shape[1], rgb.shape[0])
        left = MARGIN + (TEXT_WIDTH - width) / 2
        ax = self.axes(height, left=left, right=PAGE_WIDTH - left - width)
        ax.imshow(rgb, interpolation="none", aspect="auto")
        ax.axis("off")
        self.y += 0.12

    def axes(self, height: float, left: float, right: float) -> Axes:
        figure = self.room(height)
        bottom = 1 - (self.y + height) / PAGE_HEIGHT
        self.y += height
        return figure.add_axes(
            (left / PAGE_WIDTH, bottom, (PAGE_WIDTH - left - right) / PAGE_WIDTH, height / PAGE_HEIGHT)
        )


def gap_report_pdf(
    results: Mapping[str, Any],
    rows: Sequence[GapRow],
    language: str,
    scale_labels: Sequence[str] | None = None,
    spelling: Spelling = "compact",
    details: Mapping[str, PrincipleDetails] | None = None,
) -> bytes:
    """``details`` adds to each principle (by section code) its charts, differences, change and comments."""
    entries = principle_entries(results, rows, language, spelling)
    grouped = pillars(entries, charter_of(results), language)
    campaign_title = localised(results.get("campaign", {}).get("title"), language)
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE), PdfPages(buffer, metadata=METADATA["pdf"]) as pdf:
        pages = _Pages(pdf, f"{words(language)['title']} · {campaign_title}", language)
        _write_summary(pages, results, grouped, language, spelling)
        for pillar, members in grouped:
            for entry in members:
                pages.heading = f"{entry.number}. {entry.name}"
                pages.new_page()
                _write_principle(pages, pillar, entry, language, scale_labels, spelling)
                if details and entry.code in details:
                    _write_details(pages, details[entry.code], language)
        pages.finish()
    return buffer.getvalue()


TABLE_COLUMNS = (1.6, 0.95, 2.1, 2.02)
"""Widths in inches of the gap table's columns: principle, rating, GAP, initiatives (the text width)."""
TABLE_SIZE = 7.2


def _write_summary(
    pages: _Pages,
    results: Mapping[str, Any],
    grouped: list[tuple[str, list[PrincipleEntry]]],
    language: str,
    spelling: Spelling,
) -> None:
    """The gap table as EURAXESS lays it out (principle, rating, GAP, initiatives), grouped by pillar."""
    said = words(language)
    campaign = results.get("campaign", {})
    pages.new_page()
    pages.text(said["title"], size=20, fontweight="bold", after=0.1)
    pages.text(localised(campaign.get("title"), language), size=12)
    pages.text(responses_said(campaign, language), size=10, color=GREY, after=0.25)
    for pillar, members in grouped:
        pages.text(pillar, size=11, fontweight="bold", after=0.05)
        header = [said["principle"], said["rating"], said["gap"], said["initiatives"]]
        _table_row(pages, [[text] for text in header], fontweight="bold")
        for entry in members:
            label = rating_label(entry, language, spelling) or "\u2013"
            cells = [[f"{entry.number}. {entry.name}"], [label]]
            cells += [html_to_paragraphs(entry.gap_html), html_to_paragraphs(entry.initiatives_html)]
            _table_row(pages, cells)
        pages.y += 0.2


def _table_row(pages: _Pages, cells: list[list[str]], **style: Any) -> None:
    """One row of the table, line by line, so that a long row goes on over the next page."""
    height = TABLE_SIZE * 1.35 / 72
    measured = TABLE_SIZE * (1.1 if style.get("fontweight") == "bold" else 1)
    columns = [
        [line for paragraph in paragraphs for line in wrap(paragraph, measured, width - 0.1)]
        for paragraphs, width in zip(cells, TABLE_COLUMNS, strict=True)
    ]
    lefts = [sum(TABLE_COLUMNS[:i]) for i in range(len(TABLE_COLUMNS))]
    pages.room(height)
    _rule(pages)
    pages.y += 0.04
    for index in range(max(len(lines) for lines in columns) or 1):
        pages.room(height)
        for left, lines in zip(lefts, columns, strict=True):
            if index < len(lines):
                pages.place(left, lines[index], fontsize=TABLE_SIZE, **style)
        pages.y += height
    pages.y += 0.03


def _rule(pages: _Pages) -> None:
    assert pages.figure is not None
    y = 1 - pages.y / PAGE_HEIGHT
    pages.figure.add_artist(
        matplotlib.lines.Line2D(
            [MARGIN / PAGE_WIDTH, 1 - MARGIN / PAGE_WIDTH], [y, y], color="#b0b7bb", linewidth=0.5
        )
    )


def _write_principle(
    pages: _Pages,
    pillar: str,
    entry: PrincipleEntry,
    language: str,
    scale_labels: Sequence[str] | None,
    spelling: Spelling,
) -> None:
    said = words(language)
    pages.text(pillar, size=8.5, color=GREY)
    pages.text(f"{entry.number}. {entry.name}", size=15, fontweight="bold", after=0.15)
    figures = key_figures(entry.section, language)
    pages.text(f"{said['figures']}{colon(language)} {figures}", size=9.5, after=0.12)
    _write_rating(pages, entry, language, spelling)
    _write_decision(pages, entry, language, spelling)
    if entry.section and entry.section.get("items"):
        _draw_distribution(pages, entry.section, language, scale_labels)
    for heading, html in ((said["gap"], entry.gap_html), (said["initiatives"], entry.initiatives_html)):
        pages.y += 0.15
        pages.text(heading, size=11, fontweight="bold", after=0.08)
        paragraphs = html_to_paragraphs(html)
        for paragraph in paragraphs:
            pages.text(paragraph, size=9.5, after=0.08)
        if not paragraphs:
            pages.text(say(language, N_("Not written yet.")), size=9.5, color=GREY)


def _write_rating(pages: _Pages, entry: PrincipleEntry, language: str, spelling: Spelling) -> None:
    if entry.rating is None:
        return
    said = words(language)
    pages.room(0.4)
    title = said["final"] if not entry.proposed else said["suggested"]
    pages.place(0, f"{title}{colon(language)}", fontsize=10, fontweight="bold")
    label = rating_label(entry, language, spelling) + (f"  ({said['uncertain']})" if entry.uncertain else "")
    badge = {"facecolor": f"#{RATING_COLOURS[entry.rating]}", "edgecolor": "none", "pad": 3}
    colour = "white" if entry.rating in WHITE_TEXT else "black"
    pages.place(
        2.2, label, fontsize=10, color=colour, style="italic" if entry.proposed else "normal", bbox=badge
    )
    pages.y += 0.4


def _write_decision(pages: _Pages, entry: PrincipleEntry, language: str, spelling: Spelling) -> None:
    """The committee's justification of its final rating, then the suggested rating and its own reason."""
    said = words(language)
    if entry.rating is not None and not entry.proposed:
        pages.text(f"{said['justification']}{colon(language)}", size=9.5, fontweight="bold", after=0.02)
        pages.text(entry.justification or said["no_justification"], size=9.5, after=0.1)
        if entry.suggested:
            suggested = format_rating(entry.suggested, spelling)
            pages.text(f"{said['suggested']}{colon(language)} {suggested}", size=9.5, after=0.02)
    if entry.reason:
        heading = said["suggested_reason"] if entry.suggested else said["reason"]
        pages.text(f"{heading}{colon(language)} {entry.reason}", size=9.5, color=GREY)


def _draw_distribution(
    pages: _Pages, section: Mapping[str, Any], language: str, scale_labels: Sequence[str] | None
) -> None:
    points = len(section["items"][0].get("counts", []))
    labels = list(scale_labels or [str(point) for point in range(1, points + 1)])
    pages.y += 0.15
    ax = pages.axes(0.42 * len(section["items"]) + 0.3, left=MARGIN + 2.6, right=MARGIN + 0.75)
    draw_item_distribution(ax, section, labels, language)
    below_axis = matplotlib.transforms.offset_copy(ax.figure.transFigure, ax.figure, y=-0.42, units="inches")
    ax.get_legend().set_bbox_to_anchor((0.5, ax.get_position().y0), transform=below_axis)
    pages.y += 0.75 if legend_columns(labels) == len(labels) else 0.95


def _heading(pages: _Pages, text: str, keep: float = 0.35) -> None:
    """A heading kept on the page with the first ``keep`` inches of what follows it."""
    pages.y += 0.15
    pages.room(0.3 + keep)
    pages.text(text, size=11, fontweight="bold", after=0.08)


def _write_details(pages: _Pages, details: PrincipleDetails, language: str) -> None:
    """After the distribution: the group charts and heat map panels, then the words about them."""
    if details.charts or details.differences:
        first = png_height(details.charts[0]) if details.charts else 0.35
        _heading(pages, say(language, N_("Differences between groups")), keep=first)
        for png in details.charts:
            pages.image(png)
        for sentence in details.differences:
            pages.text(f"\u2022 {sentence}", size=9.5, indent=0.1, after=0.06)
    _heading(pages, say(language, N_("Change since the previous analysis")))
    for sentence in details.change or (
        say(language, N_("No previous campaign or previous gap analysis to compare with.")),
    ):
        pages.text(sentence, size=9.5, after=0.06)
    _write_comments(pages, details, language)


def _write_comments(pages: _Pages, details: PrincipleDetails, language: str) -> None:
    _heading(pages, say(language, N_("Comments")))
    pages.text(comments_note(details, language), size=9, color=GREY, after=0.1)
    for comment in details.comments or ():
        pages.text(f"\u2022 {comment}", size=9, indent=0.1, after=0.08)
