from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow


class Assessment(db.Model):
    """The working group's row of the gap analysis for one section (principle) of a campaign."""

    __table_args__ = (UniqueConstraint("campaign_id", "section_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    section_code: Mapped[str] = mapped_column(String(40))
    final_rating: Mapped[str | None] = mapped_column(String(4))
    justification: Mapped[str] = mapped_column(Text, default="")
    gap_html: Mapped[str] = mapped_column(Text, default="")
    initiatives_html: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None]
    """Set when HR or an admin validates the row for the steering committee; cleared by the next save."""

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    validated_by: Mapped[User | None] = relationship(foreign_keys=[validated_by_id])
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AssessmentRevision(db.Model):
    """Every saved state of an assessment, with who and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    final_rating: Mapped[str | None] = mapped_column(String(4))
    justification: Mapped[str] = mapped_column(Text, default="")
    gap_html: Mapped[str] = mapped_column(Text, default="")
    initiatives_html: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(16), default="saved", server_default="saved")
    """``saved`` (a new state of the row) or ``validated`` (HR or an admin validated that state)."""

    user: Mapped[User | None] = relationship()


class ImportedGap(db.Model):
    """A gap analysis imported from TSV: the campaign's own rows, or a previous analysis to compare with."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    charter_version: Mapped[str] = mapped_column(String(8), default="2023")
    filename: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExportJob(db.Model):
    """An export built by a worker, with its progress and, once done, the file to download."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def final_ratings(campaign_id: int) -> dict[str, str | None]:
    """The committee's rating of each section of a campaign (None where it has decided nothing yet)."""
    rows = db.session.execute(
        select(Assessment.section_code, Assessment.final_rating).where(Assessment.campaign_id == campaign_id)
    ).all()
    return {code: rating for code, rating in rows}


def justifications(campaign_id: int) -> dict[str, str]:
    """The committee's justification of each section's final rating (empty where it wrote none)."""
    rows = db.session.execute(
        select(Assessment.section_code, Assessment.justification).where(Assessment.campaign_id == campaign_id)
    ).all()
    return {code: text or "" for code, text in rows}
