from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from PIL import Image

from consult.analysis import chartstore
from consult.analysis.services import latest_results
from consult.analysis.tasks import start_analysis
from consult.gap import exportjobs, exports, services
from consult.gap.models import ExportJob
from consult.gap.services import AssessmentChange
from consult.gap.tasks import run_export
from consult.gap.tsv import HEADER, parse_gap_tsv
from consult.surveys.questionnaires.charter_templates import load_template

SAMPLE = Path(__file__).parent.parent / "data" / "sample_gap.tsv"


def principle_lines(data: bytes) -> list[bytes]:
    header = "\t".join(HEADER).encode()
    return [line for line in data.split(b"\n") if line.strip() and line != header]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


@pytest.fixture
def charter_campaign(make_campaign):
    return make_campaign(load_template("charter-2023"), status="closed")


@pytest.fixture
def analysed(app, make_campaign, add_responses, monkeypatch):
    """A small campaign, answered and analysed by the real pipeline (in-process), its charts drawn with the
    results as in production."""
    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    campaign = make_campaign(status="open")
    add_responses(campaign, 160)
    start_analysis(campaign)
    assert latest_results(campaign) is not None
    return campaign


def test_import_then_export_gives_the_same_rows_byte_for_byte(charter_campaign, make_campaign):
    services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    exported = exports.export_campaign(charter_campaign, "tsv").content
    assert principle_lines(exported) == principle_lines(SAMPLE.read_bytes())
    assert exported.startswith("\t".join(HEADER).encode() + b"\n") and exported.endswith(b"\n")
    again = make_campaign(load_template("charter-2023"))
    services.import_gap(again.id, exported, "exported.tsv", "assessments", None)
    assert exports.export_campaign(again, "tsv").content == exported


def test_the_table_is_written_in_the_campaign_spelling(charter_campaign):
    services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    charter_campaign.rating_spelling = "compact"
    rows = exports.export_campaign(charter_campaign, "tsv").content.decode().split("\n")
    assert rows[2].split("\t")[:2] == ["<b>Freedom of Scientific Research</b>", "++"]


def test_every_section_has_a_row_in_order_even_before_any_assessment(charter_campaign):
    services.save_assessment(
        charter_campaign.id, "P02", AssessmentChange("-/+", "", "<p>x</p>", "", None), None
    )
    rows = parse_gap_tsv(exports.export_campaign(charter_campaign, "tsv", "fr").content)
    assert len(rows) == 20 and rows[0].name == "Éthique et intégrité de la recherche"
    assert [row.rating for row in rows[:3]] == [None, "-/+", None] and rows[1].gap_html == "<p>x</p>"


def test_the_workbook_opens_with_one_row_per_principle_and_coloured_ratings(charter_campaign):
    services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    workbook = load_workbook(io.BytesIO(exports.export_campaign(charter_campaign, "xlsx").content))
    sheet = workbook.worksheets[0]
    names = [row.name for row in parse_gap_tsv(SAMPLE.read_bytes())]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(any(cell.value == name for cell in cells) for name in names)
    rating_cells = [cell for cell in cells if cell.value in ("+/+", "+/-", "-/+", "-/-")]
    assert len(rating_cells) == 20
    assert all(cell.fill.fgColor.rgb not in (None, "00000000") for cell in rating_cells)
    assert len(workbook.worksheets) >= 1


def test_the_pdf_has_a_page_or_more_per_principle(charter_campaign):
    services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    pdf = exports.export_campaign(charter_campaign, "pdf").content
    assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) >= 20


