from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from consult.analysis.models import AnalysisRun, RunStatus
from consult.gap import services
from consult.gap.models import Assessment, AssessmentRevision, ImportedGap, final_ratings
from consult.gap.services import AssessmentChange, AssessmentError, StaleAssessment
from consult.gap.tsv import GapFormatError, parse_gap_tsv
from consult.surveys.questionnaires.charter_templates import load_template

SAMPLE = Path(__file__).parent.parent / "data" / "sample_gap.tsv"
HOSTILE = (
    '<p onclick="steal()">Plan<script>alert(1)</script></p><a href="javascript:alert(1)">x</a>'
    '<img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
)
SAFE = '<ul style="list-style-type: none"><li>R&amp;D &amp; <b>training</b></li></ul> <p><i>Done</i></p>'


@pytest.fixture
def charter_campaign(make_campaign):
    return make_campaign(load_template("charter-2023"), status="closed")


def store_results(campaign, suggested: dict[str, str]) -> AnalysisRun:
    """A finished analysis whose sections suggest the given ratings (the statistics are not under test)."""
    sections = [
        {
            "code": s.code,
            "principle": s.principle,
            "title": s.title.get("en"),
            "n": 40,
            "favourable": 0.5,
            "rating": {"suggested": suggested.get(s.code), "final": None, "reason": "Test reason."},
            "items": [],
        }
        for s in campaign.questionnaire.sections
    ]
    run = AnalysisRun(
        campaign_id=campaign.id,
        status=RunStatus.DONE,
        responses=40,
        results={"campaign": {"slug": campaign.slug, "responses": 40}, "sections": sections},
    )
    services.db.session.add(run)
    services.db.session.flush()
    return run


def change(
    rating: str | None = None,
    justification: str = "",
    gap: str = "",
    initiatives: str = "",
    version: int | None = None,
) -> AssessmentChange:
    return AssessmentChange(rating, justification, gap, initiatives, version)


def test_a_rating_that_differs_from_the_suggestion_needs_a_justification(charter_campaign, make_user):
    store_results(charter_campaign, {"P01": "+/-"})
    user = make_user("reviewer")
    with pytest.raises(AssessmentError, match="differs from the suggested rating"):
        services.save_assessment(charter_campaign.id, "P01", change("--"), user)
    assert services.get_assessment(charter_campaign.id, "P01") is None
    saved = services.save_assessment(
        charter_campaign.id, "P01", change("--", "  Interviews contradict it. "), user
    )
    assert (saved.final_rating, saved.justification) == ("--", "Interviews contradict it.")


def test_agreeing_with_the_suggestion_or_having_none_needs_no_justification(charter_campaign, make_user):
    store_results(charter_campaign, {"P01": "+/-"})
    user = make_user("hr")
    assert services.save_assessment(charter_campaign.id, "P01", change("+/-"), user).final_rating == "+/-"
    assert services.save_assessment(charter_campaign.id, "P02", change("+/+"), user).final_rating == "++"


def test_unknown_ratings_and_sections_are_refused(charter_campaign):
    with pytest.raises(AssessmentError, match="unknown rating"):
        services.save_assessment(charter_campaign.id, "P01", change("+"), None)
    with pytest.raises(AssessmentError, match="no section 'P99'"):
        services.save_assessment(charter_campaign.id, "P99", change("++"), None)


def test_hostile_html_is_sanitised_and_safe_markup_kept_as_written(charter_campaign):
    saved = services.save_assessment(charter_campaign.id, "P03", change(gap=HOSTILE, initiatives=SAFE), None)
    for banned in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<img", "alert(1)</"):
        assert banned not in saved.gap_html
    assert "Plan" in saved.gap_html
    assert saved.initiatives_html == SAFE


def test_plain_text_becomes_paragraphs(charter_campaign):
    saved = services.save_assessment(
        charter_campaign.id, "P04", change(gap="First  point\r\n\r\nR&D next"), None
    )
    assert saved.gap_html == "<p>First point</p> <p>R&amp;D next</p>"


def test_every_save_is_kept_in_the_history_with_who_and_when(charter_campaign, make_user):
    first, second = make_user("reviewer"), make_user("hr")
    one = services.save_assessment(charter_campaign.id, "P05", change("-/+", gap="<p>v1</p>"), first)
    services.save_assessment(
        charter_campaign.id, "P05", change("+/-", gap="<p>v2</p>", version=one.version), second
    )
    history = services.revisions(one.id)
    assert [(r.version, r.final_rating, r.gap_html, r.user_id) for r in history] == [
        (2, "+/-", "<p>v2</p>", second.id),
        (1, "-/+", "<p>v1</p>", first.id),
    ]
    assert all(r.at is not None for r in history)


def test_a_save_based_on_an_old_version_overwrites_nothing(charter_campaign, make_user):
    alice, bob = make_user("reviewer", "alice@example.org"), make_user("reviewer", "bob@example.org")
    opened = services.save_assessment(charter_campaign.id, "P06", change(gap="<p>start</p>"), alice).version
    services.save_assessment(charter_campaign.id, "P06", change(gap="<p>Alice</p>", version=opened), alice)
    with pytest.raises(StaleAssessment, match=r"alice@example\.org, version 2") as caught:
        services.save_assessment(charter_campaign.id, "P06", change(gap="<p>Bob</p>", version=opened), bob)
    assert caught.value.current.gap_html == "<p>Alice</p>"
    assert services.get_assessment(charter_campaign.id, "P06").gap_html == "<p>Alice</p>"


