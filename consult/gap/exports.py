"""Every export of a campaign, by format: the same bytes from the CLI, the pages and the export jobs."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from consult.analysis import chartdraw, chartstore
from consult.analysis.chartparts import chart_parts, family_of, kind_order
from consult.analysis.services import latest_results, latest_run
from consult.charter.reference import principle
from consult.extensions import db
from consult.gap.cells import neutralised
from consult.gap.models import final_ratings, justifications
from consult.gap.services import assessments_by_section, campaign_sections, imported_gap
from consult.gap.tsv import GapRow, dump_gap_tsv
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses.models import Response

if TYPE_CHECKING:
    from consult.analysis.chart_common import DimensionLabels

ProgressReporter = Callable[[int], None]
_progress: ContextVar[ProgressReporter | None] = ContextVar("export_progress", default=None)
REPORT_CHARTS = ("distribution", "by_group", "heatmap")


class ExportError(ValueError):
    pass


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    mimetype: str


def report_progress(done: int, total: int) -> None:
    """Tell the export job, if one is listening, how far the export is (0 to 90%; storing it is the rest)."""
    reporter = _progress.get()
    if reporter is not None and total:
        reporter(int(90 * done / total))


def results_or_fail(campaign: Campaign) -> dict:
    results = latest_results(campaign)
    if results is None:
        raise ExportError(
            f"campaign {campaign.slug} has no analysis yet: run `consult campaign analyse "
            f"{campaign.slug} --wait` first"
        )
    return results


def export_json(campaign: Campaign, language: str) -> Document:
    results_or_fail(campaign)
    content = json.dumps(current_results(campaign), ensure_ascii=False, indent=2).encode() + b"\n"
    return Document(content, f"{campaign.slug}-results.json", "application/json")


# Results as CSV (`consult campaign export --format csv`).

CSV_KEYS = ("level", "section", "principle", "title", "item", "breakdown", "group")
CSV_FIGURES = ("suppressed", "n", "dont_know", "mean", "sd", "favourable", "alpha")
CSV_INTERVAL = ("favourable_ci_low", "favourable_ci_high")
CSV_TEST = ("test", "statistic", "p", "p_adjusted", "effect_size")
CSV_SECTION = ("rating_suggested", "rating_final", "previous_favourable", "change", "change_p")
CSV_WEIGHTED = (
    "weighted_mean",
    "weighted_favourable",
    "weighted_ci_low",
    "weighted_ci_high",
    "weighted_se",
    "deff",
    "n_effective",
    "response_rate",
)
RESULTS_CSV_COLUMNS = (*CSV_KEYS, *CSV_FIGURES, *CSV_INTERVAL, *CSV_TEST, *CSV_SECTION, *CSV_WEIGHTED)
"""The results JSON flattened, one row per section (level ``section``), item (``item``, then ``count_1``
.. ``count_k``: its answers per scale point), breakdown (``breakdown``: its rank test) and group (``group``:
code ``option`` or ``option:option``). Figures as in design.md ("Results"); ``change`` is the favourable
share minus the previous campaign's, ``change_p`` its two-proportion test. With staff headcounts, the
``weighted_*`` columns, ``deff`` and ``n_effective`` give the weighted figures beside the unweighted ones
and ``response_rate`` a one-way group's rate (empty without headcounts). A suppressed section, item or
group has its codes, ``suppressed`` = true and no figure. Numbers are written in full precision, an absent
figure as an empty cell. Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return has a
single quote in front, so that no spreadsheet runs it as a formula: the ratings read ``'++`` .. ``'--``."""


def export_csv(campaign: Campaign, language: str) -> Document:
    results_or_fail(campaign)
    counts = [f"count_{value}" for value in range(1, campaign.questionnaire.scale_points + 1)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, [*RESULTS_CSV_COLUMNS, *counts], lineterminator="\n")
    writer.writeheader()
    for row in results_csv_rows(current_results(campaign)):
        writer.writerow({name: csv_value(value) for name, value in row.items()})
    content = buffer.getvalue().encode("utf-8-sig")
    return Document(content, f"{campaign.slug}-results.csv", "text/csv; charset=utf-8")


def results_csv_rows(results: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in results["sections"]:
        key = {"section": section["code"], "principle": section.get("principle")}
        yield key | csv_figures(section) | section_extras(section)
        for item in section.get("items", []):
            yield key | csv_figures(item) | {"level": "item", "item": item["code"]}
        for name, breakdown in section.get("breakdowns", {}).items():
            test = breakdown.get("test") or {}
            figures = {field: test.get(field) for field in CSV_TEST[1:]}
            yield key | figures | {"level": "breakdown", "breakdown": name, "test": test.get("name")}
            rates = breakdown.get("rates") or {}
            for group in breakdown.get("groups", []):
                where = {"level": "group", "breakdown": name, "group": group["code"]}
                yield key | csv_figures(group) | where | {"response_rate": rates.get(group["code"])}


def section_extras(section: dict[str, Any]) -> dict[str, Any]:
    rating, change = section.get("rating") or {}, section.get("change") or {}
    return {
        "level": "section",
        "title": section.get("title"),
        "rating_suggested": rating.get("suggested"),
        "rating_final": rating.get("final"),
        "previous_favourable": change.get("previous_favourable"),
        "change": change.get("difference"),
        "change_p": change.get("p"),
    }


def csv_figures(entry: dict[str, Any]) -> dict[str, Any]:
    low, high = entry.get("favourable_ci") or (None, None)
    figures = {name: entry.get(name) for name in CSV_FIGURES}
    counts = {f"count_{value}": count for value, count in enumerate(entry.get("counts") or [], start=1)}
    return figures | counts | {"favourable_ci_low": low, "favourable_ci_high": high} | weighted_figures(entry)


def weighted_figures(entry: dict[str, Any]) -> dict[str, Any]:
    weighted = entry.get("weighted") or {}
    low, high = weighted.get("favourable_ci") or (None, None)
    return {
        "weighted_mean": weighted.get("mean"),
        "weighted_favourable": weighted.get("favourable"),
        "weighted_ci_low": low,
        "weighted_ci_high": high,
        "weighted_se": weighted.get("se"),
        "deff": weighted.get("deff"),
        "n_effective": weighted.get("n_effective"),
    }


def csv_value(value: Any) -> str:
    """A figure in full precision; text as a spreadsheet will show it, never as a formula (see ``cells``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralised(value)
    return repr(value) if isinstance(value, float) else str(value)


# The gap table: the working group's assessments, with the figures of the latest analysis.


def gap_rows(campaign: Campaign, language: str = "en") -> list[GapRow]:
    """One row per section, in the questionnaire's order: the name as the imported table wrote it (else the
    charter's name, else the section's title), the final rating and the texts."""
    assessments = assessments_by_section(campaign.id)
    imported = imported_gap(campaign.id, "assessments")
    names = {row["section_code"]: row["name"] for row in (imported.rows if imported else [])}
    rows = []
    for section in campaign_sections(campaign):
        assessment = assessments.get(section.code)
        name = (
            names.get(section.code)
            or principle_name(campaign, section.principle, language)
            or translated(section.title, language)
            or section.code
        )
        rows.append(
            GapRow(
                name,
                assessment.final_rating if assessment else None,
                assessment.gap_html if assessment else "",
                assessment.initiatives_html if assessment else "",
            )
        )
    return rows


def principle_name(campaign: Campaign, number: int | None, language: str) -> str | None:
    charter = campaign.questionnaire.charter_version
    if number is None or charter not in ("2023", "2005"):
        return None
    try:
        return translated(principle(charter, number).name, language)
    except KeyError:
        return None


def current_results(campaign: Campaign) -> dict[str, Any] | None:
    """The latest results, with each principle's final rating as the committee has it now."""
    results = copy.deepcopy(latest_results(campaign))
    if results is None:
        return None
    finals, reasons = final_ratings(campaign.id), justifications(campaign.id)
    for section in results.get("sections", []):
        rating = section.get("rating") or {"suggested": None, "reason": ""}
        code = section.get("code")
        section["rating"] = {**rating, "final": finals.get(code), "justification": reasons.get(code, "")}
    return results


def document_results(campaign: Campaign, language: str) -> dict[str, Any]:
    """The current results (before any analysis, the campaign alone) as the documents expect them, with
    each item's text so that charts and reports name the statements, not just their codes."""
    results = current_results(campaign) or {"sections": []}
    results["campaign"] = {**_campaign_header(campaign), **results.get("campaign", {})}
    return with_item_texts(results, campaign, language)


def with_item_texts(results: dict[str, Any], campaign: Campaign, language: str) -> dict[str, Any]:
    """The results with section titles and item texts in ``language`` (the analysis stored one language)."""
    sections = {section.code: section for section in campaign_sections(campaign)}
    texts = {item.code: translated(item.text, language) for s in sections.values() for item in s.items}
    for section in results.get("sections", []):
        if section.get("code") in sections:
            section["title"] = translated(sections[section["code"]].title, language) or section.get("title")
        for item in section.get("items") or []:
            item.setdefault("text", texts.get(item.get("code"), ""))
    return results


def chart_results(campaign: Campaign, language: str) -> dict[str, Any]:
    """The latest results with the items' texts, for the charts; an ExportError before any analysis."""
    results_or_fail(campaign)
    return with_item_texts(current_results(campaign), campaign, language)


def response_count(campaign: Campaign) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )


