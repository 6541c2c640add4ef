"""The suggested Implementation rating of a section (design.md, "Suggested rating").

F, the section's favourable share, gives the band: "++" from rule.plus_plus, "+/-" from rule.plus_minus, "-/+"
from rule.minus_plus, else "--". An unsuppressed group at least rule.equity_gap below the rest of the
section's respondents, with a Benjamini-Hochberg adjusted p under rule.equity_alpha, drops the rating one
step. The rating is uncertain when the Wilson interval of F straddles a threshold. The reason is a sentence
for the committee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from consult.gap.tsv import Spelling, format_rating
from consult.surveys.questionnaires.spec import RatingRule
from consult.wording import N_, decimal, interval, localised, say, share

RATINGS = ("--", "-/+", "+/-", "++")
"""From the lowest to the highest."""


@dataclass(frozen=True)
class EquityFinding:
    """One group against the rest of the section's respondents (favourable shares). ``dimension`` and
    ``group`` are labels as questionnaires write them: a string or a mapping of languages."""

    dimension: Any
    group: Any
    favourable: float
    rest: float
    p_adjusted: float | None

    @property
    def gap(self) -> float:
        return self.rest - self.favourable


@dataclass(frozen=True)
class Rating:
    suggested: str | None
    uncertain: bool
    reason: str
    facts: dict[str, Any] = field(default_factory=dict)
    """What the reason says, as plain values: :func:`reason_text` writes it again in any language."""


def band(favourable: float, rule: RatingRule) -> str:
    thresholds = (rule.minus_plus, rule.plus_minus, rule.plus_plus)
    return RATINGS[sum(favourable >= threshold for threshold in thresholds)]


def suggest_rating(
    favourable: float | None,
    ci: tuple[float, float] | None,
    n: int,
    equity_findings: Sequence[EquityFinding],
    rule: RatingRule,
    language: str = "en",
    spelling: Spelling = "compact",
) -> Rating:
    """``spelling``: how the sentence writes the rating, as the campaign's gap analysis does (``++`` or
    ``+/+``); ``Rating.suggested`` is always the code (``++``)."""
    if n <= 0 or favourable is None:
        facts: dict[str, Any] = {"kind": "none" if n <= 0 else "no_share"}
        return Rating(None, False, reason_text(facts, language, spelling), facts)
    rating = band(favourable, rule)
    low, high = _band_thresholds(rating, rule)
    facts = {"kind": "share", "favourable": favourable, "ci": list(ci) if ci else None, "n": n}
    facts |= {"band": rating, "low": low, "high": high, "spanned": _spanned(ci, rule)}
    worst = _worst(equity_findings, rule)
    if worst is not None:
        lowered = RATINGS[max(0, RATINGS.index(rating) - 1)]
        facts["equity"] = _equity_facts(worst, lowered != rating)
        rating = lowered
    return Rating(rating, bool(facts["spanned"]), reason_text(facts, language, spelling), facts)


def suppressed_rating(k: int, language: str = "en") -> Rating:
    """No rating for a section of fewer than k respondents."""
    facts = {"kind": "suppressed", "k": k}
    return Rating(None, False, reason_text(facts, language), facts)


def _band_thresholds(rating: str, rule: RatingRule) -> tuple[float | None, float | None]:
    return {
        "--": (None, rule.minus_plus),
        "-/+": (rule.minus_plus, rule.plus_minus),
        "+/-": (rule.plus_minus, rule.plus_plus),
        "++": (rule.plus_plus, None),
    }[rating]


def _spanned(ci: tuple[float, float] | None, rule: RatingRule) -> list[float]:
    if ci is None:
        return []
    low, high = ci
    return [t for t in (rule.minus_plus, rule.plus_minus, rule.plus_plus) if low < t <= high]


def _worst(findings: Sequence[EquityFinding], rule: RatingRule) -> EquityFinding | None:
    qualifying = [
        finding
        for finding in findings
        if finding.p_adjusted is not None
        and finding.p_adjusted < rule.equity_alpha
        and finding.gap >= rule.equity_gap - 1e-12
    ]
    return max(qualifying, key=lambda finding: finding.gap, default=None)


def _equity_facts(finding: EquityFinding, lowered: bool) -> dict[str, Any]:
    return {
        "dimension": finding.dimension,
        "group": finding.group,
        "gap": finding.gap,
        "p": finding.p_adjusted,
        "lowered": lowered,
    }


NO_RATING = {
    "none": N_("No respondent answered this section: no rating is suggested."),
    "no_share": N_("No answer counts towards the favourable share: no rating is suggested."),
    "suppressed": N_(
        "Fewer than %(k)s respondents answered this section: its figures are suppressed and no rating is "
        "suggested."
    ),
}


def reason_text(facts: Mapping[str, Any], language: str, spelling: Spelling = "compact") -> str:
    """The reason for the committee, in ``language``, from a rating's facts."""
    kind = facts.get("kind")
    if kind in NO_RATING:
        return say(language, NO_RATING[kind], k=facts.get("k", 5))
    sentence = _share_sentence(facts, language, spelling)
    if facts.get("equity"):
        sentence += " " + _equity_sentence(facts["equity"], language)
    return sentence


