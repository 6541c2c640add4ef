"""The invitations page: the address file uploaded, and links made for distribution by hand."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import limiter
from consult.surveys.invitations.tokens import token_hash
from tests.conftest import csrf_from
from tests.surveys.invitations.test_services import LINK, hr_page, invite, people_csv, rows


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


def test_upload_stores_pending_invitations(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/invitations/upload",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(people_csv("a@b.org,north", "c@d.org,south")), "x.csv"),
        },
    )
    assert response.status_code == 302
    assert [(i.email, i.school, i.send_status) for i in rows(db, campaign)] == [
        ("a@b.org", "north", "pending"),
        ("c@d.org", "south", "pending"),
    ]
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.invite", AuditEvent.target == campaign.slug)
    ).detail == {"count": 2}


def test_a_bad_upload_stores_nothing_and_names_each_line(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/invitations/upload",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(people_csv("a@b.org,north", "bad,north")), "x.csv"),
        },
    )
    assert response.status_code == 422
    assert "line 3: &#39;bad&#39; is not a valid e-mail address" in response.get_data(as_text=True)
    assert rows(db, campaign) == []


def test_an_address_already_invited_is_refused(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    invite(campaign, ["a@b.org"])
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/invitations/upload",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(people_csv("c@d.org,north", "a@b.org,north")), "x.csv"),
        },
    )
    assert response.status_code == 422 and "already invited" in response.get_data(as_text=True)
    assert len(rows(db, campaign)) == 1


def test_links_are_exported_once_as_csv(db, client, make_user, login, make_campaign):
    campaign = make_campaign(status="open")
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/tokens",
        data={"csrf_token": csrf_from(page), "count": "3", "output": "csv"},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["token", "url"] and len(table) == 4
    hashes = {i.token_hash for i in rows(db, campaign)}
    for token, url in table[1:]:
        assert token_hash(token) in hashes and url == f"http://localhost/r/{token}"
    assert all(i.email is None for i in rows(db, campaign))


def test_links_can_be_printed(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/tokens",
        data={"csrf_token": csrf_from(page), "count": "2", "output": "print"},
    )
    links = LINK.findall(response.get_data(as_text=True))
    assert response.status_code == 200 and len(set(links)) == 2
    assert {token_hash(t) for t in links} == {i.token_hash for i in rows(db, campaign)}


def test_links_need_a_sensible_count(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/tokens",
        data={"csrf_token": csrf_from(page), "count": "0", "output": "csv"},
    )
    assert response.status_code == 422 and rows(db, campaign) == []


def test_printed_cards_carry_a_qr_code_and_a_print_button(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/tokens",
        data={"csrf_token": csrf_from(page), "count": "3", "output": "print"},
    )
    text = response.get_data(as_text=True)
    assert text.count('<svg role="img"') == 3 and text.count("<title>QR code of the link</title>") == 3
    assert "data-print hidden" in text and "/static/print.js" in text


def test_hr_pages_warn_while_the_public_address_is_the_default(app, client, make_user, login, monkeypatch):
    login(make_user("hr"))
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "http://localhost:5000")
    assert "the default address, which respondents cannot reach" in client.get("/dashboard").get_data(True)
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "http://consult.example.org")
    assert "which is not HTTPS" in client.get("/dashboard").get_data(True)
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "https://consult.example.org")
    assert 'id="base-url-warning"' not in client.get("/dashboard").get_data(True)
