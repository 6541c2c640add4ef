"""Sentences and numbers in a given language, without a request: the app's Babel catalogue and CLDR formats.

Pure code (no Flask) uses it to write what documents and results say in the reader's language; a message is
marked for extraction with ``N_`` where it is defined and translated here when it is written.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated when :func:`say` writes it."""
    return message


@functools.cache
def catalogue(language: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [language], domain="messages")


def say(language: str, message: str, **values: Any) -> str:
    """``message`` in ``language`` (English when the catalogue lacks it), its ``%(name)s`` filled in."""
    text = catalogue(language).gettext(message)
    return text % values if values else text


def share(value: float, language: str) -> str:
    """A share as a whole percentage, as the locale writes it (43% / 43 %)."""
    return format_percent(value, locale=language)


def decimal(value: float, language: str, digits: int = 2) -> str:
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=language)


def interval(low: float, high: float, language: str) -> str:
    """A share's interval, both ends as percentages (39%-47%, or 39 %-47 % in French)."""
    return say(language, N_("%(low)s\u2013%(high)s"), low=share(low, language), high=share(high, language))


def localised(text: Any, language: str) -> str:
    """A label as questionnaires write it (a string, or a mapping of languages) in ``language``."""
    if text is None or isinstance(text, str):
        return text or ""
    if isinstance(text, Mapping):
        return str(text.get(language) or text.get("en") or next(iter(text.values()), ""))
    return str(text)
