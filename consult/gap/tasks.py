"""Gap-analysis tasks: exports of large campaigns, built by workers."""

from __future__ import annotations

import logging

from celery import shared_task

from consult.extensions import db
from consult.gap import exportjobs

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_export(job_id: int) -> int:
    """Build an export job's file. A failure is stored on the job, whose page shows it, and logged."""
    try:
        exportjobs.build_export_job(job_id)
        db.session.commit()
    except Exception as error:
        log.exception("export job %s failed", job_id)
        db.session.rollback()
        exportjobs.fail_export_job(job_id, f"{type(error).__name__}: {error}")
        db.session.commit()
    return job_id
