"""HR imports a LimeSurvey survey in Chromium with JavaScript off; the page passes an axe scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

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
from tests.gap.test_review_browser import assert_accessible
from tests.limesurvey.files import GERMAN_ONLY, OURS, OURS_CSV

HR = "hr-limesurvey@example.org"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_limesurvey_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        db.session.commit()
    with serving(app, port) as url:
        yield url


@pytest.mark.browser
def test_hr_imports_a_limesurvey_survey_without_javascript(server, chromium: Browser):
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/login")
    page.get_by_label("E-mail address").fill(HR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{server}/campaigns/new")
    page.get_by_role("link", name="Import a LimeSurvey survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a LimeSurvey survey")
    assert_accessible(chromium, page)

    page.get_by_label("Survey structure").set_input_files(str(GERMAN_ONLY))
    page.get_by_role("button", name="Import as a closed campaign").click()
    expect(page.get_by_role("alert")).to_contain_text("Consult offers en and fr only")
    assert_accessible(chromium, page)

    page.get_by_label("Survey structure").set_input_files(str(OURS))
    page.get_by_label("Responses").set_input_files(str(OURS_CSV))
    page.get_by_role("button", name="Import as a closed campaign").click()
    expect(page.locator("body")).to_contain_text("23 responses and 11 comments")
    assert_accessible(chromium, page)
