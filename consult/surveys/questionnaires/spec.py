"""The questionnaire as plain, frozen data: what YAML files, templates, the builder and the analysis share.

Pure module: no Flask, no SQLAlchemy. Answers are encoded per respondent as one byte per item, in the
questionnaire's item order (see ``NO_ANSWER`` and ``DONT_KNOW``); demographics as one byte per dimension
(0 = not stated, i = the i-th option, 1-based).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NO_ANSWER = 0
DONT_KNOW = 255
NOT_STATED = 0

LANGUAGES = ("en", "fr")
"""The languages Consult can present a questionnaire in."""
ITEM_CODE_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\Z"
"""Item and section codes (``P01.1``): letters, digits, '_', '-' and '.', never first, last or twice in a
row, so that a code is always a safe file name (no ``..``, no hidden file, no option-like ``-x``)."""
OPTION_CODE_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_-]*\Z"
"""Dimension and option codes: no '.' or ':', which join them in breakdown keys, and no leading '-'."""
MIN_POINTS, MAX_POINTS = 2, 11
MIN_GROUP_SIZE_FLOOR = 3
MAX_OPTIONS = 254
"""Demographics take one byte per dimension, 0 meaning not stated and 255 left unused."""

Text = dict[str, str]
"""A translated text: language code -> text."""


@dataclass(frozen=True)
class Option:
    code: str
    label: Text


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Text
    options: tuple[Option, ...]
    question: Text = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    code: str
    text: Text
    reverse: bool = False


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    items: tuple[Item, ...]
    principle: int | None = None
    pillar: int | None = None
    comment: bool = False


@dataclass(frozen=True)
class Scale:
    points: int
    labels: dict[str, tuple[str, ...]]
    favourable: tuple[int, ...]
    dont_know: bool = True


@dataclass(frozen=True)
class RatingRule:
    """Thresholds of the suggested rating (design.md, "Suggested rating"); every one is a campaign setting."""

    plus_plus: float = 0.75
    plus_minus: float = 0.60
    minus_plus: float = 0.40
    equity_gap: float = 0.15
    equity_alpha: float = 0.05


@dataclass(frozen=True)
class Questionnaire:
    title: Text
    languages: tuple[str, ...]
    scale: Scale
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    charter: str | None = None
    min_group_size: int = 5
    comment_min_responses: int = 10
    rating: RatingRule = field(default_factory=RatingRule)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item_index(self) -> dict[str, int]:
        return {item.code: i for i, item in enumerate(self.items)}

    def section_slices(self) -> list[slice]:
        """The columns of each section in the answers matrix, in section order."""
        slices, start = [], 0
        for section in self.sections:
            slices.append(slice(start, start + len(section.items)))
            start += len(section.items)
        return slices
