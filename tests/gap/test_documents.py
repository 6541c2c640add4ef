from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import openpyxl
import pytest
from markupsafe import escape

from consult.analysis.charts import item_distribution_chart
from consult.gap.documents import gap_report_html, gap_report_pdf, gap_xlsx
from consult.gap.summary import principle_entries, rating_label
from consult.gap.tsv import GapRow, parse_gap_tsv

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_gap.tsv"
SCALE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
DIMENSIONS = {
    "school": {
        "label": "School",
        "options": {"telecom-paris": "Télécom Paris", "mines-ales": "IMT Mines Alès"},
    },
    "gender": {"label": "Gender", "options": {"woman": "Woman", "man": "Man"}},
}


def item(code: str, counts: list[int]) -> dict[str, Any]:
    n = sum(counts)
    mean = sum(value * count for value, count in enumerate(counts, start=1)) / n
    favourable = (counts[3] + counts[4]) / n
    return {
        "code": code,
        "n": n,
        "dont_know": 2,
        "counts": counts,
        "mean": mean,
        "sd": 1.0,
        "favourable": favourable,
        "favourable_ci": [favourable - 0.06, favourable + 0.06],
    }


def section(
    code: str, principle: int, title: Any, favourable: float, rating: dict[str, Any]
) -> dict[str, Any]:
    groups = [
        {"code": "telecom-paris", "n": 61, "mean": 3.8, "favourable": favourable + 0.04, "suppressed": False},
        {"code": "mines-ales", "suppressed": True},
    ]
    return {
        "code": code,
        "principle": principle,
        "title": title,
        "n": 118,
        "mean": 3.7,
        "favourable": favourable,
        "favourable_ci": [favourable - 0.05, favourable + 0.05],
        "alpha": 0.78,
        "rating": rating,
        "items": [item(f"{code}.1", [5, 12, 20, 50, 31]), item(f"{code}.2", [9, 20, 25, 41, 23])],
        "breakdowns": {
            "school": {
                "groups": groups,
                "test": {
                    "name": "mann-whitney",
                    "statistic": 1520.0,
                    "p": 0.21,
                    "p_adjusted": 0.42,
                    "effect_size": 0.12,
                },
            },
            "school:gender": {
                "groups": [
                    {
                        "code": "telecom-paris:woman",
                        "n": 25,
                        "mean": 3.9,
                        "favourable": 0.7,
                        "suppressed": False,
                    },
                    {"code": "mines-ales:woman", "suppressed": True},
                ],
                "test": None,
            },
        },
    }


def results_fixture() -> dict[str, Any]:
    return {
        "campaign": {
            "slug": "survey-2026",
            "title": {"en": "Researchers' survey 2026", "fr": "Enquête 2026"},
            "responses": 118,
            "min_group_size": 5,
        },
        "sections": [
            section(
                "P01",
                1,
                {"en": "Ethics and Research Integrity", "fr": "Éthique et intégrité"},
                0.68,
                {"suggested": "+/-", "final": None, "reason": "68% favourable.", "uncertain": True},
            ),
            section(
                "P14",
                14,
                {"en": "Stability of Employment"},
                0.38,
                {"suggested": "-/+", "final": "--", "reason": "38% favourable."},
            ),
            section("X1", None, "Local questions", 0.8, {"suggested": "++", "final": None, "reason": ""}),
        ],
    }


@pytest.fixture(scope="module")
def rows() -> list[GapRow]:
    return parse_gap_tsv(SAMPLE.read_bytes())


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return results_fixture()


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_entries_follow_the_table_then_the_remaining_sections(results, rows):
    entries = principle_entries(results, rows, "en")
    assert [entry.name for entry in entries[:20]] == [row.name for row in rows]
    assert entries[0].section["code"] == "P01" and entries[13].section["code"] == "P14"
    assert entries[20].name == "Local questions" and entries[1].section is None


def test_final_rating_wins_then_the_table_then_the_proposal(results, rows):
    entries = principle_entries(results, rows, "en")
    assert (entries[13].rating, entries[13].proposed) == ("--", False)
    assert (entries[0].rating, entries[0].proposed) == ("+/-", False)
    alone = principle_entries(results, [], "fr")
    assert rating_label(alone[0], "fr") == "+/- (proposée)" and alone[0].uncertain


def test_xlsx_gap_sheet_has_one_styled_row_per_principle(results, rows):
    book = workbook(gap_xlsx(results, rows, "en", SCALE, DIMENSIONS))
    sheet = book["Gap analysis"]
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]][:3] == ["No.", "Principles", "Implementation"]
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("37474F")
    assert [sheet.cell(r, 2).value for r in range(2, 22)] == [row.name for row in rows]
    assert sheet.cell(22, 2).value == "Local questions" and sheet.max_row == 22
    assert sheet["C2"].value == "+/-" and sheet["C2"].fill.fgColor.rgb.endswith("A6D96A")
    assert sheet["C3"].value == "++" and sheet["C3"].fill.fgColor.rgb.endswith("1B7837")
    assert sheet["C15"].value == "--" and sheet["C15"].font.color.rgb.endswith("FFFFFF")
    assert sheet["C22"].value == "++ (proposed)" and sheet["C22"].font.italic
    assert sheet["B2"].alignment.wrap_text and sheet.column_dimensions["F"].width == 80


