"""A working-group member reviews a principle in Chromium: rating with a justification, texts, download."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from consult.accounts.services import create_user
from consult.analysis.models import AnalysisRun, RunStatus
from consult.extensions import db
from consult.gap.tsv import parse_gap_tsv
from consult.surveys.campaigns import services as surveys
from consult.surveys.questionnaires.charter_templates import load_template
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


def figures_of_p04() -> dict:
    """Items and breakdowns for one principle, so that its page shows charts, data tables and findings."""

    def item(code: str, counts: list[int]) -> dict:
        n = sum(counts)
        return {
            "code": code,
            "n": n,
            "dont_know": 3,
            "counts": counts,
            "favourable": (counts[3] + counts[4]) / n,
            "mean": sum((i + 1) * c for i, c in enumerate(counts)) / n,
            "sd": 1.1,
            "favourable_ci": [0.3, 0.5],
        }

    def group(code: str, n: int, favourable: float) -> dict:
        return {
            "code": code,
            "n": n,
            "mean": 2.5 + 2 * favourable,
            "favourable": favourable,
            "suppressed": False,
        }

    test = {"name": "mann-whitney", "statistic": 500.0, "p": 0.001, "p_adjusted": 0.004, "effect_size": -0.4}
    return {
        "items": [item("P04.1", [10, 20, 15, 25, 10]), item("P04.2", [5, 25, 20, 20, 10])],
        "breakdowns": {
            "gender": {
                "groups": [
                    group("woman", 35, 0.3),
                    group("man", 40, 0.55),
                    {"code": "other", "suppressed": True},
                    {"code": "prefer-not", "suppressed": True},
                ],
                "test": test,
            },
            "career_stage": {
                "groups": [
                    group("R1", 30, 0.4),
                    group("R2", 25, 0.45),
                    group("R3", 20, 0.5),
                    {"code": "R4", "suppressed": True},
                ],
                "test": None,
            },
        },
    }


def seed(app) -> str:
    """A closed charter campaign with a finished analysis suggesting +/- everywhere, and a reviewer."""
    with app.app_context():
        create_user(REVIEWER, "reviewer", PASSWORD)
        campaign = surveys.create_campaign(load_template("charter-2023"), title="Browser review")
        surveys.open_campaign(campaign)
        surveys.close_campaign(campaign)
        sections = [
            {
                "code": s.code,
                "principle": s.principle,
                "title": s.title["en"],
                "n": 80,
                "favourable": 0.7,
                "favourable_ci": [0.6, 0.78],
                "mean": 3.8,
                "alpha": 0.7,
                "items": [],
                "rating": {
                    "suggested": "+/-",
                    "final": None,
                    "reason": "70% of answers are favourable.",
                    "uncertain": False,
                },
            }
            for s in campaign.questionnaire.sections
        ]
        sections[3].update(figures_of_p04())
        db.session.add(
            AnalysisRun(
                campaign_id=campaign.id,
                status=RunStatus.DONE,
                responses=80,
                results={"campaign": {"slug": campaign.slug, "responses": 80}, "sections": sections},
            )
        )
        db.session.commit()
        return campaign.slug


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str]]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_gap_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    slug = seed(app)
    with serving(app, port) as url:
        yield url, slug


@pytest.fixture(scope="module")
def browser(chromium) -> Browser:
    return chromium


def assert_accessible(browser: Browser, page: Page) -> None:
    """axe-core needs script, so it scans the page in a second, script-enabled tab with the same session;
    the review itself runs with JavaScript off."""
    context = browser.new_context(storage_state=page.context.storage_state(), bypass_csp=True)
    try:
        scanned = context.new_page()
        scanned.goto(page.url)
        violations = Axe().run(scanned).response["violations"]
    finally:
        context.close()
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]][:3]) for v in violations]


@pytest.mark.browser
def test_a_reviewer_rates_a_principle_writes_the_texts_and_downloads_the_table(server, browser, tmp_path):
    base, slug = server
    page = browser.new_context(accept_downloads=True, java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(REVIEWER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/results/{slug}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("results and gap analysis")
    assert_accessible(browser, page)
    page.get_by_role("link", name="Edit P04 · Gender Equality").click()
    assert_accessible(browser, page)

    page.get_by_label("-/- insufficiently implemented").check()
    page.get_by_label("GAP / Implementation impediments").fill(
        "Few women among full professors.\n\nNo data by school."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "is not the suggested rating, +/-. Write in the justification"
    )
    assert_accessible(browser, page)

    page.get_by_label("Justification").fill("The focus groups describe a worse situation than the survey.")
    page.get_by_label("Initiatives undertaken / new proposals").fill(
        "<ul><li>Mentoring for <b>women</b></li></ul>"
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("table", name="Every saved version, newest first")).to_contain_text(
        "reviewer@example.org"
    )

    page.goto(f"{base}/results/{slug}/P04")
    expect(page.locator(".rich-text").first).to_contain_text("Few women among full professors.")
    expect(page.get_by_text("Respondents in “Woman” answered less favourably")).to_be_visible()
    for image in page.locator("img.chart").all():
        assert len(image.get_attribute("alt")) > 60
        assert page.request.get(base + image.get_attribute("src")).headers["content-type"] == "image/png"
    assert_accessible(browser, page)

    page.goto(f"{base}/gap/{slug}/exports")
    assert_accessible(browser, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Gap-analysis table, tab-separated (TSV)").click()
    saved = tmp_path / "gap.tsv"
    download.value.save_as(saved)
    rows = parse_gap_tsv(saved.read_bytes())
    assert len(rows) == 20 and rows[3].name == "Gender Equality" and rows[3].rating == "--"
    assert rows[3].gap_html == "<p>Few women among full professors.</p> <p>No data by school.</p>"
    assert rows[3].initiatives_html == "<ul><li>Mentoring for <b>women</b></li></ul>"
    assert "\t-/-\t" in saved.read_text(encoding="utf-8")
