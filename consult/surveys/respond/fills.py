"""A respondent's values for the slots of a page (see ``skeleton``), as escaped HTML.

Call inside the respondent's locale: the labels of unanswered questions are translated here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from consult.surveys.questionnaires import spec
from consult.surveys.respond.pages import DONT_KNOW_VALUE, Layout, scale_labels, text_in

CHECKED = " checked"


def value_fills(values: Mapping) -> dict[str, str]:
    """The slots of a step's controls: which radios are checked, and the comments typed so far."""
    fills = {f"item-{code}={value}": CHECKED for code, value in (values.get("answers") or {}).items()}
    fills |= {f"profile-{code}={value}": CHECKED for code, value in (values.get("profile") or {}).items()}
    fills |= {f"comment-{code}": str(escape(text)) for code, text in (values.get("comments") or {}).items()}
    return fills


def review_fills(layout: Layout, language: str, values: Mapping) -> dict[str, str]:
    """The review's answers: a label per statement, each comment, each "About you" answer."""
    q = layout.questionnaire
    answers, comments = values.get("answers") or {}, values.get("comments") or {}
    labels = scale_labels(q, language)
    unanswered = str(Markup('<span class="unanswered">%s</span>') % _("Not answered"))
    fills = {
        f"answer:{item.code}": answer_label(answers.get(item.code), labels, unanswered) for item in q.items
    }
    fills |= comment_fills(q, comments) | {"answered": answered_sentence(q, answers)}
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


def answer_label(value: Any, labels: tuple[str, ...], unanswered: str) -> str:
    if value == DONT_KNOW_VALUE:
        return str(escape(_("Don't know / not applicable")))
    if isinstance(value, int) and 1 <= value <= len(labels):
        return str(escape(labels[value - 1]))
    return unanswered


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
