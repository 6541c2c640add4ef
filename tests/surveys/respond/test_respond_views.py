"""The respondent's pages through the test client: the whole flow, languages, save and resume, and every bad
input refused with nothing stored."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.extensions import limiter
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.responses.models import Comment, Draft, Response
from tests.conftest import admit_ballots, csrf_from, draft_data


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def token(make_campaign) -> str:
    campaign = make_campaign(status="open")
    return links.issue_tokens(campaign, 1)[0].token


def stored(db, token: str) -> tuple[int, int, int]:
    """Responses, comments and drafts of the token's campaign (other tests' campaigns may hold some), once
    its pending ballots are admitted."""
    campaign_id = db.session.scalar(
        select(Invitation.campaign_id).where(Invitation.token_hash == token_hash(token))
    )
    admit_ballots(campaign_id)
    return tuple(
        db.session.scalar(select(func.count()).select_from(m).where(m.campaign_id == campaign_id))
        for m in (Response, Comment, Draft)
    )


def page(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def post(client, path: str, data: dict):
    return client.post(path, data=data)


def answer_all(client, token: str) -> None:
    """Answer every page of the small questionnaire and stop at the review."""
    html = page(client, f"/r/{token}/step/1")
    step1 = {"item-P01.1": "5", "item-P01.2": "DK", "comment-P01": "Rules <b>clear</b>.", "action": "next"}
    assert post(client, f"/r/{token}/step/1", {**step1, "csrf_token": csrf_from(html)}).status_code == 303
    assert (
        post(client, f"/r/{token}/step/2", {"item-P14.1": "2", "csrf_token": csrf_from(html)}).status_code
        == 303
    )
    about = {"profile-school": "south", "profile-career_stage": "", "csrf_token": csrf_from(html)}
    response = post(client, f"/r/{token}/step/3", about)
    assert response.headers["Location"].endswith(f"/r/{token}/step/4")


def test_the_whole_flow_stores_one_response(client, db, token):
    welcome = page(client, f"/r/{token}")
    assert "Your anonymity" in welcome and "fewer than 5 respondents" in welcome
    assert f'href="/r/{token}/step/1"' in welcome
    answer_all(client, token)
    review = page(client, f"/r/{token}/step/4")
    assert "Page 4 of 4" in review and "Don&#39;t know / not applicable" in review
    assert "Rules &lt;b&gt;clear&lt;/b&gt;." in review and "Prefer not to say" in review
    assert '<p id="answered-so-far">You have answered 3 of the 3 statements.</p>' in review
    assert 'aria-describedby="answered-so-far"' in review
    response = post(client, f"/r/{token}/submit", {"csrf_token": csrf_from(review)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/thanks")
    assert "your answers have been received" in page(client, f"/r/{token}/thanks")
    assert stored(db, token) == (1, 1, 0)
    response = db.session.scalars(
        select(Response)
        .join(Invitation, Invitation.campaign_id == Response.campaign_id)
        .where(Invitation.token_hash == token_hash(token))
    ).one()
    assert response.answers == bytes([5, 255, 2])


def test_the_review_says_how_much_will_be_sent_and_warns_before_sending_nothing(client, db, token):
    review = page(client, f"/r/{token}/step/4")
    assert "You have not answered any statement. You can still send" in review
    html = page(client, f"/r/{token}/step/2")
    post(client, f"/r/{token}/step/2", {"item-P14.1": "DK", "csrf_token": csrf_from(html)})
    french = page(client, f"/r/{token}/step/4", **{"Accept-Language": "fr"})
    assert "Vous avez répondu à 1 affirmation sur 3." in french
    assert "You have answered 1 of the 3 statements." in page(client, f"/r/{token}/step/4")


def test_the_page_is_in_the_browser_language_unless_the_respondent_picks_one(client, db, token):
    french = page(client, f"/r/{token}/step/1", **{"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in french and "Je connais les règles." in french and "N5" in french
    assert "Page 1 sur 4" in french
    english = page(client, f"/r/{token}/step/1?lang=en", **{"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in english and "I know the rules." in english and "Page 1 of 4" in english
    assert '<html lang="en">' in page(client, f"/r/{token}/step/2", **{"Accept-Language": "fr-FR"})


def test_save_and_resume_with_the_link(client, db, token, app):
    html = page(client, f"/r/{token}/step/1")
    data = {"item-P01.1": "4", "comment-P01": "Later.", "action": "save", "csrf_token": csrf_from(html)}
    response = post(client, f"/r/{token}/step/1", data)
    assert response.headers["Location"].endswith(f"/r/{token}/saved")
    saved = page(client, f"/r/{token}/saved")
    assert f"http://localhost/r/{token}" in saved and "Keep this link" in saved
    other_browser = app.test_client()
    welcome = page(other_browser, f"/r/{token}")
    assert "Continue where you left off" in welcome and f'href="/r/{token}/step/2"' in welcome
    again = page(other_browser, f"/r/{token}/step/1")
    assert re.search(r'value="4" id="q0-4" checked>', again) and ">Later.</textarea>" in again
    assert stored(db, token) == (0, 0, 1)


def test_back_saves_the_page_and_goes_to_the_previous_one(client, db, token):
    html = page(client, f"/r/{token}/step/2")
    response = post(
        client, f"/r/{token}/step/2", {"item-P14.1": "3", "action": "back", "csrf_token": csrf_from(html)}
    )
    assert response.headers["Location"].endswith(f"/r/{token}/step/1")
    assert draft_data(token)["answers"] == {"P14.1": 3}


BAD_PAGES = {
    "out of scale": ({"item-P01.1": "6"}, "not on the scale"),
    "zero": ({"item-P01.1": "0"}, "not on the scale"),
    "unknown item": ({"item-P77.1": "3"}, "a field it does not contain"),
    "item of another page": ({"item-P14.1": "3"}, "a field it does not contain"),
    "oversized comment": ({"comment-P01": "x" * 2001}, "2001 characters long; the limit is 2000"),
    "forged field": ({"is_admin": "1"}, "a field it does not contain"),
    "two values": ({"item-P01.2": ["1", "5"]}, "More than one answer"),
}


@pytest.mark.parametrize("case", BAD_PAGES)
def test_a_bad_page_is_refused_naming_the_problem_keeping_the_valid_answers(client, db, token, case):
    fields, message = BAD_PAGES[case]
    html = page(client, f"/r/{token}/step/1")
    data = {"item-P01.2": "4", **fields, "csrf_token": csrf_from(html)}
    response = post(client, f"/r/{token}/step/1", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and "There is a problem" in body
    if case != "two values":
        assert 'value="4" id="q1-4" checked>' in body
    assert stored(db, token) == (0, 0, 0)


def test_an_oversized_comment_is_shown_again_to_be_shortened(client, db, token):
    html = page(client, f"/r/{token}/step/1")
    response = post(client, f"/r/{token}/step/1", {"comment-P01": "y" * 2500, "csrf_token": csrf_from(html)})
    assert "y" * 2500 + "</textarea>" in response.get_data(as_text=True)
    assert 'href="#c0"' in response.get_data(as_text=True)


def test_a_forged_dimension_option_is_refused(client, db, token):
    html = page(client, f"/r/{token}/step/3")
    data = {"profile-school": "west", "profile-career_stage": "R2", "csrf_token": csrf_from(html)}
    response = post(client, f"/r/{token}/step/3", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "not one of the options offered" in body
    assert 'value="R2" id="d1-2" checked>' in body
    assert stored(db, token) == (0, 0, 0)


@pytest.mark.parametrize("csrf", [None, "forged-token", ""])
def test_a_missing_or_wrong_csrf_token_saves_nothing_and_keeps_the_answers(client, db, token, csrf):
    page(client, f"/r/{token}/step/1")
    data = {"item-P01.1": "2"} | ({} if csrf is None else {"csrf_token": csrf})
    response = post(client, f"/r/{token}/step/1", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "security token was missing or did not match" in body
    assert 'value="2" id="q0-2" checked>' in body
    assert stored(db, token) == (0, 0, 0)


@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_a_submission_without_a_valid_csrf_token_stores_nothing(client, db, token, csrf):
    answer_all(client, token)
    response = post(client, f"/r/{token}/submit", {} if csrf is None else {"csrf_token": csrf})
    assert response.status_code == 400
    assert stored(db, token) == (0, 0, 1)
    assert (
        db.session.scalar(select(Invitation.used).where(Invitation.token_hash == token_hash(token))) is False
    )


def test_a_second_submission_says_the_answers_were_already_received(client, db, token, app):
    answer_all(client, token)
    review = page(client, f"/r/{token}/step/4")
    assert post(client, f"/r/{token}/submit", {"csrf_token": csrf_from(review)}).status_code == 303
    again = post(client, f"/r/{token}/submit", {"csrf_token": csrf_from(review)})
    assert "Your answers were already received" in again.get_data(as_text=True)
    assert "already received" in page(app.test_client(), f"/r/{token}/step/1")
    assert stored(db, token) == (1, 1, 0)


def test_a_closed_or_unopened_campaign_gets_a_clear_page(client, db, make_campaign):
    closed = make_campaign(status="open")
    closed_token = links.issue_tokens(closed, 1)[0].token
    campaigns.close_campaign(closed)
    draft_token = links.issue_tokens(make_campaign(status="draft"), 1)[0].token
    response = client.get(f"/r/{closed_token}/step/1")
    assert response.status_code == 410 and "This consultation is closed" in response.get_data(as_text=True)
    response = client.post(f"/r/{closed_token}/submit", data={})
    assert response.status_code == 410
    response = client.get(f"/r/{draft_token}")
    assert response.status_code == 403 and "has not opened yet" in response.get_data(as_text=True)
    assert stored(db, closed_token) == stored(db, draft_token) == (0, 0, 0)


def test_an_unknown_token_does_not_reveal_whether_a_campaign_exists(client, db, token):
    pages = [client.get(path) for path in ("/r/" + "B" * 22, "/r/short", "/r/" + "C" * 22 + "/step/1")]
    assert {p.status_code for p in pages} == {404}
    bodies = {p.get_data(as_text=True) for p in pages}
    assert len(bodies) == 1 and "This link is not valid" in bodies.pop()
    assert client.post("/r/" + "B" * 22 + "/submit").status_code == 404
    assert stored(db, token) == (0, 0, 0)


def test_guessing_is_rate_limited_but_valid_links_never_are(client, db, make_campaign, app):
    campaign = make_campaign(status="open")
    tokens = [t.token for t in links.issue_tokens(campaign, 40)]
    statuses = [client.get(f"/r/{'Z' * 21}{i % 10}").status_code for i in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert all(client.get(f"/r/{t}").status_code == 200 for t in tokens)
    assert client.get(f"/r/{tokens[0]}/step/1").status_code == 200
    elsewhere = app.test_client().get("/r/" + "Y" * 22, environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert elsewhere.status_code == 404


def test_an_unknown_step_is_not_found(client, db, token):
    assert client.get(f"/r/{token}/step/9").status_code == 404
    assert client.get(f"/r/{token}/step/0").status_code == 404
