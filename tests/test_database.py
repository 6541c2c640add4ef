"""``Precompiled`` gives what SQLAlchemy gives, on PostgreSQL and on the embedded SQLite; the respondent
flow, which runs on it, works end to end on SQLite too; on PostgreSQL its statements have an autocommit
engine of their own."""

from __future__ import annotations

import gc
import runpy
import sqlite3
import threading
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, func, select, text

from consult import database
from consult.database import STATEMENT_ENGINE, Precompiled, dispose_engines
from consult.extensions import db as _db
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services as respond_services
from consult.surveys.respond import statements as sql
from consult.surveys.responses.models import Ballot, Draft
from tests.conftest import (
    PG_ADMIN_URL,
    TEST_DATABASE,
    csrf_from,
    draft_data,
    make_app,
    small_questionnaire,
    upgrade_schema,
)


@pytest.fixture
def sqlite_app(tmp_path) -> Flask:
    app = make_app(f"sqlite:///{tmp_path / 'consult.db'}")
    upgrade_schema(app)
    with app.app_context():
        yield app
        _db.session.remove()
        dispose_engines()


def open_campaign_with_a_draft() -> tuple[str, bytes, int]:
    campaign = campaigns.create_campaign(small_questionnaire())
    campaigns.open_campaign(campaign)
    token = links.issue_tokens(campaign, 1)[0].token
    draft = {"answers": {"P01.1": 4, "P01.2": "DK"}, "comments": {"P01": "é <b>"}, "step": 1}
    _db.session.add(
        Draft(token_hash=token_hash(token), campaign_id=campaign.id, data=draft, saved_on=date.today())
    )
    _db.session.flush()
    return token, token_hash(token), campaign.id


def same_as_sqlalchemy() -> None:
    _, hashed, campaign_id = open_campaign_with_a_draft()
    expected = tuple(_db.session.execute(sql.find_invitation(), {"hashed": hashed}).one())
    assert Precompiled(sql.find_invitation()).first({"hashed": hashed}) == expected
    assert Precompiled(sql.find_invitation()).first({"hashed": b"\0" * 32}) is None
    dialect = _db.session.get_bind().dialect.name
    save = Precompiled(sql.save_invited_draft(dialect))
    values = {
        "hashed": hashed,
        "of_campaign": campaign_id,
        "sealed": b"sealed bytes",
        "saved_on": date.today(),
    }
    assert save.rowcount(values) == 1
    saved = _db.session.execute(select(Draft.sealed, Draft.data).where(Draft.token_hash == hashed)).one()
    assert tuple(saved) == (b"sealed bytes", None)
    _db.session.execute(Invitation.__table__.update().values(used=True))
    assert save.rowcount(values) == 0


def test_precompiled_statements_match_sqlalchemy_on_postgresql(db):
    same_as_sqlalchemy()


def test_precompiled_statements_match_sqlalchemy_on_sqlite(sqlite_app):
    same_as_sqlalchemy()


def test_a_whole_questionnaire_on_the_embedded_sqlite(sqlite_app):
    token = open_campaign_with_a_draft()[0]
    _db.session.commit()
    client = sqlite_app.test_client()
    html = client.get(f"/r/{token}/step/2").get_data(as_text=True)
    respond_services.layouts.entries.clear()
    response = client.post(f"/r/{token}/step/2", data={"item-P14.1": "2", "csrf_token": csrf_from(html)})
    assert response.status_code == 303
    review = client.get(f"/r/{token}/step/4").get_data(as_text=True)
    assert client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(review)}).status_code == 303
    assert _db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert _db.session.scalar(select(func.count()).select_from(Draft)) == 0


