"""A campaign: one questionnaire, its lifecycle and schedule, its disclosure settings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.surveys.questionnaires.models import Questionnaire
from consult.timeutil import utcnow


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class CampaignMode(enum.StrEnum):
    TOKEN = "token"
    OPEN_LINK = "open-link"


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
    interim_results: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Figures while the campaign is open (the privacy notice says so); by default, only once it closes."""
    rating_rule: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    rating_spelling: Mapped[str] = mapped_column(String(16), default="plus-slash")
    page_size: Mapped[str] = mapped_column(String(16), default="pillar", server_default="pillar")
    """How the respondent's pages split the statements (``respond.pages.PAGE_SIZES``)."""
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
