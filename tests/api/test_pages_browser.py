"""A reviewer creates and revokes a personal API token in Chromium, without JavaScript; the account page and
the API reference pass an axe scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from consult.accounts.services import create_user
from consult.extensions import db
from tests.conftest import (
    PASSWORD,
    TEST_DATABASE,
    free_port,
    make_app,
    recreate_database,
    serving,
    upgrade_schema,
)

REVIEWER = "reviewer@example.org"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_api_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    with app.app_context():
        create_user(REVIEWER, "reviewer", PASSWORD)
        db.session.commit()
    with serving(app, port) as url:
        yield url


def assert_accessible(browser: Browser, page: Page) -> None:
    """axe-core needs script: it scans the page in a second, script-enabled tab with the same session."""
    context = browser.new_context(storage_state=page.context.storage_state(), bypass_csp=True)
    try:
        scanned = context.new_page()
        scanned.goto(page.url)
        violations = Axe().run(scanned).response["violations"]
    finally:
        context.close()
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]][:3]) for v in violations]


@pytest.mark.browser
def test_a_reviewer_creates_uses_and_revokes_a_token(server, chromium):
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/login")
    page.get_by_label("E-mail address").fill(REVIEWER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Your account").click()
    page.get_by_label("What the token is for").fill("my notebook")
    page.get_by_label("Read only (no changes, no exports)").check()
    page.get_by_role("button", name="Create the token").click()
    secret = page.locator("code.token").inner_text()
    answer = requests.get(
        f"{server}/api/v1/campaigns", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert answer.status_code == 200 and answer.json() == []
    page.goto(f"{server}/account")
    expect(page.get_by_role("cell", name="read only")).to_be_visible()
    assert_accessible(chromium, page)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("cell", name="revoked")).to_be_visible()
    answer = requests.get(
        f"{server}/api/v1/campaigns", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert answer.status_code == 401
    page.get_by_role("link", name="API reference").click()
    expect(page.get_by_role("heading", name="GET /api/v1/campaigns/{slug}/results")).to_be_visible()
    assert_accessible(chromium, page)
