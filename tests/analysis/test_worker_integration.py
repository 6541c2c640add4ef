"""The analysis through real Celery worker processes on Redis, against a committed PostgreSQL database.

A worker is started per test (``celery -A consult.worker worker``, prefork, two children) and always stopped
at the end. The kill test holds a lock on the partition tables so that both children are caught mid-task,
kills them with SIGKILL, and checks that the requeued tasks still give the complete, correct results.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import pytest
from celery import _state as celery_state
from sqlalchemy import select, text

from consult.analysis import services
from consult.analysis.chartstore import drawable_sections, stored_sections
from consult.analysis.counts import build_counts
from consult.analysis.models import AnalysisRun, RunStatus
from consult.analysis.tasks import refresh_open_campaigns, start_analysis
from consult.config import celery_settings
from consult.extensions import db
from consult.surveys.campaigns import services as surveys
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic
from consult.surveys.responses.models import Response
from tests.conftest import (
    PG_ADMIN_URL,
    TEST_DATABASE,
    make_app,
    recreate_database,
    small_questionnaire,
    upgrade_schema,
)

pytestmark = pytest.mark.live

DATABASE = f"{TEST_DATABASE}_worker"
"""Named after the session's test database, so that two test runs at once do not share it."""
PARTITIONS = 8
RUN_TIMEOUT = 90
WORKER_ARGUMENTS = (
    "-m celery -A consult.worker worker --concurrency 2 --pool prefork -Q celery --without-gossip "
    "--without-mingle --loglevel INFO"
)


@pytest.fixture(scope="module")
def database_url() -> str:
    previous = celery_state.get_current_app()
    url = recreate_database(DATABASE)
    upgrade_schema(make_app(url))
    previous.set_current()
    previous.set_default()
    return url


@pytest.fixture
def worker_app(database_url, redis_url) -> Iterator:
    """The app as the web side has it: PostgreSQL, Redis, tasks sent to the workers. The Celery app that was
    current before is current again afterwards, so that later tests keep their in-process tasks."""
    previous = celery_state.get_current_app()
    app = make_app(
        database_url, REDIS_URL=redis_url, CELERY=celery_settings(redis_url), ANALYSIS_PARTITIONS=PARTITIONS
    )
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        previous.set_current()
        previous.set_default()


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen
    log: Path


@pytest.fixture
def worker(worker_app, database_url, redis_url, tmp_path) -> Iterator[Worker]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "worker-test",
        "CONSULT_ANALYSIS_PARTITIONS": str(PARTITIONS),
    }
    command = [sys.executable, *shlex.split(WORKER_ARGUMENTS), "-n", f"test{os.getpid()}@%h"]
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_worker(worker_app, process, log)
        yield Worker(process, log)
    finally:
        stop(process)


def wait_for_worker(app, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
        if app.extensions["celery"].control.ping(timeout=0.5):
            return
    pytest.fail(f"the worker did not answer within {timeout} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def pool_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def open_campaign_with(responses: int, seed: int = 11) -> Campaign:
    campaign = surveys.create_campaign(small_questionnaire(), title=f"Worker test {seed}")
    campaign.interim_results = True
    surveys.open_campaign(campaign)
    data = synthetic.generate(campaign_spec(campaign), responses, seed)
    storage.insert_responses(campaign.id, data.answers, data.profiles)
    db.session.commit()
    return campaign


def expected_results(campaign: Campaign) -> dict:
    """The results computed here, in-process, from every stored response at once."""
    rows = db.session.execute(
        select(Response.answers, Response.profile).where(Response.campaign_id == campaign.id)
    )
    rows = rows.all()
    q = campaign_spec(campaign)
    answers = np.frombuffer(b"".join(r.answers for r in rows), np.uint8).reshape(len(rows), len(q.items))
    profiles = np.frombuffer(b"".join(r.profile for r in rows), np.uint8).reshape(
        len(rows), len(q.dimensions)
    )
    return json.loads(json.dumps(services.compute_results(campaign, q, build_counts(q, answers, profiles))))


def wait_for_run(run_id: int, timeout: float = RUN_TIMEOUT) -> AnalysisRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        run = db.session.get(AnalysisRun, run_id)
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run
        time.sleep(0.1)
    pytest.fail(f"run {run_id} still {run.status} after {timeout} s ({run.partitions_done} partitions)")


def test_a_worker_runs_the_analysis(worker):
    campaign = open_campaign_with(3000)
    run = start_analysis(campaign)
    assert run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    run = wait_for_run(run.id)
    assert run.status == RunStatus.DONE, run.error
    assert (run.partitions_done, run.partitions_total, run.responses) == (PARTITIONS, PARTITIONS, 3000)
    assert run.results == expected_results(campaign)
    assert_charts_stored(campaign, run)


def assert_charts_stored(campaign: Campaign, run: AnalysisRun) -> None:
    """Drawn by the worker's process itself, which may not start a pool (it is daemonic)."""
    for language in campaign.questionnaire.languages:
        drawable = {section["code"] for section in drawable_sections(campaign, run.results, language)}
        assert drawable and stored_sections(run.id, language) == drawable


def waiting_on_locks(database: str) -> int:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            (database,),
        ).fetchone()[0]


def test_a_worker_killed_mid_run_is_survived(worker, worker_app):
    campaign = open_campaign_with(4000, seed=12)
    blocker = db.engine.connect()
    blocker.execute(text("LOCK TABLE partition_counts IN ACCESS EXCLUSIVE MODE"))
    try:
        run_id = start_analysis(campaign).id
        deadline = time.monotonic() + 30
        while waiting_on_locks(DATABASE) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_locks(DATABASE) == 2, (
            "both worker children should be blocked inside a partition task"
        )
        killed = pool_children(worker.process.pid)
        assert len(killed) == 2
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
    finally:
        blocker.rollback()
        blocker.close()
    run = wait_for_run(run_id)
    assert run.status == RunStatus.DONE, run.error
    assert worker.process.poll() is None and not set(killed) & set(pool_children(worker.process.pid))
    assert worker.log.read_text().count("Task handler raised error: WorkerLostError") == 2
    assert run.partitions_done == PARTITIONS and run.responses == 4000
    assert run.results == expected_results(campaign)


def test_a_failed_run_keeps_the_previous_results(worker):
    campaign = open_campaign_with(500, seed=13)
    first = wait_for_run(start_analysis(campaign).id)
    assert first.status == RunStatus.DONE
    db.session.add(Response(campaign_id=campaign.id, answers=b"\x01\x02", profile=b"\x01\x01"))
    db.session.commit()
    failed = wait_for_run(start_analysis(campaign).id)
    assert failed.status == RunStatus.FAILED
    assert "does not have 3 answers and 2 profile bytes" in failed.error
    assert failed.results is None and failed.finished_at is not None
    assert services.latest_run(campaign.id, done_only=True).id == first.id
    assert services.latest_results(campaign) == first.results


def test_the_beat_task_refreshes_open_campaigns_on_the_worker(worker):
    campaign = open_campaign_with(600, seed=14)
    refresh_open_campaigns.delay().get(timeout=RUN_TIMEOUT)
    run = services.latest_run(campaign.id)
    assert run is not None and run.trigger == "beat"
    run = wait_for_run(run.id)
    assert run.status == RunStatus.DONE and run.responses == 600
