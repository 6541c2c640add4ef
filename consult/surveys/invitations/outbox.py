"""The outbox: invitation and reminder e-mails waiting to be sent, as rows (``OutgoingMail``). Flushes only.

Only a token's hash is stored with its invitation, so a link can be sent only by whoever has just made it.
The new link's token is written, sealed, into an outbox row in the same transaction as its hash (``add``),
and the row is deleted as soon as its message is sent: the link then exists nowhere but in the e-mail. The
broker carries only row ids, so a broker that is down, restarted or emptied loses no message: rows whose task
never ran are picked up by the beat (``due`` with ``LOST_AFTER``) or by the next sending of their campaign.
The seal's key is derived from the app's secret (``CONSULT_BALLOT_KEY`` or ``SECRET_KEY``, configuration,
never the database), so a database reader or a backup cannot read the links waiting in the outbox.

Sending: a worker first ``claim``s rows for ``LEASE`` (committed by the task), so that two tasks never send
one row; ``deliver`` then uses one SMTP connection per batch and hands each outcome to the caller's
``checkpoint`` (the task commits it) as soon as it is known. A refused address fails alone (its invitation is
marked failed and the row deleted). A connection or server error keeps the unsent rows, each to be tried again
after a growing delay (``backoff``), and is recorded on their invitations; the last attempt marks them failed.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.invitations import mail
from consult.surveys.invitations.links import respondent_url
from consult.surveys.invitations.models import Invitation, MailText, OutgoingMail
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.responses.sealing import SealError, derive_key, seal, unseal
from consult.timeutil import utcnow

OUTBOX = b"consult outbox v1"
QUEUED, SENT, FAILED = "queued", "sent", "failed"
MAX_RETRIES = 6
"""Attempts after the first: with delays from one minute doubling to 32 (``backoff``), about an hour."""
BACKOFF_SECONDS, BACKOFF_MAX_SECONDS = 60, 3600
LEASE = timedelta(minutes=15)
"""How long a claimed row is left to the task that claimed it (a batch of slow sends, at most)."""
LOST_AFTER = timedelta(minutes=5)
"""A row due this long ago and claimed by nobody has lost its message (the broker was down, or emptied)."""
CONNECTION_ERRORS = mail.UNREACHABLE


@dataclass
class Delivery:
    """What one batch did: messages sent, and when the rows kept after a server error should be retried."""

    sent: int = 0
    retry_in: float | None = None
    error: OSError | None = None


def outbox_key() -> bytes:
    return derive_key(current_app.config.get("CONSULT_BALLOT_KEY") or current_app.secret_key, OUTBOX)


def add(
    campaign_id: int, minted: Sequence[tuple[Invitation, str]], kind: str, languages: Sequence[str]
) -> list[int]:
    """An outbox row per (invitation, new token); the ids. A row left for the same invitation carries a link
    that the new one replaced: it is deleted."""
    invitation_ids = [invitation.id for invitation, _ in minted]
    db.session.execute(delete(OutgoingMail).where(OutgoingMail.invitation_id.in_(invitation_ids)))
    key = outbox_key()
    rows = [
        OutgoingMail(
            campaign_id=campaign_id,
            invitation_id=invitation.id,
            kind=kind,
            languages=",".join(languages),
            sealed_token=seal(key, token, OUTBOX),
        )
        for invitation, token in minted
    ]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def unclaimed(now: datetime):
    return or_(OutgoingMail.sending_until.is_(None), OutgoingMail.sending_until < now)


def due(campaign_id: int | None = None, grace: timedelta = timedelta(0)) -> list[int]:
    """Rows nobody is sending whose next attempt was due ``grace`` ago (of one campaign, or of all)."""
    now = utcnow()
    query = select(OutgoingMail.id).where(unclaimed(now), OutgoingMail.next_attempt_at <= now - grace)
    if campaign_id is not None:
        query = query.where(OutgoingMail.campaign_id == campaign_id)
    return list(db.session.scalars(query.order_by(OutgoingMail.id)))


def claim(mail_ids: Sequence[int]) -> list[int]:
    """Take the rows that nobody else is sending, for ``LEASE``; the caller commits before sending."""
    now = utcnow()
    statement = (
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(list(mail_ids)), unclaimed(now))
        .values(sending_until=now + LEASE)
        .returning(OutgoingMail.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(db.session.scalars(statement))


def deliver(mail_ids: Sequence[int], checkpoint: Callable[[], None]) -> Delivery:
    """Send claimed rows over one SMTP connection, ``checkpoint()`` after each outcome."""
    ready = [(row, token) for row in load(mail_ids) if (token := wanted_token(row)) is not None]
    checkpoint()
    delivery = Delivery()
    if not ready:
        return delivery
    settings = mail.MailSettings.from_config(current_app.config)
    letters: dict[tuple, mail.Letter] = {}
    try:
        with mail.smtp_session(settings) as smtp:
            while ready:
                row, token = ready[0]
                delivery.sent += send_one(smtp, settings.sender, letter_for(row, letters), row, token)
                ready.pop(0)
                checkpoint()
    except OSError as error:
        delivery.error, delivery.retry_in = error, note_failure([row for row, _ in ready], error)
        checkpoint()
    return delivery


def load(mail_ids: Sequence[int]) -> list[OutgoingMail]:
    query = select(OutgoingMail).where(OutgoingMail.id.in_(list(mail_ids))).order_by(OutgoingMail.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def wanted_token(row: OutgoingMail) -> str | None:
    """The row's token if its message is still wanted; otherwise the row is deleted (the campaign closed, or a
    newer link replaced this one, or it was revoked) and None."""
    invitation = db.session.get(Invitation, row.invitation_id)
    campaign = db.session.get(Campaign, row.campaign_id)
    try:
        token = unseal(outbox_key(), row.sealed_token, OUTBOX)
    except SealError:
        invitation.send_status = FAILED
        invitation.send_error = (
            "the link waiting to be sent cannot be opened (the app's key changed): send again"
        )
        token = None
    wanted = (
        token is not None
        and campaign.status == CampaignStatus.OPEN
        and invitation.email
        and invitation.revoked is None
        and invitation.send_status == QUEUED
        and invitation.token_hash == token_hash(token)
    )
    if not wanted:
        db.session.delete(row)
    return token if wanted else None


def letter_for(row: OutgoingMail, letters: dict[tuple, mail.Letter]) -> mail.Letter:
    key = (row.campaign_id, row.kind, row.languages)
    if key not in letters:
        campaign = db.session.get(Campaign, row.campaign_id)
        languages = row.languages.split(",")
        letters[key] = mail.Letter(
            row.kind,
            campaign.title,
            languages,
            campaign.min_group_size,
            campaign.closes_at,
            own_texts(row.campaign_id, row.kind),
        )
    return letters[key]


def own_texts(campaign_id: int, kind: str) -> dict[str, mail.Text]:
    """HR's own text of a kind of message, per language (``MailText``); empty: the standard text."""
    query = select(MailText).where(MailText.campaign_id == campaign_id, MailText.kind == kind)
    return {row.language: mail.Text(row.subject, row.body) for row in db.session.scalars(query)}


