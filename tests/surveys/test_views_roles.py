"""Every HR page, found in the app's URL map (so a page added later is covered): a reviewer gets 403, a
visitor is sent to sign in, and HR staff get the page."""

from __future__ import annotations

import pytest

from consult.extensions import limiter
from tests.conftest import csrf_from, make_app


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


SAMPLE_VALUES = {
    "slug": None,
    "name": "charter-2023",
    "code": "P01",
    "kind": "sections",
    "action": "open",
    "direction": "down",
    "message": "invitation",
    "invitation_id": 1,
}

CODES = {"dimension": "school", "item": "P01.1"}


def hr_rules() -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every page of the surveys blueprint and the blueprints nested in it."""
    app = make_app("sqlite://")
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("surveys."):
            found += [
                (rule.endpoint, method, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
            ]
    return sorted(found)


HR_RULES = hr_rules()


def url_of(app, endpoint: str, slug: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: slug if name == "slug" else SAMPLE_VALUES[name] for name in rule.arguments}
    if "code" in values:
        values["code"] = CODES.get(endpoint.rsplit(".", 1)[-1], "P01")
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def test_the_map_lists_every_hr_page():
    endpoints = {endpoint for endpoint, _, _ in HR_RULES}
    assert {
        "surveys.new_campaign",
        "surveys.campaign",
        "surveys.preview",
        "surveys.participation",
        "surveys.builder.settings",
        "surveys.invitations.index",
        "surveys.invitations.tokens",
    } <= endpoints
    assert len(HR_RULES) >= 30


@pytest.mark.parametrize(("endpoint", "method", "rule"), HR_RULES)
def test_a_reviewer_is_refused_every_hr_page(
    app, client, make_user, login, make_campaign, endpoint, method, rule
):
    campaign = make_campaign()
    login(make_user("reviewer"))
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = client.open(url_of(app, endpoint, campaign.slug), method=method, data={"csrf_token": token})
    assert response.status_code == 403, (endpoint, method)


@pytest.mark.parametrize(("endpoint", "method", "rule"), HR_RULES)
def test_a_visitor_is_sent_to_sign_in(app, client, make_campaign, endpoint, method, rule):
    campaign = make_campaign()
    response = client.open(url_of(app, endpoint, campaign.slug), method=method, data={})
    if method == "POST":
        assert response.status_code == 400  # refused before anything: no CSRF token
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("endpoint", "rule"), [(e, r) for e, m, r in HR_RULES if m == "GET"])
def test_hr_staff_and_admins_get_every_page(app, client, make_user, login, make_campaign, endpoint, rule):
    campaign = make_campaign()
    for role in ("hr", "admin"):
        login(make_user(role))
        response = client.get(url_of(app, endpoint, campaign.slug))
        assert response.status_code == 200, (role, endpoint, response.get_data(as_text=True)[:2000])
        client.post(
            "/logout", data={"csrf_token": csrf_from(client.get("/dashboard").get_data(as_text=True))}
        )


def test_a_reviewer_never_sees_campaign_links_to_hr_pages(client, make_user, login, make_campaign):
    make_campaign(status="open")
    login(make_user("reviewer"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "/campaigns/" not in page
