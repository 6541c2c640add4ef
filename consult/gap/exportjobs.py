"""Export jobs: a campaign's export built by a worker (or the web process's job thread), with its progress
stored as it moves, then downloaded from its page."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from consult.accounts.models import User
from consult.extensions import db
from consult.gap.exports import EXPORTERS, ExportError, export_campaign
from consult.gap.models import ExportJob
from consult.surveys.campaigns.models import Campaign
from consult.timeutil import utcnow


def create_export_job(campaign_id: int, fmt: str, language: str, actor: User | None) -> ExportJob:
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(EXPORTERS))}")
    job = ExportJob(
        token=secrets.token_urlsafe(32),
        campaign_id=campaign_id,
        format=fmt,
        language=language,
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def set_job_progress(job_id: int, percent: int) -> None:
    """Stored at once (its own commit), so that the page shows it while the export runs."""
    db.session.execute(
        update(ExportJob).where(ExportJob.id == job_id).values(progress=percent, status="running")
    )
    db.session.commit()


def build_export_job(job_id: int) -> None:
    """Build the job's file; a refused export (no analysis yet) fails the job with the reason."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status == "done":
        return
    set_job_progress(job_id, 5)
    campaign = db.session.get(Campaign, job.campaign_id)
    try:
        document = export_campaign(
            campaign, job.format, job.language, lambda p: set_job_progress(job_id, 5 + p)
        )
    except ExportError as error:
        job.status, job.error = "failed", str(error)
        return
    job.content, job.filename, job.mimetype = document.content, document.filename, document.mimetype
    job.status, job.progress = "done", 100


def fail_export_job(job_id: int, error: str) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is not None and job.status != "done":
        job.status, job.error = "failed", error[:2000]


JOB_LIFETIME = timedelta(hours=1)
"""A job still unfinished after this long lost its worker: a new click starts another instead of joining."""


def running_job(campaign_id: int, fmt: str, language: str) -> ExportJob | None:
    """The same export, queued or running, that a second click joins instead of starting it again."""
    return db.session.scalar(
        select(ExportJob)
        .where(
            ExportJob.campaign_id == campaign_id,
            ExportJob.format == fmt,
            ExportJob.language == language,
            ExportJob.status.in_(("queued", "running")),
            ExportJob.created_at > utcnow() - JOB_LIFETIME,
        )
        .order_by(ExportJob.id.desc())
        .limit(1)
    )


def export_job(token: str) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(ExportJob.token == token))