def test_xlsx_texts_are_plain_text_with_line_breaks_and_bullets(results, rows):
    sheet = workbook(gap_xlsx(results, rows, "en"))["Gap analysis"]
    assessment = sheet.cell(10, 6).value
    assert "<" not in "".join(str(cell.value) for row in sheet.iter_rows(min_row=2) for cell in row)
    assert "irrespective of:\n•the assessment period" in assessment
    texts = "".join(str(sheet.cell(r, c).value) for r in range(2, 22) for c in (6, 7))
    assert "Futur, Ruptures & Impacts" in texts


def test_xlsx_has_a_sheet_of_figures_per_surveyed_principle(results, rows):
    book = workbook(gap_xlsx(results, rows, "en", SCALE, DIMENSIONS))
    assert book.sheetnames == ["Gap analysis", "P01", "P14", "X1"]
    values = [cell for row in book["P01"].iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Strongly agree" in values and "P01.1" in values and "Télécom Paris" in values
    assert values.count("fewer than 5") == 2 and "IMT Mines Alès \u00d7 Woman" in values
    assert any(str(value).startswith("Test: mann-whitney") for value in values)
    assert 61 in values and 118 in values


def test_xlsx_in_french_hides_small_groups_in_french(results, rows):
    book = workbook(gap_xlsx(results, [], "fr"))
    assert book.sheetnames[0] == "Analyse des écarts"
    assert book["Analyse des écarts"]["B2"].value == "Éthique et intégrité"
    values = [cell for row in book["P01"].iter_rows(values_only=True) for cell in row]
    assert "moins de 5" in values


def test_xlsx_is_deterministic_and_dated_by_the_campaign(results, rows):
    first = gap_xlsx(results, rows, "en")
    assert first == gap_xlsx(results_fixture(), rows, "en")
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {
        (2000, 1, 1, 0, 0, 0)
    }
    dated = {**results, "campaign": {**results["campaign"], "date": "2026-03-31"}}
    assert workbook(gap_xlsx(dated, rows, "en")).properties.created == datetime(2026, 3, 31)


def report(results: dict[str, Any], rows: list[GapRow], language: str = "en", **options: Any) -> str:
    return gap_report_html(results, rows, language, **options)


def test_html_report_shows_every_principle_with_its_rating(results, rows):
    page = report(results, rows)
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    for row in rows:
        assert escape(row.name) in page
    assert '<span class="rating rating-mm">--</span>' in page
    assert "Local questions" in page and "++ (proposed)" in page
    assert page.count('<article class="principle"') == 21
    assert "1. Ethics, Integrity, Gender and Open Science" in page and "<h2" in page and "<caption>" in page


def test_html_report_keeps_the_sanitised_markup(results, rows):
    page = report(results, rows)
    assert '<ul style="list-style-type: none"> <li>•the assessment period' in page
    hostile = [GapRow("Open Science", "+/-", '<p onclick="x()">a</p><script>alert(1)</script>', "<p>b</p>")]
    unsafe = report(results, hostile)
    assert "<script" not in unsafe and "onclick" not in unsafe and "<p>a</p>" in unsafe


def test_html_report_needs_no_external_resource(results, rows):
    svg = item_distribution_chart(results["sections"][0], SCALE, "en", "svg").decode("utf-8")
    page = report(results, rows, charts={"P01/distribution": svg})
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;charset=utf-8,")
    shown, drawn = ElementTree.fromstring(unquote(sources[0].partition(",")[2])), ElementTree.fromstring(svg)
    assert [(e.tag, e.attrib, e.text) for e in shown.iter()] == [
        (e.tag, e.attrib, e.text) for e in drawn.iter()
    ]
    assert not re.search(r"<(script|link|iframe|object|embed)\b", page)
    assert not re.search(r"url\(|@import|https?://", page.split("<body>")[0])
    assert 'alt="1. Ethics and Research Integrity: Distribution of answers"' in page


def test_html_report_prints_each_principle_on_its_own_page(results, rows):
    page = report(results, rows)
    assert "@media print" in page and "break-before: page" in page and "@page" in page


def test_html_report_in_french(results):
    page = report(results, [], "fr")
    assert '<html lang="fr">' in page and "(proposée)" in page and "Éthique et intégrité" in page
    assert "Analyse des écarts" in page


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_pdf_has_a_page_or_more_per_principle(results, rows):
    pdf = gap_report_pdf(results, rows, "en", SCALE)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) >= 1 + 21


def test_pdf_is_deterministic_and_undated(results, rows):
    first = gap_report_pdf(results, rows[:3], "fr")
    assert first == gap_report_pdf(results_fixture(), rows[:3], "fr")
    assert b"CreationDate" not in first and b"ModDate" not in first
    assert page_count(first) >= 1 + 5
