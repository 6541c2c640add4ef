from __future__ import annotations

import io

import pytest
import yaml
from sqlalchemy import func, select

from consult.extensions import limiter
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from tests.conftest import csrf_from
from tests.limesurvey.files import ARCHIVE, GERMAN_ONLY, OURS, OURS_CSV

URL = "/import/limesurvey"


@pytest.fixture(autouse=True)
def fresh_login_limits(app):
    with app.app_context():
        limiter.reset()


def post(client, button: str, **files):
    page = client.get(URL).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), button: "1"}
    data |= {name: (io.BytesIO(path.read_bytes()), path.name) for name, path in files.items()}
    return client.post(URL, data=data, content_type="multipart/form-data")


def campaigns(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


def test_hr_imports_a_survey_with_its_responses_from_the_page(client, login, make_user, db):
    login(make_user("hr"))
    response = post(client, "import_survey", structure=OURS, responses=OURS_CSV)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id.desc()).limit(1))
    assert campaign.status == CampaignStatus.CLOSED and response.location.endswith(campaign.slug)
    page = client.get(response.location).get_data(as_text=True)
    assert "23 responses and 11 comments" in page
    assert "tokens, timestamps, IP addresses, referrer URLs, timings" in page


def test_the_automatic_mapping_is_downloaded_for_editing(client, login, make_user):
    login(make_user("hr"))
    response = post(client, "download_mapping", structure=OURS)
    assert response.status_code == 200
    assert 'filename="researchers_2022.mapping.yaml"' in response.headers["Content-Disposition"]
    assert yaml.safe_load(response.get_data(as_text=True))["questions"]["recruit"]["use"] == "items"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"structure": ARCHIVE}, "fewer than the minimum group size (5)"),
        ({"structure": GERMAN_ONLY}, "the survey is in de: Consult offers en and fr only"),
        ({"structure": OURS_CSV}, "not well-formed XML"),
        ({}, "This field is required."),
    ],
)
def test_a_refused_import_says_why_and_creates_nothing(client, login, make_user, db, files, message):
    login(make_user("hr"))
    before = campaigns(db)
    response = post(client, "import_survey", **files)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert campaigns(db) == before


def test_reviewers_cannot_import(client, login, make_user):
    login(make_user("reviewer"))
    assert client.get(URL).status_code == 403


def test_the_page_is_in_french_too(client, login, make_user):
    login(make_user("hr"))
    page = client.get(URL, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Importer une enquête LimeSurvey" in page


def test_imported_comments_are_shown_redacted_like_any_other(client, login, make_user, db):
    from consult.analysis import tasks
    from consult.limesurvey.services import Upload, import_survey

    imported = import_survey(Upload(OURS.read_bytes()), Upload(OURS_CSV.read_bytes(), OURS_CSV.name)).campaign
    assert tasks.start_analysis(imported).error is None
    login(make_user("reviewer"))
    page = client.get(f"/results/{imported.slug}/ethics").get_data(as_text=True)
    assert "Write to me at [redacted]" in page and "jane.doe" not in page
