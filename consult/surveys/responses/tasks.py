"""Ballot box tasks: the dead row versions of admitted ballots reclaimed (see ``ballots.purge``)."""

from __future__ import annotations

from celery import shared_task

from consult.surveys.responses import ballots


@shared_task
def purge_ballots() -> None:
    """Beat: vacuum the ballot table, in case an admission's own vacuum was skipped."""
    ballots.purge()
