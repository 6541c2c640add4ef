"""The security headers of every kind of answer: staff and respondent pages, the sign-in page, errors,
static files, the health check; HSTS only when the site is served over HTTPS."""

from __future__ import annotations

import pytest

from consult.surveys.invitations import links

PAGES = {
    "staff page": "/dashboard",
    "sign-in page": "/login",
    "home page": "/",
    "respondent page": "/r/{token}",
    "unknown link": "/r/not-a-token",
    "404": "/no/such/page",
    "static": "/static/consult.css",
    "health": "/healthz",
}
DISABLED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def answers(client, make_user, login, make_campaign):
    """One answer of each kind, fetched by a signed-in staff member's browser."""

    def fetch() -> dict:
        token = links.issue_tokens(make_campaign(status="open"), 1)[0].token
        login(make_user("hr"))
        return {name: client.get(path.format(token=token)) for name, path in PAGES.items()}

    return fetch


def test_every_answer_has_the_security_headers(answers):
    for name, response in answers().items():
        headers = response.headers
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], name
        policy = {rule.strip() for rule in headers["Permissions-Policy"].split(",")}
        assert {f"{feature}=()" for feature in DISABLED_FEATURES} <= policy, name
        assert "Strict-Transport-Security" not in headers, name


def test_the_answers_have_the_expected_status(answers):
    statuses = {name: response.status_code for name, response in answers().items()}
    assert statuses["404"] == 404 and statuses["unknown link"] == 404
    assert all(statuses[name] == 200 for name in PAGES if name not in ("404", "unknown link"))


def test_https_sites_ask_browsers_to_keep_to_https(app, answers, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "https://consult.example.org")
    for name, response in answers().items():
        assert response.headers["Strict-Transport-Security"] == HSTS, name
        assert len(response.headers.getlist("Strict-Transport-Security")) == 1, name
