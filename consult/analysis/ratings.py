"""The suggested Implementation rating of a section (design.md, "Suggested rating").

F, the section's favourable share, gives the band: "++" from rule.plus_plus, "+/-" from rule.plus_minus, "-/+"
from rule.minus_plus, else "--". An unsuppressed group at least rule.equity_gap below the rest of the
section's respondents, with a Benjamini-Hochberg adjusted p under rule.equity_alpha, drops the rating one
step. The rating is uncertain when the Wilson interval of F straddles a threshold. The reason is a sentence
for the committee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consult.gap.tsv import Spelling, format_rating
from consult.surveys.questionnaires.spec import RatingRule

RATINGS = ("--", "-/+", "+/-", "++")
"""From the lowest to the highest."""


@dataclass(frozen=True)
class EquityFinding:
    """One group against the rest of the section's respondents (favourable shares)."""

    dimension: str
    group: str
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


_TEXT = {
    "en": {
        "none": "No respondent answered this section: no rating is suggested.",
        "suppressed": "Fewer than {k} respondents answered this section: its figures are suppressed and no "
        "rating is suggested.",
        "no_share": "No answer counts towards the favourable share: no rating is suggested.",
        "share": "{share} of {n} respondents answered favourably (95% CI {low}-{high})",
        "above": "at or above the {top} threshold",
        "between": "between the {low} and {high} thresholds",
        "below": "below the {low} threshold",
        "uncertain": " (uncertain: the interval spans {thresholds})",
        "and": " and ",
        "equity": ' The group "{group}" ({dimension}) is {gap} points below the other respondents ({p} after '
        "adjustment): {effect}.",
        "down": "one step down",
        "floor": "the rating is already the lowest",
        "p_small": "p < 0.001",
        "p": "p = {p}",
        "percent": "{value}%",
        "colon": ": ",
    },
    "fr": {
        "none": "Aucun répondant n'a répondu à cette section : aucune note n'est proposée.",
        "suppressed": "Moins de {k} répondants ont répondu à cette section : ses chiffres sont masqués et "
        "aucune note n'est proposée.",
        "no_share": "Aucune réponse ne compte pour la part favorable : aucune note n'est proposée.",
        "share": "{share} des {n} répondants ont répondu favorablement (IC à 95 % {low}-{high})",
        "above": "au-dessus du seuil de {top}",
        "between": "entre les seuils de {low} et {high}",
        "below": "sous le seuil de {low}",
        "uncertain": " (incertain : l'intervalle couvre {thresholds})",
        "and": " et ",
        "equity": " Le groupe « {group} » ({dimension}) est {gap} points en dessous des autres "
        "répondants ({p} après ajustement) : {effect}.",
        "down": "un cran plus bas",
        "floor": "la note est déjà la plus basse",
        "p_small": "p < 0,001",
        "p": "p = {p}",
        "percent": "{value} %",
        "colon": " : ",
    },
}


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
    text = _TEXT.get(language, _TEXT["en"])
    if n <= 0:
        return Rating(None, False, text["none"])
    if favourable is None:
        return Rating(None, False, text["no_share"])
    rating = band(favourable, rule)
    spanned = _spanned(ci, rule)
    reason = _share_sentence(favourable, ci, n, rating, spanned, rule, text, spelling)
    worst = _worst(equity_findings, rule)
    if worst is not None:
        lowered = RATINGS[max(0, RATINGS.index(rating) - 1)]
        reason += _equity_sentence(worst, lowered != rating, text, language)
        rating = lowered
    return Rating(rating, bool(spanned), reason)


def suppressed_rating(k: int, language: str = "en") -> Rating:
    """No rating for a section of fewer than k respondents."""
    return Rating(None, False, _TEXT.get(language, _TEXT["en"])["suppressed"].format(k=k))


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


def _share_sentence(
    favourable, ci, n, rating, spanned, rule: RatingRule, text: dict, spelling: Spelling
) -> str:
    def percent(value: float) -> str:
        return text["percent"].format(value=round(100 * value))

    low, high = ci if ci is not None else (favourable, favourable)
    share = text["share"].format(share=percent(favourable), n=n, low=round(100 * low), high=percent(high))
    thresholds = {
        "--": (None, rule.minus_plus),
        "-/+": (rule.minus_plus, rule.plus_minus),
        "+/-": (rule.plus_minus, rule.plus_plus),
        "++": (rule.plus_plus, None),
    }[rating]
    if thresholds[0] is None:
        position = text["below"].format(low=percent(thresholds[1]))
    elif thresholds[1] is None:
        position = text["above"].format(top=percent(thresholds[0]))
    else:
        position = text["between"].format(low=percent(thresholds[0]), high=percent(thresholds[1]))
    sentence = f"{share}, {position}{text['colon']}{format_rating(rating, spelling)}"
    if spanned:
        sentence += text["uncertain"].format(thresholds=text["and"].join(percent(t) for t in spanned))
    return sentence + "."


def _equity_sentence(finding: EquityFinding, lowered: bool, text: dict, language: str) -> str:
    p = finding.p_adjusted
    shown_p = text["p_small"] if p < 0.001 else text["p"].format(p=_decimal(p, language))
    return text["equity"].format(
        group=finding.group,
        dimension=finding.dimension,
        gap=round(100 * finding.gap),
        p=shown_p,
        effect=text["down"] if lowered else text["floor"],
    )


def _decimal(value: float, language: str) -> str:
    shown = f"{value:.3f}"
    return shown.replace(".", ",") if language == "fr" else shown
