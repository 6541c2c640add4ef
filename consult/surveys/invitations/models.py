"""Invitations: single-use tokens, stored hashed, and their e-mail status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow


class Invitation(db.Model):
    """A single-use token, stored as its SHA-256. No time of use; nothing links it to a response."""

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
