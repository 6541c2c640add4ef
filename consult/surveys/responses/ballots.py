"""The ballot box: a submission casts a sealed ballot; ballots become responses only in shuffled batches.

Why. A response written in the transaction that uses its invitation would share that transaction's id
(PostgreSQL's ``xmin``), its physical place and its time with the invitation, and every figure would move by
exactly one person's answers when they submit. So a submission only casts a ballot (sealed with the app's
ballot key, no date) in the transaction that marks the token used. When a campaign holds at least k ballots
(k = its minimum group size), ``admit`` turns them all into responses and comments at once: one transaction,
in a shuffled order, dated by the day of admission, then deletes the ballots; ``purge`` then vacuums their
dead row versions (PostgreSQL) — SQLite overwrites deleted content (``secure_delete``). Closing admits what
is left, whatever its number. Every figure reads admitted responses only, so two releases differ by 0 or by
at least k respondents, except the last batch at closing (see ``campaigns.services.close_campaign``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import delete, func, insert, select, text

from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.responses.models import Ballot, Comment, Response, random_id
from consult.surveys.responses.sealing import BALLOT, ballot_key, seal, unseal
from consult.timeutil import today

if TYPE_CHECKING:
    import numpy as np


def app_ballot_key() -> bytes:
    return ballot_key(current_app.config.get("CONSULT_BALLOT_KEY") or current_app.secret_key)


def sealed_ballot(answers: bytes, profile: bytes, comments: Iterable[tuple[str, str]]) -> bytes:
    value = {"a": answers.hex(), "p": profile.hex(), "c": [list(comment) for comment in comments]}
    return seal(app_ballot_key(), value, BALLOT)


def opened(sealed: bytes, key: bytes) -> dict[str, Any]:
    value = unseal(key, sealed, BALLOT)
    return {
        "answers": bytes.fromhex(value["a"]),
        "profile": bytes.fromhex(value["p"]),
        "comments": value["c"],
    }


def pending_count(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.campaign_id == campaign_id)
    )


ADMISSION_LOCK = 0x62616C6C6F740000
"""PostgreSQL advisory lock key of a campaign's admissions: this plus the campaign id."""


def admit_if_ready(campaign_id: int) -> int:
    """Admit the campaign's ballots when there are at least k of them; returns how many were admitted.
    Submissions keep going meanwhile: only a second admission of the campaign is kept out (it admits
    nothing: the first takes every ballot), by an advisory lock, not by locking the campaign row."""
    if not admission_lock(campaign_id):
        return 0
    campaign = db.session.get(Campaign, campaign_id)
    return admit_rows(campaign_id, minimum=max(campaign.min_group_size, 3))


def admit(campaign_id: int) -> int:
    """Admit every pending ballot, whatever their number (closing). Locks the campaign row, so that no
    submission casts a ballot between this admission and the closing it belongs to."""
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    return admit_rows(campaign_id, minimum=1)


def admission_lock(campaign_id: int) -> bool:
    """Whether this transaction may admit the campaign's ballots now (SQLite: its writers are serialised)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    query = select(func.pg_try_advisory_xact_lock(ADMISSION_LOCK + campaign_id))
    return bool(db.session.scalar(query))


def admit_rows(campaign_id: int, minimum: int) -> int:
    """Turn the campaign's pending ballots (row-locked) into responses and comments in one shuffled batch,
    if they are at least ``minimum``; flushes, the caller commits."""
    query = select(Ballot.id, Ballot.sealed).where(Ballot.campaign_id == campaign_id).with_for_update()
    rows = db.session.execute(query).all()
    if len(rows) < minimum:
        return 0
    key = app_ballot_key()
    ballots = [opened(sealed, key) for _, sealed in rows]
    store_batch(campaign_id, ballots)
    db.session.execute(delete(Ballot).where(Ballot.id.in_([ballot_id for ballot_id, _ in rows])))
    return len(ballots)


def store_batch(campaign_id: int, ballots: Sequence[dict[str, Any]]) -> None:
    shuffler = random.SystemRandom()
    order = list(ballots)
    shuffler.shuffle(order)
    day = today()
    responses = [
        {"id": random_id(), "campaign_id": campaign_id, "submitted_on": day, **pick(b, "answers", "profile")}
        for b in order
    ]
    db.session.execute(insert(Response), responses)
    comments = [
        {"id": random_id(), "campaign_id": campaign_id, "section_code": code, "text": body}
        for ballot in order
        for code, body in ballot["comments"]
    ]
    shuffler.shuffle(comments)
    if comments:
        db.session.execute(insert(Comment), comments)


def pick(ballot: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: ballot[name] for name in names}


def purge() -> None:
    """After the admission's commit: reclaim the deleted ballots' row versions, so that no copy of a ballot
    (with its transaction id, shared with the invitation it used) stays readable in the table's pages.

    Two vacuums of one table wait for each other: ``SKIP_LOCKED`` returns at once when another is running,
    so a respondent's request never queues behind one; what it skipped, the next admission's vacuum or the
    beat's (``tasks.purge_ballots``, every minute) reclaims."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (SKIP_LOCKED) ballot"))


def insert_pending(campaign_id: int, answers: np.ndarray, profiles: np.ndarray) -> None:
    """Cast ballots in bulk (tests and benchmarks of the admission)."""
    db.session.execute(
        insert(Ballot),
        [
            {
                "id": random_id(),
                "campaign_id": campaign_id,
                "sealed": sealed_ballot(a.tobytes(), p.tobytes(), []),
            }
            for a, p in zip(answers, profiles, strict=True)
        ],
    )
