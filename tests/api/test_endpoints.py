"""The API's operations: the same services, roles and suppression as the pages."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent, Role
from consult.analysis.tasks import start_analysis
from consult.api import tokens
from consult.cli import build_cli
from consult.surveys.campaigns.services import participation_figures
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.yaml_format import dump_questionnaire
from consult.surveys.responses import storage
from tests.conftest import csrf_from


@pytest.fixture
def hr(make_user):
    user = make_user(Role.HR)
    return user, {"Authorization": f"Bearer {tokens.create_token(user)[1]}"}


@pytest.fixture
def analysed(make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 60)
    start_analysis(campaign)
    return campaign


def api_actions(db) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api.%"))).all()


def test_hr_creates_opens_and_closes_a_campaign_each_write_audited(client, hr, db):
    _user, auth = hr
    yaml_text = dump_questionnaire(load_template("charter-2023"))
    created = client.post(
        "/api/v1/campaigns", json={"questionnaire": yaml_text, "title": "API survey"}, headers=auth
    )
    assert created.status_code == 201, created.get_json()
    slug = created.get_json()["slug"]
    assert created.get_json()["status"] == "draft" and created.get_json()["languages"] == ["en", "fr"]
    assert client.post(f"/api/v1/campaigns/{slug}/open", headers=auth).get_json()["status"] == "open"
    assert client.post(f"/api/v1/campaigns/{slug}/close", headers=auth).get_json()["status"] == "closed"
    again = client.post(f"/api/v1/campaigns/{slug}/close", headers=auth)
    assert again.status_code == 409 and "only an open campaign" in again.get_json()["message"]
    assert api_actions(db) == ["api.campaign.create", "api.campaign.open", "api.campaign.close"]
    listed = client.get("/api/v1/campaigns", headers=auth).get_json()
    assert slug in [c["slug"] for c in listed]


def test_a_bad_questionnaire_is_refused_with_its_errors_and_nothing_stored(client, hr, db):
    _user, auth = hr
    answer = client.post("/api/v1/campaigns", json={"questionnaire": "title: [unclosed"}, headers=auth)
    assert answer.status_code == 422 and answer.get_json()["message"]
    missing = client.post("/api/v1/campaigns", json={}, headers=auth)
    assert missing.status_code == 422 and "questionnaire" in missing.get_json()["errors"]["json"]
    assert api_actions(db) == []


def test_a_session_write_needs_its_csrf_token_and_a_token_write_does_not(
    client, login, make_user, make_campaign
):
    login(make_user(Role.HR))
    campaign = make_campaign()
    refused = client.post(f"/api/v1/campaigns/{campaign.slug}/open")
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    token = csrf_from(client.get("/account").get_data(as_text=True))
    accepted = client.post(f"/api/v1/campaigns/{campaign.slug}/open", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and campaign.status == "open"


def test_results_are_exactly_what_the_export_command_writes(app, client, hr, analysed, tmp_path):
    _user, auth = hr
    out = tmp_path / "results.json"
    result = app.test_cli_runner().invoke(
        build_cli(), ["campaign", "export", analysed.slug, "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    answer = client.get(f"/api/v1/campaigns/{analysed.slug}/results", headers=auth)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.data == out.read_bytes()
    assert json.loads(answer.data)["campaign"]["slug"] == analysed.slug


def test_no_results_before_an_analysis(client, hr, make_campaign):
    _user, auth = hr
    answer = client.get(f"/api/v1/campaigns/{make_campaign(status='closed').slug}/results", headers=auth)
    assert answer.status_code == 404 and "no analysis" in answer.get_json()["message"]


def test_participation_is_suppressed_as_on_the_campaign_page(client, hr, make_campaign):
    _user, auth = hr
    campaign = make_campaign(status="open")
    profiles = [[1, 0]] * 12 + [[2, 0]] * 2
    answers = [[4, 4, 4]] * 14
    storage.insert_responses(campaign.id, answers, profiles)
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/participation", headers=auth).get_json()
    groups = {g["code"]: g for g in body["groups"]}
    assert groups["south"]["responses"] is None and groups["south"]["hidden"] == "small"
    assert groups["north"]["responses"] is None and groups["north"]["hidden"] == "complementary"
    page = participation_figures(campaign, "en", "School not stated")
    assert body["responses"] == page.responses == 14
    assert [g["responses"] for g in body["groups"]] == [g.responses for g in page.groups]


def test_an_analysis_starts_and_reports_its_status(client, hr, make_campaign, add_responses, db):
    _user, auth = hr
    draft = make_campaign()
    refused = client.post(f"/api/v1/campaigns/{draft.slug}/analyses", headers=auth)
    assert refused.status_code == 409 and "draft" in refused.get_json()["message"]
    campaign = make_campaign(status="open")
    add_responses(campaign, 30)
    started = client.post(f"/api/v1/campaigns/{campaign.slug}/analyses", headers=auth)
    assert started.status_code == 202
    status = client.get(started.headers["Location"], headers=auth).get_json()
    assert status["status"] == "done" and status["progress"] == 100
    latest = client.get(f"/api/v1/campaigns/{campaign.slug}/analyses/latest", headers=auth).get_json()
    assert latest["id"] == started.get_json()["id"]
    assert "api.analysis.start" in api_actions(db)


def test_the_gap_table_has_a_row_per_principle(client, hr, analysed):
    _user, auth = hr
    rows = client.get(f"/api/v1/campaigns/{analysed.slug}/gap", headers=auth).get_json()
    assert [r["section"] for r in rows] == ["P01", "P14"]
    assert rows[0]["principle"] == 1 and rows[0]["implementation"] is None


def test_an_export_job_is_started_polled_and_downloaded(client, hr, analysed):
    from consult.gap.exports import export_campaign

    _user, auth = hr
    started = client.post(f"/api/v1/campaigns/{analysed.slug}/exports", json={"format": "csv"}, headers=auth)
    assert started.status_code == 202, started.get_json()
    job = client.get(started.headers["Location"], headers=auth).get_json()
    assert job["status"] == "done" and job["progress"] == 100
    download = client.get(f"/api/v1/exports/{job['id']}/download", headers=auth)
    assert download.status_code == 200
    assert download.data == export_campaign(analysed, "csv").content
    bad = client.post(f"/api/v1/campaigns/{analysed.slug}/exports", json={"format": "exe"}, headers=auth)
    assert bad.status_code == 422


def test_the_openapi_document_and_its_reference_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/campaigns/{slug}/results" in spec["paths"]
    page = client.get("/api/v1/reference").get_data(as_text=True)
    assert "GET /api/v1/campaigns/{slug}/results" in page and "<script" not in page


def test_the_action_plan_is_what_the_hrs4r_export_command_writes(app, client, hr, analysed, tmp_path):
    _user, auth = hr
    out = tmp_path / "plan.json"
    command = f"hrs4r export {analysed.slug} --document action-plan --format json --language fr --out {out}"
    result = app.test_cli_runner().invoke(build_cli(), command.split())
    assert result.exit_code == 0, result.output
    answer = client.get(f"/api/v1/campaigns/{analysed.slug}/action-plan?language=fr", headers=auth)
    assert answer.status_code == 200 and answer.data == out.read_bytes()
    assert json.loads(answer.data)["language"] == "fr"
    assert (
        client.get(f"/api/v1/campaigns/{analysed.slug}/action-plan?language=de", headers=auth).status_code
        == 422
    )
