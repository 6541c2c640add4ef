"""Without JavaScript: HR creates a working group (after a refused empty name), and its member, a reviewer,
finds the group's principles first on the overview. Every page passes an axe scan."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
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
from tests.gap.test_review_browser import REVIEWER, assert_accessible, seed

HR = "hr@example.org"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str]]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_groups_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    slug = seed(app)
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        db.session.commit()
    with serving(app, port) as url:
        yield url, slug


def sign_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def row_codes(page: Page) -> list[str]:
    headers = page.locator("table.gap-overview tbody th[scope=row] a").all_inner_texts()
    return [text.split(" · ")[0] for text in headers]


@pytest.mark.browser
def test_hr_makes_a_group_and_its_reviewer_sees_its_principles_first(server, chromium):
    base, slug = server
    hr = sign_in(chromium, base, HR)
    hr.goto(f"{base}/results/{slug}")
    hr.get_by_role("link", name="Working groups").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Working groups")
    assert_accessible(chromium, hr)

    hr.get_by_role("link", name="New working group").click()
    hr.get_by_role("button", name="Save the working group").click()
    expect(hr.get_by_text("Give the working group a name.").first).to_be_visible()
    expect(hr.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    assert_accessible(chromium, hr)

    hr.get_by_label("Name").fill("Recruitment")
    hr.get_by_label(re.compile(r"^reviewer@example\.org")).check()
    hr.get_by_label(re.compile(r"^P12 · ")).check()
    hr.get_by_label(re.compile(r"^P13 · ")).check()
    hr.get_by_role("button", name="Save the working group").click()
    expect(hr.get_by_role("status")).to_contain_text("The working group “Recruitment” is saved.")
    expect(hr.get_by_role("region", name="Recruitment")).to_contain_text("reviewer@example.org")
    assert_accessible(chromium, hr)

    hr.get_by_role("link", name="Delete Recruitment").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Delete the working group “Recruitment”?")
    assert_accessible(chromium, hr)
    hr.get_by_role("link", name="No, go back").click()

    reviewer = sign_in(chromium, base, REVIEWER)
    reviewer.goto(f"{base}/results/{slug}")
    expect(reviewer.get_by_role("heading", name="Your working group's principles")).to_be_visible()
    assert row_codes(reviewer)[:2] == ["P12", "P13"]
    expect(reviewer.get_by_text("Working group: Recruitment").first).to_be_visible()
    assert_accessible(chromium, reviewer)
    reviewer.get_by_label("Working group", exact=True).select_option(label="Recruitment")
    reviewer.get_by_role("button", name="Filter").click()
    assert row_codes(reviewer) == ["P12", "P13"]
