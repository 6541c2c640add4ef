"""Language choice: the respondent's or staff member's pick, else the browser's preference."""

from __future__ import annotations

from flask import current_app, request, session

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


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
