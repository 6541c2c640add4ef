"""Personal API tokens: created (shown once), checked, revoked. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.api.models import ApiToken
from consult.extensions import db
from consult.timeutil import utcnow

TOKEN_PREFIX = "cst_"
MAX_DAYS = 3650


class TokenError(ValueError):
    pass


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    user: User, name: str = "", read_only: bool = False, days: int | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the token itself, which is never stored and shown only now."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(f"a token lasts from 1 to {MAX_DAYS} days")
    if not user.active:
        raise TokenError(f"{user.email} is disabled")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        token_hash=token_digest(secret),
        prefix=secret[:10],
        read_only=read_only,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(row)
    db.session.flush()
    record(actor or user, "api_token.create", user.email, token=row.prefix, read_only=read_only, days=days)
    return row, secret


def authenticate(secret: str) -> ApiToken | None:
    """The usable token with this secret, its owner active; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    now = utcnow()
    if row is None or not row.usable(now) or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
    return row


def user_tokens(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        )
    )


def revoke(token_id: int, user: User) -> ApiToken:
    """Revoke one of ``user``'s tokens: from now on it authenticates nothing."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise TokenError("no such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(user, "api_token.revoke", user.email, token=row.prefix)
    return row
