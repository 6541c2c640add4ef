"""In the embedded default (no task queue), an export is prepared in the web process's background thread: the
click answers at once with the job's page, which refreshes by itself until the download link appears."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.analysis.models import AnalysisRun, ChartFile
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
from tests.gap.test_review_browser import REVIEWER, figures_of_p04, seed

CHARTED_SECTIONS = 1


def seed_with_figures(app) -> str:
    """The review test's campaign with figures in several principles and no chart drawn yet, so that the
    export has drawing to do."""
    slug = seed(app)
    with app.app_context():
        run = db.session.scalars(select(AnalysisRun)).one()
        sections = [dict(section) for section in run.results["sections"]]
        for section in sections[:CHARTED_SECTIONS]:
            section.update(figures_of_p04())
        run.results = {**run.results, "sections": sections}
        db.session.commit()
    return slug


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, str, object]]:
    port = free_port()
    app = make_app(
        recreate_database(f"{TEST_DATABASE}_job_browser"),
        SERVER_NAME=f"127.0.0.1:{port}",
        CONSULT_JOB_THREAD=True,
    )
    upgrade_schema(app)
    slug = seed_with_figures(app)
    with serving(app, port) as url:
        yield url, slug, app


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_an_export_shows_its_progress_page_at_once_then_the_download_link(server, chromium):
    base, slug, app = server
    page = chromium.new_context(accept_downloads=True, java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(REVIEWER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/gap/{slug}/exports")
    page.get_by_role("button", name="Every principle's charts as PNG, SVG and PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export: CHARTS")
    expect(page.get_by_text("Status:")).to_be_visible()
    expect(page.get_by_text("This page refreshes every 3 seconds.")).to_be_visible()
    job_url = page.url

    again = page.context.new_page()
    again.goto(f"{base}/gap/{slug}/exports")
    again.get_by_role("button", name="Every principle's charts as PNG, SVG and PDF").click()
    assert again.url == job_url, "a second click joins the running export"
    again.close()

    link = page.get_by_role("link", name=f"Download {slug}-charts.zip")
    expect(link).to_be_visible(timeout=600_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{slug}-charts.zip"
    with app.app_context():
        drawn = db.session.scalars(select(ChartFile.section_code).distinct()).all()
    assert len(drawn) == CHARTED_SECTIONS + 1, "the charted principles and the seed's P04"
