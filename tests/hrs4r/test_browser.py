"""HR walks in Chromium, without JavaScript, from a principle's gap to an action with a bound indicator, then
to the internal review of the next campaign; axe scans every page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from consult.accounts.services import create_user
from consult.analysis.tasks import start_analysis
from consult.extensions import db
from consult.gap.services import AssessmentChange, save_assessment
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

HR = "hr@example.org"


def answered(title: str, n: int, seed: int, previous=None):
    campaign = surveys.create_campaign(small_questionnaire(), title=title)
    surveys.open_campaign(campaign)
    if previous is not None:
        campaign.previous_campaign_id = previous.id
    data = synthetic.generate(campaign_spec(campaign), n, seed)
    storage.insert_responses(campaign.id, data.answers, data.profiles)
    surveys.close_campaign(campaign)
    db.session.commit()
    start_analysis(campaign)
    return campaign


def seed(app) -> tuple[str, str]:
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        first = answered("Survey 2024", 150, 31)
        save_assessment(
            first.id,
            "P01",
            AssessmentChange(None, "", "Researchers do not know whom to ask about integrity.", "", None),
            None,
        )
        db.session.commit()
        second = answered("Survey 2026", 160, 32, previous=first)
        return first.slug, second.slug


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str, str]]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_hrs4r_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    first, second = seed(app)
    with serving(app, port) as url:
        yield url, first, second


@pytest.mark.browser
def test_hr_goes_from_a_gap_to_an_action_with_a_bound_indicator_and_to_the_review(server, chromium: Browser):
    base, first, second = server
    page = chromium.new_context(java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(HR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/results/{first}/P01")
    page.get_by_role("link", name="Propose an action for this principle").click()
    expect(page.get_by_text("Researchers do not know whom to ask about integrity.")).to_be_visible()
    assert page.get_by_label("1. Ethics").is_checked()
    assert_accessible(chromium, page)
    page.get_by_label("Proposed action").fill("An integrity adviser in every school")
    page.get_by_label("Starts (year and quarter or semester)").fill("2025-Q1")
    page.get_by_label("Ends (year and quarter or semester)").fill("2024-S2")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("ends (2024-S2) before it starts (2025-Q1)")
    page.get_by_label("Ends (year and quarter or semester)").fill("2025-S2")
    page.get_by_label("Responsible unit").fill("Research integrity office")
    page.get_by_role("button", name="Add to the plan").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("An integrity adviser in every school")
    expect(page.get_by_text("Proposed from the gap of P01")).to_be_visible()
    page.get_by_label("Survey figure").select_option("section:P01")
    page.get_by_label("Measure").select_option("favourable")
    page.get_by_label("Target value").fill("30")
    page.get_by_role("button", name="Bind the indicator").click()
    expect(page.get_by_text("The indicator is bound to the survey figure.")).to_be_visible()
    table = page.get_by_role(
        "table", name="Baseline from this campaign; figure now from the later campaign, once analysed"
    )
    expect(table).to_contain_text("P01 · favourable share · target ≥ 30.0%")
    expect(table).to_contain_text("Met")
    assert_accessible(chromium, page)

    page.get_by_role("link", name="Back to the action plan").click()
    assert_accessible(chromium, page)
    page.get_by_role("link", name="Open its internal review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Internal review")
    review = page.get_by_role(
        "table", name="Each bound indicator: baseline from the previous campaign, figure from this one"
    )
    expect(review).to_contain_text("Met")
    expect(
        page.get_by_role("table", name="Rating and favourable share, previous campaign and now")
    ).to_contain_text("P01")
    page.get_by_label("Strengths").first.fill("An adviser in two schools out of three.")
    page.get_by_role("button", name="Save the narrative of").first.click()
    expect(page.get_by_text("The narrative is saved.")).to_be_visible()
    assert_accessible(chromium, page)
    page.goto(f"{base}/hrs4r/{second}/otm-r?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Liste de contrôle OTM-R")
    assert_accessible(chromium, page)
