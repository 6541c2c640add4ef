"""The respondent's use cases: find the invitation, keep a draft, store the response. Services flush; the view
commits once, and only then tells the respondent that the answers were received.

Storing is one transaction: the campaign row is read under a share lock (closing it waits, and a closed
campaign stores nothing), ``UPDATE invitation SET used = true WHERE token_hash = :h AND used = false`` must
touch exactly one row (PostgreSQL's row lock serialises two submissions of one token: the second touches
none), the draft is taken, and a sealed ballot is cast, unlinked to anything; it becomes a response only in
a later batch of at least k (``responses.ballots``). Drafts are sealed with a key derived from the token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.database import dialect_name, end_session_reads
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.invitations.tokens import looks_like_token, new_token, token_hash
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.models import Dimension as DimensionRow
from consult.surveys.questionnaires.models import Questionnaire as QuestionnaireRow
from consult.surveys.questionnaires.models import Section as SectionRow
from consult.surveys.respond import statements as sql
from consult.surveys.respond.pages import Layout, build_layout, pack_answers, pack_profile, submitted_comments
from consult.surveys.responses import ballots
from consult.surveys.responses.models import Draft, random_id
from consult.surveys.responses.sealing import DRAFT, SealError, draft_key, seal, unseal
from consult.timeutil import today

LAYOUT_CACHE_SIZE = 64


class Outcome(enum.StrEnum):
    STORED = "stored"
    ALREADY = "already"
    CLOSED = "closed"
    REVOKED = "revoked"


@dataclass(frozen=True)
class CampaignInfo:
    """The campaign settings a respondent's page needs, read in the same query as the invitation."""

    id: int
    slug: str
    status: CampaignStatus
    mode: CampaignMode
    min_group_size: int
    comment_min_responses: int
    opened_at: datetime | None
    opens_at: datetime | None
    closes_at: datetime | None
    interim_results: bool = False


@dataclass(frozen=True)
class Visit:
    """What one request knows: the campaign, the hashed key of this respondent, and their draft, if any."""

    campaign: CampaignInfo
    key_hash: bytes
    used: bool
    draft: dict[str, Any] | None
    invited_by_email: bool = False
    draft_key: bytes = b""
    revoked: bool = False


def campaign_info(row: Any) -> CampaignInfo:
    return CampaignInfo(*row[: len(sql.CAMPAIGN_FIELDS)])


def find_invitation(token: str) -> Visit | None:
    """The visit of ``token``'s holder in one query, or None when no invitation has this token."""
    if not looks_like_token(token):
        return None
    hashed = token_hash(token)
    row = sql.precompiled(sql.find_invitation).first({"hashed": hashed})
    if row is None:
        return None
    used, emailed, revoked, sealed, clear = row[len(sql.CAMPAIGN_FIELDS) :]
    key = draft_key(token)
    return Visit(campaign_info(row), hashed, used, opened_draft(key, sealed, clear), emailed, key, revoked)


def find_open_link(slug: str, browser_token: str | None) -> Visit | None:
    """The open-link campaign ``slug`` as this browser sees it: ``used`` once its draft is gone (answered)."""
    known = bool(browser_token and looks_like_token(browser_token))
    hashed = token_hash(browser_token) if known else b""
    row = sql.precompiled(sql.find_open_link).first({"hashed": hashed, "slug": slug})
    if row is None:
        return None
    key = draft_key(browser_token) if known else b""
    draft = opened_draft(key, *row[len(sql.CAMPAIGN_FIELDS) :])
    return Visit(campaign_info(row), hashed, used=known and draft is None, draft=draft, draft_key=key)


def opened_draft(key: bytes, sealed: bytes | None, clear: dict | None) -> dict[str, Any] | None:
    """The draft's answers; None when there is no draft. A draft this token cannot open (sealed under an
    earlier link) starts again empty; one saved in clear before sealing existed is read as it is."""
    if sealed is None:
        return clear
    try:
        return unseal(key, sealed, DRAFT)
    except SealError:
        return {}


class LayoutCache:
    """Layouts of frozen campaigns (their questionnaire can no longer change), kept per process."""

    def __init__(self, size: int = LAYOUT_CACHE_SIZE) -> None:
        self.size, self.entries, self.lock = size, {}, Lock()

    def get(self, campaign: CampaignInfo) -> Layout:
        key = (campaign.id, campaign.slug, campaign.opened_at)
        found = self.entries.get(key)
        if found is None:
            loaded = load_campaign(campaign.id)
            found = build_layout(campaign_spec(loaded), loaded.page_size)
            end_session_reads()
            if campaign.status != CampaignStatus.DRAFT:
                self.remember(key, found)
        return found

    def remember(self, key: tuple, layout: Layout) -> None:
        with self.lock:
            while len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = layout


