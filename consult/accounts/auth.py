"""Sign-in sessions and the one place where roles are checked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, g, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult.accounts.models import Role, User
from consult.accounts.words import role_name
from consult.extensions import db, login

STAFF_ROLES = frozenset(Role)


def init_login(app: Flask) -> None:
    login.init_app(app)
    login.login_view = "accounts.login"
    login.login_message = _l("Please sign in to see this page.")
    login.session_protection = "strong"
    app.before_request(_refresh_session)


def _refresh_session() -> None:
    """Staff sessions expire a while after their last request. A respondent's session carries only the
    CSRF token and the language: it stays a browser session, so its cookie is signed and sent only when it
    changes."""
    if request.blueprint != "respond" and not session.permanent:
        session.permanent = True


KEPT_ACROSS_SIGN_IN = ("lang",)


def start_new_session() -> None:
    """Empty the session but for the language, on sign-in and sign-out: nothing set before (above all
    Flask-WTF's CSRF secret, which a page of the site may have shown to someone else) outlives the change of
    user. The next form drawn gets a new CSRF token."""
    kept = {key: session[key] for key in KEPT_ACROSS_SIGN_IN if key in session}
    permanent = session.permanent
    session.clear()
    session.update(kept)
    session.permanent = permanent
    g.pop("csrf_token", None)


@login.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry ``id:session_version``: signing out, a new password or disabling a user ends them."""
    identifier, _, version = user_id.partition(":")
    if not identifier.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(identifier))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def roles_required(*roles: Role) -> Callable:
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403, role_refusal(allowed))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def role_refusal(allowed: frozenset[Role]) -> str:
    """The 403 page's sentence: which roles the page needs, and the reader's own."""
    needed = ", ".join(role_name(role) for role in Role if role in allowed)
    return _(
        "This page is for these roles: %(needed)s. You are signed in as %(role)s; an administrator can "
        "change your role.",
        needed=needed,
        role=role_name(current_user.role),
    )


hr_required = roles_required(Role.ADMIN, Role.HR)
admin_required = roles_required(Role.ADMIN)
staff_required = roles_required(*STAFF_ROLES)
reviewer_required = roles_required(Role.ADMIN, Role.HR, Role.REVIEWER)
