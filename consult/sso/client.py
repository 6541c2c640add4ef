"""The OpenID Connect client (Authlib), one per app: discovery, PKCE (S256), state and nonce."""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, url_for
from requests import RequestException

from consult.sso.settings import OidcSettings

EXTENSION = "consult-oidc"
ID_TOKEN_KEY = "sso_id_token"
"""The session keeps the ID token of an SSO sign-in, sent back to the provider as the sign-out hint."""


def init_sso(app: Flask) -> None:
    settings: OidcSettings | None = app.config.get("CONSULT_OIDC")
    if settings is None:
        return
    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=settings.client_id,
        client_secret=settings.client_secret or None,
        server_metadata_url=settings.discovery_url,
        client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256", "timeout": 10},
    )
    app.extensions[EXTENSION] = oauth


def provider():
    """The registered client, or None when single sign-on is not configured."""
    oauth = current_app.extensions.get(EXTENSION)
    return oauth.create_client("provider") if oauth else None


def sso_settings() -> OidcSettings | None:
    return current_app.config.get("CONSULT_OIDC")


def local_passwords() -> bool:
    return bool(current_app.config.get("CONSULT_LOCAL_PASSWORDS", True))


def end_session_url(id_token: str | None) -> str | None:
    """The provider's sign-out address when it offers one (RP-initiated logout), back to Consult's home."""
    client = provider()
    if client is None or not id_token:
        return None
    try:
        endpoint = client.load_server_metadata().get("end_session_endpoint")
    except (RequestException, AuthlibBaseError, ValueError):
        return None
    if not endpoint:
        return None
    home = current_app.config["CONSULT_BASE_URL"] + url_for("home.index")
    query = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": home,
        "client_id": sso_settings().client_id,
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
