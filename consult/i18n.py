"""Language choice: the respondent's or staff member's pick, else the browser's preference."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
STATUS_LABELS = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "archived": _l("archived"),
    "queued": _l("queued"),
    "running": _l("running"),
    "done": _l("done"),
    "failed": _l("failed"),
}


def status_label(status: object) -> str:
    """A campaign's, run's or export job's status, in the interface's language."""
    code = str(getattr(status, "value", status))
    return str(STATUS_LABELS.get(code, code))


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["CONSULT_LANGUAGES"])


def select_locale() -> str:
    requested = request.args.get("lang")
    if requested in supported_languages():
        session["lang"] = requested
        return requested
    chosen = session.get("lang")
    if chosen in supported_languages():
        return chosen
    return (
        request.accept_languages.best_match(supported_languages())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def translated(text: dict[str, str] | None, language: str) -> str:
    """The text in ``language``, else English, else any language it has."""
    if not text:
        return ""
    return text.get(language) or text.get("en") or next(iter(text.values()))
