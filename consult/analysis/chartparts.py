"""Which charts a section has, each of a bounded size: one plan for drawing, storing, pages and exports.

A chart that would grow past an A4 page's text or a 16:9 slide is split into parts: the answer distribution
by groups of statements, the group chart by breakdowns (or groups of one), and the heat map into one panel
per breakdown (each dimension's groups, each two-way crossing), a long panel by rows. Pure: no matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consult.analysis.chart_common import (
    DimensionLabels,
    chunks,
    dimension_label,
    one_way_keys,
    two_way_keys,
    words,
)

FAMILIES = ("distribution", "by_group", "heatmap")
KIND = re.compile(r"(distribution|by_group|heatmap)(?:-([1-9][0-9]{0,2}))?")
"""A stored chart's kind: its family, then its part's number when it has several (at most 16 characters)."""
MAX_ITEMS = 8
"""Statements per distribution chart."""
MAX_HEAT_ROWS = 10
"""Rows per heat map panel."""
GROUP_BUDGET = 5.6
"""Inches of groups per group chart (0.36 a group and 0.45 a breakdown's heading)."""

Segment = tuple[str, int, int]
"""(breakdown key, or "items" for the distribution; first row; row after the last)"""


@dataclass(frozen=True)
class ChartPart:
    kind: str
    family: str
    subject: str
    segments: tuple[Segment, ...]


def kind_order(kind: str) -> tuple[int, int]:
    """Kinds in reading order: families in order, then parts by number (heatmap-10 after heatmap-9)."""
    found = KIND.fullmatch(kind)
    if found is None:
        return (len(FAMILIES), 0)
    return (FAMILIES.index(found.group(1)), int(found.group(2) or 1))


def family_of(kind: str) -> str | None:
    found = KIND.fullmatch(kind)
    return found.group(1) if found else None


def chart_parts(section: Mapping[str, Any], dims: DimensionLabels, language: str) -> list[ChartPart]:
    """Every chart of a section in reading order: distribution, group chart, heat map panels."""
    if section.get("suppressed") or not section.get("items"):
        return []
    return [
        *_numbered("distribution", _distribution(section, language)),
        *_numbered("by_group", _by_group(section, dims)),
        *_numbered("heatmap", _heatmap(section, dims, language), always=True),
    ]


def _numbered(family: str, parts: list[tuple[str, tuple[Segment, ...]]], always: bool = False) -> list:
    """The first part of a family keeps the family's name, unless every part is numbered (heat maps)."""
    return [
        ChartPart(family if index == 1 and not always else f"{family}-{index}", family, subject, segments)
        for index, (subject, segments) in enumerate(parts, start=1)
    ]


def _part_word(index: int, total: int, language: str) -> str:
    return words(language)["part"].format(n=index, total=total) if total > 1 else ""


def _distribution(section: Mapping[str, Any], language: str) -> list[tuple[str, tuple[Segment, ...]]]:
    parts = chunks(len(section.get("items") or []), MAX_ITEMS)
    return [
        (_part_word(i, len(parts), language), (("items", rows.start, rows.stop),))
        for i, rows in enumerate(parts, start=1)
    ]


def _group_count(section: Mapping[str, Any], key: str) -> int:
    return len(section["breakdowns"][key].get("groups", []))


def _by_group(section: Mapping[str, Any], dims: DimensionLabels) -> list[tuple[str, tuple[Segment, ...]]]:
    """Breakdowns packed into charts while they fit; a breakdown too long for one is split by groups."""
    per_chart = int((GROUP_BUDGET - 0.45) / 0.36)
    segments = [
        (key, rows.start, rows.stop)
        for key in one_way_keys(section, dims)
        for rows in chunks(_group_count(section, key), per_chart)
    ]
    parts: list[list[Segment]] = []
    used = GROUP_BUDGET
    for segment in segments:
        height = 0.45 + 0.36 * (segment[2] - segment[1])
        if used + height > GROUP_BUDGET:
            parts.append([])
            used = 0.0
        parts[-1].append(segment)
        used += height
    return [
        (", ".join(dict.fromkeys(dimension_label(dims, s[0]) for s in part)), tuple(part)) for part in parts
    ]


def _heat_rows(section: Mapping[str, Any], key: str) -> int:
    if ":" not in key:
        return 1 + _group_count(section, key)
    groups = section["breakdowns"][key].get("groups", [])
    return len(dict.fromkeys(str(g["code"]).split(":", 1)[0] for g in groups))


def heat_title(key: str, dims: DimensionLabels) -> str:
    return " \u00d7 ".join(dimension_label(dims, part) for part in key.split(":", 1))


def _heatmap(
    section: Mapping[str, Any], dims: DimensionLabels, language: str
) -> list[tuple[str, tuple[Segment, ...]]]:
    parts = []
    for key in [*one_way_keys(section, dims), *two_way_keys(section)]:
        pieces = chunks(_heat_rows(section, key), MAX_HEAT_ROWS)
        for index, rows in enumerate(pieces, start=1):
            subject = " · ".join(
                filter(None, [heat_title(key, dims), _part_word(index, len(pieces), language)])
            )
            parts.append((subject, ((key, rows.start, rows.stop),)))
    return parts
