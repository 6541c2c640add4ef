"""The questionnaire as stored: sections, items, dimensions and their options.

Frozen with its campaign when the campaign opens; ``convert`` turns it into the pure ``spec`` and back.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db


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


class UndoableDelete(db.Model):
    """The draft questionnaire as it was before its latest deletion (YAML), so that the deletion can be
    undone; any later change of the questionnaire removes it (``builder.edit``)."""

    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(40))
    previous: Mapped[str] = mapped_column(Text)
