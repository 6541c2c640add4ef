"""Settings from the environment, with defaults that run everything on one machine.

With no configuration Consult uses SQLite in ``instance/`` and runs tasks in-process; ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL, Redis and Celery workers.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from consult.sso.settings import oidc_settings

POOL_RECYCLE_SECONDS = 1800
"""Connections are replaced after this long instead of pinged before each use: a ping is one more round trip
on every request."""


def database_url(raw: str | None, instance_path: Path) -> str:
    """Normalise a DATABASE_URL to the psycopg 3 driver; default to SQLite in the instance folder."""
    if not raw:
        return f"sqlite:///{instance_path / 'consult.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def instance_secret_key(instance_path: Path) -> str:
    """The embedded default's secret key: generated once into ``instance/``, never in the repository."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def broker_resilience() -> dict:
    """Workers and beat ride out a broker (Redis) restart, however long: Celery's default gives up after 100
    reconnection attempts (about fifty minutes) and the worker exits ("Unrecoverable error"). On losing the
    connection, a worker cancels its running late-acknowledged tasks, which the broker delivers again, rather
    than finishing them with no connection to acknowledge them on (Celery 6's default)."""
    return {
        "broker_connection_retry_on_startup": True,
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "redis_retry_on_timeout": True,
        "redis_socket_keepalive": True,
    }


def celery_settings(redis_url: str | None) -> dict:
    eager = not redis_url
    return {
        "broker_url": redis_url or "memory://",
        "result_backend": redis_url or "cache+memory://",
        "task_always_eager": eager,
        "task_eager_propagates": eager,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "broker_transport_options": {
            "visibility_timeout": int(os.environ.get("CONSULT_VISIBILITY_TIMEOUT", "600")),
            "retry_on_timeout": True,
            "socket_keepalive": True,
        },
        **broker_resilience(),
        "beat_schedule": {
            "campaign-schedule": {
                "task": "consult.surveys.campaigns.tasks.apply_campaign_schedule",
                "schedule": 60.0,
            },
            "purge-ballots": {
                "task": "consult.surveys.responses.tasks.purge_ballots",
                "schedule": 60.0,
            },
            "send-lost-mail": {
                "task": "consult.surveys.invitations.tasks.send_lost_mail",
                "schedule": 300.0,
            },
            "blur-invitation-writes": {
                "task": "consult.surveys.invitations.tasks.blur_invitation_writes",
                "schedule": 300.0,
            },
            "refresh-open-analyses": {
                "task": "consult.analysis.tasks.refresh_open_campaigns",
                "schedule": 600.0,
            },
        },
    }


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Defaults from the environment; ``overrides`` win. A secret key file only when none is given."""
    overrides = overrides or {}
    base_url = os.environ.get("CONSULT_BASE_URL", "http://localhost:5000").rstrip("/")
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or os.environ.get("SECRET_KEY")
        or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": POOL_RECYCLE_SECONDS},
        "REDIS_URL": redis_url,
        "CELERY": celery_settings(redis_url),
        "CONSULT_JOB_THREAD": env_flag("CONSULT_JOB_THREAD", not redis_url),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "CONSULT_BASE_URL": base_url,
        "CONSULT_BALLOT_KEY": os.environ.get("CONSULT_BALLOT_KEY"),
        "SESSION_COOKIE_SECURE": env_flag("CONSULT_SECURE_COOKIES", base_url.startswith("https://")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_flag("CONSULT_SECURE_COOKIES", base_url.startswith("https://")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("CONSULT_SESSION_HOURS", "8"))),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "CONSULT_LANGUAGES": ("en", "fr"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env_flag("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "consult@localhost"),
        "MAIL_BATCH_SIZE": int(os.environ.get("MAIL_BATCH_SIZE", "100")),
        "ANALYSIS_PARTITIONS": int(os.environ.get("CONSULT_ANALYSIS_PARTITIONS", "16")),
        "CHARTS_WITH_RESULTS": env_flag("CONSULT_CHARTS_WITH_RESULTS", True),
        "CONSULT_OIDC": oidc_settings(),
        "CONSULT_LOCAL_PASSWORDS": env_flag("CONSULT_LOCAL_PASSWORDS", True),
    }


class TestConfig:
    """Overrides for the test suite: CSRF stays on (tests send tokens), fast password hashing."""

    TESTING = True
    SERVER_NAME = "localhost"
    PASSWORD_HASH_COST = "fast"
    RATELIMIT_ENABLED = True