layouts = LayoutCache()


def load_campaign(campaign_id: int) -> Campaign:
    """The campaign with its whole questionnaire, in four queries whatever its size."""
    sections = selectinload(Campaign.questionnaire).selectinload(QuestionnaireRow.sections)
    dimensions = selectinload(Campaign.questionnaire).selectinload(QuestionnaireRow.dimensions)
    return db.session.execute(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(sections.selectinload(SectionRow.items), dimensions.selectinload(DimensionRow.options))
    ).scalar_one()


def campaign_is_open_locked(campaign_id: int) -> bool:
    row = sql.precompiled(sql.campaign_status_shared).first({"of_campaign": campaign_id})
    return row is not None and row[0] == CampaignStatus.OPEN


def save_draft(visit: Visit, data: dict[str, Any]) -> Outcome:
    """Keep the answers so far under the key's hash, unless the campaign closed or the answers were sent:
    one statement when it is stored, a second only to tell why it was not."""
    sealed = seal(visit.draft_key, data, DRAFT)
    values = {
        "hashed": visit.key_hash,
        "of_campaign": visit.campaign.id,
        "sealed": sealed,
        "saved_on": today(),
    }
    if visit.campaign.mode == CampaignMode.OPEN_LINK:
        statement = sql.precompiled(sql.save_open_draft)
    else:
        statement = sql.precompiled(sql.save_invited_draft, dialect_name())
    if statement.rowcount(values) == 1:
        return Outcome.STORED
    return refusal(visit)


def refusal(visit: Visit) -> Outcome:
    """Why a save or a submission stored nothing: the campaign closed, the link was revoked, or used."""
    if not campaign_is_open_locked(visit.campaign.id):
        return Outcome.CLOSED
    if visit.campaign.mode == CampaignMode.TOKEN:
        revoked = sql.precompiled(sql.invitation_revoked).first({"hashed": visit.key_hash})
        if revoked is not None and revoked[0]:
            return Outcome.REVOKED
    return Outcome.ALREADY


def submit(visit: Visit, layout: Layout) -> Outcome:
    """Mark the key used and store the response in the caller's transaction; nothing written unless STORED."""
    if not campaign_is_open_locked(visit.campaign.id):
        return Outcome.CLOSED
    keys = {"hashed": visit.key_hash, "of_campaign": visit.campaign.id}
    if (
        visit.campaign.mode == CampaignMode.TOKEN
        and sql.precompiled(sql.mark_invitation_used).rowcount(keys) != 1
    ):
        return refusal(visit)
    taken = sql.precompiled(sql.take_draft).first(keys)
    draft = opened_draft(visit.draft_key, *taken) if taken else None
    if draft is None and visit.campaign.mode == CampaignMode.OPEN_LINK:
        return Outcome.ALREADY
    cast_ballot(visit.campaign.id, layout, draft or {})
    return Outcome.STORED


def cast_ballot(campaign_id: int, layout: Layout, draft: dict[str, Any]) -> None:
    """The ballot holds the campaign and the sealed answers, profile and comments: no date, no link."""
    q = layout.questionnaire
    answers = pack_answers(q, draft.get("answers") or {})
    profile = pack_profile(q, draft.get("profile") or {})
    comments = submitted_comments(q, draft.get("comments") or {})
    sealed = ballots.sealed_ballot(answers, profile, comments)
    sql.precompiled(sql.insert_ballot).rowcount(
        {"id": random_id(), "campaign_id": campaign_id, "sealed": sealed}
    )


def pending_ballots(campaign_id: int) -> int:
    return sql.precompiled(sql.count_ballots).first({"of_campaign": campaign_id})[0]


def start_open_link(campaign: CampaignInfo) -> str | None:
    """A new browser key with an empty draft, or None when the campaign is not open."""
    if not campaign_is_open_locked(campaign.id):
        return None
    key = new_token()
    sealed = seal(draft_key(key), {}, DRAFT)
    db.session.add(
        Draft(token_hash=token_hash(key), campaign_id=campaign.id, sealed=sealed, saved_on=today())
    )
    db.session.flush()
    return key
