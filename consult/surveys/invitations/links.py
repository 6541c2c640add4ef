"""Issuing invitations: tokens and their links, anonymous or one per e-mail address. Services flush."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import CampaignError
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import new_token, token_hash


@dataclass(frozen=True)
class IssuedToken:
    token: str
    url: str
    email: str | None = None


def respondent_url(token: str) -> str:
    """The personal link under the public base URL; built without a request, so that the command line and
    the workers sending invitations (no SERVER_NAME) make the same links as the pages."""
    path = current_app.url_map.bind("consult.invalid").build("respond.welcome", {"token": token})
    return current_app.config["CONSULT_BASE_URL"] + path


def issue_tokens(campaign: Campaign, count: int, actor: User | None = None) -> list[IssuedToken]:
    check_can_invite(campaign)
    if not 1 <= count <= 1_000_000:
        raise CampaignError("the number of tokens must be between 1 and 1,000,000")
    tokens = [new_token() for _ in range(count)]
    db.session.add_all(Invitation(campaign_id=campaign.id, token_hash=token_hash(t)) for t in tokens)
    db.session.flush()
    record(actor, "campaign.tokens", campaign.slug, count=count)
    return [IssuedToken(token=t, url=respondent_url(t)) for t in tokens]


def invite_emails(
    campaign: Campaign, people: Iterable[tuple[str, str | None]], actor: User | None = None
) -> list[IssuedToken]:
    """One invitation per (e-mail, school); an address already invited to this campaign is refused."""
    check_can_invite(campaign)
    people = list(people)
    known = set(db.session.scalars(select(Invitation.email).where(Invitation.campaign_id == campaign.id)))
    repeated = sorted({email for email, _ in people} & known)
    if repeated:
        raise CampaignError(f"already invited to this campaign: {', '.join(repeated[:5])}")
    issued = [IssuedToken(token=new_token(), url="", email=email) for email, _ in people]
    db.session.add_all(
        Invitation(
            campaign_id=campaign.id,
            token_hash=token_hash(t.token),
            email=email,
            school=school,
            send_status="pending",
        )
        for t, (email, school) in zip(issued, people, strict=True)
    )
    db.session.flush()
    record(actor, "campaign.invite", campaign.slug, count=len(people))
    return [IssuedToken(token=t.token, url=respondent_url(t.token), email=t.email) for t in issued]


def check_can_invite(campaign: Campaign) -> None:
    if campaign.mode != CampaignMode.TOKEN:
        raise CampaignError("this campaign uses an open link: it has no personal invitations")
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        raise CampaignError(f"campaign {campaign.slug} is {campaign.status.value}: no more invitations")


def blur_invitation_writes() -> int:
    """Rewrite every used invitation of the open campaigns in one statement.

    A response and the invitation it used are written in one transaction, so on PostgreSQL both row versions
    carry the same transaction id (``xmin``), readable by a database superuser. Rewriting the used invitations
    together gives them all one new transaction id, which no longer points at any response.
    """
    open_campaigns = select(Campaign.id).where(Campaign.status == CampaignStatus.OPEN)
    statement = (
        Invitation.__table__.update()
        .where(Invitation.campaign_id.in_(open_campaigns), Invitation.used.is_(True))
        .values(used=True)
    )
    return db.session.execute(statement).rowcount
