"""Every export opened and read back, in both languages."""

from __future__ import annotations

import io
import json

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from consult.hrs4r.exports import export


def test_xlsx_has_one_sheet_per_document(submission):
    _, after = submission
    book = load_workbook(io.BytesIO(export(after, "package", "xlsx").content))
    assert book.sheetnames == ["Action plan", "OTM-R checklist", "Internal review"]
    cells = [c for row in book["Internal review"].iter_rows(values_only=True) for c in row if c]
    assert "Ethics training" in cells, cells
    assert {"Met", "Not met"} & set(cells)
    assert "Not measurable: fewer respondents than the campaign's minimum group size" in cells
    otmr = [row for row in book["OTM-R checklist"].iter_rows(values_only=True)]
    first = next(row for row in otmr if row[0] == "1")
    assert first[5] == "+/+" and first[6] == "Now in English too." and first[9] == "+/-"
    assert sum(1 for row in otmr if row[0] and str(row[0]).isdigit()) == 23


def test_docx_holds_the_action_table(submission):
    before, _ = submission
    document = docx.Document(io.BytesIO(export(before, "action-plan", "docx", "fr").content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Plan d'action" and "Actions" in headings
    actions = document.tables[-1]
    header = [cell.text for cell in actions.rows[0].cells]
    assert header[:3] == ["N°", "Action proposée", "Description"]
    row = [cell.text for cell in actions.rows[1].cells]
    assert row[1] == "Ethics training" and row[4] == "2024-Q3 \u2013 2025-S2" and row[7] == "En cours"
    assert "P01 · part favorable · École : Nord · cible ≥ 45,0\u202f%" in row[6]


def test_pdf_has_the_documents_in_order(submission):
    _, after = submission
    pdf = PdfReader(io.BytesIO(export(after, "package", "pdf").content))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    positions = [text.index(title) for title in ("Action plan", "OTM-R checklist", "Internal review")]
    assert positions == sorted(positions)
    assert "Do we have a system in place to assess whether OTM-R is reaching its objectives?" in text.replace(
        "\n", " "
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_html_and_json(submission, language):
    _, after = submission
    page = export(after, "internal-review", "html", language).content.decode()
    assert f'<html lang="{language}">' in page and "Ethics training" in page
    data = json.loads(export(after, "package", "json", language).content)
    assert [d["key"] for d in data["documents"]] == ["action-plan", "otm-r", "internal-review"]
    review = data["documents"][2]
    evaluated = next(
        b
        for b in review["blocks"]
        if b["type"] == "table" and len(b["columns"]) == 6 and "P01" in str(b["rows"])
    )
    assert evaluated["rows"][0][0] == "1"


def test_a_campaign_without_previous_has_no_review_in_its_package(submission):
    before, _ = submission
    data = json.loads(export(before, "package", "json").content)
    assert [d["key"] for d in data["documents"]] == ["action-plan", "otm-r"]
