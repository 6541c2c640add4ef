"""HR prepares a new campaign's invitations in Chromium: a test e-mail to a real local SMTP server (aiosmtpd),
the invitation's own text edited and previewed, the campaign opened after a confirmation step, and link cards
printed with QR codes that decode (zxing-cpp) to the links Consult stored. Every page passes an axe-core scan
and has no horizontal overflow at 1280 and 375 px; screenshots go to CONSULT_SCREENSHOTS when it is set."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consult.accounts.services import create_user
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from tests.conftest import (
    PASSWORD,
    TEST_DATABASE,
    free_port,
    make_app,
    recreate_database,
    serving,
    upgrade_schema,
)
from tests.surveys.invitations.test_services import Mailbox

HR = "hr.officer@example.org"
WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def smtp() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def server(smtp):
    port = free_port()
    app = make_app(
        recreate_database(f"{TEST_DATABASE}_invitations_browser"),
        SERVER_NAME=f"127.0.0.1:{port}",
        CONSULT_BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_SENDER="hr@consult.example.org",
    )
    upgrade_schema(app)
    with app.app_context():
        create_user(HR, "hr", PASSWORD)
        db.session.commit()
    with serving(app, port) as url:
        yield app, url


@pytest.fixture(scope="module")
def page(server, chromium) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def check_page(page: Page, name: str, scripts: int = 0) -> None:
    """axe-clean, no script but those expected, no horizontal overflow at each width; a screenshot of each."""
    assert page.locator("script").count() == scripts
    shots = os.environ.get("CONSULT_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        violations = Axe().run(page).response["violations"]
        assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]][:3]) for v in violations]
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def decode_qr(page: Page, index: int) -> str:
    png = page.locator("svg.qr").nth(index).screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(found) == 1
    return found[0].text


@pytest.mark.browser
def test_hr_checks_mail_edits_the_invitation_opens_and_prints_cards(server, page, smtp):
    app, base = server
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(HR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/campaigns/new")
    page.get_by_role("button", name="Create a campaign from the 2023 charter").click()
    with app.app_context():
        slug = db.session.scalars(select(Campaign.slug)).one()

    page.goto(f"{base}/campaigns/{slug}/invitations")
    expect(page.locator("#base-url-warning")).to_contain_text("default address")
    check_page(page, "invitations")
    page.get_by_label("Send a test e-mail to").fill("me@univ.example.org")
    page.get_by_role("button", name="Send a test e-mail").click()
    expect(page.get_by_text("A test e-mail was sent to me@univ.example.org")).to_be_visible()
    assert [m["To"] for m in smtp.messages] == ["me@univ.example.org"]

    page.get_by_role("link", name="Edit the invitation").click()
    check_page(page, "invitation-text")
    page.get_by_label("Message (English)").fill("Dear colleague,\n\nPlease answer.\n")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("must contain {link}")).to_be_visible()
    check_page(page, "invitation-text-refused")
    page.get_by_label("Message (English)").fill("Dear colleague,\n\nPlease answer here: {link}\n")
    page.get_by_label("Message (Français)").fill("Chère collègue,\n\nRépondez ici : {link}\n")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the invitation")
    expect(page.locator("#mail-body")).to_contain_text("Please answer here: http://127.0.0.1")
    expect(page.locator("#mail-body")).to_contain_text("Répondez ici : http://127.0.0.1")
    check_page(page, "invitation-preview")

    page.goto(f"{base}/campaigns/{slug}")
    page.get_by_role("link", name="Open the campaign now…").click()
    check_page(page, "confirm-open")
    page.get_by_role("button", name="Yes, open the campaign").click()
    expect(page.get_by_text("The campaign is now open.")).to_be_visible()

    page.goto(f"{base}/campaigns/{slug}/invitations")
    page.get_by_label("Number of links").fill("3")
    page.get_by_label("A page to print, one link per card").check()
    page.get_by_role("button", name="Make the links").click()
    expect(page.get_by_role("button", name="Print the cards")).to_be_visible()
    urls = page.locator(".token-url code").all_inner_texts()
    assert [decode_qr(page, i) for i in range(3)] == urls
    with app.app_context():
        stored = set(db.session.scalars(select(Invitation.token_hash)))
    assert {token_hash(url.rsplit("/", 1)[1]) for url in urls} == stored
    check_page(page, "cards", scripts=1)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print the cards")).to_be_hidden()
    expect(page.locator("svg.qr").first).to_be_visible()
    page.emulate_media(media="screen")
