"""HR uploads the staff headcounts in Chromium (JavaScript off) and reads the rates and weighted figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from consult.accounts.services import create_user
from consult.extensions import db
from consult.surveys.campaigns import services as surveys
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic
from tests.conftest import (
    PASSWORD,
    TEST_DATABASE,
    free_port,
    make_app,
    recreate_database,
    serving,
    small_questionnaire,
    upgrade_schema,
)
from tests.gap.test_review_browser import assert_accessible
from tests.surveys.headcounts.test_csv_format import CELLS

HR = "hr@example.org"


def seed(app) -> str:
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        campaign = surveys.create_campaign(small_questionnaire(), title="Browser headcounts")
        surveys.open_campaign(campaign)
        data = synthetic.generate(campaign_spec(campaign), 150, 3)
        storage.insert_responses(campaign.id, data.answers, data.profiles)
        surveys.close_campaign(campaign)
        db.session.commit()
        return campaign.slug


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str]]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_headcounts"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    slug = seed(app)
    with serving(app, port) as url:
        yield url, slug


@pytest.mark.browser
def test_hr_uploads_headcounts_and_reads_weighted_figures(server, chromium: Browser, tmp_path):
    base, slug = server
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(HR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/campaigns/{slug}")
    page.get_by_role("link", name="staff headcounts").click()
    assert_accessible(chromium, page)
    bad = tmp_path / "bad.csv"
    bad.write_text(CELLS.replace("south,R3,30", "south,R9,30"))
    page.get_by_label("Headcounts file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Store the headcounts").click()
    expect(page.get_by_role("alert")).to_contain_text("row 8, column 2 (career_stage): unknown option 'R9'")
    assert_accessible(chromium, page)

    good = tmp_path / "staff.csv"
    good.write_text(CELLS)
    page.get_by_label("Headcounts file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Store the headcounts").click()
    expect(page.get_by_text("Headcounts stored.")).to_be_visible()
    expect(page.get_by_role("table", name="Response rate by School", exact=True)).to_contain_text("North")
    expect(page.get_by_text("Figures are weighted by post-stratification.")).to_be_visible()
    assert_accessible(chromium, page)

    page.goto(f"{base}/results/{slug}/P01")
    table = page.get_by_role("table", name="Weighted to the staff headcounts, beside the unweighted figures")
    expect(table).to_contain_text("Design effect of the weights (Kish)")
    weighted = table.locator("tbody tr").first.locator("td").nth(1).inner_text()
    assert weighted.split("%")[0].strip().isdigit()
    expect(page.locator(".reason").first).to_contain_text(
        "Weighted to the staff headcounts (post-stratification)"
    )
    assert_accessible(chromium, page)
