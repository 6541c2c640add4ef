"""The open link (``/r/open/<slug>``): one answer per browser through a signed cookie, said to be weaker."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import func, select

from consult.extensions import limiter
from consult.surveys.campaigns import services as campaigns
from consult.surveys.campaigns.models import Campaign, CampaignMode
from consult.surveys.responses.models import Ballot, Draft, Response
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def slug(db, make_campaign) -> str:
    campaign = make_campaign(status="draft")
    campaign.mode = CampaignMode.OPEN_LINK
    campaigns.open_campaign(campaign)
    db.session.flush()
    return campaign.slug


def count(db, model, slug: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(model)
        .join(Campaign, Campaign.id == model.campaign_id)
        .where(Campaign.slug == slug)
    )


def start(client, slug: str):
    welcome = client.get(f"/r/open/{slug}").get_data(as_text=True)
    return client.post(f"/r/open/{slug}/start", data={"csrf_token": csrf_from(welcome)})


def test_the_welcome_page_says_the_guarantee_is_weaker(client, db, slug):
    html = client.get(f"/r/open/{slug}").get_data(as_text=True)
    assert "a weaker guarantee" in html and "clears their cookies" in html
    assert f'action="/r/open/{slug}/start"' in html


def test_one_answer_per_browser(client, db, slug):
    response = start(client, slug)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/open/{slug}/step/1")
    cookie = response.headers["Set-Cookie"]
    assert "consult_open=" in cookie and f"Path=/r/open/{slug}" in cookie and "HttpOnly" in cookie
    html = client.get(f"/r/open/{slug}/step/1").get_data(as_text=True)
    step = {"item-P01.1": "3", "csrf_token": csrf_from(html)}
    assert client.post(f"/r/open/{slug}/step/1", data=step).status_code == 303
    review = client.get(f"/r/open/{slug}/step/4").get_data(as_text=True)
    response = client.post(f"/r/open/{slug}/submit", data={"csrf_token": csrf_from(review)})
    assert response.headers["Location"].endswith(f"/r/open/{slug}/thanks")
    assert "already received" in client.get(f"/r/open/{slug}").get_data(as_text=True)
    again = client.post(f"/r/open/{slug}/start", data={"csrf_token": csrf_from(review)})
    assert "already received" in again.get_data(as_text=True)
    assert (count(db, Ballot, slug), count(db, Draft, slug)) == (1, 0)


def test_pages_need_a_started_browser(client, db, slug):
    response = client.get(f"/r/open/{slug}/step/1")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/open/{slug}")
    assert client.post(f"/r/open/{slug}/submit", data={}).status_code == 400
    assert count(db, Ballot, slug) == count(db, Response, slug) == 0


def test_a_forged_cookie_is_a_new_browser(client, db, slug):
    client.set_cookie("consult_open", "eyJrZXkiOiJBQUFBIn0.forged", path=f"/r/open/{slug}")
    assert "Start the questionnaire" in client.get(f"/r/open/{slug}").get_data(as_text=True)


def test_starting_needs_the_csrf_token(client, db, slug):
    client.get(f"/r/open/{slug}")
    response = client.post(f"/r/open/{slug}/start", data={"csrf_token": "nope"})
    assert response.status_code == 400 and count(db, Draft, slug) == 0


def test_an_unknown_open_link_is_not_found(client, db):
    assert client.get("/r/open/no-such-campaign").status_code == 404


def start_in_a_new_browser(app, slug: str) -> int:
    g.pop("csrf_token", None)  # the test's app context outlives requests: forget the last browser's token
    return start(app.test_client(), slug).status_code


def test_starting_is_rate_limited_per_client(app, db, slug):
    app.config["RESPOND_OPEN_START_LIMIT"] = "3 per minute"
    try:
        statuses = [start_in_a_new_browser(app, slug) for _ in range(4)]
    finally:
        del app.config["RESPOND_OPEN_START_LIMIT"]
    assert statuses == [303, 303, 303, 429]
    assert count(db, Draft, slug) == 3
