"""Shared fixtures: the app on the real PostgreSQL, a transaction rolled back after each test, factories.

PostgreSQL and Redis are required: a test that needs one and cannot reach it fails (never skips), with the
command that starts it.
"""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import select, text
from werkzeug.serving import make_server

from consult import create_app
from consult.accounts.models import Role, User
from consult.accounts.services import create_user
from consult.config import celery_settings
from consult.database import dispose_engines
from consult.extensions import db as _db
from consult.surveys.questionnaires import spec

PG_ADMIN_URL = os.environ.get("CONSULT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DATABASE = os.environ.get("CONSULT_TEST_DATABASE", "consult_test")
REDIS_TEST_URL = os.environ.get("CONSULT_TEST_REDIS", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery staple"
START_HINT = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def require(service: str, url: str) -> None:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=3).close()
    except OSError as error:
        pytest.fail(
            f"{service} is not reachable at {parts.hostname}:{parts.port} ({error}); start it with: "
            f"{START_HINT[service]}",
            pytrace=False,
        )


def database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def recreate_database(name: str) -> str:
    require("PostgreSQL", PG_ADMIN_URL)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def make_app(url: str, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_COST": "fast",
        "RATELIMIT_STORAGE_URI": "memory://",
        "CELERY": celery_settings(None),
        "CONSULT_JOB_THREAD": False,
        "CONSULT_BASE_URL": "http://localhost",
        "ANALYSIS_PARTITIONS": 4,
        "CHARTS_WITH_RESULTS": False,
    }
    config.update(extra)
    return create_app(config)


def upgrade_schema(app) -> None:
    from flask_migrate import upgrade

    from consult.charter.services import load_reference_data

    with app.app_context():
        upgrade()
        load_reference_data()
        _db.session.commit()


@pytest.fixture(scope="session")
def app():
    app = make_app(recreate_database(TEST_DATABASE))
    upgrade_schema(app)
    yield app
    with app.app_context():
        dispose_engines()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks an engine per model; in a test every statement goes to the test's connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture
def db(app) -> Iterator:
    """The database, inside a transaction rolled back at the end; the code's commits are savepoints."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        session = _db._make_scoped_session(
            {
                "class_": ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        original, _db.session = _db.session, session
        try:
            yield _db
        finally:
            session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


class FreshGlobalsClient(FlaskClient):
    """The test's app context stays pushed during requests, so ``g`` would carry the signed-in user and the
    CSRF token from one request to the next: start each request with an empty ``g``, as a real one does."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    from consult.extensions import limiter

    limiter.reset()
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def redis_url() -> str:
    require("Redis", REDIS_TEST_URL)
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    return REDIS_TEST_URL


def admit_ballots(campaign_id: int | None = None) -> int:
    """Admit every pending ballot (of one campaign, or of all), as closing would: the responses and comments
    they hold become rows. Flushes; the caller's transaction decides."""
    from consult.surveys.responses import ballots
    from consult.surveys.responses.models import Ballot

    ids = (
        [campaign_id]
        if campaign_id is not None
        else _db.session.scalars(select(Ballot.campaign_id).distinct())
    )
    admitted = sum(ballots.admit(found) for found in list(ids))
    _db.session.flush()
    return admitted


def draft_data(token: str) -> dict | None:
    """The answers a token's draft holds, opened with the key only the token gives."""
    from consult.surveys.invitations.tokens import token_hash
    from consult.surveys.responses.models import Draft
    from consult.surveys.responses.sealing import DRAFT, draft_key, unseal

    sealed = _db.session.scalar(select(Draft.sealed).where(Draft.token_hash == token_hash(token)))
    return None if sealed is None else unseal(draft_key(token), sealed, DRAFT)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def make_user(db):
    def factory(role: Role | str = Role.HR, email: str | None = None) -> User:
        count = _db.session.scalar(text('select count(*) from "user"'))
        return create_user(email or f"{role}-{count}@example.org", role, PASSWORD)

    return factory


@pytest.fixture
def login(client):
    def sign_in(user: User):
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "email": user.email,
                "password": PASSWORD,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


def small_questionnaire(
    points: int = 5, dont_know: bool = True, min_group_size: int = 5
) -> spec.Questionnaire:
    """Two sections, two dimensions: small enough to reason about in a test."""
    en_fr = lambda en, fr: {"en": en, "fr": fr}  # noqa: E731
    labels = {
        "en": tuple(f"L{i}" for i in range(1, points + 1)),
        "fr": tuple(f"N{i}" for i in range(1, points + 1)),
    }
    return spec.Questionnaire(
        title=en_fr("Small survey", "Petite enquête"),
        languages=("en", "fr"),
        charter="2023",
        scale=spec.Scale(points=points, labels=labels, favourable=(points - 1, points), dont_know=dont_know),
        dimensions=(
            spec.Dimension(
                "school",
                en_fr("School", "École"),
                (spec.Option("north", en_fr("North", "Nord")), spec.Option("south", en_fr("South", "Sud"))),
            ),
            spec.Dimension(
                "career_stage",
                en_fr("Career stage", "Étape de carrière"),
                tuple(spec.Option(f"R{i}", en_fr(f"R{i}", f"R{i}")) for i in range(1, 5)),
            ),
        ),
        sections=(
            spec.Section(
                "P01",
                en_fr("Ethics", "Éthique"),
                (
                    spec.Item("P01.1", en_fr("I know the rules.", "Je connais les règles.")),
                    spec.Item("P01.2", en_fr("Rules are unclear.", "Les règles sont floues."), reverse=True),
                ),
                principle=1,
                pillar=1,
                comment=True,
            ),
            spec.Section(
                "P14",
                en_fr("Stability", "Stabilité"),
                (spec.Item("P14.1", en_fr("My job is stable.", "Mon emploi est stable.")),),
                principle=14,
                pillar=3,
                comment=False,
            ),
        ),
        min_group_size=min_group_size,
        comment_min_responses=max(10, min_group_size),
    )


@pytest.fixture
def make_campaign(db):
    from consult.surveys.campaigns import services

    def factory(
        q: spec.Questionnaire | None = None,
        status: str = "draft",
        title: str | None = None,
        interim_results: bool = True,
    ):
        campaign = services.create_campaign(q or small_questionnaire(), title=title)
        campaign.interim_results = interim_results
        if status in ("open", "closed"):
            services.open_campaign(campaign)
        if status == "closed":
            services.close_campaign(campaign)
        _db.session.flush()
        return campaign

    return factory


@pytest.fixture
def add_responses(db):
    from consult.surveys.questionnaires.convert import campaign_spec
    from consult.surveys.responses import storage, synthetic

    def factory(campaign, n: int, seed: int = 7):
        data = synthetic.generate(campaign_spec(campaign), n, seed)
        storage.insert_responses(campaign.id, data.answers, data.profiles)
        storage.insert_comments(campaign.id, data.comments)
        _db.session.flush()
        return data

    return factory


@pytest.fixture(scope="session")
def live_app():
    """The app on a database of its own whose commits are real: for concurrency and transaction-id tests."""
    app = make_app(recreate_database(f"{TEST_DATABASE}_live"))
    upgrade_schema(app)
    yield app
    with app.app_context():
        dispose_engines()


CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(app, port: int = 0) -> Iterator[str]:
    """Serve ``app`` from a thread on 127.0.0.1 (a free port unless given); yields its base URL."""
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(10)
        with app.app_context():
            dispose_engines()


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium, driven by Playwright, shared by every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
        yield browser
        browser.close()
