"""Extensions, created unbound; ``create_app`` binds them."""

from __future__ import annotations

import time
from typing import Any, cast

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.strategies import RateLimiter
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login = LoginManager()
babel = Babel()
STORAGE_RETRY_SECONDS = 5.0
"""While the rate limiter's storage is down, how often a limit check tries it again."""


class FallbackLimiter(Limiter):
    """Flask-Limiter whose in-memory fallback (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``) covers every use of
    the storage, not only the extension's own decorators.

    The extension switches to memory when a decorated route's check fails, but code that counts through
    ``limiter.limiter`` itself (the respondents' miss counter, ``respond.misses``) would still meet the
    storage's error, and only decorated routes ever look for the storage again. Here every check that the
    storage fails is answered from memory (each route keeps its own limits), and the storage is tried again
    at most every ``STORAGE_RETRY_SECONDS``."""

    _retry_at = 0.0

    @property
    def limiter(self) -> RateLimiter:
        if not self._in_memory_fallback_enabled:
            return super().limiter
        return cast(RateLimiter, GuardedRateLimiter(self))

    def storage_failed(self, error: Exception) -> None:
        if not self._storage_dead:
            self.logger.warning("rate limit storage unreachable (%s): limits are kept in memory", error)
        self._storage_dead = True
        self._retry_at = time.monotonic() + STORAGE_RETRY_SECONDS

    def storage_usable(self) -> bool:
        """Whether to ask the storage: it is up, or down long enough to be tried again (a ping)."""
        if not self._storage_dead:
            return True
        if time.monotonic() < self._retry_at:
            return False
        if not self.storage.check():
            self._retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
            return False
        self.logger.info("rate limit storage recovered")
        self._storage_dead = False
        return True


class GuardedRateLimiter:
    """The storage's rate limiter while it answers, the in-memory one when it fails (``FallbackLimiter``)."""

    def __init__(self, extension: FallbackLimiter) -> None:
        self.extension = extension

    def hit(self, item, *identifiers: str, cost: int = 1) -> bool:
        return self.call("hit", item, *identifiers, cost=cost)

    def test(self, item, *identifiers: str, cost: int = 1) -> bool:
        return self.call("test", item, *identifiers, cost=cost)

    def get_window_stats(self, item, *identifiers: str):
        return self.call("get_window_stats", item, *identifiers)

    def clear(self, item, *identifiers: str) -> None:
        return self.call("clear", item, *identifiers)

    def call(self, method: str, *args, **kwargs) -> Any:
        extension = self.extension
        if extension.storage_usable():
            try:
                return getattr(extension._limiter, method)(*args, **kwargs)
            except Exception as error:  # whatever the storage's client raises (Redis, Memcached, ...)
                extension.storage_failed(error)
        return getattr(extension._fallback_limiter, method)(*args, **kwargs)


limiter = FallbackLimiter(key_func=get_remote_address, default_limits=[])
