from __future__ import annotations

import re
from pathlib import Path

import pytest

from consult.analysis.models import AnalysisRun, RunStatus
from consult.extensions import limiter
from consult.gap import services
from consult.gap.models import ExportJob
from consult.gap.services import AssessmentChange
from consult.surveys.questionnaires.charter_templates import load_template
from tests.conftest import csrf_from

SAMPLE = Path(__file__).parent.parent / "data" / "sample_gap.tsv"


@pytest.fixture(autouse=True)
def fresh_login_limits(app):
    """Each test signs in a few times; the sign-in rate limit must not carry over from earlier tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture
def campaign(make_campaign, db):
    campaign = make_campaign(load_template("charter-2023"), status="closed")
    sections = [
        {
            "code": s.code,
            "principle": s.principle,
            "title": s.title["en"],
            "n": 50,
            "favourable": 0.66,
            "rating": {"suggested": "+/-", "final": None, "reason": "66% favourable.", "uncertain": False},
            "items": [],
        }
        for s in campaign.questionnaire.sections
    ]
    db.session.add(
        AnalysisRun(
            campaign_id=campaign.id,
            status=RunStatus.DONE,
            responses=50,
            results={"campaign": {"slug": campaign.slug, "responses": 50}, "sections": sections},
        )
    )
    db.session.flush()
    return campaign


def edit_url(campaign, code: str = "P01") -> str:
    return f"/gap/{campaign.slug}/principles/{code}"


def post_edit(client, campaign, code: str = "P01", **fields):
    page = client.get(edit_url(campaign, code)).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d*)"', page).group(1)
    data = {
        "csrf_token": csrf_from(page),
        "version": version,
        "final_rating": "",
        "justification": "",
        "gap_html": "",
        "initiatives_html": "",
        **fields,
    }
    return client.post(edit_url(campaign, code), data=data)


@pytest.mark.parametrize("role", ["reviewer", "hr", "admin"])
def test_reviewers_hr_and_admins_may_edit(client, login, make_user, campaign, role):
    login(make_user(role))
    response = post_edit(client, campaign, final_rating="+/-", gap_html="<p>Seen by the group.</p>")
    assert response.status_code == 302
    assert services.get_assessment(campaign.id, "P01").gap_html == "<p>Seen by the group.</p>"


def test_nobody_signed_out_sees_or_edits_anything(client, campaign):
    for url in (
        edit_url(campaign),
        f"/gap/{campaign.slug}/import",
        f"/gap/{campaign.slug}/exports",
        f"/gap/{campaign.slug}/download/tsv",
        f"/results/{campaign.slug}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(edit_url(campaign), data={"final_rating": "++"}).status_code in (302, 400)
    assert services.get_assessment(campaign.id, "P01") is None


def test_a_disabled_account_cannot_edit(client, login, make_user, campaign, db):
    user = login(make_user("reviewer"))
    user.active = False
    db.session.flush()
    assert client.get(edit_url(campaign)).status_code == 302


def test_only_hr_and_admins_import(client, login, make_user, campaign):
    login(make_user("reviewer"))
    assert client.get(f"/gap/{campaign.slug}/import").status_code == 403


def test_a_rating_departing_from_the_suggestion_asks_for_a_justification(client, login, make_user, campaign):
    login(make_user("reviewer"))
    response = post_edit(client, campaign, final_rating="--")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your final rating, -/-, is not the suggested rating, +/-. Write in the justification" in page
    described = re.search(r'<textarea[^>]*id="justification"[^>]*>', page).group(0)
    assert 'aria-describedby="justification-hint justification-error"' in described
    assert 'aria-invalid="true"' in described and '<ul class="errors" id="justification-error">' in page
    assert '<a href="#justification">' in page and "say why" not in page
    assert services.get_assessment(campaign.id, "P01") is None
    assert (
        post_edit(client, campaign, final_rating="--", justification="Focus groups disagree.").status_code
        == 302
    )
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert "Focus groups disagree." in page and "Every saved version, newest first" in page


def test_hostile_html_is_cleaned_and_safe_markup_survives(client, login, make_user, campaign):
    login(make_user("reviewer"))
    safe = '<ul style="list-style-type: none"><li>R&amp;D</li></ul>'
    post_edit(
        client,
        campaign,
        gap_html='<p onmouseover="x()">Hi<script>alert(1)</script></p>',
        initiatives_html=safe,
    )
    saved = services.get_assessment(campaign.id, "P01")
    assert "script" not in saved.gap_html and "onmouseover" not in saved.gap_html
    assert saved.initiatives_html == safe
    page = client.get(f"/results/{campaign.slug}/P01").get_data(as_text=True)
    assert safe in page and "<script>alert" not in page


def test_a_concurrent_save_is_shown_not_overwritten(client, login, make_user, campaign, db):
    login(make_user("reviewer", "bob@example.org"))
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    alice = make_user("hr", "alice@example.org")
    services.save_assessment(
        campaign.id, "P01", AssessmentChange("+/-", "", "<p>Alice's text</p>", "", None), alice
    )
    db.session.commit()
    fields = {
        "csrf_token": csrf_from(page),
        "final_rating": "+/-",
        "justification": "",
        "initiatives_html": "",
    }
    stale = client.post(edit_url(campaign), data={**fields, "version": "", "gap_html": "<p>Bob's text</p>"})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else saved this principle meanwhile" in body and "alice@example.org, version 1" in body
    assert "Bob&#39;s text" in body and "<p>Alice's text</p>" in body
    assert services.get_assessment(campaign.id, "P01").gap_html == "<p>Alice's text</p>"
    assert 'name="version" type="hidden" value="1"' in body
    again = client.post(edit_url(campaign), data={**fields, "version": "1", "gap_html": "<p>Bob's text</p>"})
    assert again.status_code == 302
    assert services.get_assessment(campaign.id, "P01").gap_html == "<p>Bob's text</p>"


def test_a_form_without_its_csrf_token_is_refused(client, login, make_user, campaign):
    login(make_user("reviewer"))
    response = client.post(edit_url(campaign), data={"final_rating": "++"})
    assert response.status_code == 400 and services.get_assessment(campaign.id, "P01") is None


def test_upload_imports_the_sample(client, login, make_user, campaign):
    login(make_user("hr"))
    page = client.get(f"/gap/{campaign.slug}/import").get_data(as_text=True)
    with SAMPLE.open("rb") as handle:
        response = client.post(
            f"/gap/{campaign.slug}/import",
            data={"csrf_token": csrf_from(page), "purpose": "assessments", "file": (handle, "gap.tsv")},
        )
    assert response.status_code == 302
    assert len(services.assessments_by_section(campaign.id)) == 20


def test_upload_of_a_malformed_file_shows_the_line_and_reason(client, login, make_user, campaign):
    login(make_user("hr"))
    page = client.get(f"/gap/{campaign.slug}/import").get_data(as_text=True)
    broken = SAMPLE.read_bytes().replace(b"\t-/+\t", b"\tmaybe\t", 1)
    from io import BytesIO

    response = client.post(
        f"/gap/{campaign.slug}/import",
        data={"csrf_token": csrf_from(page), "purpose": "assessments", "file": (BytesIO(broken), "gap.tsv")},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Line 21:" in body and "unknown rating" in body
    assert services.assessments_by_section(campaign.id) == {}


def test_the_table_downloads_from_the_exports_page(client, login, make_user, campaign):
    services.import_gap(campaign.id, SAMPLE.read_bytes(), "gap.tsv", "assessments", None)
    login(make_user("reviewer"))
    page = client.get(f"/gap/{campaign.slug}/exports").get_data(as_text=True)
    assert f"/gap/{campaign.slug}/download/tsv" in page and 'name="format" value="pdf"' in page
    response = client.get(f"/gap/{campaign.slug}/download/tsv")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="{campaign.slug}-gap-analysis.tsv"'
    )
    assert response.data.split(b"\n")[1] == SAMPLE.read_bytes().split(b"\n")[3]


def test_an_export_job_ends_with_a_download_link(client, login, make_user, campaign, db):
    login(make_user("reviewer"))
    page = client.get(f"/gap/{campaign.slug}/exports").get_data(as_text=True)
    response = client.post(
        f"/gap/{campaign.slug}/exports", data={"csrf_token": csrf_from(page), "format": "pdf"}
    )
    assert response.status_code == 302 and "/gap/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ready." in job_page and 'http-equiv="refresh"' not in job_page
    link = re.search(r'href="(/gap/jobs/[^"]+/download)"', job_page).group(1)
    download = client.get(link)
    assert download.data.startswith(b"%PDF-") and download.mimetype == "application/pdf"


def test_a_running_job_page_refreshes_itself_until_asked_not_to(client, login, make_user, campaign, db):
    login(make_user("reviewer"))
    job = ExportJob(token="t" * 43, campaign_id=campaign.id, format="pdf", status="running", progress=40)
    db.session.add(job)
    db.session.flush()
    page = client.get(f"/gap/jobs/{job.token}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page and 'value="40"' in page
    assert 'http-equiv="refresh"' not in client.get(f"/gap/jobs/{job.token}?refresh=off").get_data(
        as_text=True
    )
    assert client.get(f"/gap/jobs/{job.token}/download").status_code == 302


def test_a_large_campaign_prepares_every_export_as_a_job(
    client, login, make_user, campaign, app, monkeypatch
):
    monkeypatch.setitem(app.config, "CONSULT_EXPORT_DIRECT_MAX_RESPONSES", -1)
    login(make_user("reviewer"))
    page = client.get(f"/gap/{campaign.slug}/exports").get_data(as_text=True)
    assert "/download/" not in page and 'name="format" value="tsv"' in page
    assert "This campaign is large" in page


def test_before_any_analysis_only_the_table_and_reports_are_offered(client, login, make_user, make_campaign):
    fresh = make_campaign(load_template("charter-2023"), status="open")
    login(make_user("reviewer"))
    page = client.get(f"/gap/{fresh.slug}/exports").get_data(as_text=True)
    assert "No analysis has run yet" in page and f"/gap/{fresh.slug}/download/tsv" in page
    assert 'value="charts"' not in page and "/download/json" not in page


def test_principle_pages_lead_to_the_previous_and_next_principles(client, login, make_user, campaign):
    login(make_user("reviewer"))
    page = client.get(f"/results/{campaign.slug}/P02").get_data(as_text=True)
    assert f'href="/results/{campaign.slug}/P01" rel="prev"' in page
    assert f'href="/results/{campaign.slug}/P03" rel="next"' in page
    first = client.get(edit_url(campaign, "P01")).get_data(as_text=True)
    assert "First principle" in first and f'href="{edit_url(campaign, "P02")}" rel="next"' in first


def test_save_and_go_to_the_next_principle(client, login, make_user, campaign):
    login(make_user("reviewer"))
    response = post_edit(client, campaign, final_rating="+/-", then="next")
    assert response.status_code == 302 and response.headers["Location"].endswith(edit_url(campaign, "P02"))
    assert services.get_assessment(campaign.id, "P01").final_rating == "+/-"
    last = campaign.questionnaire.sections[-1].code
    page = client.get(edit_url(campaign, last)).get_data(as_text=True)
    assert "Last principle" in page and 'value="next"' not in page
    response = post_edit(client, campaign, last, final_rating="+/-", then="next")
    assert response.headers["Location"].endswith(edit_url(campaign, last))


def test_the_rating_page_shows_the_figures_beside_the_form(client, login, make_user, campaign):
    login(make_user("reviewer"))
    page = client.get(edit_url(campaign, "P01"), headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Ce que dit l'enquête" in page and "66\xa0%" in page
    # these results hold no answers to any statement: no chart to draw, so no broken image either
    assert f"/results/{campaign.slug}/P01/distribution.svg" not in page
    assert "Enregistrer et passer au principe suivant" in page
