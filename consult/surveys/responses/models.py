"""The anonymous responses, their comments, and the drafts saved before submission.

A response is one row whose answers are packed one byte per item (see ``questionnaires.spec``), so a campaign
of a million respondents and 60 items is a million rows of 60 bytes, read back in a few sequential scans of
id ranges. Response ids are random 63-bit integers: they carry no order, and ranges of them split a campaign
into partitions of near-equal size for the parallel analysis.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import today

RESPONSE_ID_BITS = 63


def random_id() -> int:
    return secrets.randbits(RESPONSE_ID_BITS)


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
    """Answers saved before submission, under the token's hash, sealed with a key derived from the token
    itself (``sealing.draft_key``), which is never stored; deleted when the ballot is cast. ``data`` holds
    only drafts saved in clear before sealing existed: it is emptied at their next save."""

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    saved_on: Mapped[date] = mapped_column(default=today)


class Ballot(db.Model):
    """A submitted response waiting for admission (``ballots``): sealed with the app's ballot key, with no
    date, no token and nothing else. Admitted in shuffled batches of at least k, then deleted."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, default=random_id)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
