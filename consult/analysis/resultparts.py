"""Pieces of the results JSON: labels, items, suppressed sections and the change since a previous campaign."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from consult.analysis.stats import item_stats, two_proportion_test
from consult.charter import reference
from consult.surveys.questionnaires.spec import Questionnaire, Section

_SECTION_FIGURES = ("n", "mean", "favourable", "favourable_ci", "favourable_count", "answers", "alpha")


def label(text: Any, language: str) -> str | None:
    """A translated text in ``language``, else in English, else in any language; a plain string as it is."""
    if text is None or isinstance(text, str):
        return text
    return text.get(language) or text.get("en") or next(iter(text.values()), None)


def item_json(code: str, counts: np.ndarray, q: Questionnaire, k: int) -> dict:
    """An item's figures from its keyed counts; code and ``suppressed`` only when 1..k-1 answered it."""
    stats = item_stats(counts, q.scale.favourable)
    if 0 < stats.n < k:
        return {"code": code, "suppressed": True}
    return {
        "code": code,
        "n": stats.n,
        "dont_know": stats.dont_know,
        "counts": stats.counts,
        "mean": stats.mean,
        "sd": stats.sd,
        "favourable": stats.favourable,
        "favourable_ci": list(stats.favourable_ci) if stats.favourable_ci else None,
        "suppressed": False,
    }


def suppressed_section(section: Section, q: Questionnaire) -> dict:
    """A section of 1..k-1 respondents: codes only."""
    breakdowns = {}
    dimensions = range(len(q.dimensions))
    for key in [(d,) for d in dimensions] + list(itertools.combinations(dimensions, 2)):
        codes = itertools.product(*([o.code for o in q.dimensions[d].options] for d in key))
        breakdowns[":".join(q.dimensions[d].code for d in key)] = {
            "groups": [{"code": ":".join(code), "suppressed": True} for code in codes],
            "test": None,
            "chi2": None,
        }
    return dict.fromkeys(_SECTION_FIGURES) | {
        "suppressed": True,
        "items": [{"code": item.code, "suppressed": True} for item in section.items],
        "breakdowns": breakdowns,
    }


def change(
    section: Mapping[str, Any],
    q: Questionnaire,
    previous: Mapping[str, Any],
    crosswalk: Mapping[int, Sequence[int]] | None,
) -> dict | None:
    """Favourable share now against the previous campaign's, with the pooled two-proportion test.

    Sections match by code when both campaigns use the same charter; across the 2005 and 2023 charters the
    previous sections of the principles the crosswalk maps to this one are pooled.
    """
    if section.get("suppressed") or not section.get("answers"):
        return None
    matched = _matching(section, q, previous, crosswalk)
    liked = sum(int(p.get("favourable_count") or 0) for p in matched)
    answers = sum(int(p.get("answers") or 0) for p in matched)
    if answers == 0:
        return None
    before = liked / answers
    test = two_proportion_test(section["favourable_count"], section["answers"], liked, answers)
    return {
        "previous_favourable": before,
        "difference": section["favourable"] - before,
        "p": test[1] if test else None,
    }


def _matching(section: Mapping, q: Questionnaire, previous: Mapping, crosswalk: Mapping | None) -> list[dict]:
    candidates = [p for p in previous.get("sections", []) if not p.get("suppressed")]
    charter = (previous.get("campaign") or {}).get("charter", q.charter)
    principle = section.get("principle")
    if charter == q.charter or principle is None or charter is None or q.charter is None:
        same_code = [p for p in candidates if p.get("code") == section["code"]]
        return same_code or [
            p for p in candidates if principle is not None and p.get("principle") == principle
        ]
    mapping = crosswalk if crosswalk is not None else reference.crosswalk()
    if q.charter == "2023":
        wanted = set(mapping.get(principle, ()))
    else:
        wanted = {new for new, old in mapping.items() if principle in old}
    return [p for p in candidates if p.get("principle") in wanted]
