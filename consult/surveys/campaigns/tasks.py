"""Campaign tasks: the schedule (open and close on their dates)."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.timeutil import utcnow

log = logging.getLogger(__name__)


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
