"""Rate limiting of failed look-ups only, without Flask-Limiter's per-request machinery.

A valid link is never limited, so the respondent's pages need no limit check at all; only a request whose
link matches nothing is counted (per client, under a keyed hash of its address) in the limiter's own storage,
so ``limiter.reset()`` clears it and the limit holds across workers when that storage is Redis. Skipping the
extension's decorator and its before-request check saves a good share of each page's CPU.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import abort, current_app, request
from limits import parse

from consult.extensions import limiter
from consult.surveys.respond.privacy import client_key

MISS_LIMIT = "30 per minute"
logger = logging.getLogger("flask-limiter")


def miss_limit() -> str:
    return current_app.config.get("RESPOND_MISS_LIMIT", MISS_LIMIT)


def counted_miss(show_miss: Callable[[], object]) -> object:
    """``show_miss()`` (the "link not valid" page), unless this client has missed too often: then 429."""
    if not limiter.enabled:
        return show_miss()
    limit, key = parse(miss_limit()), client_key()
    if not limiter.limiter.test(limit, "respond-miss", key):
        logger.warning("ratelimit %s exceeded at endpoint: %s", limit, request.endpoint)
        abort(429, description=f"{limit} exceeded")
    limiter.limiter.hit(limit, "respond-miss", key)
    return show_miss()