def test_a_concurrent_commit_between_reading_and_writing_is_detected(charter_campaign, db):
    created = services.save_assessment(charter_campaign.id, "P07", change(gap="<p>mine</p>"), None)
    db.session.execute(
        text("update assessment set version = version + 1, gap_html = '<p>theirs</p>' where id = :id"),
        {"id": created.id},
    )
    with pytest.raises(StaleAssessment) as caught:
        services.save_assessment(charter_campaign.id, "P07", change(gap="<p>late</p>", version=1), None)
    assert caught.value.current.version == 2 and caught.value.current.gap_html == "<p>theirs</p>"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AssessmentRevision)
            .where(AssessmentRevision.assessment_id == created.id)
        )
        == 1
    )


def test_final_ratings_lists_the_committee_ratings(charter_campaign):
    services.save_assessment(charter_campaign.id, "P08", change("-/+"), None)
    assert final_ratings(charter_campaign.id) == {"P08": "-/+"}


# Import of the sample gap analysis.


def test_the_sample_fills_all_twenty_principles(charter_campaign):
    report = services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    rows = parse_gap_tsv(SAMPLE.read_bytes())
    assert report.rows == 20 and report.sections == tuple(f"P{n:02d}" for n in range(1, 21))
    assessments = services.assessments_by_section(charter_campaign.id)
    for code, row in zip(report.sections, rows, strict=True):
        saved = assessments[code]
        assert (saved.final_rating, saved.gap_html, saved.initiatives_html) == (
            row.rating,
            row.gap_html,
            row.initiatives_html,
        )
        assert services.revisions(saved.id)[0].justification == "Imported from sample.tsv."
    assert assessments["P02"].final_rating == "++" and charter_campaign.rating_spelling == "plus-slash"


def test_names_that_match_nothing_fall_back_to_the_order_of_a_full_2023_table(charter_campaign):
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    renamed = [line.replace("<b>", "<b>Principle: ", 1) if line.startswith("<b>") else line for line in lines]
    report = services.import_gap(
        charter_campaign.id, "\n".join(renamed).encode(), "x.tsv", "assessments", None
    )
    assert report.sections[8] == "P09"
    assert services.get_assessment(charter_campaign.id, "P09").gap_html.startswith("<p>The assessment of")


def test_a_malformed_file_is_refused_whole_with_its_line(charter_campaign, db):
    broken = SAMPLE.read_text(encoding="utf-8").replace("\t-/+\t", "\t+-\t", 1).encode()
    with pytest.raises(GapFormatError) as caught:
        services.import_gap(charter_campaign.id, broken, "broken.tsv", "assessments", None)
    assert caught.value.errors == [
        (21, "unknown rating '+-' (expected one of ++ +/+ +/- -/+ -- -/- or empty)")
    ]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.campaign_id == charter_campaign.id)
        )
        == 0
    )


def test_rows_that_are_not_sections_of_the_campaign_are_named_with_their_line(make_campaign, db):
    campaign = make_campaign()
    with pytest.raises(GapFormatError) as caught:
        services.import_gap(campaign.id, SAMPLE.read_bytes(), "sample.tsv", "assessments", None)
    lines = [line for line, _reason in caught.value.errors]
    assert len(lines) == 18 and lines[0] == 5 and 23 not in lines
    assert "'Freedom of Scientific Research' is not a principle of this campaign" in caught.value.errors[0][1]
    assert (
        db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.campaign_id == campaign.id)
        )
        == 0
    )


def test_a_compact_file_sets_the_campaign_spelling(charter_campaign):
    compact = SAMPLE.read_text(encoding="utf-8").replace("\t+/+\t", "\t++\t").encode()
    services.import_gap(charter_campaign.id, compact, "compact.tsv", "assessments", None)
    assert charter_campaign.rating_spelling == "compact"


def test_a_previous_analysis_is_kept_with_its_charter_and_principles(charter_campaign):
    report = services.import_gap(charter_campaign.id, SAMPLE.read_bytes(), "2024.tsv", "previous", None)
    stored = services.imported_gap(charter_campaign.id, "previous")
    assert (report.charter_version, stored.charter_version, stored.filename) == ("2023", "2023", "2024.tsv")
    assert [row["principle"] for row in stored.rows] == list(range(1, 21))
    assert services.get_assessment(charter_campaign.id, "P01") is None


def test_a_2005_table_is_recognised_as_such(charter_campaign):
    table = (
        "Principles\tImplementation\tGAP / Implementation impediments\t"
        "Initiatives undertaken / new proposals\n"
        "<b>Research freedom</b>\t++\t<p>a</p>\t<p>b</p>\n<b>Non discrimination</b>\t-/+\t<p>c</p>\t\n"
    )
    services.import_gap(charter_campaign.id, table.encode(), "2005.tsv", "previous", None)
    stored = services.db.session.scalar(
        select(ImportedGap).where(ImportedGap.campaign_id == charter_campaign.id)
    )
    assert stored.charter_version == "2005" and [row["principle"] for row in stored.rows] == [1, 10]


def test_a_previous_table_naming_no_principle_is_refused(charter_campaign):
    table = "Principles\tImplementation\tGAP\tInitiatives\n<b>Lunch menus</b>\t++\t\t\n"
    with pytest.raises(GapFormatError, match="line 2: no row names a principle"):
        services.import_gap(charter_campaign.id, table.encode(), "menu.tsv", "previous", None)
