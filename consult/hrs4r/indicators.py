"""Bound indicators: read a figure from a campaign's released results, and evaluate a target against it.
Pure module, over the results JSON (design.md, "Results"), so that only released figures are ever used: a
suppressed section, item or group makes the indicator not measurable.

A figure is found by section code when the charter is the same; when a campaign of the 2023 charter follows
one of the 2005 charter, the 2023 sections that take over the 2005 principle (the charter's crosswalk) are
pooled as the analysis pools them for the change since the previous campaign: favourable answers over
answers, and the answers' sum over answers for the mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consult.analysis.stats import wilson_interval

SCOPES = ("section", "item")
METRICS = ("favourable", "mean", "gap")
COMPARATORS = (">=", "<=")
MET, NOT_MET, SUPPRESSED, MISSING = "met", "not-met", "suppressed", "missing"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Binding:
    """What an indicator measures. ``code``: a section or item code of the plan's campaign; ``principle``:
    that section's principle number (for the crosswalk); a group is ``dimension`` and ``group`` codes; the
    ``gap`` metric is the group's favourable share minus everyone's."""

    scope: str
    code: str
    metric: str
    principle: int | None = None
    dimension: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Figure:
    value: float | None
    low: float | None = None
    high: float | None = None
    status: str = "released"
    """``released``, ``suppressed`` (some figure it needs is below k) or ``missing`` (not in the campaign)."""


@dataclass(frozen=True)
class Evaluation:
    outcome: str
    figure: Figure


def check_binding(binding: Binding) -> None:
    """ValueError naming what is wrong with a binding."""
    if binding.scope not in SCOPES:
        raise ValueError(f"unknown scope {binding.scope!r}: expected one of {', '.join(SCOPES)}")
    if binding.metric not in METRICS:
        raise ValueError(f"unknown figure {binding.metric!r}: expected one of {', '.join(METRICS)}")
    if (binding.dimension is None) != (binding.group is None):
        raise ValueError("a group is a dimension and one of its options: give both or neither")
    if binding.metric == "gap" and binding.group is None:
        raise ValueError("a gap is a group's: choose the group")
    if binding.scope == "item" and binding.group is not None:
        raise ValueError("the results break sections down by group, not items: bind the principle instead")


def figure_of(
    results: Mapping[str, Any],
    binding: Binding,
    charter: str | None,
    crosswalk: Mapping[int, Sequence[int]] | None = None,
) -> Figure:
    """The figure ``binding`` names in ``results``; ``charter`` is the charter of the campaign the binding was
    made in; ``crosswalk`` maps each 2023 principle to the 2005 principles it takes over."""
    if binding.scope == "item":
        return _item_figure(results, binding)
    sections = matching_sections(results, binding, charter, crosswalk)
    if not sections:
        return Figure(None, status=MISSING)
    if any(section.get("suppressed") for section in sections):
        return Figure(None, status=SUPPRESSED)
    if binding.group is None:
        return _pooled(sections, binding.metric)
    if len(sections) != 1:
        return Figure(None, status=MISSING)
    return _group_figure(sections[0], binding)


def matching_sections(
    results: Mapping[str, Any], binding: Binding, charter: str | None, crosswalk: Mapping | None
) -> list[dict]:
    sections = list(results.get("sections", []))
    later = (results.get("campaign") or {}).get("charter")
    if charter == "2005" and later == "2023" and binding.principle is not None and crosswalk:
        wanted = {new for new, old in crosswalk.items() if binding.principle in old}
        return [s for s in sections if s.get("principle") in wanted]
    same = [s for s in sections if s.get("code") == binding.code]
    if same or binding.principle is None:
        return same
    return [s for s in sections if s.get("principle") == binding.principle]


def _pooled(sections: list[dict], metric: str) -> Figure:
    answers = sum(int(s.get("answers") or 0) for s in sections)
    if answers == 0:
        return Figure(None, status=MISSING)
    if metric == "mean":
        return Figure(sum(s["mean"] * s["answers"] for s in sections if s.get("answers")) / answers)
    liked = sum(int(s.get("favourable_count") or 0) for s in sections)
    interval = wilson_interval(liked, answers)
    return Figure(liked / answers, *(interval or (None, None)))


def _group_figure(section: dict, binding: Binding) -> Figure:
    groups = (section.get("breakdowns") or {}).get(binding.dimension, {}).get("groups", [])
    group = next((g for g in groups if g.get("code") == binding.group), None)
    if group is None:
        return Figure(None, status=MISSING)
    if group.get("suppressed"):
        return Figure(None, status=SUPPRESSED)
    if binding.metric == "mean":
        return Figure(group.get("mean"))
    if binding.metric == "gap":
        return Figure(group["favourable"] - section["favourable"])
    return Figure(group.get("favourable"))


def _item_figure(results: Mapping[str, Any], binding: Binding) -> Figure:
    item = next(
        (i for s in results.get("sections", []) for i in s.get("items", []) if i.get("code") == binding.code),
        None,
    )
    if item is None:
        return Figure(None, status=MISSING)
    if item.get("suppressed"):
        return Figure(None, status=SUPPRESSED)
    if binding.metric == "mean":
        return Figure(item["mean"], *_mean_interval(item))
    low, high = item.get("favourable_ci") or (None, None)
    return Figure(item["favourable"], low, high)


def _mean_interval(item: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The normal-approximation 95% interval of an item's mean, from its released sd and n."""
    n, sd, mean = item.get("n") or 0, item.get("sd"), item.get("mean")
    if n < 2 or sd is None or mean is None:
        return None, None
    half = Z95 * sd / math.sqrt(n)
    return mean - half, mean + half


def evaluate(figure: Figure, comparator: str, target: float) -> Evaluation:
    """Met, not met, or not measurable (``suppressed`` or ``missing``) when the figure was not released."""
    if figure.status != "released" or figure.value is None:
        return Evaluation(figure.status if figure.status != "released" else MISSING, figure)
    reached = figure.value >= target if comparator == ">=" else figure.value <= target
    return Evaluation(MET if reached else NOT_MET, figure)
