"""Every HR page, one by one, in Chromium at 1280 and 375 px: a demo-like open campaign with answers,
invitations and headcounts, a draft campaign in the builder, and a closed one. Each page must fit the width
(no horizontal scrolling) and pass an axe-core scan; screenshots go to CONSULT_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from consult.accounts.services import create_user
from consult.analysis.tasks import start_analysis
from consult.demo import build_demo
from consult.extensions import db
from consult.gap.groups.services import one_group_per_pillar
from consult.surveys.campaigns import services
from consult.surveys.invitations import links
from consult.surveys.questionnaires.charter_templates import load_template
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

HR = "hr.desk@example.org"
ADMIN = "admin.desk@example.org"
WIDTHS = (1280, 375)


def seed(app) -> dict[str, str]:
    """The demo campaign (open, 60 answers, analysed), a draft from the charter, a closed one."""
    with app.app_context():
        hr = create_user(HR, "hr", PASSWORD)
        create_user(ADMIN, "admin", PASSWORD)
        demo = build_demo(60)
        group = one_group_per_pillar(demo, hr, "en")[0]
        links.invite_emails(demo, [("ann@univ.example.org", None), ("bob@univ.example.org", None)])
        draft = services.create_campaign(load_template("charter-2023"), title="Researchers' survey 2027")
        closed = services.create_campaign(small_questionnaire(), title="Closed survey 2025")
        services.open_campaign(closed)
        services.close_campaign(closed)
        db.session.commit()
        start_analysis(demo)
        db.session.commit()
        return {"demo": demo.slug, "draft": draft.slug, "closed": closed.slug, "group": str(group.id)}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    app = make_app(
        recreate_database(f"{TEST_DATABASE}_hr_pages_browser"),
        SERVER_NAME=f"127.0.0.1:{port}",
        CONSULT_BASE_URL=f"http://127.0.0.1:{port}",
    )
    upgrade_schema(app)
    slugs = seed(app)
    with serving(app, port) as url:
        yield url, slugs


@pytest.fixture
def page(chromium) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def problems_of(page: Page, name: str) -> list[str]:
    """What is wrong with the page shown, at each width: overflow, axe violations; a screenshot of each."""
    found, shots = [], os.environ.get("CONSULT_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide = page.evaluate(WIDEST)
            found.append(f"{name} at {width}px: {overflow}px too wide ({wide})")
        for violation in Axe().run(page).response["violations"]:
            nodes = [node["html"][:120] for node in violation["nodes"]][:3]
            found.append(f"{name} at {width}px: axe {violation['id']}: {nodes}")
        if shots:
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
  .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 3).map(e => e.tagName + '.' + e.className + ' in ' + e.parentElement.tagName + '.'
    + e.parentElement.className).join(', ')"""


def visit(page: Page, url: str, name: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, (name, url, response and response.status)
    return problems_of(page, name)


def hr_urls(base: str, s: dict[str, str]) -> list[tuple[str, str]]:
    demo, draft, closed = (f"{base}/campaigns/{s[k]}" for k in ("demo", "draft", "closed"))
    return [
        ("home", f"{base}/"),
        ("campaign-list", f"{base}/dashboard"),
        ("new-campaign", f"{base}/campaigns/new"),
        ("overview-open", demo),
        ("overview-draft", draft),
        ("overview-closed", closed),
        ("confirm-open", f"{draft}/status/open"),
        ("confirm-archive", f"{closed}/status/archive"),
        ("builder", f"{draft}/questionnaire"),
        ("builder-frozen", f"{demo}/questionnaire"),
        ("builder-section", f"{draft}/sections/P01"),
        ("builder-item", f"{draft}/items/P01.1"),
        ("confirm-delete-item", f"{draft}/items/P01.1/delete"),
        ("confirm-delete-section", f"{draft}/sections/P01/delete"),
        ("settings", f"{draft}/settings"),
        ("scale", f"{draft}/scale"),
        ("principles", f"{draft}/principles"),
        ("dimensions", f"{draft}/dimensions"),
        ("dimension", f"{draft}/dimensions/school"),
        ("confirm-delete-dimension", f"{draft}/dimensions/school/delete"),
        ("preview", f"{draft}/preview"),
        ("invitations", f"{demo}/invitations"),
        ("invitations-draft", f"{draft}/invitations"),
        ("invitation-text", f"{demo}/invitations/text/invitation"),
        ("invitation-preview", f"{demo}/invitations/text/invitation/preview"),
        ("reminder-text", f"{demo}/invitations/text/reminder"),
        ("revoke-find", f"{demo}/invitations/revoke"),
        ("confirm-revoke-unused", f"{demo}/invitations/revoke-unused"),
        ("participation", f"{demo}/participation"),
        ("headcounts", f"{demo}/headcounts"),
        ("history", f"{demo}/history"),
        ("working-groups", f"{base}/groups/{s['demo']}"),
        ("working-group-new", f"{base}/groups/{s['demo']}/new"),
        ("working-group", f"{base}/groups/{s['demo']}/{s['group']}"),
        ("confirm-delete-working-group", f"{base}/groups/{s['demo']}/{s['group']}/delete"),
        ("results", f"{base}/results/{s['demo']}"),
        ("results-principle", f"{base}/results/{s['demo']}/P01"),
        ("password", f"{base}/account/password"),
    ]


@pytest.mark.browser
def test_every_hr_page_fits_a_phone_and_a_desktop_and_passes_axe(server, page):
    base, slugs = server
    sign_in(page, base, HR)
    found = []
    for name, url in hr_urls(base, slugs):
        found += visit(page, url, name)

    page.goto(f"{base}/campaigns/{slugs['demo']}/invitations/revoke")
    page.get_by_label("E-mail address or personal link").fill("ann@univ.example.org")
    page.get_by_role("button", name="Find this link").click()
    found += problems_of(page, "confirm-revoke-one")
    page.goto(f"{base}/campaigns/{slugs['demo']}/invitations/revoke")
    page.get_by_role("button", name="Find this link").click()
    found += problems_of(page, "revoke-find-refused")

    page.goto(f"{base}/campaigns/{slugs['demo']}/invitations")
    page.get_by_label("Number of links").fill("2")
    page.get_by_label("A page to print, one link per card").check()
    page.get_by_role("button", name="Make the links").click()
    found += problems_of(page, "cards")
    assert found == [], "\n".join(found)


@pytest.mark.browser
def test_every_admin_page_fits_a_phone_and_a_desktop_and_passes_axe(server, page):
    base, _slugs = server
    sign_in(page, base, ADMIN)
    found = []
    for name, url in (("users", f"{base}/admin/users"), ("audit", f"{base}/admin/audit")):
        found += visit(page, url, name)
    assert found == [], "\n".join(found)
