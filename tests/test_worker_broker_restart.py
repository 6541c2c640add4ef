"""A real Celery worker rides out a restart of its broker (Redis) and then does the work queued after it.

The broker is a Redis of the test's own (``tests.redis_server``), stopped (SIGTERM) and started again on the
same port, empty, as a restarted Redis without persistence comes back. The worker is a real process
(``celery -A consult.worker worker``), as in ``tests/analysis/test_worker_integration.py``, on a committed
database of its own, with one change that compresses time: kombu waits 0.1 s between its reconnection
attempts instead of 2 s growing to 30 s. The number of attempts is the app's own setting, so the outage of
about fifty minutes after which Celery's default (100 attempts) gives up fits in a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import _state as celery_state
from kombu.exceptions import OperationalError

from consult.config import celery_settings
from consult.extensions import db
from consult.surveys.invitations.tasks import blur_invitation_writes
from tests.conftest import TEST_DATABASE, make_app, recreate_database, upgrade_schema
from tests.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.live

DATABASE = f"{TEST_DATABASE}_broker"
READY_TIMEOUT = 30
RETRY_INTERVAL = 0.1
DOWN_SECONDS = 150 * RETRY_INTERVAL
"""Longer than Celery's default 100 reconnection attempts at ``RETRY_INTERVAL``."""
FAST_RECONNECTION = f"""
import sys
from kombu import connection
ensure_connection = connection.Connection.ensure_connection
def fast(self, *args, **kwargs):
    kwargs.update(interval_start=0, interval_step={RETRY_INTERVAL}, interval_max={RETRY_INTERVAL})
    return ensure_connection(self, *args, **kwargs)
connection.Connection.ensure_connection = fast
from celery.__main__ import main
sys.argv[0] = "celery"
main()
"""
WORKER_ARGUMENTS = [
    "-c", FAST_RECONNECTION, "-A", "consult.worker", "worker", "--concurrency", "1", "--pool", "prefork",
    "-Q", "celery", "--loglevel", "INFO",
]  # fmt: skip


@pytest.fixture(scope="module")
def database_url() -> str:
    previous = celery_state.get_current_app()
    url = recreate_database(DATABASE)
    upgrade_schema(make_app(url))
    previous.set_current()
    previous.set_default()
    return url


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def broker_app(database_url, broker) -> Iterator:
    """The web side's app on this broker; the Celery app current before is current again afterwards."""
    previous = celery_state.get_current_app()
    url = broker.url()
    app = make_app(database_url, REDIS_URL=url, CELERY=celery_settings(url))
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        previous.set_current()
        previous.set_default()


@pytest.fixture
def worker(broker_app, database_url, broker, tmp_path) -> Iterator[tuple[subprocess.Popen, Path]]:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": broker.url(), "SECRET_KEY": "broker"}
    log = tmp_path / "worker.log"
    command = [sys.executable, *WORKER_ARGUMENTS, "-n", f"broker{os.getpid()}@%h"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_worker(broker_app, process, log)
        yield process, log
    finally:
        stop(process)


def wait_for_worker(app, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
        try:
            if app.extensions["celery"].control.ping(timeout=0.5):
                return
        except (OSError, redis.RedisError, OperationalError):
            time.sleep(0.5)
    pytest.fail(f"the worker did not answer within {READY_TIMEOUT} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_worker_survives_a_broker_restart_and_runs_later_tasks(broker_app, broker, worker):
    process, log = worker
    assert blur_invitation_writes.delay().get(timeout=READY_TIMEOUT) == 0
    broker.stop()
    time.sleep(DOWN_SECONDS)
    assert process.poll() is None, f"the worker exited when the broker went away:\n{log.read_text()}"
    broker.start()
    wait_for_worker(broker_app, process, log)
    assert blur_invitation_writes.delay().get(timeout=READY_TIMEOUT) == 0
    assert process.poll() is None
    assert "Unrecoverable error" not in log.read_text()
