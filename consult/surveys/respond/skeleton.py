"""Pages drawn once and filled per request.

A questionnaire page is the same for every respondent of a campaign but for a few values: which radios are
checked, the comments typed so far, the CSRF token, the link. Drawing it with Jinja for each request costs
milliseconds on a 60-statement questionnaire; instead the template is drawn once per campaign, page, language
and variant with a marker in each ``slot``, split at the markers, and each request joins the static parts with
its own values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from threading import Lock

from markupsafe import Markup

SLOT = re.compile("\x1e([^\x1f]*)\x1f")
CACHE_SIZE = 512


class Slot:
    """A respondent's own value in a page: a marker when drawing for the cache (no ``fills``), else the value.
    Fills are HTML, escaped by whoever makes them."""

    def __init__(self, fills: Mapping[str, str] | None) -> None:
        self.fills = fills

    def __call__(self, name: str) -> Markup:
        if self.fills is None:
            return Markup(f"\x1e{name}\x1f")
        return Markup(self.fills.get(name, ""))


class Skeletons:
    """Drawn pages split into static text (even positions) and slot names (odd ones), kept per process."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size, self.entries, self.lock = size, {}, Lock()

    def get(self, key: tuple, draw: Callable[[], str]) -> list[str]:
        parts = self.entries.get(key)
        if parts is None:
            parts = SLOT.split(draw())
            with self.lock:
                while len(self.entries) >= self.size:
                    self.entries.pop(next(iter(self.entries)))
                self.entries[key] = parts
        return parts

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def fill(parts: list[str], fills: Mapping[str, str]) -> str:
    out = list(parts)
    out[1::2] = [fills.get(name, "") for name in parts[1::2]]
    return "".join(out)
