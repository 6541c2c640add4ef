"""A respondent's values for the slots of a page (see ``skeleton``), as escaped HTML.

Call inside the respondent's locale: the labels of unanswered questions are translated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from consult.surveys.questionnaires import spec
from consult.surveys.respond.pages import (
    DONT_KNOW_VALUE,
    Layout,
    Step,
    answered_on_step,
    scale_labels,
    text_in,
    unanswered_by_step,
)

CHECKED = " checked"


def value_fills(values: Mapping) -> dict[str, str]:
    """The slots of a step's controls: which radios are checked, and the comments typed so far."""
    fills = {f"item-{code}={value}": CHECKED for code, value in (values.get("answers") or {}).items()}
    fills |= {f"profile-{code}={value}": CHECKED for code, value in (values.get("profile") or {}).items()}
    fills |= {f"comment-{code}": str(escape(text)) for code, text in (values.get("comments") or {}).items()}
    return fills


def page_fills(step: Step, values: Mapping) -> dict[str, str]:
    """A question page's own progress: how many of its statements the saved answers cover (the sentence
    around the number is in the cached page: its plural follows the page's count of statements)."""
    return {"page_answered_count": str(answered_on_step(step, values.get("answers") or {}))}


def review_fills(layout: Layout, language: str, values: Mapping, base: str = "") -> dict[str, str]:
    """The review's answers: a label per statement, each comment, each "About you" answer, and the list of
    statements not answered, each linked to its place on its page (``base``: the link's escaped address)."""
    q = layout.questionnaire
    answers, comments = values.get("answers") or {}, values.get("comments") or {}
    labels = scale_labels(q, language)
    unanswered = str(Markup('<span class="unanswered">%s</span>') % _("Not answered"))
    shown = answer_labels(labels)
    fills = {f"answer:{item.code}": shown.get(answers.get(item.code), unanswered) for item in q.items}
    fills |= comment_fills(q, comments) | {"answered": answered_sentence(q, answers)}
    fills["unanswered"] = unanswered_list(layout, language, answers, base)
    return fills | profile_fills(q, language, values.get("profile") or {}, unanswered)


def answered_sentence(q: spec.Questionnaire, answers: Mapping) -> str:
    """How much the review is about to send, next to the button: a link used for an empty answer sheet
    cannot answer again, so sending none should be a choice, not a slip."""
    count = sum(answers.get(item.code) is not None for item in q.items)
    if count == 0:
        sentence = _(
            "You have not answered any statement. You can still send, but you will not be able to answer "
            "again afterwards."
        )
    else:
        sentence = ngettext(
            "You have answered %(num)s of the %(total)s statements.",
            "You have answered %(num)s of the %(total)s statements.",
            count,
            total=len(q.items),
        )
    return str(escape(sentence))


def answer_labels(labels: tuple[str, ...]) -> dict[Any, str]:
    """Each value an answer can hold, as the review shows it (escaped), translated once per page."""
    shown = {number: str(escape(label)) for number, label in enumerate(labels, start=1)}
    return shown | {DONT_KNOW_VALUE: str(escape(_("Don't know / not applicable")))}


def comment_fills(q: spec.Questionnaire, comments: Mapping[str, str]) -> dict[str, str]:
    none = str(Markup('<span class="unanswered">%s</span>') % _("None"))
    return {
        f"said:{s.code}": str(Markup('<span class="review-comment">%s</span>') % comments[s.code])
        if comments.get(s.code)
        else none
        for s in q.sections
        if s.comment
    }


def profile_fills(q: spec.Questionnaire, language: str, profile: Mapping, unanswered: str) -> dict[str, str]:
    fills = {}
    for d in q.dimensions:
        chosen = profile.get(d.code)
        option = next((o for o in d.options if o.code == chosen), None)
        if option is not None:
            fills[f"profile:{d.code}"] = str(escape(text_in(option.label, language)))
        else:
            fills[f"profile:{d.code}"] = str(escape(_("Prefer not to say"))) if chosen == "" else unanswered
    return fills


def unanswered_list(layout: Layout, language: str, answers: Mapping, base: str) -> str:
    """The statements without an answer, grouped by page, each a link to its field on its page (the page
    offers to come back to the review); empty when every statement has an answer. Plain strings and
    ``escape``: the review of an empty answer sheet lists every statement."""
    groups = unanswered_by_step(layout, answers)
    if not groups:
        return ""
    count = sum(len(items) for _step, items in groups)
    heading = ngettext("%(num)s statement not answered", "%(num)s statements not answered", count)
    hint = _("You can answer them before sending: each link opens the page that holds the statement.")
    words = (_("Page %(number)s: %(title)s"), _("Questions"))
    parts = [
        '<section class="review-unanswered" aria-labelledby="unanswered-heading">',
        f'<h2 id="unanswered-heading">{escape(heading)}</h2><p>{escape(hint)}</p>',
        *(unanswered_group(layout, language, step, items, base, words) for step, items in groups),
        "</section>",
    ]
    return "".join(parts)


def unanswered_group(
    layout: Layout, language: str, step: Step, items: list, base: str, words: tuple[str, str]
) -> str:
    """One page's statements; ``words``: the heading's pattern and the title of an untitled page."""
    title = text_in(step.title, language) or words[1]
    heading = escape(words[0] % {"number": step.number, "title": title})
    href = f"{base}/step/{step.number}?from=review#"
    ids = layout.field_ids
    links = "".join(
        f'<li><a href="{href}{ids["item-" + item.code]}">{escaped(text_in(item.text, language))}</a></li>'
        for item in items
    )
    return f"<h3>{heading}</h3><ul>{links}</ul>"


@lru_cache(maxsize=4096)
def escaped(text: str) -> str:
    """A questionnaire text as HTML (texts are few and the same for every respondent)."""
    return str(escape(text))
