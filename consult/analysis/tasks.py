"""Analysis on Celery: a group of partition tasks, then a merge (a chord). Tasks stay thin.

Tasks are acknowledged only once done and are put back in the queue when their worker dies, so a partition
whose worker was killed is counted again by another. A lost database connection is retried in place, after a
pause (the same in-process and on a worker); any other error fails the run at once, with its message, and the
previous results stay the current ones.
"""

from __future__ import annotations

import time

from celery import chord, group, shared_task
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from consult import jobs
from consult.analysis import services
from consult.analysis.models import AnalysisRun
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.responses.storage import response_count

TRANSIENT = (OperationalError, InterfaceError)
RETRY_DELAYS = (1.0, 3.0, 9.0)
"""Seconds before each new attempt after a lost database connection."""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def count_partition(run_id: int, partition: int) -> dict:
    recounted = run_step(run_id, f"partition {partition}", services.count_partition, run_id, partition)
    return {"partition": partition, "recounted": recounted}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def finish_run(_counted: list | None, run_id: int) -> int:
    run_step(run_id, "merge", services.finish_run, run_id)
    draw_charts_on_workers(run_id)
    return run_id


@shared_task(acks_late=True, reject_on_worker_lost=True)
def draw_section_charts(run_id: int, language: str, code: str) -> int:
    """One section's charts in one language, stored; 0 when another process stored them first."""
    from consult.analysis import chartstore

    run = db.session.get(AnalysisRun, run_id)
    drawn = chartstore.ensure_charts(run, language, only=code) if run is not None else 0
    db.session.commit()
    return drawn


def draw_charts_on_workers(run_id: int) -> None:
    """The charts a worker's process could not draw with the results, as tasks the workers' processes take
    side by side. Should the queue refuse them, each chart is drawn when first asked for."""
    pairs = services.sections_to_draw(run_id)
    if pairs:
        try:
            group(draw_section_charts.si(run_id, language, code) for language, code in pairs).apply_async()
        except Exception:
            services.log.exception("the charts of analysis %s were not handed to the workers", run_id)


@shared_task
def run_failed(*_args, run_id: int) -> None:
    services.fail_run(run_id, "a partition could not be counted")
    db.session.commit()


def run_step(run_id: int, step: str, action, *args):
    """Run one service in its own transaction; retry it on a lost connection, else fail the run and raise."""
    for delay in (*RETRY_DELAYS, None):
        try:
            value = action(*args)
            db.session.commit()
            return value
        except TRANSIENT as error:
            db.session.rollback()
            if delay is None:
                record_failure(run_id, step, error)
                raise
            time.sleep(delay)
        except Exception as error:
            db.session.rollback()
            record_failure(run_id, step, error)
            raise


def record_failure(run_id: int, step: str, error: Exception) -> None:
    try:
        services.fail_run(run_id, f"{step}: {type(error).__name__}: {error}")
        db.session.commit()
    except TRANSIENT:
        db.session.rollback()


def start_analysis(campaign: Campaign, trigger: str = "manual", background: bool = False) -> AnalysisRun:
    """Create and commit a run, then hand its partitions to the workers (or count them here, in-process, or
    with ``background`` in the web process's job thread).

    The returned run tells what happened: queued or running on the workers or the job thread, done
    (in-process), or failed with its error (the task queue unreachable, or an in-process task failed).
    """
    run = services.create_run(campaign, trigger)
    db.session.commit()
    run_id = run.id
    if background:
        jobs.submit(launch_run, run_id)
    else:
        launch_run(run_id)
    db.session.expire_all()
    return db.session.get(AnalysisRun, run_id)


def launch_run(run_id: int) -> None:
    run = db.session.get(AnalysisRun, run_id)
    header = group(count_partition.si(run_id, p) for p in range(run.partitions_total))
    body = finish_run.s(run_id).on_error(run_failed.si(run_id=run_id))
    try:
        chord(header)(body)
    except Exception as error:
        db.session.rollback()
        services.fail_run(run_id, f"the analysis could not run: {type(error).__name__}: {error}")
        db.session.commit()


@shared_task
def refresh_open_campaigns() -> int:
    """Beat: refresh the interim figures of open campaigns with newly admitted responses."""
    interim = (Campaign.status == CampaignStatus.OPEN) & Campaign.interim_results.is_(True)
    campaigns = db.session.scalars(select(Campaign).where(interim)).all()
    started = 0
    for campaign in campaigns:
        services.abandon_stale_runs(campaign.id)
        db.session.commit()
        if needs_refresh(campaign):
            start_analysis(campaign, trigger="beat")
            started += 1
    return started


def needs_refresh(campaign: Campaign) -> bool:
    latest = services.latest_run(campaign.id)
    if latest is not None and latest.status in services.ACTIVE:
        return False
    done = services.latest_run(campaign.id, done_only=True)
    return done is None or done.responses != response_count(campaign.id)


__all__ = ["count_partition", "draw_section_charts", "finish_run", "refresh_open_campaigns", "start_analysis"]
