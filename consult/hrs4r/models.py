"""The action plan, its bound indicators, and the other documents of a cycle (a cycle is a campaign)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow


class Action(db.Model):
    """One row of a campaign's action plan; ``validated`` is False while it is a working group's proposal."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    principles: Mapped[list[int]] = mapped_column(JSON, default=list)
    source_section: Mapped[str | None] = mapped_column(String(40))
    """The section (principle) whose gap the action was proposed from."""
    start_period: Mapped[str] = mapped_column(String(7), default="")
    end_period: Mapped[str] = mapped_column(String(7), default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    indicators_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    remarks: Mapped[str] = mapped_column(Text, default="")
    validated: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="Indicator.id"
    )


class ActionRevision(db.Model):
    """Every saved state of an action, with who, when and what kind of change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class Indicator(db.Model):
    """An indicator bound to a survey figure: a section's or an item's favourable share or mean, or a group's
    figure or gap, with its baseline (from the plan's campaign) and its target."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(8))
    code: Mapped[str] = mapped_column(String(40))
    principle: Mapped[int | None]
    metric: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str | None] = mapped_column(String(40))
    group: Mapped[str | None] = mapped_column(String(40))
    comparator: Mapped[str] = mapped_column(String(2))
    target: Mapped[float]
    baseline: Mapped[float | None]

    action: Mapped[Action] = relationship(back_populates="indicators")


class OtmrAnswer(db.Model):
    __table_args__ = (UniqueConstraint("campaign_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    question: Mapped[int]
    rating: Mapped[str | None] = mapped_column(String(4))
    comment: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    indicators: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganisationFigures(db.Model):
    """The organisational figures of a cycle, typed and validated by HR."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), unique=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    profile: Mapped[str] = mapped_column(Text, default="")
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None]

    validated_by: Mapped[User | None] = relationship()


class PillarNarrative(db.Model):
    """The internal review's strengths and weaknesses for one pillar, as sanitised limited HTML."""

    __table_args__ = (UniqueConstraint("campaign_id", "pillar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    pillar: Mapped[int]
    strengths_html: Mapped[str] = mapped_column(Text, default="")
    weaknesses_html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
