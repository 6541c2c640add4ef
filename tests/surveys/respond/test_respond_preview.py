"""HR's preview: the respondent's step template drawn from ``preview_context``, with nothing to send."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale

from consult.surveys.respond.preview import preview_context


def draw(app, campaign, step: int, language: str = "en") -> str:
    with app.test_request_context(), force_locale(language):
        return render_template("respond/step.html", **preview_context(campaign, step, language))


def test_every_step_of_a_draft_previews_without_a_form(app, make_campaign):
    campaign = make_campaign(status="draft")
    pages = [draw(app, campaign, step) for step in (1, 2, 3, 4)]
    for html in pages:
        assert "<strong>Preview</strong>" in html and "<form" not in html and "csrf_token" not in html
        assert "Page " in html and "<progress" in html
    assert "I know the rules." in pages[0] and 'name="item-P01.2" value="DK"' in pages[0]
    assert "Your comments on this principle (optional)" in pages[0]
    assert "My job is stable." in pages[1] and "Your comments" not in pages[1]
    assert "About you" in pages[2] and 'value="south"' in pages[2] and "Prefer not to say" in pages[2]
    assert "Check your answers" in pages[3] and "Send my answers" not in pages[3]


def test_the_preview_follows_the_language(app, make_campaign):
    html = draw(app, make_campaign(status="draft"), 1, "fr")
    assert '<html lang="fr">' in html and "Aperçu" in html and "Je connais les règles." in html
    assert "Page 1 sur 4" in html and ">N5<" in html


def test_a_step_out_of_range_is_refused(app, make_campaign):
    campaign = make_campaign(status="draft")
    for step in (0, 5):
        with pytest.raises(ValueError, match="between 1 and 4"):
            preview_context(campaign, step, "en")
