"""Significance tests told in plain words, for a working group that does not read statistics.

Effect sizes fall in conventional bands: the rank-biserial correlation of a Mann-Whitney test (|r| 0.1,
0.3, 0.5, after Cohen) and the epsilon-squared of a Kruskal-Wallis test (0.01, 0.06, 0.14, as eta-squared).
Groups are ordered by their favourable share, the figure the page shows beside them (by mean score, which
is what both tests compare, when a share is missing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALPHA = 0.05
BANDS = {
    "mann-whitney": ((0.1, "negligible"), (0.3, "small"), (0.5, "medium")),
    "kruskal-wallis": ((0.01, "negligible"), (0.06, "small"), (0.14, "medium")),
}
WORDS = {
    "en": {
        "negligible": "negligible",
        "small": "small",
        "medium": "medium",
        "large": "large",
        "two": "Respondents in “{low}” answered less favourably than those in “{high}” "
        "({size} difference, {p})",
        "many": "Answers differ by {dimension} ({size} difference, {p}): least favourable “{low}” "
        "({low_share} favourable), most favourable “{high}” ({high_share})",
        "none": "No clear difference by {dimension} ({p})",
        "adjusted": "p = {p} after adjustment",
        "adjusted_below": "p < 0.001 after adjustment",
    },
    "fr": {
        "negligible": "négligeable",
        "small": "faible",
        "medium": "moyenne",
        "large": "forte",
        "two": "Les répondants «\u00a0{low}\u00a0» ont répondu moins favorablement que ceux de "
        "«\u00a0{high}\u00a0» (différence {size}, {p})",
        "many": "Les réponses diffèrent selon {dimension} (différence {size}, {p})\u202f: les moins "
        "favorables «\u00a0{low}\u00a0» ({low_share} favorables), les plus favorables «\u00a0{high}\u00a0» "
        "({high_share})",
        "none": "Pas de différence nette selon {dimension} ({p})",
        "adjusted": "p = {p} après ajustement",
        "adjusted_below": "p < 0,001 après ajustement",
    },
}


@dataclass(frozen=True)
class Finding:
    """What a breakdown's test says: flagged when significant after adjustment."""

    dimension: str
    significant: bool
    size: str | None
    sentence: str


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def effect_band(test_name: str, effect_size: float | None) -> str | None:
    if effect_size is None or test_name not in BANDS:
        return None
    for limit, band in BANDS[test_name]:
        if abs(effect_size) < limit:
            return band
    return "large"


def p_words(p: float, language: str) -> str:
    if p < 0.001:
        return words(language)["adjusted_below"]
    text = f"{p:.3f}" if p < 0.1 else f"{p:.2f}"
    return words(language)["adjusted"].format(p=text.replace(".", ",") if language == "fr" else text)


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Career stage" becomes "career stage", "R&D unit" or "IMT" stay."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def percent(share: float, language: str) -> str:
    return f"{100 * share:.0f}\u202f%" if language == "fr" else f"{100 * share:.0f}%"


def describe_test(
    dimension: str,
    groups: Sequence[Mapping[str, Any]],
    test: Mapping[str, Any] | None,
    labels: Mapping[str, str],
    language: str = "en",
) -> Finding | None:
    """The plain-words finding of one breakdown; ``labels`` names the groups; None when nothing was tested."""
    tested = [g for g in groups if not g.get("suppressed") and g.get("mean") is not None]
    if not test or test.get("p") is None or len(tested) < 2:
        return None
    p = test.get("p_adjusted") if test.get("p_adjusted") is not None else test["p"]
    said = words(language)
    if p >= ALPHA:
        sentence = said["none"].format(dimension=in_sentence(dimension), p=p_words(p, language))
        return Finding(dimension, False, None, sentence)
    band = effect_band(str(test.get("name")), test.get("effect_size"))
    size = said[band] if band else said["medium"]
    low, high = min(tested, key=_order), max(tested, key=_order)
    values = {
        "dimension": in_sentence(dimension),
        "size": size,
        "p": p_words(p, language),
        "low": labels.get(low["code"], low["code"]),
        "high": labels.get(high["code"], high["code"]),
        "low_share": _share(low, language),
        "high_share": _share(high, language),
    }
    sentence = (said["two"] if len(tested) == 2 else said["many"]).format(**values)
    return Finding(dimension, True, band, sentence)


def _order(group: Mapping[str, Any]) -> tuple[float, float]:
    share = group.get("favourable")
    return (float(share) if share is not None else -1.0, float(group["mean"]))


def _share(group: Mapping[str, Any], language: str) -> str:
    return percent(group["favourable"], language) if group.get("favourable") is not None else "\u2013"
