"""How the respondent's pages are drawn: the language, the page context (shared with HR's preview), the pages
shown instead of the questionnaire, and the open link's browser cookie."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask import current_app, render_template, request, session, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from consult.i18n import select_locale, supported_languages
from consult.surveys.respond.fills import page_fills, review_fills, value_fills
from consult.surveys.respond.forms import ShownProblem, page_csrf_token, shown_problems
from consult.surveys.respond.pages import (
    COMMENT_LIMIT,
    Layout,
    Problem,
    Step,
    offers_prefer_not,
    scale_labels,
    statement_span,
    text_in,
)
from consult.surveys.respond.services import Visit
from consult.surveys.respond.skeleton import Skeletons, Slot, fill
from consult.web import RETRY_AFTER_SECONDS

OPEN_LINK_COOKIE = "consult_open"
OPEN_LINK_COOKIE_DAYS = 180
UNAVAILABLE_STATUS = {"unknown": 404, "not_open": 403, "closed": 410, "revoked": 410}

skeletons = Skeletons()


@dataclass
class Here:
    """One respondent's request: their visit, the campaign's layout, and which kind of link brought them."""

    visit: Visit
    layout: Layout
    token: str | None
    slug: str | None
    language: str = field(default="")

    def url(self, name: str, **values: Any) -> str:
        if self.token is not None:
            return url_for(f"respond.{name}", token=self.token, **values)
        return url_for(f"respond.open_{name}", slug=self.slug, **values)

    @property
    def is_open_link(self) -> bool:
        return self.token is None


def respondent_language(offered: tuple[str, ...]) -> str:
    """The respondent's pick (``?lang=``, kept in the session), else the browser's, among the campaign's."""
    available = tuple(code for code in offered if code in supported_languages()) or (select_locale(),)
    requested = request.args.get("lang")
    if requested in available:
        session["lang"] = requested
        return requested
    if session.get("lang") in available:
        return session["lang"]
    return browser_language(request.headers.get("Accept-Language", ""), available)


@lru_cache(maxsize=256)
def browser_language(accept_language: str, available: tuple[str, ...]) -> str:
    """The best of ``available`` for a browser's Accept-Language header; browsers send a handful of distinct
    headers, so each is parsed once per process."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(available) or available[0]


def render_page(
    here: Here,
    template: str,
    status: int = 200,
    variant: tuple = (),
    fills: Mapping[str, str] | None = None,
    direct: bool = False,
    **context: Any,
) -> Response:
    """Draw a respondent's page: the cached skeleton of (campaign, page, language, ``variant``) filled with
    this
    respondent's values or, with ``direct`` (a page showing problems), straight from the template. Whatever in
    ``context`` changes the page must be in ``variant``."""
    here.language = here.language or respondent_language(here.layout.questionnaire.languages)
    values = {
        **(fills or {}),
        "csrf": page_csrf_token(here.visit.key_hash),
        "base": str(escape(here.url("welcome"))),
    }
    if direct:
        html = draw(here, template, Slot(values), context)
    else:
        key = (here.visit.campaign, here.is_open_link, template, here.language, variant)
        html = fill(skeletons.get(key, lambda: draw(here, template, Slot(None), context)), values)
    return Response(html, status, mimetype="text/html")


def draw(here: Here, template: str, slot: Slot, context: Mapping[str, Any]) -> str:
    with force_locale(here.language):
        return render_template(
            template,
            **page_context(here.layout, here.language),
            here=here,
            slot=slot,
            get_flashed_messages=no_flashes,
            **context,
        )


def no_flashes(**_options: Any) -> list:
    """Respondent pages show no flashed message: a staff member's message must never reach a cached page."""
    return []


def page_context(layout: Layout, language: str) -> dict[str, Any]:
    q = layout.questionnaire
    return {
        "layout": layout,
        "q": q,
        "language": language,
        "offered_languages": [code for code in q.languages if code in supported_languages()],
        "campaign_title": text_in(q.title, language),
        "text_in": text_in,
        "offers_prefer_not": offers_prefer_not,
        "dimension_names": ", ".join(text_in(d.label, language) for d in q.dimensions),
        "scale": scale_labels(q, language),
        "comment_limit": COMMENT_LIMIT,
        "steps_total": len(layout.steps),
        "statement_span": statement_span,
    }


def step_context(
    step: Step, problems: list[ShownProblem], preview: bool = False, from_review: bool = False
) -> dict[str, Any]:
    """What ``respond/step.html`` needs besides ``page_context`` and ``slot``; ``from_review``: the page
    was opened from the review's list, and offers to go back to it."""
    return {
        "step": step,
        "problems": problems,
        "problem_fields": {p.field: p for p in problems if p.field},
        "preview": preview,
        "from_review": from_review and step.kind != "review",
    }


def step_page(
    here: Here,
    step: Step,
    values: Mapping,
    problems: list[Problem],
    status: int = 200,
    from_review: bool = False,
) -> Response:
    here.language = respondent_language(here.layout.questionnaire.languages)
    fills = value_fills(values)
    if step.kind == "questions":
        fills |= page_fills(step, values)
    shown = []
    if problems or step.kind == "review":
        with force_locale(here.language):
            shown = shown_problems(here.layout, problems, here.language)
            if step.kind == "review":
                fills |= review_fills(here.layout, here.language, values, str(escape(here.url("welcome"))))
    context = step_context(step, shown, from_review=from_review)
    variant = (step.number, context["from_review"])
    return render_page(here, "respond/step.html", status, variant, fills, bool(shown), **context)


def unavailable(kind: str, visit: Visit | None = None) -> Response:
    """The page for an unknown or revoked link, a campaign not open yet or closed; it never says if a
    campaign exists."""
    html = render_template("respond/unavailable.html", kind=kind, campaign=visit.campaign if visit else None)
    return Response(html, UNAVAILABLE_STATUS[kind], mimetype="text/html")


def interrupted(here: Here | None, kind: str, back: str) -> Response:
    """The page of a request the database failed (503): nothing was lost, press the button again. ``kind``
    says what failed ("show", "save", "submit", "start"); a posted form is offered to be sent again as it
    was, its CSRF token included. Drawn from the template, never from a cached skeleton, and without the
    campaign when the failure came before it was known (``here`` is None)."""
    languages = here.layout.questionnaire.languages if here else supported_languages()
    language = respondent_language(languages)
    if here is not None:
        context = page_context(here.layout, language)
    else:
        context = {"language": language, "offered_languages": list(languages), "campaign_title": ""}
    resend = list(request.form.items(multi=True)) if request.method == "POST" else []
    with force_locale(language):
        html = render_template(
            "respond/interrupted.html",
            **context,
            kind=kind,
            back=back,
            language_link_base=back,
            resend=resend,
            preview=False,
            get_flashed_messages=no_flashes,
        )
    response = Response(html, 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def open_link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="consult.respond.open-link")


def read_open_link_cookie(slug: str) -> str | None:
    raw = request.cookies.get(OPEN_LINK_COOKIE)
    if not raw:
        return None
    try:
        payload = open_link_serializer().loads(raw)
    except BadSignature:
        return None
    return payload.get("key") if isinstance(payload, dict) and payload.get("slug") == slug else None


def open_link_cookie(response: Response, slug: str, key: str) -> None:
    """One answer per browser: the browser's key, signed, sent back to the campaign's pages only."""
    response.set_cookie(
        OPEN_LINK_COOKIE,
        open_link_serializer().dumps({"slug": slug, "key": key}),
        max_age=OPEN_LINK_COOKIE_DAYS * 86400,
        path=url_for("respond.open_welcome", slug=slug),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
