"""Invitation tasks: sending invitations and reminders by e-mail, and blurring used invitations."""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task
from celery.exceptions import Retry
from flask import current_app

from consult.accounts.models import User
from consult.celery_app import is_eager
from consult.extensions import db
from consult.surveys.invitations import links
from consult.surveys.invitations import services as invitations

SMTP_MAX_RETRIES = 6
"""With exponential backoff from one minute (capped at an hour), a batch keeps trying for about two hours."""


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
    return queue_reminders(campaign_id, actor, languages).count


def send_invitations(
    campaign_id: int,
    actor: User | None = None,
    languages: Sequence[str] | None = None,
    retry_failed: bool = False,
) -> int:
    """Queue the first messages of pending invitations (or of failed ones); returns how many."""
    return queue_batches(invitations.prepare_invitations(campaign_id, actor, languages, retry_failed)).count


def queue_reminders(
    campaign_id: int, actor: User | None = None, languages: Sequence[str] | None = None
) -> invitations.Outgoing:
    """Reminders with new links for the invitations delivered and not used yet, queued for sending."""
    return queue_batches(invitations.prepare_reminders(campaign_id, actor, languages))


def queue_batches(outgoing: invitations.Outgoing) -> invitations.Outgoing:
    size = current_app.config["MAIL_BATCH_SIZE"]
    for start in range(0, len(outgoing.pairs), size):
        args = (outgoing.campaign_id, outgoing.pairs[start : start + size], outgoing.kind, outgoing.languages)
        if is_eager(current_app):
            send_now(send_invitation_batch, args)
        else:
            send_invitation_batch.delay(*args)
    return outgoing


def send_now(task, args: tuple) -> None:
    """In-process mode (no broker): the retries run at once, as Celery's eager retries would, but without
    letting a retry escape to the page that asked for the sending."""
    for attempt in range(task.max_retries + 1):
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
