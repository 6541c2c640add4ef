"""Reference data of the submission: the OTM-R checklist, action statuses, timing periods and the
organisational figures the e-tool asks for. Pure module."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

STATUSES = ("planned", "in-progress", "done", "delayed", "cancelled")
_PERIOD = re.compile(r"^(20\d\d)-(Q[1-4]|S[12])$")


@dataclass(frozen=True)
class OtmrQuestion:
    number: int
    group: int
    text: dict[str, str]
    open: bool
    transparent: bool
    merit: bool


@dataclass(frozen=True)
class OtmrGroup:
    number: int
    name: dict[str, str]
    questions: tuple[OtmrQuestion, ...]


@cache
def otmr_groups() -> tuple[OtmrGroup, ...]:
    text = resources.files("consult.hrs4r").joinpath("data", "otmr.yaml").read_text(encoding="utf-8")
    return tuple(_group(entry) for entry in yaml.safe_load(text)["groups"])


def _group(entry: dict) -> OtmrGroup:
    questions = tuple(
        OtmrQuestion(
            q["number"], entry["number"], {"en": q["en"], "fr": q["fr"]}, *(c in q["otm"] for c in "otm")
        )
        for q in entry["questions"]
    )
    return OtmrGroup(entry["number"], dict(entry["name"]), questions)


def otmr_questions() -> tuple[OtmrQuestion, ...]:
    return tuple(question for group in otmr_groups() for question in group.questions)


def period_key(period: str) -> tuple[int, int, int]:
    """A period (``2026-Q3`` or ``2026-S1``) as (year, first month, last month), for ordering and checks;
    ValueError when it is written otherwise."""
    match = _PERIOD.match(period.strip().upper())
    if not match:
        raise ValueError(
            f"{period!r} is not a period: write a year and a quarter or semester, as 2026-Q3 or 2026-S1"
        )
    year, part = int(match[1]), match[2]
    span = 3 if part[0] == "Q" else 6
    first = (int(part[1]) - 1) * span + 1
    return year, first, first + span - 1


def normalise_period(period: str) -> str:
    period = period.strip().upper()
    if period:
        period_key(period)
    return period


def check_timing(start: str, end: str) -> None:
    if start and end and period_key(end)[0::2] < period_key(start)[:2]:
        raise ValueError(f"the action ends ({end}) before it starts ({start})")


ORGANISATION_FIGURES = (
    ("researchers_fte", "number"),
    ("researchers_international", "number"),
    ("researchers_external_funding", "number"),
    ("researchers_women", "number"),
    ("researchers_r3_r4", "number"),
    ("researchers_r2", "number"),
    ("researchers_r1", "number"),
    ("students", "number"),
    ("total_staff", "number"),
    ("budget_total", "money"),
    ("budget_block_funding", "money"),
    ("budget_competitive", "money"),
    ("budget_private", "money"),
)
"""The e-tool's organisational figures, in its order: researchers (FTE) and their breakdowns, students,
staff, budget lines (euros)."""
