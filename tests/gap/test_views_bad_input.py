"""Control characters in the gap texts typed by a working group: dropped, never a 500; in an uploaded table:
refused with the line and column, nothing changed."""

from __future__ import annotations

import io

import pytest

from consult.extensions import limiter
from consult.gap import services
from tests.conftest import csrf_from
from tests.gap.test_views import campaign, edit_url, post_edit  # noqa: F401  (the campaign fixture)


@pytest.fixture(autouse=True)
def fresh_login_limits(app):
    with app.app_context():
        limiter.reset()


def test_control_characters_in_the_texts_are_dropped(client, login, make_user, campaign):  # noqa: F811
    login(make_user("reviewer"))
    response = post_edit(
        client,
        campaign,
        justification="Focus\x00 groups",
        gap_html="<p>Gap\x00 one\x1b</p>\n<p>two</p>",
        initiatives_html="\x00",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    saved = services.get_assessment(campaign.id, "P01")
    assert (saved.justification, saved.gap_html, saved.initiatives_html) == (
        "Focus groups",
        "<p>Gap one</p>\n<p>two</p>",
        "",
    )
    assert "Gap one" in client.get(edit_url(campaign)).get_data(as_text=True)


def test_an_uploaded_table_with_a_nul_is_refused_with_where_it_is(client, login, make_user, campaign):  # noqa: F811
    login(make_user("hr"))
    page = client.get(f"/gap/{campaign.slug}/import").get_data(as_text=True)
    table = b"Principles\tImplementation\tGAP\tInitiatives\n<b>Ethics</b>\t++\tgap\x00\t\n"
    response = client.post(
        f"/gap/{campaign.slug}/import",
        data={
            "csrf_token": csrf_from(page),
            "purpose": "assessments",
            "file": (io.BytesIO(table), "gap.tsv"),
        },
    )
    assert response.status_code in (400, 422), response.status_code
    assert "column 3 (GAP / Implementation impediments) contains the control character U+0000" in (
        response.get_data(as_text=True)
    )
    assert services.get_assessment(campaign.id, "P01") is None
