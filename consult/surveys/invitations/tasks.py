"""Invitation tasks: sending invitations and reminders by e-mail through the outbox, and blurring used
invitations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from celery import shared_task
from celery.exceptions import Retry
from flask import current_app
from kombu.exceptions import OperationalError

from consult.accounts.models import User
from consult.celery_app import is_eager
from consult.extensions import db
from consult.surveys.invitations import links, outbox
from consult.surveys.invitations import services as invitations

SMTP_MAX_RETRIES = outbox.MAX_RETRIES
"""With delays from one minute doubling up to 32, a message keeps trying for about an hour (``outbox``)."""
logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=None)
def send_outgoing_mail(self, mail_ids: list[int]) -> int:
    """Send one batch of the outbox: ``mail_ids`` are outbox rows (the links are sealed in the database, never
    in the broker). When the mail server cannot be reached, the rows are kept and the task retries when the
    first of them is due; the rows count their attempts (``outbox.MAX_RETRIES``), not the task. No result is
    stored: queueing then needs the broker only, not the result store."""
    claimed = outbox.claim(mail_ids)
    db.session.commit()
    delivery = outbox.deliver(claimed, db.session.commit)
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in, exc=delivery.error)
    return delivery.sent


@shared_task(ignore_result=True)
def send_lost_mail() -> int:
    """Beat: queue again the outbox rows whose message was lost (the broker was down when they were queued, or
    restarted empty): due for ``outbox.LOST_AFTER`` and sent by nobody. Returns how many."""
    mail_ids = outbox.due(grace=outbox.LOST_AFTER)
    queue_outbox(mail_ids)
    return len(mail_ids)


@shared_task
def send_reminders(campaign_id: int, actor_id: int | None = None, languages: list[str] | None = None) -> int:
    """Queue reminders for the invitations not used yet; returns how many were queued."""
    actor = db.session.get(User, actor_id) if actor_id else None
    return queue_reminders(campaign_id, actor, languages).count


def send_invitations(
    campaign_id: int,
    actor: User | None = None,
    languages: Sequence[str] | None = None,
    retry_failed: bool = False,
) -> int:
    """Queue the first messages of pending invitations (or of failed ones); returns how many."""
    return queue_invitations(campaign_id, actor, languages, retry_failed).count


def queue_invitations(
    campaign_id: int,
    actor: User | None = None,
    languages: Sequence[str] | None = None,
    retry_failed: bool = False,
) -> invitations.Outgoing:
    """The first messages of pending invitations (or of failed ones), committed to the outbox and queued."""
    outgoing = invitations.prepare_invitations(campaign_id, actor, languages, retry_failed)
    db.session.commit()
    return queue_campaign(outgoing)


def queue_reminders(
    campaign_id: int, actor: User | None = None, languages: Sequence[str] | None = None
) -> invitations.Outgoing:
    """Reminders with new links for the invitations delivered and not used yet, committed and queued."""
    outgoing = invitations.prepare_reminders(campaign_id, actor, languages)
    db.session.commit()
    return queue_campaign(outgoing)


def queue_campaign(outgoing: invitations.Outgoing) -> invitations.Outgoing:
    """Queue every message of the campaign's outbox that is due, the new ones and any left behind (a broker
    that was down): a row sent by one task is claimed and then deleted, so queueing it twice sends it once."""
    if queue_outbox(outbox.due(outgoing.campaign_id)):
        return outgoing
    return replace(outgoing, deferred=True)


def queue_outbox(mail_ids: list[int]) -> bool:
    """Hand outbox rows to the workers in batches (in-process without a broker). False when the broker cannot
    be reached: the rows stay in the outbox, for the beat (``send_lost_mail``) or the next sending."""
    size = current_app.config["MAIL_BATCH_SIZE"]
    batches = [mail_ids[start : start + size] for start in range(0, len(mail_ids), size)]
    if is_eager(current_app):
        for batch in batches:
            send_now(send_outgoing_mail, (batch,))
        return True
    try:
        for batch in batches:
            send_outgoing_mail.delay(batch)
    except OperationalError as error:
        logger.warning("the task queue cannot be reached (%s): messages wait in the outbox", error)
        return False
    return True


def send_now(task, args: tuple) -> None:
    """In-process mode (no broker): the retries run at once, as Celery's eager retries would, but without
    letting a retry escape to the page that asked for the sending."""
    for attempt in range(SMTP_MAX_RETRIES + 1):
        try:
            task.apply(args, retries=attempt, throw=True)
        except Retry:
            continue
        return


@shared_task
def blur_invitation_writes() -> int:
    """Beat: rewrite the used invitations of open campaigns together (``links.blur_invitation_writes``)."""
    count = links.blur_invitation_writes()
    db.session.commit()
    return count
