"""Significance tests told in plain words, for a working group that does not read statistics.

Effect sizes fall in conventional bands: the rank-biserial correlation of a Mann-Whitney test (|r| 0.1,
0.3, 0.5, after Cohen) and the epsilon-squared of a Kruskal-Wallis test (0.01, 0.06, 0.14, as eta-squared).
Groups are ordered by their favourable share, the figure the page shows beside them (by mean score, which
is what both tests compare, when a share is missing).

The results store each breakdown's test (p values, effect size), never a sentence: the sentences are written
here when a page or a document is read, through the app's Babel catalogue in the reader's language, with
numbers formatted for that locale (:mod:`consult.wording`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consult.wording import N_, decimal, say, share

ALPHA = 0.05
BANDS = {
    "mann-whitney": ((0.1, "negligible"), (0.3, "small"), (0.5, "medium")),
    "kruskal-wallis": ((0.01, "negligible"), (0.06, "small"), (0.14, "medium")),
}
DIFFERENCES = {
    "negligible": N_("negligible difference"),
    "small": N_("small difference"),
    "medium": N_("medium difference"),
    "large": N_("large difference"),
}
TWO_GROUPS = N_(
    "Respondents in “%(low)s” answered less favourably than those in “%(high)s” (%(difference)s, %(p)s)"
)
MANY_GROUPS = N_(
    "Answers differ by %(dimension)s (%(difference)s, %(p)s): least favourable “%(low)s” "
    "(%(low_share)s favourable), most favourable “%(high)s” (%(high_share)s)"
)
NO_DIFFERENCE = N_("No clear difference by %(dimension)s (%(p)s)")
ADJUSTED = N_("p = %(p)s after adjustment")
ADJUSTED_BELOW = N_("p < %(p)s after adjustment")


@dataclass(frozen=True)
class Finding:
    """What a breakdown's test says: flagged when significant after adjustment."""

    dimension: str
    significant: bool
    size: str | None
    sentence: str


def effect_band(test_name: str, effect_size: float | None) -> str | None:
    if effect_size is None or test_name not in BANDS:
        return None
    for limit, band in BANDS[test_name]:
        if abs(effect_size) < limit:
            return band
    return "large"


def p_words(p: float, language: str = "en") -> str:
    """An adjusted p value in words, its number as the locale writes it (0.012, 0,012)."""
    if p < 0.001:
        return say(language, ADJUSTED_BELOW, p=decimal(0.001, language, 3))
    return say(language, ADJUSTED, p=decimal(p, language, 3 if p < 0.1 else 2))


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Career stage" becomes "career stage", "R&D unit" or "IMT" stay."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def describe_test(
    dimension: str,
    groups: Sequence[Mapping[str, Any]],
    test: Mapping[str, Any] | None,
    labels: Mapping[str, str],
    language: str = "en",
) -> Finding | None:
    """The plain-words finding of one breakdown in ``language``; ``labels`` names the groups; None when
    nothing was tested."""
    tested = [g for g in groups if not g.get("suppressed") and g.get("mean") is not None]
    if not test or test.get("p") is None or len(tested) < 2:
        return None
    p = test.get("p_adjusted") if test.get("p_adjusted") is not None else test["p"]
    if p >= ALPHA:
        sentence = say(language, NO_DIFFERENCE, dimension=in_sentence(dimension), p=p_words(p, language))
        return Finding(dimension, False, None, sentence)
    band = effect_band(str(test.get("name")), test.get("effect_size"))
    low, high = min(tested, key=_order), max(tested, key=_order)
    values = {
        "dimension": in_sentence(dimension),
        "difference": say(language, DIFFERENCES[band or "medium"]),
        "p": p_words(p, language),
        "low": labels.get(low["code"], low["code"]),
        "high": labels.get(high["code"], high["code"]),
        "low_share": _share(low, language),
        "high_share": _share(high, language),
    }
    sentence = say(language, TWO_GROUPS if len(tested) == 2 else MANY_GROUPS, **values)
    return Finding(dimension, True, band, sentence)


def _order(group: Mapping[str, Any]) -> tuple[float, float]:
    share_ = group.get("favourable")
    return (float(share_) if share_ is not None else -1.0, float(group["mean"]))


def _share(group: Mapping[str, Any], language: str) -> str:
    return share(group["favourable"], language) if group.get("favourable") is not None else "\u2013"
