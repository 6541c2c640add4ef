"""Revoking single-use links: one (an address that was wrong, someone who left the institution), or every
link not used yet. Services flush; the view commits.

What revoking must never tell: whether someone answered. So revoking one link is the same act whether or not
it was used (used, it changes nothing for answers already sent, which are never touched), its invitation is
no longer counted in participation either way, and its e-mail address is deleted. Revoking every unused link
gives no count, and those invitations stay counted in participation: leaving them out would leave exactly
the invitations that were used, a count of respondents finer than any release (design.md, "Anonymity").
A revoked link opens a page saying so, and its saved draft and any message waiting to be sent are deleted.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import CampaignError
from consult.surveys.invitations.models import REVOKED_ONE, REVOKED_UNUSED, Invitation, OutgoingMail
from consult.surveys.invitations.tokens import looks_like_token, token_hash
from consult.surveys.responses.models import Draft

CANCELLED = "cancelled"
"""The send status of an invitation whose message was waiting to be sent when its link was revoked."""
LINK_TOKEN = re.compile(r"/r/([A-Za-z0-9_-]{22})(?:[/?#]|$)")


def check_can_revoke(campaign: Campaign) -> None:
    if campaign.mode != CampaignMode.TOKEN:
        raise CampaignError("this campaign uses an open link: it has no personal links to revoke")
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: its links no longer open the questionnaire"
        )


def token_in(text: str) -> str | None:
    """The token of a personal link (whole, or from ``/r/``), or a bare token; None when there is none."""
    found = LINK_TOKEN.search(text)
    token = found.group(1) if found else text
    return token if looks_like_token(token) else None


def find_link(campaign: Campaign, text: str) -> Invitation | None:
    """The invitation of ``campaign`` that an e-mail address, a personal link or a token names, if any."""
    text = text.strip()
    token = token_in(text)
    if token is not None:
        wanted = Invitation.token_hash == token_hash(token)
    else:
        try:
            address = validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            return None
        wanted = Invitation.email == address
    return db.session.scalar(select(Invitation).where(Invitation.campaign_id == campaign.id, wanted))


def revoke_one(campaign: Campaign, invitation_id: int, actor: User | None = None) -> bool:
    """Revoke one link of ``campaign``: True when revoked now, False when it already was (nothing changes).
    Raises ``LookupError`` when the campaign has no such invitation."""
    check_can_revoke(campaign)
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.campaign_id == campaign.id)
        .with_for_update()
    )
    if invitation is None:
        raise LookupError(invitation_id)
    if invitation.revoked == REVOKED_ONE:
        return False
    forget_waiting(campaign.id, [invitation.id], [invitation.token_hash])
    invitation.revoked, invitation.email = REVOKED_ONE, None
    db.session.flush()
    record(actor, "campaign.revoke-link", campaign.slug)
    return True


def revoke_unused(campaign: Campaign, actor: User | None = None) -> None:
    """Revoke every link of ``campaign`` not used yet. Says no count (see the module's docstring)."""
    check_can_revoke(campaign)
    unused = (
        (Invitation.campaign_id == campaign.id) & Invitation.used.is_(False) & Invitation.revoked.is_(None)
    )
    rows = db.session.execute(
        select(Invitation.id, Invitation.token_hash).where(unused).with_for_update()
    ).all()
    forget_waiting(campaign.id, [row.id for row in rows], [row.token_hash for row in rows])
    db.session.execute(
        update(Invitation).where(Invitation.id.in_([row.id for row in rows])).values(revoked=REVOKED_UNUSED)
    )
    db.session.flush()
    record(actor, "campaign.revoke-unused", campaign.slug)


def forget_waiting(campaign_id: int, ids: list[int], hashes: list[bytes]) -> None:
    """Delete the drafts saved under these links and the messages waiting to carry them."""
    db.session.execute(delete(Draft).where(Draft.campaign_id == campaign_id, Draft.token_hash.in_(hashes)))
    db.session.execute(delete(OutgoingMail).where(OutgoingMail.invitation_id.in_(ids)))
    db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(ids), Invitation.send_status == "queued")
        .values(send_status=CANCELLED)
    )


def revoked_one_by_one(campaign_id: int) -> int:
    """How many links HR revoked one at a time (HR's own acts: the count says nothing about answers)."""
    mine = (Invitation.campaign_id == campaign_id) & (Invitation.revoked == REVOKED_ONE)
    return db.session.scalar(select(func.count()).select_from(Invitation).where(mine))