def cut_connections(database: str) -> int:
    """What a database restart does to a pool: every connection to ``database`` is ended by the server."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        return len(
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchall()
        )


def test_respondent_pages_ride_out_connections_cut_by_the_database(live_app):
    with live_app.app_context():
        campaign = campaigns.create_campaign(small_questionnaire())
        campaigns.open_campaign(campaign)
        token = links.issue_tokens(campaign, 1)[0].token
        _db.session.commit()
    client = live_app.test_client()
    html = client.get(f"/r/{token}/step/1").get_data(as_text=True)
    assert cut_connections(f"{TEST_DATABASE}_live") >= 1
    assert client.get(f"/r/{token}").status_code == 200
    assert cut_connections(f"{TEST_DATABASE}_live") >= 1
    saved = client.post(f"/r/{token}/step/1", data={"item-P01.1": "4", "csrf_token": csrf_from(html)})
    assert saved.status_code == 303
    assert client.get("/healthz").status_code == 200
    with live_app.app_context():
        assert draft_data(token)["answers"] == {"P01.1": 4}


def test_a_submission_rides_out_connections_cut_by_the_database(live_app):
    with live_app.app_context():
        token = open_campaign_with_a_draft()[0]
        _db.session.commit()
    client = live_app.test_client()
    review = client.get(f"/r/{token}/step/4").get_data(as_text=True)
    assert cut_connections(f"{TEST_DATABASE}_live") >= 1
    assert client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(review)}).status_code == 303
    with live_app.app_context():
        assert _db.session.scalar(select(Invitation.used).where(Invitation.token_hash == token_hash(token)))
        assert _db.session.scalar(select(Draft).where(Draft.token_hash == token_hash(token))) is None


def test_respondent_statements_run_in_autocommit_on_a_connection_each_thread_keeps(live_app):
    """A respondent's page runs on an autocommit connection of the statement engine, borrowed once by the
    thread and kept for its next pages; the app's own pool is not touched, so no pooled connection switches to
    autocommit and back for a request."""
    token = one_open_token(live_app)
    checkouts = checkouts_of(live_app)
    client = live_app.test_client()
    assert client.get(f"/r/{token}/step/1").status_code == 200
    assert checkouts["statements"] == [True]
    checkouts["app"].clear()
    for path in (f"/r/{token}/step/2", f"/r/{token}", f"/r/{token}/step/1"):
        assert client.get(path).status_code == 200
    assert checkouts == {"app": [], "statements": [True]}


def test_a_thread_borrows_a_new_connection_after_the_engines_are_disposed(live_app):
    token = one_open_token(live_app)
    checkouts = checkouts_of(live_app)
    client = live_app.test_client()
    assert client.get(f"/r/{token}").status_code == 200
    with live_app.app_context():
        dispose_engines()
    assert client.get(f"/r/{token}").status_code == 200
    assert checkouts["statements"] == [True, True]


def test_a_thread_gives_its_connection_back_to_the_pool_when_it_ends(live_app):
    token = one_open_token(live_app)
    """Nothing keeps it once its thread is gone: a web server's threads come and go (the development server
    starts one per request), and each would otherwise hold a database connection for good."""
    statuses: list[int] = []
    thread = threading.Thread(
        target=lambda: statuses.append(live_app.test_client().get(f"/r/{token}").status_code)
    )
    thread.start()
    thread.join()
    gc.collect()
    assert statuses == [200]
    assert live_app.extensions[STATEMENT_ENGINE].pool.checkedin() == 1


def test_a_forked_process_never_closes_the_connection_it_inherited(live_app):
    """gunicorn's workers drop what the master held without touching it (``dispose_engines(close=False)``):
    closing it would end the session on a socket the parent still uses."""
    with live_app.app_context():
        held = database.HeldConnection(_db.engine, live_app.extensions[STATEMENT_ENGINE].connect(), 0)
        connection = held.connection
        database.THREAD.held = held
        dispose_engines(close=False)
        del held
        gc.collect()
        try:
            assert not connection.closed and connection in database.INHERITED
        finally:
            database.INHERITED.remove(connection)
            connection.close()


def one_open_token(app) -> str:
    with app.app_context():
        campaign = campaigns.create_campaign(small_questionnaire())
        campaigns.open_campaign(campaign)
        token = links.issue_tokens(campaign, 1)[0].token
        _db.session.commit()
        dispose_engines()
    return token


def checkouts_of(app) -> dict[str, list[bool]]:
    """Each pool's checkouts from now on, as whether the connection was in autocommit."""
    with app.app_context():
        engines = {"app": _db.engine, "statements": app.extensions[STATEMENT_ENGINE]}
    checkouts: dict[str, list[bool]] = {name: [] for name in engines}
    for name, engine in engines.items():
        record = checkouts[name].append
        event.listen(engine, "checkout", lambda dbapi, *_, record=record: record(dbapi.autocommit))
    return checkouts


