"""The PDF report of an analysed campaign: the gap table first, then a complete section per principle."""

from __future__ import annotations

import re
from dataclasses import replace

import pymupdf
import pytest

from consult.analysis.services import latest_results
from consult.analysis.tasks import start_analysis
from consult.gap import exports, services
from consult.gap.services import AssessmentChange
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic
from tests.conftest import small_questionnaire

EAST = spec.Option("east", {"en": "East", "fr": "Est"})


def three_schools() -> spec.Questionnaire:
    q = small_questionnaire()
    school = q.dimensions[0]
    return replace(q, dimensions=(replace(school, options=(*school.options, EAST)), *q.dimensions[1:]))


@pytest.fixture
def reported(app, make_campaign, db, monkeypatch):
    """Analysed with its charts stored; three respondents in "East" (a group below k = 5), a comment with an
    e-mail address, and a decided principle with its justification."""
    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    campaign = make_campaign(three_schools(), status="open")
    data = synthetic.generate(campaign_spec(campaign), 160, 7)
    data.profiles[:3, 0] = 2
    storage.insert_responses(campaign.id, data.answers, data.profiles)
    storage.insert_comments(campaign.id, [*data.comments, ("P01", "Write to jane.doe@example.org about it.")])
    db.session.flush()
    start_analysis(campaign)
    assert latest_results(campaign) is not None
    justification = "The workshops found the rules unknown."
    change = AssessmentChange("-/+", justification, "<p>Rules unread</p>", "", None)
    services.save_assessment(campaign.id, "P01", change, None)
    return campaign


def pages_text(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return [page.get_text() for page in document]


def section_images(pdf: bytes) -> dict[str, int]:
    """Images drawn on each principle's pages, keyed by the principle named in the pages' footer."""
    counts: dict[str, int] = {}
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        for page in document:
            footer = next(line for line in page.get_text().splitlines() if " · page " in line)
            parts = footer.split(" · ")
            if len(parts) == 4:
                counts[parts[2]] = counts.get(parts[2], 0) + len(page.get_image_info())
    return counts


def test_each_principle_has_its_charts_differences_change_and_comments(reported):
    previous = (
        "Principles\tImplementation\tGAP\tInitiatives\n<b>Ethical principles</b>\t-/+\t<p>Missing.</p>\t\n"
    )
    services.import_gap(reported.id, previous.encode(), "gap-2019.tsv", "previous", None)
    pdf = exports.export_campaign(reported, "pdf", "en").content
    pages = pages_text(pdf)
    assert "Gap analysis" in pages[0] and "Implementation" in pages[0] and "Rules unread" in pages[0]
    body = "\n".join(pages[1:])
    assert body.count("Differences between groups") == 2
    assert "The workshops found the rules unknown." in body
    assert "by school" in body or "school" in body.split("Differences between groups")[1]
    assert body.count("Change since the previous analysis") == 2
    assert "Rating in the previous gap analysis (gap-2019.tsv), 2. Ethical principles: -/+." in body
    assert "No previous campaign or previous gap analysis to compare with." in body  # P14: nothing before
    assert "Comments" in body and "Write to" in body and "about it." in body
    assert "jane.doe@example.org" not in body and "example.org" not in body
    assert "n = 3" not in body and "East" not in body
    images = section_images(pdf)
    # the group chart, and the heat map's panels: school, career stage, school x career stage
    assert images["1. Ethics and Research Integrity"] == 4 and images["14. Stability"] == 4


def test_the_french_report_says_it_all_in_french(reported):
    pdf = exports.export_campaign(reported, "pdf", "fr").content
    body = "\n".join(pages_text(pdf)[1:])
    assert "Différences entre les groupes" in body
    assert "Évolution depuis l'analyse précédente" in body
    assert "Commentaires" in body and "jane.doe" not in body
    # French puts a (narrow no-break) space before a colon
    assert re.search(r"Chiffres clés\s: n = 158", body) and re.search(r"Justification du comité\s:", body)
    assert "Differences between groups" not in body and "Comments" not in body


def test_the_change_since_the_previous_campaign_is_said_in_each_language():
    from consult.gap.pdfdetails import change_sentences

    section = {"favourable": 0.68, "change": {"previous_favourable": 0.61, "difference": 0.07, "p": 0.012}}
    english = change_sentences(section, "en")
    assert english[0] == ("Favourable answers: 68% now, 61% in the previous campaign (+7 percentage points).")
    assert english[1] == "A clear change (p = 0.012)."
    french = change_sentences({**section, "change": {**section["change"], "p": 0.4}}, "fr")
    assert "68\xa0%" in french[0] and "campagne précédente" in french[0] and "+7" in french[0]
    assert french[1] == "Pas d'évolution nette (p = 0,40)."
    assert change_sentences({"favourable": 0.5}, "en") == []


def test_the_html_report_has_the_same_sections_as_the_pdf(reported):
    page = exports.export_campaign(reported, "html", "fr").content.decode()
    assert page.count("<h4>Différences entre les groupes</h4>") == 2
    assert page.count("<h4>Évolution depuis l&#39;analyse précédente</h4>") == 2
    assert page.count("<h4>Commentaires</h4>") == 2 and "Write to [" in page and "jane.doe" not in page
    # per principle: the distribution, the group chart and the three heat map panels
    assert page.count('src="data:image/svg+xml') == 2 * 5
