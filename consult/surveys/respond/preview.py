"""HR's preview of a questionnaire page, drawn by the respondent's own template."""

from __future__ import annotations

from typing import Any

from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.respond.pages import build_layout
from consult.surveys.respond.rendering import page_context, step_context
from consult.surveys.respond.skeleton import Slot


def preview_context(campaign: Campaign, step: int, language: str) -> dict[str, Any]:
    """The context that makes ``render_template("respond/step.html", **context)`` show ``campaign``'s page
    ``step`` exactly as a respondent sees it in ``language``, with no answers, inside a "Preview" banner.

    - ``campaign``: any campaign, draft or not; its questionnaire is read as it is now (not from the cache of
      frozen campaigns), so a draft's edits show at once.
    - ``step``: 1-based, counting the question pages (one per charter pillar when every section has a pillar,
      else one per section), then "About you" when the questionnaire has dimensions, then the review. The
      preview of the review lists every question unanswered.
    - ``language``: a language code; questionnaire texts fall back to English, then to any language they have.
      Wrap the call to ``render_template`` in ``flask_babel.force_locale(language)`` for the interface texts.
    - The page has no form, no CSRF token and no buttons (``preview`` is True; every ``slot`` is empty), and
      no respondent language switch: the builder chooses the language.
    - Raises ``ValueError`` when ``step`` is not between 1 and ``context["steps_total"]``.
    """
    layout = build_layout(campaign_spec(campaign), campaign.page_size)
    shown = layout.step(step)
    if shown is None:
        raise ValueError(f"step {step} is not between 1 and {len(layout.steps)}")
    return {
        **page_context(layout, language),
        **step_context(shown, [], preview=True),
        "slot": Slot({}),
        "here": None,
    }
