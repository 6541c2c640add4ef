from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db


class CharterVersion(db.Model):
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)


class Principle(db.Model):
    __table_args__ = (UniqueConstraint("version_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_code: Mapped[str] = mapped_column(ForeignKey("charter_version.code"))
    number: Mapped[int]
    pillar: Mapped[int]
    pillar_name: Mapped[dict[str, str]] = mapped_column(JSON)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    crosswalk_2005: Mapped[list[int]] = mapped_column(JSON, default=list)