def send_one(smtp: smtplib.SMTP, sender: str, letter: mail.Letter, row: OutgoingMail, token: str) -> int:
    """Send one message; once the server has answered for the address, the row is deleted (a refused address
    fails alone). Any other error propagates, the row kept."""
    invitation = db.session.get(Invitation, row.invitation_id)
    try:
        smtp.send_message(mail.message(letter, sender, invitation.email, respondent_url(token)))
    except smtplib.SMTPRecipientsRefused as error:
        status, problem = FAILED, refusal(error)
    else:
        status, problem = SENT, None
    invitation.send_attempts += 1
    invitation.send_status, invitation.send_error = status, problem
    db.session.delete(row)
    return int(status == SENT)


def refusal(error: smtplib.SMTPRecipientsRefused) -> str:
    code, reason = next(iter(error.recipients.values()), (0, b""))
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    return f"address refused by the mail server ({code} {text})"[:1000]


def note_failure(rows: Sequence[OutgoingMail], error: OSError) -> float | None:
    """Record a server error on the unsent rows and their invitations. A row's last attempt fails its
    invitation and deletes it; the others wait for their next attempt. Returns the shortest wait, if any."""
    text, now, waits = mail.describe(error), utcnow(), []
    for row in rows:
        invitation = db.session.get(Invitation, row.invitation_id)
        invitation.send_attempts += 1
        invitation.send_error = row.last_error = text
        row.attempts += 1
        if row.attempts > MAX_RETRIES:
            invitation.send_status = FAILED
            db.session.delete(row)
            continue
        waits.append(backoff(row.attempts))
        row.next_attempt_at, row.sending_until = now + timedelta(seconds=waits[-1]), None
    return min(waits, default=None)


def backoff(attempts: int) -> float:
    return float(min(BACKOFF_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


def is_connection_error(error: str | None) -> bool:
    """Whether a recorded error (``ClassName: message``) says the mail server could not be reached."""
    return bool(error) and error.split(":", 1)[0] in CONNECTION_ERRORS
