"""Revoking links: finding one, revoking one or every unused one, and what that does (and never tells)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.accounts.models import AuditEvent
from consult.surveys.campaigns import services
from consult.surveys.invitations import links, revoking
from consult.surveys.invitations import services as invitations
from consult.surveys.invitations.models import REVOKED_ONE, REVOKED_UNUSED, Invitation, OutgoingMail
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services as respond
from consult.surveys.responses.models import Draft, Response
from tests.surveys.invitations.test_services import invite, rows


def by_hash(db, token: str) -> Invitation:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def count(db, model, condition) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(condition))


def audit(db, action: str, slug: str) -> int:
    query = select(func.count()).select_from(AuditEvent)
    return db.session.scalar(query.where(AuditEvent.action == action, AuditEvent.target == slug))


def invited(campaign) -> int:
    return services.participation_figures(campaign, "en", "not stated").invited


def test_a_link_is_found_by_address_by_whole_link_or_by_token(db, make_campaign):
    campaign, other = make_campaign(status="open"), make_campaign(status="open")
    invite(campaign, ["ann@univ.example.org"])
    token = links.issue_tokens(campaign, 1)[0].token
    elsewhere = links.issue_tokens(other, 1)[0].token
    assert revoking.find_link(campaign, "  Ann@Univ.example.org ").email == "ann@univ.example.org"
    assert revoking.find_link(campaign, f"https://consult.example.org/r/{token}").id == by_hash(db, token).id
    assert revoking.find_link(campaign, f"http://x/r/{token}/step/2?lang=fr").id == by_hash(db, token).id
    assert revoking.find_link(campaign, token).id == by_hash(db, token).id
    assert revoking.find_link(campaign, elsewhere) is None
    assert revoking.find_link(campaign, "bob@univ.example.org") is None
    assert revoking.find_link(campaign, "not an address") is None


def test_revoking_one_link_deletes_its_address_draft_and_waiting_message(db, make_campaign, make_user):
    campaign = make_campaign(status="open")
    invite(campaign, ["ann@univ.example.org", "bob@univ.example.org"])
    invitations.prepare_invitations(campaign.id)
    ann = rows(db, campaign)[0]
    assert ann.send_status == "queued"
    token = links.issue_tokens(campaign, 1)[0].token
    respond.save_draft(respond.find_invitation(token), {"answers": {"P01.1": 4}, "step": 1})
    hr = make_user("hr")
    assert revoking.revoke_one(campaign, ann.id, hr) is True
    assert revoking.revoke_one(campaign, by_hash(db, token).id, hr) is True
    db.session.expire_all()
    ann = db.session.get(Invitation, ann.id)
    assert (ann.revoked, ann.email, ann.send_status) == (REVOKED_ONE, None, "cancelled")
    assert count(db, OutgoingMail, OutgoingMail.invitation_id == ann.id) == 0
    assert count(db, Draft, Draft.campaign_id == campaign.id) == 0
    assert rows(db, campaign)[1].revoked is None and rows(db, campaign)[1].email == "bob@univ.example.org"
    assert audit(db, "campaign.revoke-link", campaign.slug) == 2
    assert respond.find_invitation(token).revoked


def test_revoking_again_changes_nothing(db, make_campaign):
    campaign = make_campaign(status="open")
    token = links.issue_tokens(campaign, 1)[0].token
    first = revoking.revoke_one(campaign, by_hash(db, token).id)
    assert (first, revoking.revoke_one(campaign, by_hash(db, token).id)) == (True, False)
    assert audit(db, "campaign.revoke-link", campaign.slug) == 1


def test_a_used_link_is_revoked_the_same_way_and_its_answers_kept(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    used, unused = (t.token for t in links.issue_tokens(campaign, 2))
    by_hash(db, used).used = True
    add_responses(campaign, 6)
    before = invited(campaign)
    assert revoking.revoke_one(campaign, by_hash(db, used).id) is True
    assert revoking.revoke_one(campaign, by_hash(db, unused).id) is True
    assert invited(campaign) == before - 2
    assert by_hash(db, used).revoked == by_hash(db, unused).revoked == REVOKED_ONE
    assert count(db, Response, Response.campaign_id == campaign.id) == 6


def test_revoking_every_unused_link_keeps_them_counted_and_says_no_number(db, make_campaign):
    campaign = make_campaign(status="open")
    invite(campaign, ["ann@univ.example.org", "bob@univ.example.org"])
    tokens = [t.token for t in links.issue_tokens(campaign, 3)]
    by_hash(db, tokens[0]).used = True
    before = invited(campaign)
    assert revoking.revoke_unused(campaign) is None
    assert invited(campaign) == before == 5
    assert by_hash(db, tokens[0]).revoked is None
    assert [by_hash(db, t).revoked for t in tokens[1:]] == [REVOKED_UNUSED, REVOKED_UNUSED]
    assert [i.revoked for i in rows(db, campaign)[:2]] == [REVOKED_UNUSED, REVOKED_UNUSED]
    assert invitations.unsent_invitations(campaign.id, failed=False) == []
    assert invitations.prepare_invitations(campaign.id).count == 0
    assert audit(db, "campaign.revoke-unused", campaign.slug) == 1
    revoking.revoke_unused(campaign)
    assert invited(campaign) == 5


def test_a_link_revoked_with_the_unused_ones_can_still_be_revoked_on_its_own(db, make_campaign):
    campaign = make_campaign(status="open")
    token = links.issue_tokens(campaign, 1)[0].token
    revoking.revoke_unused(campaign)
    assert invited(campaign) == 1
    assert revoking.revoke_one(campaign, by_hash(db, token).id) is True
    assert invited(campaign) == 0 and invitations.invitation_summary(campaign).revoked == 1


def test_links_added_after_revoking_work(db, make_campaign):
    campaign = make_campaign(status="open")
    links.issue_tokens(campaign, 1)
    revoking.revoke_unused(campaign)
    fresh = links.issue_tokens(campaign, 1)[0].token
    assert not respond.find_invitation(fresh).revoked


def test_a_closed_campaign_has_no_link_to_revoke(db, make_campaign):
    campaign = make_campaign(status="open")
    token = links.issue_tokens(campaign, 1)[0].token
    services.close_campaign(campaign)
    with pytest.raises(services.CampaignError, match="no longer open"):
        revoking.revoke_one(campaign, by_hash(db, token).id)
    with pytest.raises(services.CampaignError):
        revoking.revoke_unused(campaign)
    assert by_hash(db, token).revoked is None


def test_an_invitation_of_another_campaign_is_not_found(db, make_campaign):
    campaign, other = make_campaign(status="open"), make_campaign(status="open")
    token = links.issue_tokens(other, 1)[0].token
    with pytest.raises(LookupError):
        revoking.revoke_one(campaign, by_hash(db, token).id)
    assert by_hash(db, token).revoked is None


def test_a_link_revoked_while_its_holder_answers_stores_nothing(db, make_campaign):
    campaign = make_campaign(status="open")
    token = links.issue_tokens(campaign, 1)[0].token
    visit = respond.find_invitation(token)
    layout = respond.layouts.get(visit.campaign)
    revoking.revoke_one(campaign, by_hash(db, token).id)
    assert respond.save_draft(visit, {"answers": {"P01.1": 2}, "step": 1}) == respond.Outcome.REVOKED
    assert respond.submit(visit, layout) == respond.Outcome.REVOKED
    assert by_hash(db, token).used is False
    assert count(db, Draft, Draft.campaign_id == campaign.id) == 0
