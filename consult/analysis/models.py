from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AnalysisRun(db.Model):
    """One analysis of a campaign: its progress while it runs, then its results document, written once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=16), default=RunStatus.QUEUED
    )
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    partitions_total: Mapped[int] = mapped_column(default=0)
    partitions_done: Mapped[int] = mapped_column(default=0)
    responses: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def progress(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return 0 if not self.partitions_total else int(90 * self.partitions_done / self.partitions_total)


class PartitionCounts(db.Model):
    """The count tables of one range of response ids, recounted only when the range changed."""

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    partition: Mapped[int] = mapped_column(primary_key=True)
    responses: Mapped[int]
    tables: Mapped[bytes] = mapped_column(LargeBinary)


class ChartFile(db.Model):
    """One stored chart file of an analysis run, in one language: drawn once when the results are made, then
    only read by the pages, the reports and the ZIP."""

    __table_args__ = (UniqueConstraint("run_id", "language", "section_code", "kind", "fmt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    section_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    fmt: Mapped[str] = mapped_column(String(16))
    content: Mapped[bytes] = mapped_column(LargeBinary)