def test_the_html_report_is_self_contained_and_sanitised(analysed):
    hostile = '<p>Keep</p><script>alert(1)</script><a href="javascript:x()" onclick="y()">z</a>'
    services.save_assessment(analysed.id, "P01", AssessmentChange(None, "", hostile, "", None), None)
    page = exports.export_campaign(analysed, "html").content.decode()
    assert "Ethics" in page and "Stability" in page and "<p>Keep</p>" in page
    assert "<script" not in page and "javascript:" not in page and "onclick" not in page
    assert page.count('src="data:image/svg+xml;charset=utf-8,') >= 2
    for source in re.findall(r'src="data:image/svg\+xml;charset=utf-8,([^"]*)"', page):
        assert ElementTree.fromstring(unquote(source)).tag.endswith("svg")
    assert not re.search(r"""(?:src|href)=["']https?://""", page)


def test_every_chart_of_the_zip_decodes_and_the_zip_is_deterministic(analysed):
    first = exports.export_campaign(analysed, "charts").content
    assert first == exports.export_campaign(analysed, "charts").content
    results = exports.chart_results(analysed, "en")
    assert results["sections"][0]["items"][0]["text"] == "I know the rules."
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        stem = "en/01-ethics-and-research-integrity_distribution"
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.pdf", "en/index.html"} <= set(names)
        index = archive.read("en/index.html").decode()
        assert f'href="{stem[3:]}.pdf"' in index and "Distribution of answers" in index
        for name in names:
            data = archive.read(name)
            if name.endswith(".png"):
                assert Image.open(io.BytesIO(data)).size[0] > 500
            elif name.endswith(".svg"):
                assert ElementTree.fromstring(data).tag.endswith("svg")
            elif name.endswith(".pdf"):
                assert data.startswith(b"%PDF-") and pdf_pages(data) == 1


def test_a_second_export_of_unchanged_results_draws_nothing(analysed, monkeypatch):
    """The analysis stored its charts: neither the ZIP nor the HTML report draws one, in either language."""

    def drawing(*_args, **_kwargs):
        raise AssertionError("a chart was drawn")

    monkeypatch.setattr(chartstore, "draw_sections", drawing)
    for language in ("en", "fr"):
        zipped = exports.export_campaign(analysed, "charts", language).content
        assert f"{language}/index.html" in zipfile.ZipFile(io.BytesIO(zipped)).namelist()
        assert "data:image/svg+xml" in exports.export_campaign(analysed, "html", language).content.decode()


def test_the_results_json_carries_the_committee_final_ratings(analysed):
    services.save_assessment(
        analysed.id, "P14", AssessmentChange("--", "Workshops said so.", "", "", None), None
    )
    results = json.loads(exports.export_campaign(analysed, "json").content)
    ratings = {section["code"]: section["rating"]["final"] for section in results["sections"]}
    assert ratings["P14"] == "--" and ratings["P01"] is None


def test_an_export_job_reports_progress_and_gives_the_same_file(analysed, make_user, db):
    job = exportjobs.create_export_job(analysed.id, "charts", "en", make_user("reviewer"))
    seen: list[int] = []
    original = exportjobs.set_job_progress
    exportjobs.set_job_progress = lambda job_id, percent: (seen.append(percent), original(job_id, percent))
    try:
        run_export.delay(job.id)
    finally:
        exportjobs.set_job_progress = original
    db.session.refresh(job)
    assert (job.status, job.progress, job.filename) == ("done", 100, f"{analysed.slug}-charts.zip")
    assert job.content == exports.export_campaign(analysed, "charts").content
    assert seen == sorted(seen) and len(seen) >= 2 and seen[-1] >= 90


def test_a_job_that_cannot_be_built_says_why(charter_campaign, db):
    job = exportjobs.create_export_job(charter_campaign.id, "charts", "en", None)
    run_export.delay(job.id)
    stored = db.session.get(ExportJob, job.id)
    db.session.refresh(stored)
    assert stored.status == "failed" and "has no analysis yet" in stored.error and stored.content is None


def test_unknown_formats_are_refused(charter_campaign):
    with pytest.raises(exports.ExportError, match="unknown export format 'docx'"):
        exports.export_campaign(charter_campaign, "docx")
    with pytest.raises(exports.ExportError, match="unknown export format"):
        exportjobs.create_export_job(charter_campaign.id, "docx", "en", None)
