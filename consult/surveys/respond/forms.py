"""Reading a respondent's posted page: the CSRF token, then every field against the questionnaire.

The pages are plain HTML forms, not WTForms classes: a step holds dozens of radio groups whose names come from
the campaign, and ``pages.read_page`` checks them in one pass. The CSRF token is checked here rather than by
CSRFProtect so that a refused page is shown again with the answers it carried (nothing is saved).

A respondent who holds a key (the invitation's token, or an open link's browser key) gets a CSRF token keyed
to it: an HMAC of the key's hash under the app's secret. Another site can neither read it nor compute it, and
it needs no session cookie, so respondent pages neither read nor write one (a signed cookie per request was a
sixth of a page's cost). Only the open link's start, before the browser has a key, uses Flask-WTF's session
token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from consult.surveys.questionnaires import spec
from consult.surveys.respond.pages import (
    COMMENT_PREFIX,
    ITEM_PREFIX,
    PROFILE_PREFIX,
    Layout,
    PageInput,
    Problem,
    Step,
    read_page,
    text_in,
)
from consult.textcheck import clean_text

MESSAGES = {
    "csrf": _l(
        "This page's security token was missing or did not match (the page may have been open for a long "
        "time, or cookies are blocked). Nothing was saved: check your answers below and send the page again."
    ),
    "out_of_scale": _l("The answer sent is not on the scale: choose one of the %(points)s points offered."),
    "dont_know_off": _l(
        "This questionnaire does not offer “don't know”: choose a point on the scale or skip it."
    ),
    "too_long": _l("This comment is %(length)s characters long; the limit is %(limit)s. Please shorten it."),
    "unknown_option": _l("The answer sent is not one of the options offered."),
    "repeated": _l("More than one answer was sent for this question: choose one."),
    "unknown_field": _l(
        "The page sent a field it does not contain (“%(name)s”), for example an answer to a question of "
        "another page. Nothing was saved: check your answers and send the page again."
    ),
}


@dataclass(frozen=True)
class ShownProblem:
    """A problem as shown: the field's HTML id (for the summary's link), its label and the message."""

    anchor: str | None
    label: str
    message: str
    field: str


CSRF_SALT = b"consult.respond.csrf"


def posted_page(layout: Layout, step: Step, key_hash: bytes) -> PageInput:
    page = read_page(layout.questionnaire, step, request.form.to_dict(flat=False))
    if not csrf_token_valid(key_hash):
        page.problems.insert(0, Problem("csrf", ""))
    return page


def shown_again(merged: dict, page: PageInput) -> dict:
    """What the refused page shows: the valid answers, and an over-long comment as typed (never stored)."""
    too_long = {
        p.field.removeprefix(COMMENT_PREFIX): clean_text(request.form.get(p.field, ""))
        for p in page.problems
        if p.kind == "too_long"
    }
    return {**merged, "comments": {**merged.get("comments", {}), **too_long}}


def page_csrf_token(key_hash: bytes) -> str:
    """The CSRF token of the pages of the respondent whose key hashes to ``key_hash`` (see the module)."""
    if not key_hash:
        return generate_csrf()
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, CSRF_SALT + key_hash, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_token_valid(key_hash: bytes) -> bool:
    sent = request.form.get("csrf_token", "")
    if key_hash:
        return hmac.compare_digest(sent.encode(), page_csrf_token(key_hash).encode())
    try:
        validate_csrf(sent)
    except ValidationError:
        return False
    return True


def shown_problems(layout: Layout, problems: list[Problem], language: str) -> list[ShownProblem]:
    return [
        ShownProblem(None, "", str(MESSAGES[p.kind]) % dict(p.detail), "")
        if p.kind in ("unknown_field", "csrf")
        else ShownProblem(
            layout.field_ids.get(p.field),
            field_label(layout.questionnaire, p.field, language),
            str(MESSAGES[p.kind]) % dict(p.detail),
            p.field,
        )
        for p in problems
    ]


def field_label(q: spec.Questionnaire, name: str, language: str) -> str:
    """The statement, section title or question of a field; empty for a field the page does not have."""
    if name.startswith(ITEM_PREFIX):
        found = [i.text for i in q.items if ITEM_PREFIX + i.code == name]
    elif name.startswith(COMMENT_PREFIX):
        found = [s.title for s in q.sections if COMMENT_PREFIX + s.code == name]
    elif name.startswith(PROFILE_PREFIX):
        found = [d.question or d.label for d in q.dimensions if PROFILE_PREFIX + d.code == name]
    else:
        found = []
    return text_in(found[0], language) if found else ""
