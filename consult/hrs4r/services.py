"""The action plan's life: propose, edit, order, validate, change status, bind indicators, with the history of
every change and an audit event. Services flush; the caller commits once."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.analysis.services import latest_results
from consult.extensions import db
from consult.hrs4r import indicators as bound
from consult.hrs4r.models import Action, ActionRevision, Indicator
from consult.hrs4r.reference import STATUSES, check_timing, normalise_period
from consult.surveys.campaigns.models import Campaign
from consult.timeutil import utcnow

MAX_TITLE = 300


class PlanError(ValueError):
    """A change refused, with the reason; nothing was written."""


@dataclass(frozen=True)
class ActionFields:
    title: str
    description: str = ""
    principles: tuple[int, ...] = ()
    start_period: str = ""
    end_period: str = ""
    responsible_unit: str = ""
    indicators_text: str = ""
    status: str = "planned"
    remarks: str = ""
    source_section: str | None = None
    extra: dict = field(default_factory=dict)


def campaign_principles(campaign: Campaign) -> dict[int, str]:
    """The principles of the campaign's questionnaire: number -> section code."""
    return {s.principle: s.code for s in campaign.questionnaire.sections if s.principle is not None}


def checked(campaign: Campaign, fields: ActionFields) -> ActionFields:
    title = " ".join(fields.title.split())
    if not title or len(title) > MAX_TITLE:
        raise PlanError(f"an action needs a title of 1 to {MAX_TITLE} characters")
    unknown = sorted(set(fields.principles) - set(campaign_principles(campaign)))
    if unknown:
        raise PlanError(f"the campaign's charter has no principle {', '.join(map(str, unknown))}")
    if fields.status not in STATUSES:
        raise PlanError(f"unknown status {fields.status!r}: expected one of {', '.join(STATUSES)}")
    try:
        start, end = normalise_period(fields.start_period), normalise_period(fields.end_period)
        check_timing(start, end)
    except ValueError as error:
        raise PlanError(str(error)) from error
    return ActionFields(
        **{
            **asdict(fields),
            "title": title,
            "start_period": start,
            "end_period": end,
            "principles": tuple(sorted(set(fields.principles))),
        }
    )


def state_of(action: Action) -> dict:
    """What the history keeps of an action: every field a person can change, and its indicators."""
    return {
        "title": action.title,
        "description": action.description,
        "principles": list(action.principles),
        "start_period": action.start_period,
        "end_period": action.end_period,
        "responsible_unit": action.responsible_unit,
        "indicators_text": action.indicators_text,
        "status": action.status,
        "remarks": action.remarks,
        "validated": action.validated,
        "position": action.position,
        "indicators": [indicator_label(i) for i in action.indicators],
    }


def remember(action: Action, change: str, actor: User | None) -> None:
    db.session.flush()
    db.session.add(
        ActionRevision(
            action_id=action.id,
            version=action.version,
            change=change,
            state=state_of(action),
            user_id=actor.id if actor else None,
        )
    )
    record(actor, f"hrs4r.action.{change}", f"action:{action.id}", campaign_id=action.campaign_id)


def plan(campaign_id: int) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action).where(Action.campaign_id == campaign_id).order_by(Action.position, Action.id)
        )
    )


def propose(campaign: Campaign, fields: ActionFields, actor: User | None, validated: bool = False) -> Action:
    """A new action at the end of the plan; a working group's proposal until HR validates it."""
    fields = checked(campaign, fields)
    last = db.session.scalar(select(func.max(Action.position)).where(Action.campaign_id == campaign.id))
    action = Action(campaign_id=campaign.id, position=(last or 0) + 1, validated=validated)
    _assign(action, fields)
    db.session.add(action)
    remember(action, "proposed", actor)
    return action


def _assign(action: Action, fields: ActionFields) -> None:
    for name in (
        "title",
        "description",
        "start_period",
        "end_period",
        "responsible_unit",
        "indicators_text",
        "status",
        "remarks",
    ):
        setattr(action, name, getattr(fields, name))
    action.principles = list(fields.principles)
    if fields.source_section is not None:
        action.source_section = fields.source_section
    action.updated_at = utcnow()


def edit(action: Action, fields: ActionFields, version: int | None, actor: User | None) -> Action:
    if version is not None and version != action.version:
        raise PlanError(
            f"someone else changed this action meanwhile (now version {action.version}); "
            "nothing was overwritten"
        )
    campaign = db.session.get(Campaign, action.campaign_id)
    _assign(action, checked(campaign, fields))
    _bump(action)
    remember(action, "edited", actor)
    return action


def _bump(action: Action) -> None:
    action.version += 1
    action.updated_at = utcnow()


def set_status(action: Action, status: str, remarks: str, actor: User | None) -> None:
    if status not in STATUSES:
        raise PlanError(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}")
    action.status, action.remarks = status, remarks.strip()
    _bump(action)
    remember(action, "status", actor)


