"""Staff accounts and the audit log. Services flush; the caller commits."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from consult.accounts.models import AuditEvent, Role, User
from consult.accounts.passwords import hash_password, password_problem, verify_password
from consult.extensions import db
from consult.timeutil import utcnow


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str, role: Role | str, password: str, name: str = "", actor: User | None = None
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an e-mail address")
    if find_user(email) is not None:
        raise AccountError(f"a user with the address {email} already exists")
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password refused: {problem}")
    cost = current_app.config.get("PASSWORD_HASH_COST", "standard")
    user = User(email=email, name=name, role=Role(role), password_hash=hash_password(password, cost))
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", email, role=str(Role(role)))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this address and password. An unknown address costs a hash check all the same,
    so the time taken does not tell which addresses have an account."""
    user = find_user(email)
    if user is None:
        verify_password(unknown_user_hash(), password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


@cache
def unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16), current_app.config.get("PASSWORD_HASH_COST", "standard"))


def set_password(user: User, password: str, actor: User | None = None) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password refused: {problem}")
    user.password_hash = hash_password(password, current_app.config.get("PASSWORD_HASH_COST", "standard"))
    end_sessions(user)
    record(actor, "user.password", user.email)


def change_own_password(user: User, current: str, password: str) -> None:
    """The user's new password, given their current one; every other session of theirs ends (the caller
    signs this one in again)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("the current password is wrong")
    set_password(user, password, user)


def set_role(user: User, role: Role | str, actor: User | None) -> None:
    """A new role; the user's sessions end, so that the new rights apply at once. An administrator cannot
    change their own role (nobody would be left to undo it)."""
    if actor is not None and actor.id == user.id:
        raise AccountError("you cannot change your own role")
    previous, user.role = user.role, Role(role)
    end_sessions(user)
    record(actor, "user.role", user.email, role=str(user.role), previous=str(previous))


def set_active(user: User, active: bool, actor: User | None) -> None:
    user.active = active
    end_sessions(user)
    record(actor, "user.enable" if active else "user.disable", user.email)


def end_sessions(user: User) -> None:
    """Every session cookie issued to the user so far stops working: the cookies name the old version (see
    ``auth.load_user``), and a cookie copied before is refused by the server, not just forgotten by the
    browser."""
    user.session_version += 1


def record(actor: User | None, action: str, target: str = "", **detail: Any) -> AuditEvent:
    event = AuditEvent(actor_id=actor.id if actor else None, action=action, target=target, detail=detail)
    db.session.add(event)
    return event
