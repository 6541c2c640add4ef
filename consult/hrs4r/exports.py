"""The documents written as XLSX (one sheet per document), DOCX, HTML, PDF (matplotlib, as the gap analysis)
and JSON."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import docx
import matplotlib
from docx.shared import Pt
from flask import render_template
from flask_babel import force_locale
from matplotlib.backends.backend_pdf import PdfPages
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from consult.analysis.chart_common import METADATA, STYLE
from consult.gap.pdf import _Pages
from consult.hrs4r.documents import Document, Table, build
from consult.surveys.campaigns.models import Campaign

FORMATS = ("xlsx", "docx", "html", "pdf", "json")
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    content: bytes


def export(campaign: Campaign, document: str, format: str, language: str = "en") -> Export:
    documents = build(campaign, document, language)
    content = WRITERS[format](documents, language)
    return Export(f"{campaign.slug}-{document}-{language}.{format}", MIMETYPES[format], content)


def to_json(documents: list[Document], language: str) -> bytes:
    def block(kind: str, value) -> dict:
        if kind == "table":
            return {"type": "table", "caption": value.caption, "columns": value.columns, "rows": value.rows}
        return {"type": kind, "text": value}

    data = {
        "language": language,
        "documents": [
            {"key": d.key, "title": d.title, "blocks": [block(*b) for b in d.blocks]} for d in documents
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


SHEET_NAMES = {"action-plan": "Action plan", "otm-r": "OTM-R", "internal-review": "Internal review"}


def to_xlsx(documents: list[Document], language: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for document in documents:
        sheet = book.create_sheet(document.title[:31])
        sheet.append([document.title])
        sheet["A1"].font = Font(bold=True, size=14)
        for kind, value in document.blocks:
            _xlsx_block(sheet, kind, value)
        for column in "ABCDEFGHIJ":
            sheet.column_dimensions[column].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_block(sheet, kind: str, value) -> None:
    if kind != "table":
        sheet.append([value])
        if kind == "heading":
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        return
    sheet.append(value.columns)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in value.rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])


def to_docx(documents: list[Document], language: str) -> bytes:
    out = docx.Document()
    out.core_properties.language = language
    for number, document in enumerate(documents):
        if number:
            out.add_page_break()
        out.add_heading(document.title, level=1)
        for kind, value in document.blocks:
            if kind == "heading":
                out.add_heading(value, level=2)
            elif kind == "paragraph":
                out.add_paragraph(value)
            else:
                _docx_table(out, value)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _docx_table(out, table: Table) -> None:
    grid = out.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(8)
    for row in table.rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(8)


def to_html(documents: list[Document], language: str) -> bytes:
    with force_locale(language):
        page = render_template("hrs4r/export.html", documents=documents, language=language)
    return page.encode()


def to_pdf(documents: list[Document], language: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE), PdfPages(buffer, metadata=METADATA["pdf"]) as pdf:
        pages = _Pages(pdf, "HRS4R", language)
        for document in documents:
            pages.heading = document.title
            pages.new_page()
            pages.text(document.title, size=18, fontweight="bold", after=0.15)
            for kind, value in document.blocks:
                _pdf_block(pages, kind, value)
        pages.finish()
    return buffer.getvalue()


def _pdf_block(pages: _Pages, kind: str, value) -> None:
    if kind == "heading":
        pages.y += 0.1
        pages.text(value, size=12, fontweight="bold", after=0.08)
    elif kind == "paragraph":
        pages.text(value, size=9.5)
    else:
        _pdf_table(pages, value)


def _pdf_table(pages: _Pages, table: Table) -> None:
    """A table as a list: each row's first cell (and its title, in a numbered table) in bold, then the other
    columns as "column: value" lines."""
    for row in table.rows:
        if len(table.columns) == 2:
            pages.text(f"{row[0]}: {row[1]}", size=9.5, after=0.02)
            continue
        numbered = row[0].isdigit()
        pages.text(f"{row[0]}. {row[1]}" if numbered else row[0], size=9.5, fontweight="bold")
        first = 2 if numbered else 1
        for name, cell in zip(table.columns[first:], row[first:], strict=True):
            if cell:
                pages.text(f"{name}: {cell}", size=8.5, indent=0.25, after=0.02)
        pages.y += 0.06
    if not table.rows:
        pages.text("\u2013", size=9.5)


WRITERS = {"xlsx": to_xlsx, "docx": to_docx, "html": to_html, "pdf": to_pdf, "json": to_json}
