"""Who is calling the API: a personal token (``Authorization: Bearer``) or a signed-in session.

A token request is exempt from CSRF (no browser sends the header by itself); a session request is not. A
token acts with its owner's role, or less when it is read-only (GET only). Every caller is rate limited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user
from limits import parse

from consult.accounts.models import Role
from consult.accounts.services import record
from consult.api import tokens
from consult.extensions import csrf, limiter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_RATE_LIMIT = "300 per minute"


def authenticate_request() -> None:
    """Run before every API view: the token (or the session with its CSRF token), then the rate limit."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.strip().partition(" ")
        token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            abort(401, description="the API token is missing, unknown, expired or revoked")
        g.api_token = token
        g.sessionless = True  # a token request writes no session cookie
        g._login_user = token.user  # Flask-Login's current user for this request only: no session is written
    elif request.method not in SAFE_METHODS:
        csrf.protect()
    check_rate_limit()


def check_rate_limit() -> None:
    if not limiter.enabled:
        return
    item = parse(current_app.config.get("CONSULT_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    token = g.get("api_token")
    key = f"token-{token.id}" if token else f"user-{current_user.get_id() or request.remote_addr}"
    if not limiter.limiter.hit(item, "api", key):
        abort(429, description=f"too many requests: at most {item} per token")


def api_roles(*roles: Role, write: bool = False) -> Callable:
    """The one check of every API view: signed in, one of ``roles``, and for a write not a read-only token."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401, description="send a personal API token: Authorization: Bearer TOKEN")
            if current_user.role not in allowed:
                abort(403, description="your role does not give access to this")
            token = g.get("api_token")
            if write and token is not None and token.read_only:
                abort(403, description="this API token is read-only")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def audit(action: str, target: str, **detail) -> None:
    """Every write through the API goes to the audit log, with the token that made it."""
    token = g.get("api_token")
    via = {"via": "api", "token": token.prefix if token else None}
    record(current_user._get_current_object(), action, target, **via, **detail)


STAFF = (Role.ADMIN, Role.HR, Role.REVIEWER)
HR = (Role.ADMIN, Role.HR)