def validate(action: Action, actor: User | None) -> None:
    action.validated = True
    _bump(action)
    remember(action, "validated", actor)


def move(action: Action, offset: int, actor: User | None) -> None:
    """Move an action up (-1) or down (+1) in its plan; the plan is renumbered 1..n."""
    actions = plan(action.campaign_id)
    index = actions.index(action)
    other = index + offset
    if not 0 <= other < len(actions):
        return
    actions[index], actions[other] = actions[other], actions[index]
    for position, each in enumerate(actions, start=1):
        each.position = position
    _bump(action)
    remember(action, "moved", actor)


def delete(action: Action, actor: User | None) -> None:
    record(
        actor,
        "hrs4r.action.deleted",
        f"action:{action.id}",
        campaign_id=action.campaign_id,
        title=action.title,
    )
    db.session.delete(action)


def history(action: Action) -> list[ActionRevision]:
    return list(
        db.session.scalars(
            select(ActionRevision)
            .where(ActionRevision.action_id == action.id)
            .order_by(ActionRevision.id.desc())
        )
    )


def binding_of(indicator: Indicator) -> bound.Binding:
    return bound.Binding(
        indicator.scope,
        indicator.code,
        indicator.metric,
        indicator.principle,
        indicator.dimension,
        indicator.group,
    )


def indicator_label(indicator: Indicator) -> str:
    """A short, language-neutral statement of the indicator, as ``P04 favourable[gender=woman] >= 0.45``."""
    group = f"[{indicator.dimension}={indicator.group}]" if indicator.group else ""
    return f"{indicator.code} {indicator.metric}{group} {indicator.comparator} {indicator.target:g}"


def bind_indicator(
    action: Action, binding: bound.Binding, comparator: str, target: float, actor: User | None
) -> Indicator:
    """Bind an indicator to a figure of the action's campaign; its baseline is that campaign's released
    figure (None when it is suppressed or the campaign has no results yet)."""
    campaign = db.session.get(Campaign, action.campaign_id)
    binding = _checked_binding(campaign, binding, comparator, target)
    baseline = bound.figure_of(
        latest_results(campaign) or {}, binding, campaign.questionnaire.charter_version
    )
    indicator = Indicator(
        action=action,
        scope=binding.scope,
        code=binding.code,
        principle=binding.principle,
        metric=binding.metric,
        dimension=binding.dimension,
        group=binding.group,
        comparator=comparator,
        target=float(target),
        baseline=baseline.value,
    )
    db.session.add(indicator)
    _bump(action)
    remember(action, "indicator-bound", actor)
    return indicator


def _checked_binding(
    campaign: Campaign, binding: bound.Binding, comparator: str, target: float
) -> bound.Binding:
    try:
        bound.check_binding(binding)
    except ValueError as error:
        raise PlanError(str(error)) from error
    if comparator not in bound.COMPARATORS:
        raise PlanError(f"the target compares with >= or <=, not {comparator!r}")
    if binding.metric != "mean" and not -1 <= target <= 1:
        raise PlanError("a share's target is between 0 and 1 (a gap's between -1 and 1), as 0.45 for 45%")
    principle = _principle_of(campaign, binding)
    _check_group(campaign, binding)
    return bound.Binding(
        binding.scope, binding.code, binding.metric, principle, binding.dimension, binding.group
    )


def _principle_of(campaign: Campaign, binding: bound.Binding) -> int | None:
    for section in campaign.questionnaire.sections:
        codes = {section.code} if binding.scope == "section" else {item.code for item in section.items}
        if binding.code in codes:
            return section.principle
    raise PlanError(f"the campaign has no {binding.scope} {binding.code!r}")


def _check_group(campaign: Campaign, binding: bound.Binding) -> None:
    if binding.dimension is None:
        return
    for dimension in campaign.questionnaire.dimensions:
        if dimension.code == binding.dimension:
            if binding.group in {option.code for option in dimension.options}:
                return
            raise PlanError(f"the dimension {binding.dimension!r} has no group {binding.group!r}")
    raise PlanError(f"the campaign has no dimension {binding.dimension!r}")


def unbind_indicator(indicator: Indicator, actor: User | None) -> None:
    action = indicator.action
    action.indicators.remove(indicator)
    _bump(action)
    remember(action, "indicator-removed", actor)


def import_plan(campaign: Campaign, rows, actor: User | None) -> list[Action]:
    """Append the parsed rows (``importer.parse_plan``) to the plan, as validated actions."""
    actions = [
        propose(
            campaign,
            ActionFields(
                title=row.title,
                description=row.description,
                principles=row.principles,
                start_period=row.start,
                end_period=row.end,
                responsible_unit=row.responsible_unit,
                indicators_text=row.indicators,
                status=row.status,
                remarks=row.remarks,
            ),
            actor,
            validated=True,
        )
        for row in rows
    ]
    record(actor, "hrs4r.plan.imported", f"campaign:{campaign.id}", actions=len(actions))
    return actions
