"""Staff accounts: sign-in, password hashing, sessions that end, admin pages, the audit log, the CLI."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from consult.accounts import passwords, services
from consult.accounts.commands import user as user_group
from consult.accounts.models import AuditEvent, Role, User
from consult.extensions import limiter
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "a brand new passphrase for spring"


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """The ``db`` fixture keeps an app context open, which every request of a test then shares, and with it
    ``g``: Flask-Login's cached user and Flask-WTF's CSRF token would carry over from one request (and one
    client) to the next. Sessions are what these tests are about: each request starts with a clean ``g``."""

    def clear() -> None:
        for key in ("_login_user", "csrf_token"):
            g.pop(key, None)

    app.before_request_funcs.setdefault(None, []).insert(0, clear)
    yield
    app.before_request_funcs[None].remove(clear)


def sign_in(client, email: str, password: str, next_url: str = ""):
    """``next_url`` goes into the query string as given: percent-escapes are decoded by the server."""
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login",
        query_string=f"next={next_url}" if next_url else None,
        data={"email": email, "password": password, "csrf_token": csrf_from(page)},
    )


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_a_user_signs_in_and_out(db, client, make_user):
    user = make_user("hr")
    response = sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert signed_in(client) and user.last_login_at is not None
    page = client.get("/dashboard").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert not signed_in(client)


@pytest.mark.parametrize("who", ["wrong password", "unknown address", "disabled"])
def test_sign_in_is_refused_with_one_message(db, client, make_user, who):
    user = make_user("hr")
    if who == "disabled":
        user.active = False
    email = "nobody@example.org" if who == "unknown address" else user.email
    response = sign_in(client, email, "not the password at all" if who == "wrong password" else PASSWORD)
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_unknown_address_costs_a_hash_check_too(db, make_user, monkeypatch):
    checks = []
    real = passwords.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: checks.append(h) or real(h, p))
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    assert len(checks) == 1 and checks[0].startswith("$argon2id$")


def test_passwords_are_hashed_with_argon2id(db, make_user):
    user = make_user("admin")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert not passwords.verify_password(user.password_hash, PASSWORD + "x")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "too simple"),
    ],
)
def test_weak_passwords_are_refused(db, password, message):
    with pytest.raises(services.AccountError, match=message):
        services.create_user("new@example.org", Role.HR, password)


def test_an_address_has_one_account(db, make_user):
    user = make_user("hr")
    with pytest.raises(services.AccountError, match="already exists"):
        services.create_user(user.email.upper(), Role.ADMIN, PASSWORD)


OPEN_REDIRECTS = [
    "//evil.example",
    "//evil.example.org/",
    "/\\evil.example",
    "/%09/evil.example",
    "/%09/evil.example/phish",
    "\\/\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "http:evil.example",
    "/\t/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%09//evil.example",
    "%00//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "///evil.example",
    "/%5cevil.example",
    "%5c%5cevil.example",
    "%2F%2Fevil.example",
    " //evil.example",
    "%20//evil.example",
    "//evil.example@localhost",
    "evil.example",
]


@pytest.mark.parametrize("next_url", OPEN_REDIRECTS)
def test_sign_in_never_sends_to_another_site(db, client, make_user, next_url):
    """Each ``next`` a browser would read as another site (it drops tabs and newlines, reads "\\" as "/")."""
    user = make_user("hr")
    location = sign_in(client, user.email, PASSWORD, next_url).headers["Location"]
    assert location.endswith("/dashboard") and "evil" not in location


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/campaigns/x", "/campaigns/x"), ("/campaigns/new", "/campaigns/new"), ("/a%3Fb%3D1", "/a?b=1")],
)
def test_sign_in_sends_back_to_a_page_of_this_site(db, client, make_user, next_url, lands_on):
    user = make_user("hr")
    assert sign_in(client, user.email, PASSWORD, next_url).headers["Location"].endswith(lands_on)


def test_signing_in_starts_a_new_session_and_csrf_token(db, client, make_user):
    """A CSRF token shown before signing in (to anyone who could read the sign-in page) is refused after."""
    user = make_user("hr")
    before = csrf_from(client.get("/login?lang=fr").get_data(as_text=True))
    signed = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before})
    assert signed.status_code == 302 and signed_in(client)
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    page = client.get("/dashboard").get_data(as_text=True)
    assert signed_in(client) and '<html lang="fr">' in page
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert not signed_in(client)


def test_a_session_cookie_copied_before_signing_out_is_refused_after(db, app, client, make_user):
    user = make_user("hr")
    sign_in(client, user.email, PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    copied = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, user.email, PASSWORD)
    assert signed_in(client) and not signed_in(thief)


def test_sign_in_attempts_are_rate_limited(db, client, make_user):
    user = make_user("hr")
    statuses = [sign_in(client, user.email, "not the password at all").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_sessions_expire(app, db, client, make_user, monkeypatch):
    user = make_user("hr")
    sign_in(client, user.email, PASSWORD)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.expires is not None
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=1))
    sign_in(client, user.email, PASSWORD)
    assert signed_in(client)
    time.sleep(2.2)
    assert not signed_in(client)


def test_session_lifetime_is_a_working_day(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)


def test_disabling_a_user_ends_their_sessions(db, client, app, make_user, login):
    admin, hr = make_user("admin"), make_user("hr")
    hr_client = app.test_client()
    sign_in(hr_client, hr.email, PASSWORD)
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{hr.id}/active", data={"csrf_token": csrf_from(page)})
    assert not hr.active and not signed_in(hr_client)
    client.post(f"/admin/users/{admin.id}/active", data={"csrf_token": csrf_from(page)})
    assert admin.active


ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/users/{id}/password"]


@pytest.mark.parametrize("role", ["hr", "reviewer"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_for_admins_only(db, client, make_user, login, role, path):
    target = make_user("admin")
    login(make_user(role))
    assert client.get(path.format(id=target.id)).status_code == 403


def test_an_admin_creates_a_user(db, client, make_user, login):
    admin = login(make_user("admin"))
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(page),
            "email": "New.Reviewer@Example.org",
            "name": "Rita",
            "role": "reviewer",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(User).where(User.email == "new.reviewer@example.org"))
    assert created.role == Role.REVIEWER
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target == created.email))
    assert (event.action, event.actor_id, event.detail) == ("user.create", admin.id, {"role": "reviewer"})


def reset(client, user_id: int, password: str, confirm: str):
    page = client.get(f"/admin/users/{user_id}/password").get_data(as_text=True)
    return client.post(
        f"/admin/users/{user_id}/password",
        data={"csrf_token": csrf_from(page), "password": password, "confirm": confirm},
    )


def test_an_admin_resets_a_password_and_the_old_sessions_end(db, app, client, make_user, login):
    admin, hr = make_user("admin"), make_user("hr")
    hr_client = app.test_client()
    sign_in(hr_client, hr.email, PASSWORD)
    login(admin)
    assert "New password" in client.get("/admin/users").get_data(as_text=True)
    assert reset(client, hr.id, NEW_PASSWORD, NEW_PASSWORD).status_code == 302
    assert not signed_in(hr_client)
    assert sign_in(app.test_client(), hr.email, PASSWORD).status_code == 200
    assert sign_in(app.test_client(), hr.email, NEW_PASSWORD).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password"))
    assert (event.actor_id, event.target) == (admin.id, hr.email)
    assert NEW_PASSWORD not in str(event.detail)


def test_an_admin_resetting_their_own_password_stays_signed_in(db, client, make_user, login):
    admin = login(make_user("admin"))
    assert reset(client, admin.id, NEW_PASSWORD, NEW_PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
        ("tiny", "tiny", "Field must be between 12 and 1024 characters long."),
        ("zzzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzzz", "too simple"),
    ],
)
def test_a_bad_new_password_is_refused(db, client, make_user, login, password, confirm, message):
    admin, hr = login(make_user("admin")), make_user("hr")
    old_hash = hr.password_hash
    response = reset(client, hr.id, password, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert hr.password_hash == old_hash and admin.active


def test_the_audit_log_says_who_did_what_when(db, client, make_user, login, make_campaign):
    hr = login(make_user("hr"))
    page = client.get("/campaigns/new").get_data(as_text=True)
    client.post("/campaigns/new/charter-2023", data={"csrf_token": csrf_from(page)})
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(make_user("admin"))
    audit = client.get("/admin/audit").get_data(as_text=True)
    row = next(line for line in audit.split("<tr>") if "created the campaign" in line)
    assert hr.email in row and "hrs4r-researchers-survey" in row
    assert "20" in row.split("<td>")[1]


def run_cli(app, *args: str, stdin: str | None = None):
    return app.test_cli_runner().invoke(user_group, list(args), input=stdin)


def test_user_create_from_the_command_line(db, app):
    result = run_cli(
        app, "create", "CLI.Admin@Example.org", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert (
        result.exit_code == 0 and "User cli.admin@example.org created with the role admin." in result.stdout
    )
    created = db.session.scalar(select(User).where(User.email == "cli.admin@example.org"))
    assert created.role == Role.ADMIN and passwords.verify_password(created.password_hash, PASSWORD)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target == "cli.admin@example.org"))
    assert event.action == "user.create" and event.actor_id is None


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (
            ("create", "a@example.org", "--role", "boss", "--password-stdin"),
            PASSWORD,
            2,
            "Invalid value for '--role'",
        ),
        (
            ("create", "a@example.org", "--role", "hr", "--password-stdin"),
            "short\n",
            1,
            "at least 12 characters",
        ),
        (
            ("create", "not-an-address", "--role", "hr", "--password-stdin"),
            PASSWORD,
            1,
            "is not an e-mail address",
        ),
    ],
)
def test_user_create_refuses_bad_input(db, app, args, stdin, code, message):
    result = run_cli(app, *args, stdin=stdin)
    assert result.exit_code == code and message in result.stderr
    assert db.session.scalar(select(User).where(User.email.in_(["a@example.org", "not-an-address"]))) is None


def test_staff_change_their_own_password_and_other_sessions_end(db, app, client, make_user, login):
    hr = login(make_user("hr"))
    elsewhere = app.test_client()
    sign_in(elsewhere, hr.email, PASSWORD)
    page = client.get("/account/password").get_data(as_text=True)
    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(page),
            "current": "not it",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 200 and "The current password is wrong." in wrong.get_data(as_text=True)
    assert signed_in(elsewhere)
    done = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(page),
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302 and signed_in(client) and not signed_in(elsewhere)
    assert sign_in(app.test_client(), hr.email, NEW_PASSWORD).status_code == 302


def test_an_admin_changes_a_role_but_not_their_own(db, app, client, make_user, login):
    admin, reviewer = login(make_user("admin")), make_user("reviewer")
    reviewer_client = app.test_client()
    sign_in(reviewer_client, reviewer.email, PASSWORD)
    page = client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{reviewer.id}/role", data={"csrf_token": csrf_from(page), "role": "hr"})
    assert reviewer.role == Role.HR and not signed_in(reviewer_client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert event.detail == {"role": "hr", "previous": "reviewer"}
    own = client.post(f"/admin/users/{admin.id}/role", data={"csrf_token": csrf_from(page), "role": "hr"})
    assert admin.role == Role.ADMIN
    assert "You cannot change your own role" in client.get(own.headers["Location"]).get_data(as_text=True)
    assert "changed a user&#39;s role" in client.get("/admin/audit").get_data(as_text=True)


def test_the_forbidden_page_names_the_role_needed(db, client, make_user, login):
    login(make_user("reviewer"))
    response = client.get("/admin/users")
    text = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "This page is for these roles: administrator. You are signed in as reviewer" in text


def test_hr_reads_the_history_of_its_campaign_in_words(db, client, make_user, login, make_campaign):
    hr = login(make_user("hr"))
    page = client.get("/campaigns/new").get_data(as_text=True)
    client.post("/campaigns/new/charter-2023", data={"csrf_token": csrf_from(page)})
    slug = db.session.scalar(select(AuditEvent.target).where(AuditEvent.action == "campaign.create"))
    other = make_campaign()
    history = client.get(f"/campaigns/{slug}/history").get_data(as_text=True)
    assert "created the campaign" in history and hr.email in history and other.slug not in history
    french = client.get(f"/campaigns/{slug}/history?lang=fr").get_data(as_text=True)
    assert "a créé la campagne" in french
