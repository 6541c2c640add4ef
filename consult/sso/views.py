"""Staff sign-in through the institution's OpenID provider (never for respondents), and its sign-out."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user
from joserfc.errors import JoseError
from requests import RequestException

from consult.accounts.auth import start_new_session
from consult.accounts.views import safe_next
from consult.extensions import db, limiter
from consult.sso.client import ID_TOKEN_KEY, provider, sso_settings
from consult.sso.services import SignInRefused, user_for_claims

bp = Blueprint("sso", __name__, url_prefix="/sso")
NEXT_KEY = "sso_next"


def callback_url() -> str:
    return current_app.config["CONSULT_BASE_URL"] + url_for("sso.callback")


def client_or_404():
    return provider() or abort(404)


@bp.get("/login")
@limiter.limit("30 per minute")
def login():
    """To the provider, with a fresh state, nonce and PKCE verifier kept in the session."""
    client = client_or_404()
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return client.authorize_redirect(callback_url())
    except (RequestException, AuthlibBaseError, ValueError) as error:
        return refused(
            _("The identity provider cannot be reached (%(error)s).", error=type(error).__name__), 503
        )


@bp.get("/callback")
@limiter.limit("30 per minute")
def callback():
    """Back from the provider: state, then the code with its PKCE verifier, then the ID token's signature,
    issuer, audience and nonce are checked (Authlib) before anyone is signed in."""
    client = client_or_404()
    if "error" in request.args:
        return refused(
            _("The identity provider did not sign you in (%(error)s).", error=request.args["error"])
        )
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if sso_settings().groups_claim not in claims and client.load_server_metadata().get(
            "userinfo_endpoint"
        ):
            claims = {**client.userinfo(token=token), **claims}
        user = user_for_claims(claims, sso_settings())
    except SignInRefused as error:
        db.session.rollback()
        return refused(str(error), 403)
    except (AuthlibBaseError, JoseError, RequestException, ValueError) as error:
        db.session.rollback()
        current_app.logger.warning("single sign-on refused: %s", type(error).__name__)
        return refused(
            _("The answer of the identity provider was not accepted (%(error)s).", error=type(error).__name__)
        )
    db.session.commit()
    target = session.get(NEXT_KEY)
    start_new_session()
    login_user(user)
    session[ID_TOKEN_KEY] = token.get("id_token")
    return redirect(safe_next(target))


def refused(message: str, status: int = 400):
    title = _("Sign-in refused")
    return render_template("error.html", code=status, title=title, message=message), status
