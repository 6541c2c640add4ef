"""A campaign's working groups: who reviews which principles. A principle belongs to one group at most."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow


class WorkingGroup(db.Model):
    """A named group of reviewers of one campaign, with the principles (section codes) it assesses."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[WorkingGroupMember]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, back_populates="group"
    )
    principles: Mapped[list[WorkingGroupPrinciple]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, back_populates="group"
    )

    @property
    def users(self) -> list[User]:
        return sorted((m.user for m in self.members), key=lambda user: (user.name or user.email).casefold())

    @property
    def section_codes(self) -> set[str]:
        return {p.section_code for p in self.principles}


class WorkingGroupMember(db.Model):
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    group: Mapped[WorkingGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class WorkingGroupPrinciple(db.Model):
    """A principle (section code) of the campaign's questionnaire that a group assesses; one group each."""

    __table_args__ = (UniqueConstraint("campaign_id", "section_code"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True
    )
    section_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))

    group: Mapped[WorkingGroup] = relationship(back_populates="principles")
