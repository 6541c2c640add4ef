"""In French, with the editor: a reviewer formats a list, previews, saves and goes on through three
principles; an HR user then validates them. Every page passes an axe scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from consult.accounts.services import create_user
from consult.extensions import db
from consult.gap import services
from consult.surveys.campaigns.services import get_campaign
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
CODES = ("P01", "P02", "P03")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str, object]]:
    port = free_port()
    app = make_app(recreate_database(f"{TEST_DATABASE}_editor_browser"), SERVER_NAME=f"127.0.0.1:{port}")
    upgrade_schema(app)
    slug = seed(app)
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        db.session.commit()
    with serving(app, port) as url:
        yield url, slug, app


def sign_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{base}/login?lang=fr")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    return page


def write_a_list(page: Page, items: list[str]) -> None:
    surface = page.get_by_role("textbox", name="Écarts / obstacles à la mise en œuvre")
    surface.click()
    page.get_by_role("button", name="Liste à puces").first.click()
    surface.press_sequentially(items[0])
    for item in items[1:]:
        surface.press("Enter")
        surface.press_sequentially(item)


@pytest.mark.browser
def test_a_reviewer_goes_through_three_principles_in_french_and_hr_validates(server, chromium):
    browser = chromium
    base, slug, app = server
    page = sign_in(browser, base, REVIEWER)
    page.goto(f"{base}/gap/{slug}/principles/P01")
    for number, code in enumerate(CODES):
        expect(page.get_by_role("heading", level=1)).to_contain_text(code)
        expect(page.get_by_role("toolbar", name="Mise en forme").first).to_be_visible()
        page.get_by_label("+/- presque, mais pas pleinement mis en œuvre").check()
        write_a_list(page, [f"Premier point {code}", f"Second point {code}"])
        if number == 0:
            assert_accessible(browser, page)
        page.get_by_role("button", name="Aperçu").click()
        preview = page.get_by_role("region", name="Aperçu : les textes tels qu'ils seront enregistrés")
        expect(preview.locator("ul li")).to_have_count(2)
        expect(preview).to_contain_text(f"Second point {code}")
        if number == 0:
            assert_accessible(browser, page)
        page.get_by_role("button", name="Enregistrer et passer au principe suivant").click()
        expect(page.locator(".flash-success")).to_contain_text("Enregistré.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("P04")

    with app.app_context():
        campaign = get_campaign(slug)
        for code in CODES:
            saved = services.get_assessment(campaign.id, code)
            assert saved.gap_html == f"<ul><li>Premier point {code}</li><li>Second point {code}</li></ul>"
            assert saved.final_rating == "+/-"

    hr = sign_in(browser, base, HR)
    hr.goto(f"{base}/results/{slug}?status=proposed")
    expect(hr.get_by_role("status")).to_contain_text("3 principes affichés.")
    assert_accessible(browser, hr)
    for code in CODES:
        hr.goto(f"{base}/gap/{slug}/principles/{code}")
        hr.get_by_role("button", name="Valider pour le comité de pilotage").click()
        expect(hr.get_by_text("Validé. L'historique garde qui l'a validé et quand.")).to_be_visible()
        expect(
            hr.get_by_role("table", name="Toutes les versions enregistrées, la plus récente d'abord")
        ).to_contain_text("validé")
    hr.goto(f"{base}/results/{slug}?status=validated")
    expect(hr.get_by_role("status")).to_contain_text("3 principes affichés.")
    assert_accessible(browser, hr)
