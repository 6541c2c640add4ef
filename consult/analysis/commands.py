"""What ``consult campaign analyse`` does: start a run and, when asked, follow it to its end."""

from __future__ import annotations

import time

import click
from flask import current_app

from consult.analysis.models import AnalysisRun, RunStatus
from consult.analysis.services import AnalysisRefused
from consult.analysis.tasks import start_analysis
from consult.celery_app import is_eager
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign

POLL_SECONDS = 0.25


def run_analysis(campaign: Campaign, wait: bool, timeout: float = 3600) -> AnalysisRun:
    """Start a run; with ``wait``, show its progress on stderr until it ends. A failed run exits non-zero."""
    if is_eager(current_app):
        click.echo(f"Analysing {campaign.slug} in this process (no task queue is configured)...", err=True)
    try:
        run = start_analysis(campaign, trigger="cli")
    except AnalysisRefused as error:
        raise click.ClickException(str(error)) from error
    if wait and run.status not in (RunStatus.DONE, RunStatus.FAILED):
        run = wait_for_run(run.id, timeout)
    if run.status == RunStatus.FAILED:
        raise click.ClickException(f"analysis {run.id} failed: {run.error}")
    if run.status == RunStatus.DONE:
        click.echo(f"Analysis {run.id} done: {responses_said(campaign, run.responses)}.")
    else:
        click.echo(f"Analysis {run.id} started on the workers ({run.partitions_total} partitions).")
    return run


def wait_for_run(run_id: int, timeout: float) -> AnalysisRun:
    deadline = time.monotonic() + timeout
    with click.progressbar(length=100, label="Analysing", file=click.get_text_stream("stderr")) as bar:
        shown = 0
        while True:
            db.session.expire_all()
            run = db.session.get(AnalysisRun, run_id)
            bar.update(run.progress - shown)
            shown = run.progress
            if run.status in (RunStatus.DONE, RunStatus.FAILED):
                return run
            if time.monotonic() > deadline:
                raise click.ClickException(f"analysis {run_id} still running after {timeout:.0f} s")
            db.session.rollback()
            time.sleep(POLL_SECONDS)


def responses_said(campaign: Campaign, responses: int | None) -> str:
    if responses is not None and 0 < responses < campaign.min_group_size:
        return f"fewer than {campaign.min_group_size} responses"
    return f"{responses} responses"