def _share_sentence(facts: Mapping[str, Any], language: str, spelling: Spelling) -> str:
    favourable, n = facts["favourable"], facts["n"]
    low, high = facts.get("ci") or (favourable, favourable)
    rating = format_rating(facts["band"], spelling)
    values = {"share": share(favourable, language), "n": n, "ci": interval(low, high, language)}
    values |= {"rating": rating, "low": _threshold(facts["low"], language)}
    values["high"] = _threshold(facts["high"], language)
    if facts["low"] is None:
        message = N_(
            "%(share)s of %(n)s respondents answered favourably (95%% CI %(ci)s), below the %(high)s "
            "threshold: %(rating)s"
        )
    elif facts["high"] is None:
        message = N_(
            "%(share)s of %(n)s respondents answered favourably (95%% CI %(ci)s), at or above the "
            "%(low)s threshold: %(rating)s"
        )
    else:
        message = N_(
            "%(share)s of %(n)s respondents answered favourably (95%% CI %(ci)s), between the "
            "%(low)s and %(high)s thresholds: %(rating)s"
        )
    sentence = say(language, message, **values)
    if facts.get("spanned"):
        spanned = say(language, N_(" and ")).join(share(t, language) for t in facts["spanned"])
        sentence += say(language, N_(" (uncertain: the interval spans %(thresholds)s)"), thresholds=spanned)
    return sentence + "."


def reason_of(rating: Mapping[str, Any] | None, language: str, spelling: Spelling = "compact") -> str:
    """A results section's reason in ``language``; results made before reasons kept their facts give the
    sentence they stored."""
    rating = rating or {}
    facts = rating.get("facts")
    if not facts:
        return str(rating.get("reason") or "")
    return reason_text(facts, language, spelling) + basis_sentence(facts.get("basis"), language)


BASIS = {
    True: N_("Weighted to the staff headcounts (%(method)s); unweighted, %(share)s answered favourably."),
    False: N_("Unweighted figures; weighted to the staff headcounts, %(share)s would answer favourably."),
}
METHODS = {"post-stratification": N_("post-stratification"), "raking": N_("raking")}


def basis_sentence(basis: Mapping[str, Any] | str | None, language: str) -> str:
    """Which figures, weighted or not, the rating used, and the other one, after a space; results made
    before the basis kept its facts give the sentence they stored."""
    if not basis or isinstance(basis, str):
        return str(basis or "")
    method = say(language, METHODS.get(basis["method"], basis["method"]))
    other = share(basis["other"], language)
    return " " + say(language, BASIS[bool(basis["weighted"])], method=method, share=other)


def _threshold(value: float | None, language: str) -> str:
    return "" if value is None else share(value, language)


def _equity_sentence(equity: Mapping[str, Any], language: str) -> str:
    p = equity.get("p") or 0.0
    shown_p = (
        say(language, N_("p < %(p)s"), p=decimal(0.001, language, 3))
        if p < 0.001
        else (say(language, N_("p = %(p)s"), p=decimal(p, language, 3)))
    )
    effect = N_("one step down") if equity.get("lowered") else N_("the rating is already the lowest")
    return say(
        language,
        N_(
            'The group "%(group)s" (%(dimension)s) is %(gap)s points below the other respondents '
            "(%(p)s after adjustment): %(effect)s."
        ),
        group=localised(equity.get("group"), language),
        dimension=localised(equity.get("dimension"), language),
        gap=round(100 * equity.get("gap", 0.0)),
        p=shown_p,
        effect=say(language, effect),
    )
