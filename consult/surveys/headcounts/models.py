"""A campaign's headcounts and its weighting settings: aggregate staff numbers, nothing about a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow


class Headcounts(db.Model):
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    method: Mapped[str] = mapped_column(String(16))
    """``cells`` (every dimension filled on each row) or ``margins`` (one dimension per row)."""
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """``[{"options": {dimension code: option code}, "headcount": n}, ...]``."""
    trim_low: Mapped[float] = mapped_column(default=0.3)
    trim_high: Mapped[float] = mapped_column(default=3.0)
    rating_basis: Mapped[str] = mapped_column(String(16), default="weighted")
    """Which favourable share the suggested rating uses: ``weighted`` or ``unweighted``."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
