"""What the editor sends is stored in the sample's limited HTML: plain blocks become paragraphs, the
sample's cells pass unchanged, and the writer is told what the sanitiser removed (in the preview too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consult.gap import services
from consult.gap.sanitize import clean_html, removed_markup
from consult.gap.services import rich_text
from consult.gap.tsv import parse_gap_tsv
from tests.gap.test_views import campaign, edit_url, fresh_login_limits, post_edit  # noqa: F401

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_gap.tsv"


def test_every_sample_cell_is_stored_as_written_when_saved_through_the_form():
    for row in parse_gap_tsv(SAMPLE.read_bytes()):
        for text in (row.gap_html, row.initiatives_html):
            assert rich_text(text) == text.strip()


def test_a_plain_block_beside_a_tagged_one_stays_its_own_paragraph():
    typed = (
        "First, plain.\n\n<p>Second, <b>tagged</b>.</p>\n\nThird with <i>italics</i>\n\n<ul><li>one</li></ul>"
    )
    assert rich_text(typed) == (
        "<p>First, plain.</p> <p>Second, <b>tagged</b>.</p> <p>Third with <i>italics</i></p> "
        "<ul><li>one</li></ul>"
    )


def test_plain_text_with_an_ampersand_is_escaped_in_its_paragraph():
    assert rich_text("R&D budget < 2%\n\nSecond") == "<p>R&amp;D budget &lt; 2%</p> <p>Second</p>"


@pytest.mark.parametrize(
    ("typed", "removed"),
    [
        ('<p onclick="x()">Hi<script>alert(1)</script></p>', ["onclick", "<script>"]),
        ('<p><span class="x">A</span> <a href="javascript:alert(1)">b</a></p>', ["<span>", "href"]),
        ("<p>Kept <b>as</b> <i>is</i></p>", []),
        ("<p>A</p><!-- note -->", ["<!-- -->"]),
    ],
)
def test_what_the_sanitiser_removed_is_named(typed, removed):
    assert removed_markup(typed, clean_html(typed)) == removed


def test_preview_shows_the_stored_text_and_what_was_removed_without_saving(
    client,
    login,
    make_user,
    campaign,  # noqa: F811
):
    login(make_user("reviewer"))
    typed = "<ul><li>Mentoring</li></ul><script>alert(1)</script>"
    response = post_edit(client, campaign, gap_html=typed, then="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview: the texts as they will be saved" in page
    assert "the following were removed because they are not allowed: &lt;script&gt;." in page
    assert '<div class="rich-text"><ul><li>Mentoring</li></ul></div>' in page
    assert services.get_assessment(campaign.id, "P01") is None


def test_saving_warns_about_what_the_sanitiser_removed(client, login, make_user, campaign):  # noqa: F811
    login(make_user("reviewer"))
    post_edit(client, campaign, initiatives_html='<p style="color:red">Plan</p>')
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert "Initiatives undertaken / new proposals: the following were removed" in page and ": style." in page
    assert services.get_assessment(campaign.id, "P01").initiatives_html == "<p>Plan</p>"


def test_the_editor_is_served_by_consult(client, login, make_user, campaign):  # noqa: F811
    login(make_user("reviewer"))
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert 'src="/static/vendor/squire/squire.js?v=' in page and 'src="/static/editor.js?v=' in page
    assert "data-rich-text" in page and 'id="rich-editor-toolbar"' in page
    assert "http://" not in page.split("<main")[0] and "https://" not in page.split("<main")[0]
    script = client.get("/static/vendor/squire/squire.js")
    assert script.status_code == 200 and b"window.Squire=" in script.data
