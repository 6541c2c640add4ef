"""The internal review of a campaign against the previous one: the previous plan's actions with their bound
indicators evaluated on this campaign's released figures, and the change of every principle's rating and
favourable share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from consult.analysis.services import latest_results
from consult.charter.reference import crosswalk
from consult.extensions import db
from consult.gap.models import final_ratings
from consult.hrs4r import indicators as bound
from consult.hrs4r.models import Action, Indicator
from consult.hrs4r.services import binding_of, plan
from consult.surveys.campaigns.models import Campaign


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    baseline: float | None
    evaluation: bound.Evaluation | None
    """None while the later campaign has no results."""


@dataclass(frozen=True)
class PrincipleChange:
    code: str
    principle: int | None
    title: dict | str | None
    rating: str | None
    previous_ratings: tuple[str, ...]
    favourable: float | None
    previous_favourable: float | None
    difference: float | None
    p: float | None
    suppressed: bool


def later_campaign(campaign: Campaign) -> Campaign | None:
    """The most recent campaign that follows ``campaign``."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.previous_campaign_id == campaign.id)
        .order_by(Campaign.id.desc())
        .limit(1)
    )


def crosswalk_for(plan_campaign: Campaign, later: Campaign) -> dict | None:
    charters = (plan_campaign.questionnaire.charter_version, later.questionnaire.charter_version)
    return crosswalk() if charters == ("2005", "2023") else None


def evaluate_action(action: Action, plan_campaign: Campaign, later: Campaign | None) -> list[IndicatorResult]:
    results = latest_results(later) if later is not None else None
    walk = crosswalk_for(plan_campaign, later) if later is not None else None
    charter = plan_campaign.questionnaire.charter_version
    found = []
    for indicator in action.indicators:
        evaluation = None
        if results is not None:
            figure = bound.figure_of(results, binding_of(indicator), charter, walk)
            evaluation = bound.evaluate(figure, indicator.comparator, indicator.target)
        found.append(IndicatorResult(indicator, indicator.baseline, evaluation))
    return found


def evaluated_plan(
    plan_campaign: Campaign, later: Campaign | None
) -> list[tuple[Action, list[IndicatorResult]]]:
    return [(action, evaluate_action(action, plan_campaign, later)) for action in plan(plan_campaign.id)]


def principle_changes(campaign: Campaign) -> list[PrincipleChange]:
    """Every principle of ``campaign``: its rating and favourable share now and in the previous campaign
    (through the crosswalk when the charter changed); suppressed sections show no figure."""
    results = latest_results(campaign) or {}
    previous = campaign.previous_campaign
    before = (latest_results(previous) or {}) if previous else {}
    finals = final_ratings(previous.id) if previous else {}
    walk = crosswalk_for(previous, campaign) if previous else None
    titles = {section.code: section.title for section in campaign.questionnaire.sections}
    return [
        _principle_change(section, before, finals, walk, titles.get(section["code"]))
        for section in results.get("sections", [])
    ]


def _principle_change(
    section: dict, before: dict, finals: dict, walk: dict | None, title: dict | None
) -> PrincipleChange:
    earlier = _previous_sections(section, before, walk)
    rating = section.get("rating") or {}
    change = section.get("change") or {}
    previous_ratings = tuple(
        finals.get(s["code"]) or (s.get("rating") or {}).get("suggested") or "\u2013" for s in earlier
    )
    return PrincipleChange(
        section["code"],
        section.get("principle"),
        title or section.get("title"),
        rating.get("final") or rating.get("suggested"),
        previous_ratings,
        section.get("favourable"),
        change.get("previous_favourable"),
        change.get("difference"),
        change.get("p"),
        bool(section.get("suppressed")),
    )


def _previous_sections(section: dict, before: dict, walk: dict | None) -> list[dict]:
    sections = before.get("sections", [])
    if walk is not None:
        wanted = set(walk.get(section.get("principle"), ()))
        return [s for s in sections if s.get("principle") in wanted]
    return [s for s in sections if s.get("code") == section["code"]]