def test_draft_saves_do_not_wait_for_the_disk_but_submissions_do(live_app):
    """The statement engine carries only draft saves: its commits are asynchronous. The app's sessions, which
    use tokens, store ballots and admit them, keep PostgreSQL's synchronous commits."""
    with live_app.app_context():
        statements = live_app.extensions[STATEMENT_ENGINE]
        with statements.connect() as connection:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        with _db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"


def test_disposing_drops_the_pooled_connections_of_both_engines(live_app):
    with live_app.app_context():
        engines = (_db.engine, live_app.extensions[STATEMENT_ENGINE])
        for engine in engines:
            engine.connect().close()
        assert [engine.pool.checkedin() for engine in engines] == [1, 1]
        dispose_engines()
        assert [engine.pool.checkedin() for engine in engines] == [0, 0]


def test_respondent_pages_on_sqlite_read_without_the_write_lock(sqlite_app, tmp_path):
    """A page's read runs on the autocommit connection (WAL: no lock), not in a session's BEGIN IMMEDIATE,
    which would wait for any writer: every respondent's page then waited for every other's. (The first page
    of a campaign in a process loads its questionnaire through the session.)"""
    assert sqlite_app.extensions[STATEMENT_ENGINE].dialect.name == "sqlite"
    token = open_campaign_with_a_draft()[0]
    _db.session.commit()
    assert sqlite_app.test_client().get(f"/r/{token}/step/1").status_code == 200
    writer = sqlite3.connect(tmp_path / "consult.db", isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert sqlite_app.test_client().get(f"/r/{token}/step/2").status_code == 200
        assert time.monotonic() - started < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_in_memory_sqlite_database_has_no_statement_engine():
    assert STATEMENT_ENGINE not in make_app("sqlite://").extensions


def test_gunicorn_workers_drop_inherited_connections_and_serve_apps_without_a_database(live_app):
    post_fork = runpy.run_path(str(Path(__file__).parent.parent / "gunicorn.conf.py"))["post_fork"]
    with live_app.app_context():
        engines = (_db.engine, live_app.extensions[STATEMENT_ENGINE])
        for engine in engines:
            engine.connect().close()
    post_fork(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: live_app)), None)
    assert [engine.pool.checkedin() for engine in engines] == [0, 0]
    bare = Flask("floor")
    post_fork(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: bare)), None)


def test_staff_pages_without_a_database_answer_503_with_a_page():
    """Issue 15: a staff page whose database cannot be reached gets the "temporarily unavailable" page (no
    staff menu: drawing it would ask the database for the signed-in user again), not an error 500."""
    from flask_login.utils import _create_identifier

    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    client = app.test_client()
    with app.test_request_context():
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": "1:0", "_id": identifier, "_fresh": True, "lang": "fr"})
    for path in ("/dashboard", "/healthz"):
        answer = client.get(path)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 503, html
        assert answer.headers["Retry-After"]
        assert "Service momentanément indisponible" in html and "Traceback" not in html
    assert app.test_client().get("/").status_code == 200


def test_a_session_whose_connection_was_cut_ends_without_an_error(live_app):
    """The request's answer is made; the database then cuts its connection: the teardown must not fail."""
    from consult.database import release_session

    with live_app.test_request_context():
        _db.session.execute(text("SELECT 1"))
        assert cut_connections(f"{TEST_DATABASE}_live") >= 1
        release_session()
        assert _db.session.execute(text("SELECT 1")).scalar() == 1
        _db.session.remove()
