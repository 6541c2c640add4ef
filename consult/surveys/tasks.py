"""Campaign tasks: the schedule (open and close on their dates), invitations and reminders by e-mail."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import invitations, services
from consult.surveys.models import Campaign, CampaignStatus
from consult.timeutil import utcnow

log = logging.getLogger(__name__)

SMTP_MAX_RETRIES = 6
"""With exponential backoff from one minute (capped at an hour), a batch keeps trying for about two hours."""


@shared_task
def apply_campaign_schedule() -> dict[str, int]:
    """Open drafts whose opening date has come, close open campaigns whose closing date has passed. A campaign
    that cannot change (a guard refuses) is logged and left as it is; the others still change."""
    now = utcnow()
    to_open = db.session.scalars(
        select(Campaign).where(
            Campaign.status == CampaignStatus.DRAFT, Campaign.opens_at.is_not(None), Campaign.opens_at <= now
        )
    ).all()
    to_close = db.session.scalars(
        select(Campaign).where(
            Campaign.status == CampaignStatus.OPEN, Campaign.closes_at.is_not(None), Campaign.closes_at <= now
        )
    ).all()
    opened = sum(apply_change(services.open_campaign, campaign) for campaign in to_open)
    closed = sum(apply_change(services.close_campaign, campaign) for campaign in to_close)
    db.session.commit()
    return {"opened": opened, "closed": closed}


def apply_change(change, campaign: Campaign) -> int:
    try:
        with db.session.begin_nested():
            change(campaign)
    except services.CampaignError as error:
        log.warning("schedule: campaign %s left as it is: %s", campaign.slug, error)
        return 0
    return 1


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=SMTP_MAX_RETRIES,
)
def send_invitation_batch(self, campaign_id: int, pairs: list, kind: str, languages: list[str]) -> int:
    """Send one batch of invitations or reminders: ``pairs`` are (invitation id, token) (see invitations.py).
    SMTP and network errors (OSError) retry the batch; the last attempt records them as failures."""
    final = self.request.retries >= SMTP_MAX_RETRIES
    return invitations.deliver_batch(campaign_id, pairs, kind, languages, final)


@shared_task
def send_reminders(campaign_id: int, actor_id: int | None = None, languages: list[str] | None = None) -> int:
    """Queue reminders for the invitations not used yet; returns how many were queued."""
    actor = db.session.get(User, actor_id) if actor_id else None
    return invitations.queue_reminders(campaign_id, actor, languages).count


@shared_task
def blur_invitation_writes() -> int:
    """Beat: rewrite the used invitations of open campaigns together (``services.blur_invitation_writes``)."""
    count = services.blur_invitation_writes()
    db.session.commit()
    return count
