"""Who an OpenID Connect sign-in is: an existing user matched by e-mail, or a new one whose role comes from
a group claim when the administrator allows it. Services flush; the caller commits."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _

from consult.accounts.models import Role, User
from consult.accounts.passwords import hash_password
from consult.accounts.services import find_user, normalise_email, record
from consult.extensions import db
from consult.sso.settings import OidcSettings, role_for_groups
from consult.timeutil import utcnow


class SignInRefused(Exception):
    """The provider vouched for the person, but Consult will not let them in; the message says why."""


def claimed_email(claims: dict) -> str:
    email = normalise_email(str(claims.get("email") or ""))
    if "@" not in email:
        raise SignInRefused(_("The identity provider sent no e-mail address."))
    if claims.get("email_verified") is False:
        raise SignInRefused(_("The identity provider has not verified this e-mail address."))
    return email


def user_for_claims(claims: dict, settings: OidcSettings) -> User:
    """The user to sign in for these (verified) ID token and userinfo claims."""
    email = claimed_email(claims)
    user = find_user(email)
    if user is not None:
        if not user.active:
            raise SignInRefused(_("The account %(email)s is disabled.", email=email))
        user.last_login_at = utcnow()
        record(user, "user.sso_login", email)
        return user
    role = role_for_groups(claims.get(settings.groups_claim), settings.role_groups)
    if not settings.create_users or role is None:
        raise SignInRefused(
            _("%(email)s has no Consult account; an administrator can create one.", email=email)
        )
    return create_sso_user(email, Role(role), str(claims.get("name") or ""))


def create_sso_user(email: str, role: Role, name: str) -> User:
    """A user who signs in through the provider only: their password is a random one nobody knows."""
    cost = current_app.config.get("PASSWORD_HASH_COST", "standard")
    user = User(
        email=email, name=name[:200], role=role, password_hash=hash_password(secrets.token_urlsafe(32), cost)
    )
    user.last_login_at = utcnow()
    db.session.add(user)
    db.session.flush()
    record(user, "user.sso_create", email, role=str(role))
    return user
