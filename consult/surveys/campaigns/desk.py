"""Where each campaign stands, for HR's campaign list and campaign page: dates, invitations, responses and
rate (suppressed as on the participation page: the same ``participation_figures``), the analysis and its
age, and the next thing to do. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from consult.analysis.models import AnalysisRun, RunStatus
from consult.extensions import db
from consult.surveys.campaigns import participation
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import participation_figures


@dataclass(frozen=True)
class Standing:
    campaign: Campaign
    figures: participation.Participation
    analysis: RunStatus | None
    analysed_at: datetime | None
    next_step: str
    """A code the pages word: open, invite, follow, analyse, review, none."""


def latest_run(campaign_id: int) -> AnalysisRun | None:
    query = select(AnalysisRun).where(AnalysisRun.campaign_id == campaign_id).order_by(AnalysisRun.id.desc())
    return db.session.scalar(query.limit(1))


def next_step(campaign: Campaign, figures: participation.Participation, run: AnalysisRun | None) -> str:
    if campaign.status == CampaignStatus.DRAFT:
        return "open"
    if campaign.status == CampaignStatus.OPEN:
        invites = campaign.mode == CampaignMode.TOKEN and not figures.invited
        return "invite" if invites else "follow"
    if campaign.status == CampaignStatus.CLOSED:
        return "review" if run is not None and run.status == RunStatus.DONE else "analyse"
    return "none"


def standing(campaign: Campaign, language: str, not_stated: str) -> Standing:
    figures = participation_figures(campaign, language, not_stated)
    run = latest_run(campaign.id)
    return Standing(
        campaign,
        figures,
        run.status if run else None,
        (run.finished_at or run.created_at) if run else None,
        next_step(campaign, figures, run),
    )
