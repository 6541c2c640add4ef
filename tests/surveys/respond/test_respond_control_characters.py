"""Control characters in a respondent's comment are dropped, on the page and from a draft saved before: the
response is stored, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import limiter
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond.pages import build_layout, read_page, submitted_comments
from consult.surveys.responses import ballots
from consult.surveys.responses.models import Comment, Draft
from tests.conftest import csrf_from, small_questionnaire


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def token(make_campaign) -> str:
    return links.issue_tokens(make_campaign(status="open"), 1)[0].token


def comments_of(db, token: str) -> list[str]:
    """The comments stored once the campaign's ballots are admitted (as closing admits them)."""
    campaign_id = db.session.scalar(
        select(Invitation.campaign_id).where(Invitation.token_hash == token_hash(token))
    )
    ballots.admit(campaign_id)
    return list(db.session.scalars(select(Comment.text).where(Comment.campaign_id == campaign_id)))


def submit(client, token: str):
    review = client.get(f"/r/{token}/step/4").get_data(as_text=True)
    return client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(review)})


def test_read_page_drops_control_characters_from_comments():
    q = small_questionnaire()
    form = {"comment-P01": ["a\x00b\x07c\x85\r\nd\te"]}
    assert read_page(q, build_layout(q).steps[0], form).comments == {"P01": "abc\nd\te"}


def test_submitted_comments_clean_a_draft_saved_before():
    q = small_questionnaire()
    assert submitted_comments(q, {"P01": " x\x00y ", "P14": "no comment box"}) == [("P01", "xy")]
    assert submitted_comments(q, {"P01": "\x00\x01"}) == []


def test_a_comment_with_nul_is_stored_without_it(client, db, token):
    html = client.get(f"/r/{token}/step/1").get_data(as_text=True)
    data = {"item-P01.1": "4", "comment-P01": "Fine\x00 rules\x1b.", "action": "next"}
    response = client.post(f"/r/{token}/step/1", data={**data, "csrf_token": csrf_from(html)})
    assert response.status_code == 303
    response = submit(client, token)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert comments_of(db, token) == ["Fine rules."]


def test_a_draft_saved_with_nul_before_the_fix_still_submits(client, db, token, make_campaign):
    campaign_id = db.session.scalar(
        select(Invitation.campaign_id).where(Invitation.token_hash == token_hash(token))
    )
    db.session.add(
        Draft(
            token_hash=token_hash(token),
            campaign_id=campaign_id,
            data={"answers": {"P01.1": 3}, "comments": {"P01": "old\x00 draft"}, "step": 3},
        )
    )
    db.session.flush()
    response = submit(client, token)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert comments_of(db, token) == ["old draft"]
