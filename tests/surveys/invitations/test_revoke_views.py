"""The pages that revoke links: roles, bad input, the confirmation step, idempotence; and what a respondent
with a revoked link sees."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import limiter
from consult.surveys.campaigns import services
from consult.surveys.invitations import links
from consult.surveys.invitations.models import REVOKED_ONE, REVOKED_UNUSED, Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.responses.models import Ballot, Draft
from tests.conftest import csrf_from
from tests.surveys.invitations.test_services import invite, rows


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def campaign(make_campaign):
    found = make_campaign(status="open")
    invite(found, ["ann@univ.example.org", "bob@univ.example.org"])
    return found


def signed_in(client, make_user, login, role: str = "hr") -> None:
    login(make_user(role))


def url(campaign, rest: str = "") -> str:
    return f"/campaigns/{campaign.slug}/invitations" + (f"/{rest}" if rest else "")


def find(client, campaign, text: str):
    page = client.get(url(campaign, "revoke")).get_data(as_text=True)
    return client.post(url(campaign, "revoke"), data={"link": text, "csrf_token": csrf_from(page)})


def test_only_hr_and_admins_revoke(db, client, make_user, login, campaign):
    assert client.get(url(campaign, "revoke")).status_code == 302
    assert client.get(url(campaign, "revoke-unused")).status_code == 302
    signed_in(client, make_user, login, "reviewer")
    assert client.get(url(campaign, "revoke")).status_code == 403
    assert client.get(url(campaign, "revoke-unused")).status_code == 403
    assert all(row.revoked is None for row in rows(db, campaign))


def test_the_invitations_page_offers_both_revocations(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    html = client.get(url(campaign)).get_data(as_text=True)
    assert f'href="{url(campaign, "revoke")}"' in html and f'href="{url(campaign, "revoke-unused")}"' in html


def test_finding_a_link_asks_for_confirmation_and_revokes_nothing(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    response = find(client, campaign, "ANN@univ.example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Revoke this link?" in html and "ann@univ.example.org" in html
    assert "does not tell whether this person answered" in html
    assert rows(db, campaign)[0].revoked is None


def test_bad_input_is_named_and_revokes_nothing(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    empty = find(client, campaign, "  ")
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.get_data(as_text=True)
    unknown = find(client, campaign, "carl@univ.example.org")
    assert unknown.status_code == 422
    assert "No link of this campaign matches what you entered." in unknown.get_data(as_text=True)
    assert find(client, campaign, "x" * 501).status_code == 422
    assert all(row.revoked is None for row in rows(db, campaign))


def test_confirming_revokes_once_and_again_changes_nothing(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    ann = rows(db, campaign)[0]
    page = find(client, campaign, "ann@univ.example.org").get_data(as_text=True)
    action = url(campaign, f"revoke/{ann.id}")
    assert f'action="{action}"' in page
    response = client.post(action, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/invitations#revoke")
    db.session.expire_all()
    assert (rows(db, campaign)[0].revoked, rows(db, campaign)[0].email) == (REVOKED_ONE, None)
    assert "The link is revoked" in client.get(url(campaign)).get_data(as_text=True)
    again = client.post(action, data={"csrf_token": csrf_from(page)})
    assert again.status_code == 303
    shown = client.get(url(campaign)).get_data(as_text=True)
    assert "This link was already revoked: nothing changed." in shown
    assert rows(db, campaign)[1].revoked is None


def test_revoking_needs_the_form_token_and_a_known_invitation(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    ann = rows(db, campaign)[0]
    assert client.post(url(campaign, f"revoke/{ann.id}")).status_code == 400
    page = client.get(url(campaign)).get_data(as_text=True)
    unknown = client.post(url(campaign, "revoke/999999"), data={"csrf_token": csrf_from(page)})
    assert unknown.status_code == 404
    assert rows(db, campaign)[0].revoked is None


def test_revoking_every_unused_link_is_confirmed_first(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    page = client.get(url(campaign, "revoke-unused"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Revoke every link not used yet?" in html
    assert "You will not be told how many links were revoked" in html
    assert all(row.revoked is None for row in rows(db, campaign))
    assert client.post(url(campaign, "revoke-unused")).status_code == 400
    assert all(row.revoked is None for row in rows(db, campaign))
    done = client.post(url(campaign, "revoke-unused"), data={"csrf_token": csrf_from(html)})
    assert done.status_code == 303
    db.session.expire_all()
    assert [row.revoked for row in rows(db, campaign)] == [REVOKED_UNUSED, REVOKED_UNUSED]
    flashed = client.get(url(campaign)).get_data(as_text=True)
    assert "Every link not used yet is revoked." in flashed
    again = client.post(url(campaign, "revoke-unused"), data={"csrf_token": csrf_from(html)})
    assert again.status_code == 303


def test_a_closed_campaign_refuses_revoking(db, client, make_user, login, campaign):
    services.close_campaign(campaign)
    signed_in(client, make_user, login)
    assert client.get(url(campaign, "revoke")).status_code == 409
    assert client.get(url(campaign, "revoke-unused")).status_code == 409


def test_the_history_words_revocations_in_both_languages(db, client, make_user, login, campaign):
    signed_in(client, make_user, login)
    page = find(client, campaign, "bob@univ.example.org").get_data(as_text=True)
    client.post(url(campaign, f"revoke/{rows(db, campaign)[1].id}"), data={"csrf_token": csrf_from(page)})
    client.post(url(campaign, "revoke-unused"), data={"csrf_token": csrf_from(page)})
    history = f"/campaigns/{campaign.slug}/history"
    english = client.get(history).get_data(as_text=True)
    assert "revoked an invitation link" in english and "revoked every invitation link not used yet" in english
    french = client.get(history, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "a révoqué un lien d&#39;invitation" in french or "a révoqué un lien d'invitation" in french


def test_a_revoked_link_shows_the_respondent_a_clear_page_and_stores_nothing(db, client, make_campaign):
    campaign = make_campaign(status="open")
    token = links.issue_tokens(campaign, 1)[0].token
    step = client.get(f"/r/{token}/step/1").get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    invitation.revoked = REVOKED_ONE
    db.session.commit()
    for path in ("", "/step/1", "/step/4"):
        response = client.get(f"/r/{token}{path}")
        assert response.status_code == 410
        assert "This link has been withdrawn" in response.get_data(as_text=True)
    french = client.get(f"/r/{token}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Ce lien a été retiré" in french
    posted = client.post(f"/r/{token}/step/1", data={"item-P01.1": "4", "csrf_token": csrf_from(step)})
    submitted = client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(step)})
    assert posted.status_code == submitted.status_code == 410
    for model in (Draft, Ballot):
        count = select(func.count()).select_from(model).where(model.campaign_id == campaign.id)
        assert db.session.scalar(count) == 0
