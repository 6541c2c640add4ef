"""What ``consult campaign analyse`` does: start a run and, when asked, follow it to its end."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app

from consult.analysis import progress
from consult.analysis.models import AnalysisRun, RunStatus
from consult.analysis.services import AnalysisRefused
from consult.analysis.tasks import start_analysis
from consult.celery_app import is_eager
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign

POLL_SECONDS = 0.25


def run_analysis(campaign: Campaign, wait: bool, timeout: float = 3600) -> AnalysisRun:
    """Start a run; with ``wait``, show its progress on stderr until it ends. A failed run exits non-zero."""
    try:
        run = start_in_process(campaign) if is_eager(current_app) else start_analysis(campaign, trigger="cli")
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


def start_in_process(campaign: Campaign) -> AnalysisRun:
    """Without a task queue the run happens in this call: its steps move the bar as they end."""
    label = f"Analysing {campaign.slug} in this process (no task queue is configured)"
    with progress_bar(label) as bar, progress.listening(bar_listener(bar)):
        return start_analysis(campaign, trigger="cli")


def progress_bar(label: str):
    return click.progressbar(length=100, label=label, file=sys.stderr)


def bar_listener(bar) -> progress.Listener:
    def moved(share: float) -> None:
        step = round(100 * share) - bar.pos
        if step > 0:
            bar.update(step)

    return moved


def wait_for_run(run_id: int, timeout: float) -> AnalysisRun:
    deadline = time.monotonic() + timeout
    with progress_bar("Analysing") as bar:
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
