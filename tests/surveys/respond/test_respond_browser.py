"""The questionnaire in Chromium: the whole flow in English and French, an axe-core scan of every page, save
and resume, and a 360-pixel-wide phone on which nothing overflows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from consult.extensions import db
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.invitations.models import REVOKED_ONE, Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.responses.models import Ballot, Response
from tests.conftest import TEST_DATABASE, make_app, recreate_database, serving, upgrade_schema

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, object]]:
    app = make_app(recreate_database(f"{TEST_DATABASE}_respond_browser"), CONSULT_BASE_URL="http://127.0.0.1")
    upgrade_schema(app)
    with serving(app) as url:
        yield url, app


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


def new_tokens(app, n: int, page_size: str = "pillar") -> list[str]:
    with app.app_context():
        campaign = campaigns.create_campaign(load_template("charter-2023"))
        campaign.page_size = page_size
        campaigns.open_campaign(campaign)
        tokens = [t.token for t in links.issue_tokens(campaign, n)]
        db.session.commit()
    return tokens


def responses(app) -> int:
    """Submissions received: responses admitted and ballots still waiting for their batch."""
    with app.app_context():
        admitted = db.session.scalar(select(func.count()).select_from(Response))
        return admitted + db.session.scalar(select(func.count()).select_from(Ballot))


def check_page(page) -> None:
    """No serious or critical axe-core violation, and nothing wider than the window."""
    from axe_playwright_python.sync_playwright import Axe

    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def answer_steps(page, next_label: str, stop_before: str) -> int:
    """Answer every question page: the fourth point of each scale (by keyboard on the first item)."""
    pages = 0
    while (
        page.locator("form.respond-form fieldset.respond-item").count() and stop_before not in page.content()
    ):
        check_page(page)
        first = page.locator("fieldset.respond-item input[type=radio]").first
        first.focus()
        page.keyboard.press("Space")
        assert first.is_checked()
        for group in page.locator("fieldset.respond-item").all():
            group.locator("input[type=radio]").nth(3).check()
        page.get_by_role("button", name=next_label, exact=True).click()
        pages += 1
    return pages


FLOWS = {
    "en": ("en-GB", "Save and continue", "Send my answers", "your answers have been received", "About you"),
    "fr": (
        "fr-FR",
        "Enregistrer et continuer",
        "Envoyer mes réponses",
        "vos réponses ont bien été reçues",
        "À propos de vous",
    ),
}


@pytest.mark.parametrize("language", FLOWS)
def test_the_whole_flow_in_each_language(server, browser, language):
    base, app = server
    locale, next_label, send, thanks, about = FLOWS[language]
    token = new_tokens(app, 1)[0]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/r/{token}")
    assert page.locator("html").get_attribute("lang") == language
    check_page(page)
    page.locator("a.button").first.click()
    assert answer_steps(page, next_label, about) == 4
    assert about in page.locator("h1").inner_text()
    check_page(page)
    page.get_by_role("button", name=next_label, exact=True).click()
    check_page(page)
    page.get_by_role("button", name=send).click()
    assert thanks in page.locator("h1").inner_text()
    check_page(page)
    context.close()
    assert responses(app) >= 1


def test_save_and_resume_in_another_browser(server, browser):
    base, app = server
    token = new_tokens(app, 1)[0]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/r/{token}/step/1")
    page.locator("fieldset.respond-item").first.locator("input[type=radio]").nth(1).check()
    page.locator("textarea").first.fill("To be continued.")
    page.get_by_role("button", name="Save and continue later").click()
    assert "Your answers so far are saved" in page.content()
    check_page(page)
    context.close()
    other = browser.new_context(locale="en-GB")
    page = other.new_page()
    page.goto(f"{base}/r/{token}")
    page.get_by_role("link", name="Start from the first page").click()
    assert page.locator("fieldset.respond-item").first.locator("input[type=radio]").nth(1).is_checked()
    assert page.locator("textarea").first.input_value() == "To be continued."
    other.close()


def test_errors_and_every_page_on_a_360_pixel_phone(server, browser):
    base, app = server
    token = new_tokens(app, 1)[0]
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/r/{token}")
    check_page(page)
    page.goto(f"{base}/r/{token}/step/1")
    page.locator("textarea").first.evaluate(
        "(box, text) => { box.removeAttribute('maxlength'); box.value = text; }", "x" * 2100
    )
    page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
    assert page.locator(".error-summary").is_visible()
    check_page(page)
    page.locator(".error-summary a").first.click()
    page.locator("textarea").first.fill("Court.")
    answer_steps(page, "Enregistrer et continuer", "À propos de vous")
    page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
    check_page(page)
    page.goto(f"{base}/r/{'N' * 22}")
    check_page(page)
    context.close()


def test_a_researcher_answers_page_by_principle_on_a_375_pixel_phone(server, browser):
    base, app = server
    token = new_tokens(app, 1, page_size="principle")[0]
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/r/{token}")
    check_page(page)
    start = page.get_by_role("link", name="Start the questionnaire")
    assert start.bounding_box()["y"] + start.bounding_box()["height"] <= 740
    assert not page.locator(".privacy-notice").is_visible()
    page.locator("summary").click()
    assert page.locator(".privacy-notice").is_visible()
    start.click()
    heights = []
    while "About you" not in page.locator("h1").inner_text():
        heights.append(page.evaluate("document.documentElement.scrollHeight"))
        assert page.locator("fieldset.respond-item").count() <= 4
        check_page(page)
        for group in page.locator("fieldset.respond-item").all():
            group.locator("input[type=radio]").nth(3).check()
        page.get_by_role("button", name="Save and continue", exact=True).click()
    assert len(heights) == 20 and max(heights) < 4000
    assert "About you" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Save and continue", exact=True).click()
    check_page(page)
    page.get_by_role("button", name="Send my answers").click()
    assert "your answers have been received" in page.locator("h1").inner_text()
    context.close()


def test_the_review_lists_what_is_unanswered_and_leads_back_to_it_on_a_phone(server, browser):
    base, app = server
    token = new_tokens(app, 1, page_size="principle")[0]
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/r/{token}/step/2")
    expect(page.locator("#progress-label")).to_contain_text("Page 2 of 22 · statements 4\u20136 of 62")
    expect(page.locator("#page-progress-label")).to_have_text(
        "On this page, you have answered 0 of 3 statements."
    )
    for group in page.locator("fieldset.respond-item").all()[:2]:
        group.locator("input[type=radio]").nth(3).check()
    page.get_by_role("button", name="Save and continue", exact=True).click()
    page.goto(f"{base}/r/{token}/step/2")
    expect(page.locator("#page-progress-label")).to_have_text(
        "On this page, you have answered 2 of 3 statements."
    )
    check_page(page)
    screenshot(page, "respond-step-375")
    page.goto(f"{base}/r/{token}/step/22")
    listed = page.locator(".review-unanswered")
    expect(listed.get_by_role("heading", level=2)).to_have_text("60 statements not answered")
    check_page(page)
    screenshot(page, "respond-review-375")
    listed.get_by_role("link").nth(3).click()
    assert page.url.endswith("/step/2?from=review#q5")
    target = page.locator("#q5")
    assert 0 <= target.bounding_box()["y"] <= 740
    target.check()
    page.get_by_role("button", name="Save and return to the review").click()
    assert page.url.endswith("/step/22")
    expect(page.locator(".review-unanswered h2")).to_have_text("59 statements not answered")
    context.close()


def screenshot(page, name: str) -> None:
    if os.environ.get("CONSULT_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["CONSULT_SCREENSHOTS"]) / f"{name}.png"), full_page=True)


def special_links(app) -> dict[str, str]:
    """An open link, a closed campaign's link, a not-yet-open one and an already-used one."""
    from consult.surveys.campaigns.models import CampaignMode
    from consult.surveys.respond import services

    used_token = new_tokens(app, 1)[0]
    with app.test_request_context():
        open_link = campaigns.create_campaign(load_template("charter-2023"))
        open_link.mode = CampaignMode.OPEN_LINK
        campaigns.open_campaign(open_link)
        closed = campaigns.create_campaign(load_template("charter-2023"))
        campaigns.open_campaign(closed)
        closed_token = links.issue_tokens(closed, 1)[0].token
        campaigns.close_campaign(closed)
        draft = campaigns.create_campaign(load_template("charter-2023"))
        draft_token = links.issue_tokens(draft, 1)[0].token
        revoked_token = links.issue_tokens(draft, 1)[0].token
        revoked = Invitation.token_hash == token_hash(revoked_token)
        db.session.execute(update(Invitation).where(revoked).values(revoked=REVOKED_ONE))
        visit = services.find_invitation(used_token)
        services.submit(visit, services.layouts.get(visit.campaign))
        db.session.commit()
        return {
            "open": f"/r/open/{open_link.slug}",
            "closed": f"/r/{closed_token}",
            "not open": f"/r/{draft_token}",
            "used": f"/r/{used_token}/step/1",
            "revoked": f"/r/{revoked_token}/step/1",
        }


def test_the_other_respondent_pages_pass_axe_on_a_phone(server, browser):
    base, app = server
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    expected = {
        "open": "a weaker guarantee",
        "closed": "This consultation is closed",
        "not open": "has not opened yet",
        "used": "Your answers were already received",
        "revoked": "This link has been withdrawn",
    }
    links = special_links(app)
    for name, path in links.items():
        page.goto(base + path)
        assert expected[name] in page.content(), name
        check_page(page)
    page.goto(base + links["open"])
    page.get_by_role("button", name="Start the questionnaire").click()
    assert "/step/1" in page.url
    check_page(page)
    context.close()
