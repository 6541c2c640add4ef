"""Nothing stored with a response or a comment can link it to its invitation."""

from __future__ import annotations

from sqlalchemy import Date, inspect, select

from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services
from consult.surveys.responses.models import Comment, Response
from tests.conftest import admit_ballots

RESPONSE_COLUMNS = {"id", "campaign_id", "submitted_on", "answers", "profile"}
COMMENT_COLUMNS = {"id", "campaign_id", "section_code", "text"}


def test_responses_and_comments_have_only_their_own_columns(db):
    schema = inspect(db.session.connection())
    assert {c["name"] for c in schema.get_columns("response")} == RESPONSE_COLUMNS
    assert {c["name"] for c in schema.get_columns("comment")} == COMMENT_COLUMNS
    submitted_on = next(c for c in schema.get_columns("response") if c["name"] == "submitted_on")
    assert isinstance(submitted_on["type"], Date)


def test_no_foreign_key_joins_a_response_or_comment_to_an_invitation(db):
    schema = inspect(db.session.connection())
    for table in ("response", "comment"):
        assert {fk["referred_table"] for fk in schema.get_foreign_keys(table)} == {"campaign"}
    for table in ("invitation", "draft"):
        assert "response" not in {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert "comment" not in {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
    invitation = {c["name"] for c in schema.get_columns("invitation")}
    assert not {
        name
        for name in invitation
        if "response" in name or (name.endswith(("_at", "_on")) and name != "created_at")
    }


def test_stored_values_carry_nothing_of_the_token_and_ids_are_random(db, make_campaign):
    campaign = make_campaign(status="open")
    tokens = [t.token for t in links.issue_tokens(campaign, 30)]
    for token in tokens:
        visit = services.find_invitation(token)
        services.save_draft(visit, {"answers": {"P01.1": 3}, "comments": {"P01": "ok"}})
        services.submit(services.find_invitation(token), services.layouts.get(visit.campaign))
    admit_ballots(campaign.id)
    responses = db.session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert len(responses) == 30
    secrets = {t.encode() for t in tokens} | {token_hash(t) for t in tokens}
    invitation_ids = set(db.session.scalars(select(Invitation.id)))
    for row in [*responses, *db.session.scalars(select(Comment).where(Comment.campaign_id == campaign.id))]:
        values = [getattr(row, name) for name in ("id", "answers", "profile", "text") if hasattr(row, name)]
        blobs = [v if isinstance(v, bytes) else str(v).encode() for v in values]
        assert not any(secret in blob for secret in secrets for blob in blobs)
        assert row.id not in invitation_ids and row.id > 2**40
    ids = [r.id for r in responses]
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
