"""Invitations: single-use tokens, stored hashed, and their e-mail status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, LargeBinary, String, Text, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow

REVOKED_ONE = "one"
"""Revoked on its own (a wrong address, someone who left): no longer counted as an invitation."""
REVOKED_UNUSED = "unused"
"""Revoked with every link not used yet: still counted, or the invitations left would count who answered."""


class Invitation(db.Model):
    """A single-use token, stored as its SHA-256. No time of use; nothing links it to a response.
    ``revoked``: None, or how the link was revoked (``REVOKED_ONE``, ``REVOKED_UNUSED``); a revoked link
    opens nothing, whether or not it was used (which revoking never tells)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    school: Mapped[str | None] = mapped_column(String(40))
    used: Mapped[bool] = mapped_column(default=False)
    send_status: Mapped[str] = mapped_column(String(16), default="none")
    send_error: Mapped[str | None] = mapped_column(Text)
    send_attempts: Mapped[int] = mapped_column(default=0)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[str | None] = mapped_column(String(8))


def counted() -> ColumnElement[bool]:
    """The invitations that count in participation: all but those revoked one by one."""
    return or_(Invitation.revoked.is_(None), Invitation.revoked != REVOKED_ONE)


class OutgoingMail(db.Model):
    """A message waiting to be sent (the outbox, ``invitations.outbox``): written in the same transaction as
    its invitation's new token hash, deleted once sent. Its link's token is sealed with a key derived from the
    app's secret, kept outside the database; the broker carries only the row's id."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    languages: Mapped[str] = mapped_column(String(40))
    sealed_token: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sending_until: Mapped[datetime | None] = mapped_column()


class MailText(db.Model):
    """HR's own subject and body of a campaign's invitation or reminder in one language (``mail.Text``), with
    fields in braces; without a row, the standard text is sent."""

    __table_args__ = (UniqueConstraint("campaign_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
