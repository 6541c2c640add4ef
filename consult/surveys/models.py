"""Questionnaires, campaigns, invitations and the anonymous responses.

A response is one row whose answers are packed one byte per item (see ``spec.py``), so a campaign of a million
respondents and 60 items is a million rows of 60 bytes, read back in a few sequential scans of id ranges.
Response ids are random 63-bit integers: they carry no order, and ranges of them split a campaign into
partitions of near-equal size for the parallel analysis.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import today, utcnow

RESPONSE_ID_BITS = 63


def random_id() -> int:
    return secrets.randbits(RESPONSE_ID_BITS)


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class CampaignMode(enum.StrEnum):
    TOKEN = "token"
    OPEN_LINK = "open-link"


class Questionnaire(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    charter_version: Mapped[str | None] = mapped_column(String(8))
    scale_points: Mapped[int]
    scale_labels: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    favourable: Mapped[list[int]] = mapped_column(JSON)
    dont_know: Mapped[bool] = mapped_column(default=True)

    sections: Mapped[list[Section]] = relationship(
        back_populates="questionnaire", order_by="Section.position", cascade="all, delete-orphan"
    )
    dimensions: Mapped[list[Dimension]] = relationship(
        back_populates="questionnaire", order_by="Dimension.position", cascade="all, delete-orphan"
    )


class Section(db.Model):
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    principle: Mapped[int | None]
    pillar: Mapped[int | None]
    comment: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="sections")
    items: Mapped[list[Item]] = relationship(
        back_populates="section", order_by="Item.position", cascade="all, delete-orphan"
    )


class Item(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[dict[str, str]] = mapped_column(JSON)
    reverse: Mapped[bool] = mapped_column(default=False)

    section: Mapped[Section] = relationship(back_populates="items")


class Dimension(db.Model):
    __table_args__ = (UniqueConstraint("questionnaire_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[dict[str, str]] = mapped_column(JSON)
    question: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="dimensions")
    options: Mapped[list[DimensionOption]] = relationship(
        back_populates="dimension", order_by="DimensionOption.position", cascade="all, delete-orphan"
    )


class DimensionOption(db.Model):
    __table_args__ = (UniqueConstraint("dimension_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[dict[str, str]] = mapped_column(JSON)

    dimension: Mapped[Dimension] = relationship(back_populates="options")


class Campaign(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), unique=True)
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(CampaignStatus, native_enum=False, length=16), default=CampaignStatus.DRAFT
    )
    mode: Mapped[CampaignMode] = mapped_column(
        Enum(CampaignMode, native_enum=False, length=16), default=CampaignMode.TOKEN
    )
    min_group_size: Mapped[int] = mapped_column(default=5)
    comment_min_responses: Mapped[int] = mapped_column(default=10)
    rating_rule: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    rating_spelling: Mapped[str] = mapped_column(String(16), default="plus-slash")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    previous_campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    previous_campaign: Mapped[Campaign | None] = relationship(remote_side="Campaign.id")

    @property
    def title(self) -> dict[str, str]:
        return self.questionnaire.title

    @property
    def is_frozen(self) -> bool:
        return self.status != CampaignStatus.DRAFT


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


class Response(db.Model):
    """One respondent's answers: no user, token, address, agent or time finer than the day."""

    __table_args__ = (Index("ix_response_campaign_id_id", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    submitted_on: Mapped[date] = mapped_column(default=today)
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    profile: Mapped[bytes] = mapped_column(LargeBinary)


class Comment(db.Model):
    """A free-text comment, deliberately not linked to its response: it must never carry demographics."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    section_code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)


class Draft(db.Model):
    """Answers saved before submission, under the token's hash; deleted when the response is stored."""

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_on: Mapped[date] = mapped_column(default=today)
