"""Personal API tokens: hashed at rest, shown once, scoped, expiring, revocable, rate limited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import AuditEvent, Role
from consult.accounts.services import set_active
from consult.api import tokens
from consult.api.models import ApiToken
from consult.cli import build_cli
from consult.timeutil import utcnow
from tests.conftest import csrf_from


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_stored_as_a_digest_and_authenticates_its_owner(client, make_user):
    user = make_user(Role.REVIEWER)
    row, secret = tokens.create_token(user, "scripts")
    assert secret not in (row.token_hash, row.prefix) and row.token_hash == tokens.token_digest(secret)
    answer = client.get("/api/v1/campaigns", headers=bearer(secret))
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers


def test_missing_unknown_expired_revoked_and_disabled_tokens_are_refused(client, make_user, db):
    user = make_user(Role.HR)
    assert client.get("/api/v1/campaigns").status_code == 401
    assert client.get("/api/v1/campaigns", headers=bearer("cst_nothing")).status_code == 401
    assert client.get("/api/v1/campaigns", headers={"Authorization": "Basic abc"}).status_code == 401
    expired, expired_secret = tokens.create_token(user, days=1)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/api/v1/campaigns", headers=bearer(expired_secret)).status_code == 401
    revoked, revoked_secret = tokens.create_token(user)
    assert client.get("/api/v1/campaigns", headers=bearer(revoked_secret)).status_code == 200
    tokens.revoke(revoked.id, user)
    answer = client.get("/api/v1/campaigns", headers=bearer(revoked_secret))
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    _row, secret = tokens.create_token(user)
    set_active(user, False, None)
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 401


def test_only_the_owner_revokes_a_token(make_user, db):
    owner, other = make_user(Role.HR), make_user(Role.HR)
    row, _secret = tokens.create_token(owner)
    try:
        tokens.revoke(row.id, other)
    except tokens.TokenError:
        pass
    else:
        raise AssertionError("another user revoked the token")
    assert row.revoked_at is None


def test_a_read_only_token_reads_but_writes_nothing(client, make_user, make_campaign):
    campaign = make_campaign()
    _row, secret = tokens.create_token(make_user(Role.ADMIN), read_only=True)
    assert client.get(f"/api/v1/campaigns/{campaign.slug}", headers=bearer(secret)).status_code == 200
    answer = client.post(f"/api/v1/campaigns/{campaign.slug}/open", headers=bearer(secret))
    assert answer.status_code == 403 and "read-only" in answer.get_json()["message"]
    assert campaign.status == "draft"


def test_a_token_has_its_owners_role_and_no_more(client, make_user, make_campaign):
    campaign = make_campaign(status="open")
    _row, secret = tokens.create_token(make_user(Role.REVIEWER))
    assert client.post(f"/api/v1/campaigns/{campaign.slug}/close", headers=bearer(secret)).status_code == 403
    assert (
        client.get(f"/api/v1/campaigns/{campaign.slug}/participation", headers=bearer(secret)).status_code
        == 403
    )
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/gap", headers=bearer(secret)).status_code == 200


def test_requests_past_the_rate_limit_are_refused(app, client, make_user):
    _row, secret = tokens.create_token(make_user(Role.REVIEWER))
    app.config["CONSULT_API_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get("/api/v1/campaigns", headers=bearer(secret)).status_code for _ in range(4)]
    finally:
        del app.config["CONSULT_API_RATE_LIMIT"]
    assert codes == [200, 200, 200, 429]


def test_the_command_prints_the_token_alone_on_its_last_line(app, client, make_user, db):
    user = make_user(Role.HR)
    result = app.test_cli_runner().invoke(
        build_cli(), ["api-token", "create", user.email, "--read-only", "--days", "7"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.token_digest(secret)))
    assert row.read_only and row.user_id == user.id
    assert timedelta(days=6) < row.expires_at - utcnow() <= timedelta(days=7)
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 200
    unknown = app.test_cli_runner().invoke(build_cli(), ["api-token", "create", "nobody@example.org"])
    assert unknown.exit_code != 0 and "no user" in unknown.output


def test_the_account_page_shows_a_new_token_once_and_revokes_it(client, login, make_user, db):
    user = login(make_user(Role.REVIEWER))
    page = client.get("/account")
    assert page.status_code == 200
    created = client.post(
        "/account/tokens",
        data={"name": "my notebook", "days": "30", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    row = tokens.user_tokens(user.id)[0]
    secret = next(
        word for word in html.replace("<", " ").replace(">", " ").split() if word.startswith("cst_")
    )
    assert tokens.token_digest(secret) == row.token_hash
    assert secret not in client.get("/account").get_data(as_text=True)
    page = client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert row.revoked_at is not None
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert {"api_token.create", "api_token.revoke"} <= set(actions)
