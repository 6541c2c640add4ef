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
            return Markup(f"\x1e{name}\x1f")  # nosec B704 # a slot name from the template, no user text
        return Markup(self.fills.get(name, ""))  # nosec B704 # fills are escaped by fills.py


class Skeleton:
    """A drawn page split at its slots: the static text with every slot empty, and where each slot is. Most
    slots of a page stay empty (a step has a slot per radio button), so filling one sets the few a
    respondent's values name instead of looking up every slot."""

    def __init__(self, html: str) -> None:
        parts = SLOT.split(html)
        self.blank = [part if i % 2 == 0 else "" for i, part in enumerate(parts)]
        self.positions: dict[str, list[int]] = {}
        for i in range(1, len(parts), 2):
            self.positions.setdefault(parts[i], []).append(i)


class Skeletons:
    """Drawn pages as ``Skeleton``s, kept per process."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size, self.entries, self.lock = size, {}, Lock()

    def get(self, key: tuple, draw: Callable[[], str]) -> Skeleton:
        skeleton = self.entries.get(key)
        if skeleton is None:
            skeleton = Skeleton(draw())
            with self.lock:
                while len(self.entries) >= self.size:
                    self.entries.pop(next(iter(self.entries)))
                self.entries[key] = skeleton
        return skeleton

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def fill(skeleton: Skeleton, fills: Mapping[str, str]) -> str:
    out = skeleton.blank.copy()
    for name, value in fills.items():
        for position in skeleton.positions.get(name, ()):
            out[position] = value
    return "".join(out)
