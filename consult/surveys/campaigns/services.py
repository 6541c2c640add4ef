"""Campaign use cases: create, open, close, archive, participation. Services flush; the caller commits."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import delete, func, select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.analysis.models import AnalysisRun, PartitionCounts, RunStatus
from consult.extensions import db
from consult.i18n import translated
from consult.surveys.campaigns import participation
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.invitations.models import Invitation, counted
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.convert import questionnaire_row, rating_rule_dict
from consult.surveys.questionnaires.models import Dimension
from consult.surveys.responses import ballots
from consult.surveys.responses.models import Draft, Response
from consult.timeutil import utcnow


class CampaignError(ValueError):
    """A use case refused, with a message for the person who asked."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "campaign"


def unique_slug(title: str) -> str:
    base = f"{slugify(title)}-{utcnow().year}"
    taken = set(db.session.scalars(select(Campaign.slug).where(Campaign.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def get_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CampaignError(f"no campaign has the slug {slug!r}")
    return campaign


def create_campaign(q: spec.Questionnaire, actor: User | None = None, title: str | None = None) -> Campaign:
    if title:
        q = spec.Questionnaire(**{**q.__dict__, "title": {lang: title for lang in q.languages}})
    campaign = Campaign(
        slug=unique_slug(q.title.get("en") or next(iter(q.title.values()))),
        questionnaire=questionnaire_row(q),
        min_group_size=q.min_group_size,
        comment_min_responses=q.comment_min_responses,
        rating_rule=rating_rule_dict(q.rating),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(campaign)
    db.session.flush()
    record(actor, "campaign.create", campaign.slug)
    return campaign


def open_campaign(campaign: Campaign, actor: User | None = None) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: only a draft can be opened"
        )
    if not campaign.questionnaire.sections or not any(s.items for s in campaign.questionnaire.sections):
        raise CampaignError("a campaign needs at least one section with one item before it opens")
    campaign.status, campaign.opened_at = CampaignStatus.OPEN, utcnow()
    record(actor, "campaign.open", campaign.slug)


def close_campaign(campaign: Campaign, actor: User | None = None) -> None:
    """Closing is final for answers: the remaining ballots are admitted, whatever their number, and drafts
    and invitation e-mail addresses are deleted. When interim results were shown and the last batch holds
    fewer than k respondents, the interim results are withdrawn: the final release must not be compared with
    one that differs from it by fewer than k people (a copy kept earlier is the residual risk)."""
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: only an open campaign can close"
        )
    last_batch = ballots.admit(campaign.id)
    if campaign.interim_results and 0 < last_batch < campaign.min_group_size:
        withdraw_results(campaign.id)
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, utcnow()
    db.session.execute(delete(Draft).where(Draft.campaign_id == campaign.id))
    db.session.execute(
        Invitation.__table__.update().where(Invitation.campaign_id == campaign.id).values(email=None)
    )
    record(actor, "campaign.close", campaign.slug)


def archive_campaign(campaign: Campaign, actor: User | None = None) -> None:
    if campaign.status != CampaignStatus.CLOSED:
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: only a closed campaign is archived"
        )
    campaign.status = CampaignStatus.ARCHIVED
    record(actor, "campaign.archive", campaign.slug)


def school_dimension(campaign: Campaign) -> tuple[int, Dimension] | None:
    """The school dimension and its place in the respondents' profile bytes, if the questionnaire has one."""
    found = [(i, d) for i, d in enumerate(campaign.questionnaire.dimensions) if d.code == "school"]
    return found[0] if found else None


def participation_figures(campaign: Campaign, language: str, not_stated: str) -> participation.Participation:
    """Responses so far, per school against invitations and by day, with small groups suppressed."""
    by_day = counts_by(Response.submitted_on, Response.campaign_id == campaign.id)
    invited = counts_by(Invitation.school, (Invitation.campaign_id == campaign.id) & counted())
    groups = school_groups(campaign, invited, language, not_stated)
    hidden = released_hidden_groups(campaign.id).get("school", ())
    return participation.participation(campaign.min_group_size, groups, by_day, sum(invited.values()), hidden)


def released_hidden_groups(campaign_id: int) -> dict[str, list[str]]:
    """The groups the campaign's current results hide (dimension code -> option codes)."""
    results = db.session.scalar(
        select(AnalysisRun.results)
        .where(AnalysisRun.campaign_id == campaign_id, AnalysisRun.status == RunStatus.DONE)
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    )
    return ((results or {}).get("campaign") or {}).get("hidden_groups") or {}


def counts_by(column, condition) -> dict:
    return dict(db.session.execute(select(column, func.count()).where(condition).group_by(column)).all())


def school_groups(
    campaign: Campaign, invited: dict[str | None, int], language: str, not_stated: str
) -> list[participation.GroupInput]:
    """One group per school option, then those who did not state it (the profile byte 0, see ``spec``). When
    no invitation names a school (links by hand, an address file without schools), invitations per school are
    unknown (None), not zero."""
    found = school_dimension(campaign)
    if found is None:
        return []
    index, dimension = found
    byte = func.substr(Response.profile, index + 1, 1)
    rows = counts_by(byte, Response.campaign_id == campaign.id)
    answered = {bytes(value)[0] if value else 0: count for value, count in rows.items()}
    by_school = any(code is not None for code in invited)
    groups = [
        participation.GroupInput(
            option.code,
            translated(option.label, language),
            answered.get(i, 0),
            invited.get(option.code, 0) if by_school else None,
        )
        for i, option in enumerate(dimension.options, start=1)
    ]
    return [*groups, participation.GroupInput("", not_stated, answered.get(0, 0))]


def withdraw_results(campaign_id: int) -> None:
    """Delete every analysis of the campaign (results and stored count tables): pages and exports show none
    until the campaign is analysed again."""
    db.session.execute(delete(PartitionCounts).where(PartitionCounts.campaign_id == campaign_id))
    db.session.execute(delete(AnalysisRun).where(AnalysisRun.campaign_id == campaign_id))
