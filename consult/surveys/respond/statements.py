"""The respondent flow's SQL, built once per process: every page runs a few of these statements, and building
a SQLAlchemy statement costs more than PostgreSQL takes to run it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sqlalchemy import Delete, Insert, Select, Update, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from consult.database import Precompiled
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.invitations.models import Invitation
from consult.surveys.responses.models import Ballot, Draft

campaigns, drafts, invitations, ballots = (
    Campaign.__table__,
    Draft.__table__,
    Invitation.__table__,
    Ballot.__table__,
)
CAMPAIGN_FIELDS = (
    "id",
    "slug",
    "status",
    "mode",
    "min_group_size",
    "comment_min_responses",
    "opened_at",
    "opens_at",
    "closes_at",
    "interim_results",
)
"""The campaign's columns every respondent page reads, in the order of ``services.CampaignInfo``."""


@cache
def find_invitation() -> Select:
    """Every page of every respondent runs it: one query for the campaign, the invitation and the draft."""
    i, c, d = invitations, campaigns, drafts
    return (
        select(
            *(c.c[name] for name in CAMPAIGN_FIELDS),
            i.c.used,
            i.c.email.is_not(None),
            i.c.revoked.is_not(None),
            d.c.sealed,
            d.c.data,
        )
        .select_from(i.join(c, c.c.id == i.c.campaign_id).outerjoin(d, d.c.token_hash == i.c.token_hash))
        .where(i.c.token_hash == bindparam("hashed"))
    )


@cache
def find_open_link() -> Select:
    c, d = campaigns, drafts
    on_draft = (d.c.campaign_id == c.c.id) & (d.c.token_hash == bindparam("hashed"))
    return (
        select(*(c.c[name] for name in CAMPAIGN_FIELDS), d.c.sealed, d.c.data)
        .select_from(c.outerjoin(d, on_draft))
        .where(c.c.slug == bindparam("slug"), c.c.mode == CampaignMode.OPEN_LINK)
    )


@cache
def invitation_revoked() -> Select:
    """Whether a link was revoked: asked only when a save or a submission of it stored nothing."""
    return select(invitations.c.revoked.is_not(None)).where(invitations.c.token_hash == bindparam("hashed"))


@cache
def campaign_status_shared() -> Select:
    """The campaign's status under a share lock: closing the campaign waits for this transaction, and
    the other way round."""
    return (
        select(campaigns.c.status)
        .where(campaigns.c.id == bindparam("of_campaign"))
        .with_for_update(read=True)
    )


@cache
def mark_invitation_used() -> Update:
    """The concurrency guard: of two submissions of one token, only one sees this touch a row."""
    return (
        invitations.update()
        .where(
            invitations.c.token_hash == bindparam("hashed"),
            invitations.c.campaign_id == bindparam("of_campaign"),
            invitations.c.used.is_(False),
            invitations.c.revoked.is_(None),
        )
        .values(used=True)
    )


def campaign_open_shared():
    """True while the campaign is open, its row share-locked: closing waits for the draft's transaction."""
    return (
        select(campaigns.c.id)
        .where(campaigns.c.id == bindparam("of_campaign"), campaigns.c.status == CampaignStatus.OPEN)
        .with_for_update(read=True)
        .exists()
    )


@cache
def save_invited_draft(dialect: str) -> Insert:
    """Keep an invited respondent's draft in one statement, only while the campaign is open and the token
    unused: the invitation row is locked, so a submission of the same token either waits for this statement
    or has already made it write nothing."""
    unused = (
        select(invitations.c.token_hash)
        .where(
            invitations.c.token_hash == bindparam("hashed"),
            invitations.c.used.is_(False),
            invitations.c.revoked.is_(None),
        )
        .with_for_update()
        .exists()
    )
    values = select(
        bindparam("hashed", type_=drafts.c.token_hash.type),
        bindparam("of_campaign", type_=drafts.c.campaign_id.type),
        bindparam("sealed", type_=drafts.c.sealed.type),
        bindparam("saved_on", type_=drafts.c.saved_on.type),
    ).where(campaign_open_shared(), unused)
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(drafts)
    insert = insert.from_select(["token_hash", "campaign_id", "sealed", "saved_on"], values)
    return insert.on_conflict_do_update(
        index_elements=[drafts.c.token_hash],
        set_={"sealed": insert.excluded.sealed, "data": None, "saved_on": insert.excluded.saved_on},
    )


@cache
def save_open_draft() -> Update:
    """An open link's draft exists from the start (its absence means answered): update it while open."""
    return (
        drafts.update()
        .where(
            drafts.c.token_hash == bindparam("hashed"),
            drafts.c.campaign_id == bindparam("of_campaign"),
            campaign_open_shared(),
        )
        .values(sealed=bindparam("sealed"), data=None, saved_on=bindparam("saved_on"))
    )


@cache
def take_draft() -> Delete:
    return (
        drafts.delete()
        .where(drafts.c.token_hash == bindparam("hashed"), drafts.c.campaign_id == bindparam("of_campaign"))
        .returning(drafts.c.sealed, drafts.c.data)
    )


@cache
def count_ballots() -> Select:
    return select(func.count()).select_from(ballots).where(ballots.c.campaign_id == bindparam("of_campaign"))


@cache
def insert_ballot() -> Insert:
    return ballots.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in ballots.c}
    )


@cache
def precompiled(statement: Callable, *arguments: str) -> Precompiled:
    """``statement(*arguments)`` to run without SQLAlchemy's per-execution work (see ``Precompiled``): the
    statements every respondent page runs."""
    return Precompiled(statement(*arguments))
