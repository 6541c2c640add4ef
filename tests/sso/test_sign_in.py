"""Single sign-on end to end against a real OpenID provider (oidc-provider-mock, served on a local port),
which here also checks PKCE: the token request must carry the verifier of the authorization's challenge."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from consult.accounts.models import AuditEvent, Role, User
from consult.sso.settings import OidcSettings
from tests.conftest import PASSWORD, csrf_from


class PkceChecked:
    """WSGI middleware: remembers each authorization's S256 challenge, and refuses a token request whose
    code_verifier answers none of them (the mock provider itself does not check PKCE)."""

    def __init__(self, app) -> None:
        self.app, self.challenges = app, set()

    def __call__(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"] == "/oauth2/authorize":
            if query.get("code_challenge_method") != ["S256"] or "code_challenge" not in query:
                return self.refuse(start_response, "no S256 code challenge")
            self.challenges.add(query["code_challenge"][0])
        if environ["PATH_INFO"] == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            verifier = parse_qs(body.decode()).get("code_verifier", [""])[0]
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() not in self.challenges:
                return self.refuse(start_response, "code_verifier does not match")
        return self.app(environ, start_response)

    @staticmethod
    def refuse(start_response, reason: str):
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [f'{{"error": "invalid_grant", "error_description": "{reason}"}}'.encode()]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    app = PkceChecked(oidc_provider_mock.app(require_nonce=True))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def sso(app, provider, db):
    """The test app with single sign-on configured for the provider (and its OAuth client registered)."""
    from consult.sso.client import EXTENSION, init_sso

    settings = OidcSettings(
        issuer=provider,
        client_id="consult-test",
        client_secret="not-so-secret",
        role_groups={"hr": ("hr-team",), "reviewer": ("working-group",)},
        create_users=True,
    )
    app.config["CONSULT_OIDC"] = settings
    init_sso(app)
    yield settings
    app.config.pop("CONSULT_OIDC")
    app.config["CONSULT_LOCAL_PASSWORDS"] = True
    app.extensions.pop(EXTENSION)


def set_user(provider: str, sub: str, **claims) -> None:
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()


def authorize(client, provider: str, sub: str, nonce: str | None = None) -> str:
    """Consult's redirect to the provider, the person's consent there; returns Consult's callback URL.
    ``nonce``: a forged one put in place of Consult's on the way to the provider."""
    start = client.get("/sso/login?next=/account")
    assert start.status_code == 302 and start.location.startswith(provider)
    parts = urlsplit(start.location)
    query = parse_qs(parts.query)
    assert query["nonce"] and query["state"] and query["code_challenge_method"] == ["S256"]
    if nonce is not None:
        query["nonce"] = [nonce]
    target = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    answer = requests.post(target, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def finish(client, callback: str):
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_an_existing_user_signs_in_by_e_mail(client, provider, sso, make_user, db):
    user = make_user(Role.REVIEWER, "ada@example.org")
    set_user(provider, "ada", email="Ada@Example.org", email_verified=True)
    answer = finish(client, authorize(client, provider, "ada"))
    assert answer.status_code == 302 and answer.location.endswith("/account")
    assert signed_in(client)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sso_login")).actor_id == user.id
    )


def test_a_new_user_gets_the_role_of_their_group(client, provider, sso, db):
    set_user(provider, "grace", email="grace@example.org", name="Grace", groups=["staff", "hr-team"])
    assert finish(client, authorize(client, provider, "grace")).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "grace@example.org"))
    assert user.role == Role.HR and user.name == "Grace"
    assert client.get("/campaigns/new").status_code == 200


def test_a_person_without_account_or_mapped_group_is_refused(client, provider, sso, db):
    set_user(provider, "eve", email="eve@example.org", groups=["students"])
    answer = finish(client, authorize(client, provider, "eve"))
    assert answer.status_code == 403 and "has no Consult account" in answer.get_data(as_text=True)
    assert not signed_in(client)
    assert db.session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_a_tampered_state_is_refused(client, provider, sso, make_user):
    make_user(Role.HR, "mallory@example.org")
    set_user(provider, "mallory", email="mallory@example.org")
    parts = urlsplit(authorize(client, provider, "mallory"))
    query = parse_qs(parts.query)
    query["state"] = ["forged" + query["state"][0][6:]]
    answer = finish(client, urlunsplit(parts._replace(query=urlencode(query, doseq=True))))
    assert answer.status_code == 400 and "not accepted" in answer.get_data(as_text=True)
    assert not signed_in(client)


def test_an_id_token_with_another_nonce_is_refused(client, provider, sso, make_user):
    make_user(Role.HR, "oscar@example.org")
    set_user(provider, "oscar", email="oscar@example.org")
    answer = finish(client, authorize(client, provider, "oscar", nonce="replayed-nonce"))
    assert answer.status_code == 400 and "not accepted" in answer.get_data(as_text=True)
    assert not signed_in(client)


def test_sign_out_ends_the_session_here_and_at_the_provider(client, provider, sso, make_user):
    make_user(Role.HR, "linus@example.org")
    set_user(provider, "linus", email="linus@example.org")
    finish(client, authorize(client, provider, "linus"))
    assert signed_in(client)
    page = client.get("/account").get_data(as_text=True)
    answer = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 302 and answer.location.startswith(f"{provider}/oauth2/end_session?")
    query = parse_qs(urlsplit(answer.location).query)
    assert query["id_token_hint"] and query["post_logout_redirect_uri"] == ["http://localhost/"]
    assert not signed_in(client)
    ended = requests.get(answer.location, timeout=5)
    assert ended.status_code == 200


def test_local_passwords_can_be_turned_off(app, client, sso, make_user):
    user = make_user(Role.ADMIN)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    app.config["CONSULT_LOCAL_PASSWORDS"] = False
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/sso/login"' in page and 'name="password"' not in page
    answer = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 200 and "Passwords are turned off" in answer.get_data(as_text=True)
    assert not signed_in(client)


def test_without_a_provider_there_is_no_sso_route(client):
    assert client.get("/sso/login").status_code == 404