def _campaign_header(campaign: Campaign) -> dict[str, Any]:
    responses = response_count(campaign)
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "responses": responses,
        "min_group_size": campaign.min_group_size,
        "charter": campaign.questionnaire.charter_version or "2023",
    }


def scale_labels(campaign: Campaign, language: str) -> list[str]:
    labels = campaign.questionnaire.scale_labels
    return list(labels.get(language) or labels.get("en") or next(iter(labels.values()), []))


def dimension_labels(campaign: Campaign, language: str) -> DimensionLabels:
    from consult.analysis import chart_common

    return chart_common.dimension_labels(campaign_spec(campaign).dimensions, language)


def export_tsv(campaign: Campaign, language: str) -> Document:
    content = dump_gap_tsv(gap_rows(campaign, language), campaign.rating_spelling).encode("utf-8")
    return Document(content, f"{campaign.slug}-gap-analysis.tsv", "text/tab-separated-values; charset=utf-8")


def export_xlsx(campaign: Campaign, language: str) -> Document:
    from consult.gap.documents import gap_xlsx

    content = gap_xlsx(
        document_results(campaign, language),
        gap_rows(campaign, language),
        language,
        scale_labels(campaign, language),
        dimension_labels(campaign, language),
        campaign.rating_spelling,
    )
    return Document(
        content,
        f"{campaign.slug}-gap-analysis.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_html(campaign: Campaign, language: str) -> Document:
    from consult.gap.documents import gap_report_html
    from consult.gap.pdfdetails import principle_details

    results = document_results(campaign, language)
    svgs = report_charts(campaign, results, language)
    run = latest_run(campaign.id, done_only=True)
    details = principle_details(campaign, run, results.get("sections", []), language, with_charts=False)
    rows = gap_rows(campaign, language)
    text = gap_report_html(results, rows, language, svgs, campaign.rating_spelling, details)
    return Document(text.encode("utf-8"), f"{campaign.slug}-gap-analysis.html", "text/html; charset=utf-8")


def report_charts(campaign: Campaign, results: dict[str, Any], language: str) -> dict[str, str]:
    """Each principle's item distribution and breakdown as compact SVG, keyed ``CODE/name`` for the report:
    read from the charts stored with the results (drawn now only if they never were)."""
    run = latest_run(campaign.id, done_only=True)
    if run is None:
        return {}
    chartstore.ensure_charts(run, language, progress=report_progress)
    stored = chartstore.stored_charts(run.id, language, (chartdraw.COMPACT,))
    return {
        f"{code}/{kind}": content.decode("utf-8")
        for (code, kind, _fmt), content in sorted(
            stored.items(), key=lambda i: (i[0][0], kind_order(i[0][1]))
        )
        if family_of(kind) in REPORT_CHARTS
    }


def _reading_order(item: tuple[tuple[str, str, str], bytes]) -> tuple[str, tuple[int, int]]:
    return (item[0][0], kind_order(item[0][1]))


def export_pdf(campaign: Campaign, language: str) -> Document:
    from consult.gap.documents import gap_report_pdf
    from consult.gap.pdfdetails import principle_details

    results = document_results(campaign, language)
    run = latest_run(campaign.id, done_only=True)
    details = principle_details(campaign, run, results.get("sections", []), language)
    content = gap_report_pdf(
        results,
        gap_rows(campaign, language),
        language,
        scale_labels(campaign, language),
        campaign.rating_spelling,
        details,
    )
    return Document(content, f"{campaign.slug}-gap-analysis.pdf", "application/pdf")


def export_charts(campaign: Campaign, language: str) -> Document:
    """Every principle's charts (PNG, SVG, PDF) in one ZIP with an index page, assembled from the charts
    stored with the latest results: a second export of the same results draws nothing."""
    from consult.gap import chartzip

    results_or_fail(campaign)
    run = latest_run(campaign.id, done_only=True)
    chartstore.ensure_charts(run, language, progress=report_progress)
    files = chartstore.stored_charts(run.id, language, chartzip.ZIP_FORMATS)
    dims = dimension_labels(campaign, language)
    sections = [
        chartzip.ChartSection(
            str(section["code"]),
            section.get("principle"),
            principle_name(campaign, section.get("principle"), language) or str(section.get("title") or ""),
            int(section.get("n") or 0),
            tuple(chart_parts(section, dims, language)),
        )
        for section in chartstore.drawable_sections(campaign, run.results or {}, language)
    ]
    title = translated(campaign.title, language)
    content = chartzip.charts_archive(sections, files, language, title, campaign.min_group_size)
    return Document(content, f"{campaign.slug}-charts.zip", "application/zip")


EXPORTERS: dict[str, Callable[[Campaign, str], Document]] = {
    "json": export_json,
    "csv": export_csv,
    "tsv": export_tsv,
    "xlsx": export_xlsx,
    "html": export_html,
    "pdf": export_pdf,
    "charts": export_charts,
}


def export_campaign(
    campaign: Campaign, fmt: str, language: str = "en", progress: ProgressReporter | None = None
) -> Document:
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(EXPORTERS))}")
    token = _progress.set(progress)
    try:
        return exporter(campaign, language)
    finally:
        _progress.reset(token)
