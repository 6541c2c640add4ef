"""The respondent's use cases against PostgreSQL: drafts, the one-transaction submission, the open link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.surveys.campaigns import services as campaigns
from consult.surveys.campaigns.models import Campaign, CampaignMode
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services
from consult.surveys.respond.services import Outcome
from consult.surveys.responses.models import Ballot, Comment, Draft, Response
from consult.timeutil import today
from tests.conftest import admit_ballots, draft_data

DRAFT = {
    "answers": {"P01.1": 5, "P14.1": "DK"},
    "comments": {"P01": "Clear rules."},
    "profile": {"school": "south", "career_stage": ""},
    "step": 3,
}


def count(db, model, campaign: Campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign.id))


@pytest.fixture
def campaign(make_campaign) -> Campaign:
    return make_campaign(status="open")


def new_token(campaign: Campaign) -> str:
    return links.issue_tokens(campaign, 1)[0].token


def test_an_unknown_or_malformed_token_finds_nothing(db, campaign):
    new_token(campaign)
    assert services.find_invitation("A" * 22) is None
    assert services.find_invitation("../../etc/passwd") is None
    assert services.find_invitation("") is None


def test_a_draft_is_kept_under_the_token_hash(db, campaign):
    token = new_token(campaign)
    visit = services.find_invitation(token)
    assert (visit.used, visit.draft, visit.campaign.id) == (False, None, campaign.id)
    assert services.save_draft(visit, DRAFT) == Outcome.STORED
    assert services.save_draft(visit, {**DRAFT, "step": 4}) == Outcome.STORED
    stored = db.session.scalars(select(Draft).where(Draft.campaign_id == campaign.id)).one()
    assert stored.token_hash == token_hash(token) and stored.data is None and draft_data(token)["step"] == 4
    assert services.find_invitation(token).draft["answers"] == {"P01.1": 5, "P14.1": "DK"}


def test_submitting_stores_one_packed_response_its_comment_and_deletes_the_draft(db, campaign):
    token = new_token(campaign)
    services.save_draft(services.find_invitation(token), DRAFT)
    visit = services.find_invitation(token)
    assert services.submit(visit, services.layouts.get(visit.campaign)) == Outcome.STORED
    assert (count(db, Ballot, campaign), count(db, Response, campaign), count(db, Comment, campaign)) == (
        1,
        0,
        0,
    )
    admit_ballots(campaign.id)
    response = db.session.scalars(select(Response).where(Response.campaign_id == campaign.id)).one()
    assert (response.answers, response.profile, response.submitted_on) == (
        bytes([5, 0, 255]),
        bytes([2, 0]),
        today(),
    )
    comments = db.session.scalars(select(Comment).where(Comment.campaign_id == campaign.id))
    assert [(c.section_code, c.text) for c in comments] == [("P01", "Clear rules.")]
    assert count(db, Draft, campaign) == 0
    assert (
        db.session.scalar(select(Invitation.used).where(Invitation.token_hash == token_hash(token))) is True
    )


def test_a_second_submission_of_a_token_stores_nothing(db, campaign):
    token = new_token(campaign)
    visit = services.find_invitation(token)
    layout = services.layouts.get(visit.campaign)
    assert services.submit(visit, layout) == Outcome.STORED
    assert services.submit(visit, layout) == Outcome.ALREADY
    assert services.find_invitation(token).used
    assert count(db, Ballot, campaign) == 1


def test_a_used_token_keeps_no_new_draft(db, campaign):
    token = new_token(campaign)
    visit = services.find_invitation(token)
    services.submit(visit, services.layouts.get(visit.campaign))
    assert services.save_draft(visit, DRAFT) == Outcome.ALREADY
    assert count(db, Draft, campaign) == 0


def test_a_closed_campaign_stores_nothing(db, campaign):
    token = new_token(campaign)
    visit = services.find_invitation(token)
    campaigns.close_campaign(campaign)
    db.session.flush()
    assert services.save_draft(visit, DRAFT) == Outcome.CLOSED
    assert services.submit(visit, services.layouts.get(visit.campaign)) == Outcome.CLOSED
    assert count(db, Response, campaign) == 0
    assert db.session.scalar(select(Invitation.used).where(Invitation.campaign_id == campaign.id)) is False


def test_the_open_link_takes_one_answer_per_browser_key(db, make_campaign):
    campaign = make_campaign(status="draft")
    campaign.mode = CampaignMode.OPEN_LINK
    campaigns.open_campaign(campaign)
    db.session.flush()
    first = services.find_open_link(campaign.slug, None)
    assert (first.used, first.draft) == (False, None)
    key = services.start_open_link(first.campaign)
    visit = services.find_open_link(campaign.slug, key)
    assert (visit.used, visit.draft) == (False, {})
    assert services.save_draft(visit, DRAFT) == Outcome.STORED
    layout = services.layouts.get(visit.campaign)
    assert services.submit(services.find_open_link(campaign.slug, key), layout) == Outcome.STORED
    assert services.find_open_link(campaign.slug, key).used
    assert services.submit(visit, layout) == Outcome.ALREADY
    assert services.save_draft(visit, DRAFT) == Outcome.ALREADY
    assert count(db, Ballot, campaign) == 1


def test_the_open_link_of_a_token_campaign_does_not_exist(db, campaign):
    assert services.find_open_link(campaign.slug, None) is None
    assert services.find_open_link("no-such-campaign", None) is None


def test_the_layout_of_an_open_campaign_is_read_once(db, campaign):
    visit = services.find_invitation(new_token(campaign))
    assert services.layouts.get(visit.campaign) is services.layouts.get(visit.campaign)
    assert [item.code for item in services.layouts.get(visit.campaign).questionnaire.items] == [
        "P01.1",
        "P01.2",
        "P14.1",
    ]
