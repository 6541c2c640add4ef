"""The app factory, configuration and what every page shares."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import pytest
from flask import Flask, url_for

from consult import create_app
from consult.config import database_url, load_config
from consult.logs import DropClientAddress, redact_request_line


def test_factory_uses_sqlite_in_instance_and_in_process_tasks_by_default(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'consult.db'}"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config(tmp_path)["SECRET_KEY"] == config["SECRET_KEY"]


def test_environment_switches_to_postgresql_and_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/consult")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SECRET_KEY", "s")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/consult"
    assert config["CELERY"]["broker_url"] == "redis://cache:6379/0"
    assert config["CELERY"]["task_always_eager"] is False
    assert config["CELERY"]["task_acks_late"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert not (tmp_path / "secret_key").exists()


def test_redis_down_is_ridden_out(tmp_path, monkeypatch):
    """Rate limits fall back to memory; workers and beat retry the broker for ever; lost mail is resent."""
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SECRET_KEY", "s")
    config = load_config(tmp_path)
    celery = config["CELERY"]
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert celery["broker_connection_retry"] and celery["broker_connection_retry_on_startup"]
    assert celery["broker_connection_max_retries"] is None
    assert celery["worker_cancel_long_running_tasks_on_connection_loss"] is True
    assert celery["broker_transport_options"]["retry_on_timeout"] is True
    assert celery["broker_transport_options"]["socket_keepalive"] is True
    lost_mail = celery["beat_schedule"]["send-lost-mail"]
    assert lost_mail["task"] == "consult.surveys.invitations.tasks.send_lost_mail"


def test_database_url_keeps_other_drivers():
    assert database_url("sqlite:////tmp/x.db", None) == "sqlite:////tmp/x.db"


def test_secure_cookies_follow_https_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.setenv("CONSULT_BASE_URL", "https://consult.example.org/")
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["CONSULT_BASE_URL"] == "https://consult.example.org"


def test_factory_has_no_side_effect_but_the_config(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db"})
    assert not (tmp_path / "c.db").exists()
    assert {"home", "accounts", "surveys", "respond", "analysis", "gap"} <= set(app.blueprints)
    assert "celery" in app.extensions


def test_home_page_says_what_consult_is_and_leads_to_sign_in(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HRS4R gap analysis" in page and 'href="/login"' in page


def test_every_page_has_strict_security_headers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_make_no_third_party_request(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page


def test_health_check_reaches_the_database(client):
    response = client.get("/healthz")
    assert response.get_json() == {"status": "ok"} and "Set-Cookie" not in response.headers


def stylesheet_url(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)


def test_pages_ask_for_the_current_version_of_static_files_which_browsers_keep(client):
    url = stylesheet_url(client)
    version = hashlib.sha256(Path(client.application.static_folder, "consult.css").read_bytes()).hexdigest()
    assert url == f"/static/consult.css?v={version[:12]}"
    response = client.get(url)
    assert response.status_code == 200 and response.cache_control.immutable
    assert response.cache_control.public and response.cache_control.max_age == 365 * 24 * 3600
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.cache_control.immutable


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_static_files_asked_for_without_their_version_are_revalidated(client, query):
    response = client.get("/static/consult.css" + query)
    assert response.status_code == 200 and response.cache_control.no_cache
    assert not response.cache_control.immutable and response.cache_control.max_age is None


def test_a_changed_static_file_gets_a_new_version(tmp_path, monkeypatch):
    app = create_app({"SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"})
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    sheet = tmp_path / "consult.css"
    sheet.write_text("body { color: black; }")
    with app.test_request_context():
        before = url_for("static", filename="consult.css")
        sheet.write_text("body { color: navy; }")
        os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 1_000_000))
        after = url_for("static", filename="consult.css")
        missing = url_for("static", filename="missing.css")
    assert before != after and before.startswith("/static/consult.css?v=")
    assert missing == "/static/missing.css"


def test_static_files_and_the_health_check_neither_start_nor_renew_a_session(client, make_user, login):
    login(make_user("hr"))
    assert "Expires" in client.get("/dashboard").headers["Set-Cookie"]
    for response in (client.get(stylesheet_url(client)), client.get("/healthz")):
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_french_interface_from_the_browser_preference(client):
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_unknown_page_gets_a_clear_error_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_log_lines_lose_the_client_address_and_any_token():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '10.1.2.3 - - [24/Nov/2026] "GET /r/abcdefghijklmnopqrstuv HTTP/1.1" 200 -',
        (),
        None,
    )
    DropClientAddress().filter(record)
    assert "10.1.2.3" not in record.getMessage()
    assert "abcdefghijklmnopqrstuv" not in record.getMessage()
    assert redact_request_line("GET /r/open/my-campaign") == "GET /r/open/my-campaign"


def test_gunicorn_access_lines_hold_only_allowed_atoms(tmp_path):
    """Whatever the format asks for, the access log can print no address, header or token."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from consult.logs import gunicorn_logger_class

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set(
        "access_log_format", "%(h)s %(r)s %(s)s %(b)s %(M)sms %(a)s %(f)s %({x-forwarded-for}i)s %(U)s"
    )
    logger = gunicorn_logger_class()(config)
    token = "abcdefghijklmnopqrstuv"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/r/{token}/step/2?lang=fr",
        "PATH_INFO": f"/r/{token}/step/2",
        "QUERY_STRING": "lang=fr",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_X_FORWARDED_FOR": "198.51.100.9",
        "HTTP_REFERER": f"https://consult.example/r/{token}/step/1",
        "HTTP_USER_AGENT": "Mozilla/5.0 (a rare browser)",
    }
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "198.51.100.9")])
    response = SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=12, microseconds=400))
    line = (tmp_path / "access.log").read_text().strip()
    assert line == "- POST /r/[token]/step/2?lang=fr HTTP/1.1 303 0 12ms - - - /r/[token]/step/2"


def test_each_function_is_checked_for_being_a_coroutine_once(app, monkeypatch):
    checked = []
    original = Flask.ensure_sync
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, f: checked.append(f) or original(self, f))

    def view():
        return "ok"

    assert app.ensure_sync(view) is app.ensure_sync(view)
    assert app.ensure_sync(view)() == "ok"
    assert checked == [view]
