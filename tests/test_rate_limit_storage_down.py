"""The rate limiter's storage (Redis) going down and coming back: the limited pages keep answering, limited
in memory meanwhile, and the limits go back to Redis once it is back.

Each test points the limiter at a Redis of its own (``tests.redis_server``) and stops it mid-test; the
suite's shared Redis is never touched. The limiter is one object for every app, so it is pointed back at
memory afterwards.
"""

from __future__ import annotations

import time

import pytest
import redis
from flask import g

from consult.extensions import limiter
from consult.surveys.campaigns import services as campaigns
from consult.surveys.campaigns.models import CampaignMode
from tests.conftest import PASSWORD, csrf_from
from tests.redis_server import redis_server

UNKNOWN_LINK = "/r/" + "Z" * 22
EXPECTED = {"sign-in page": 200, "sign-in": 302, "open-link start": 303, "unknown link": 404}
REVIVAL_TIMEOUT = 15


@pytest.fixture
def limits_in_redis(app):
    with redis_server() as server:
        app.config["RATELIMIT_STORAGE_URI"] = server.url()
        limiter.init_app(app)
        try:
            yield server
        finally:
            app.config["RATELIMIT_STORAGE_URI"] = "memory://"
            limiter.init_app(app)
            limiter._storage_dead = False


@pytest.fixture
def slug(db, make_campaign) -> str:
    campaign = make_campaign(status="draft")
    campaign.mode = CampaignMode.OPEN_LINK
    campaigns.open_campaign(campaign)
    db.session.flush()
    return campaign.slug


def new_browser(app):
    g.pop("csrf_token", None)
    return app.test_client()


def sign_in(app, email: str, password: str = PASSWORD) -> int:
    browser = new_browser(app)
    page = browser.get("/login").get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": csrf_from(page)}
    return browser.post("/login", data=data).status_code


def open_start(app, slug: str) -> int:
    browser = new_browser(app)
    welcome = browser.get(f"/r/open/{slug}").get_data(as_text=True)
    return browser.post(f"/r/open/{slug}/start", data={"csrf_token": csrf_from(welcome)}).status_code


def statuses(app, email: str, slug: str, first: str) -> dict[str, int]:
    pages = {
        "unknown link": lambda: new_browser(app).get(UNKNOWN_LINK).status_code,
        "sign-in page": lambda: new_browser(app).get("/login").status_code,
        "sign-in": lambda: sign_in(app, email),
        "open-link start": lambda: open_start(app, slug),
    }
    order = [first, *(name for name in pages if name != first)]
    return {name: pages[name]() for name in order}


def stored_limits(server) -> int:
    return len(redis.Redis.from_url(server.url()).keys("*"))


@pytest.mark.parametrize("first", ["unknown link", "sign-in", "open-link start"])
def test_limited_pages_answer_while_the_storage_is_down(app, db, make_user, slug, limits_in_redis, first):
    email = make_user("hr").email
    assert statuses(app, email, slug, first) == EXPECTED
    assert stored_limits(limits_in_redis) > 0
    limits_in_redis.stop()
    assert statuses(app, email, slug, first) == EXPECTED


def test_limits_hold_in_memory_while_the_storage_is_down(
    app, db, make_user, slug, limits_in_redis, monkeypatch
):
    monkeypatch.setitem(app.config, "RESPOND_MISS_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "RESPOND_OPEN_START_LIMIT", "2 per minute")
    email = make_user("hr").email
    limits_in_redis.stop()
    misses = [new_browser(app).get(UNKNOWN_LINK).status_code for _ in range(4)]
    assert misses == [404, 404, 404, 429]
    assert [open_start(app, slug) for _ in range(3)] == [303, 303, 429]
    attempts = [sign_in(app, email, "not the password at all") for _ in range(21)]
    assert attempts[:20] == [200] * 20 and attempts[20] == 429


def test_limits_go_back_to_the_storage_once_it_is_back(app, db, make_user, slug, limits_in_redis):
    email = make_user("hr").email
    limits_in_redis.stop()
    assert statuses(app, email, slug, "unknown link") == EXPECTED
    limits_in_redis.start()
    deadline = time.monotonic() + REVIVAL_TIMEOUT
    while stored_limits(limits_in_redis) == 0 and time.monotonic() < deadline:
        assert statuses(app, email, slug, "unknown link") == EXPECTED
        time.sleep(0.5)
    assert stored_limits(limits_in_redis) > 0, "the limits stayed in memory after Redis came back"
