"""The analysis tasks in-process (eager Celery): the chord, retries, failures and the beat refresh."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from consult.analysis import services, tasks
from consult.analysis.models import AnalysisRun, RunStatus
from consult.surveys.responses.models import Response
from consult.timeutil import utcnow


def test_start_analysis_runs_every_partition_then_the_merge(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 300)
    run = tasks.start_analysis(campaign, trigger="cli")
    assert (run.status, run.trigger, run.progress, run.responses) == (RunStatus.DONE, "cli", 100, 300)
    assert run.partitions_done == run.partitions_total == 4
    assert services.latest_results(campaign) == run.results


@pytest.fixture(autouse=True)
def no_pause_before_retries(monkeypatch):
    monkeypatch.setattr(tasks, "RETRY_DELAYS", (0.0, 0.0, 0.0))


def test_a_lost_connection_is_retried(db, make_campaign, add_responses, monkeypatch):
    campaign = make_campaign(status="open")
    add_responses(campaign, 100)
    count, calls = services.count_partition, []

    def flaky(run_id: int, partition: int) -> bool:
        calls.append(partition)
        if calls.count(partition) == 1 and partition == 2:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return count(run_id, partition)

    monkeypatch.setattr(services, "count_partition", flaky)
    run = tasks.start_analysis(campaign)
    assert run.status == RunStatus.DONE and run.responses == 100
    assert calls.count(2) == 2


def test_a_connection_lost_for_good_fails_the_run(db, make_campaign, add_responses, monkeypatch):
    campaign = make_campaign(status="open")
    add_responses(campaign, 50)

    def unreachable(run_id: int, partition: int) -> bool:
        raise OperationalError("SELECT 1", {}, Exception("could not connect"))

    monkeypatch.setattr(services, "count_partition", unreachable)
    run = services.create_run(campaign)
    db.session.commit()
    with pytest.raises(OperationalError):
        tasks.count_partition.apply(args=(run.id, 0)).get()
    assert run.status == RunStatus.FAILED
    run = tasks.start_analysis(campaign)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("partition 0: OperationalError:") and "could not connect" in run.error


def test_corrupt_data_fails_the_run_and_keeps_the_previous_results(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 80)
    done = tasks.start_analysis(campaign)
    db.session.add(Response(campaign_id=campaign.id, answers=b"\x07\x01\x01", profile=b"\x01\x01"))
    db.session.commit()
    failed = tasks.start_analysis(campaign)
    assert failed.status == RunStatus.FAILED and "outside the scale" in failed.error
    assert failed.results is None
    assert services.latest_results(campaign) == done.results


def test_an_unreachable_queue_fails_the_run(db, make_campaign, monkeypatch):
    campaign = make_campaign(status="open")

    def no_broker(_header):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks, "chord", no_broker)
    run = tasks.start_analysis(campaign)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("the analysis could not run: OperationalError: Error 111")


def runs_of(db, campaign) -> list[AnalysisRun]:
    return db.session.query(AnalysisRun).filter_by(campaign_id=campaign.id).order_by(AnalysisRun.id).all()


def test_the_beat_refreshes_open_campaigns_that_changed(db, make_campaign, add_responses):
    opened, closed = make_campaign(status="open"), make_campaign(status="closed")
    add_responses(opened, 60)
    tasks.refresh_open_campaigns()
    assert [(r.trigger, r.status, r.responses) for r in runs_of(db, opened)] == [("beat", RunStatus.DONE, 60)]
    assert runs_of(db, closed) == []
    tasks.refresh_open_campaigns()
    assert len(runs_of(db, opened)) == 1
    add_responses(opened, 5, seed=8)
    tasks.refresh_open_campaigns()
    assert [r.responses for r in runs_of(db, opened)] == [60, 65]


def test_the_beat_waits_for_a_running_analysis_and_abandons_a_stale_one(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 40)
    running = services.create_run(campaign)
    db.session.commit()
    tasks.refresh_open_campaigns()
    assert runs_of(db, campaign) == [running]
    db.session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == running.id)
        .values(created_at=utcnow() - services.STALE_AFTER * 2)
    )
    tasks.refresh_open_campaigns()
    first, second = runs_of(db, campaign)
    assert first.status == RunStatus.FAILED and "abandoned" in first.error
    assert second.status == RunStatus.DONE and second.responses == 40


@pytest.mark.parametrize("status", [RunStatus.DONE, RunStatus.FAILED])
def test_ended_runs_ignore_late_tasks(db, make_campaign, add_responses, status):
    campaign = make_campaign(status="open")
    add_responses(campaign, 30)
    run = services.create_run(campaign)
    run.status = status
    db.session.commit()
    assert tasks.count_partition.apply(args=(run.id, 0)).get() == {"partition": 0, "recounted": False}
    assert tasks.finish_run.apply(args=(None, run.id)).get() == run.id
    assert db.session.get(AnalysisRun, run.id).results is None
