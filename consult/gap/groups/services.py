"""Working groups: create, edit, delete, one per pillar; who is in which group, and which principles are a
reviewer's. Services check everything before they write, flush and record the audit entry; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.charter.reference import pillar
from consult.extensions import db
from consult.gap.groups.models import WorkingGroup, WorkingGroupMember, WorkingGroupPrinciple
from consult.gap.services import campaign_sections
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign
from consult.wording import N_, say

MAX_NAME = 120
CHARTERS = ("2023", "2005")


class GroupError(ValueError):
    """What is wrong with a group as submitted, per field (``name``, ``members``, ``principles``); the
    messages are lazy, worded in the reader's language when shown."""

    def __init__(self, errors: Mapping[str, list]):
        self.errors = {name: list(found) for name, found in errors.items() if found}
        super().__init__()

    def __str__(self) -> str:
        """The errors in the reader's language (they are worded when shown, not when raised)."""
        return " ".join(str(e) for found in self.errors.values() for e in found)


@dataclass(frozen=True)
class GroupChange:
    """A group as typed in the form: its name, the users' ids and the section codes, as submitted."""

    name: str
    members: Sequence[str] = ()
    principles: Sequence[str] = ()


@dataclass(frozen=True)
class Checked:
    name: str
    members: list[int]
    principles: list[str]


@dataclass(frozen=True)
class Context:
    """What a change is checked against: the other groups' names and principles, the campaign's sections,
    the users who may review."""

    other_names: Mapping[str, str]
    sections: Sequence[str]
    reviewers: Mapping[int, str]
    claimed: Mapping[str, str] = field(default_factory=dict)


def check_change(change: GroupChange, context: Context) -> Checked:
    """The change, checked: every problem is reported at once, per field (pure; raises GroupError)."""
    name = " ".join(change.name.split())
    errors = {"name": _name_errors(name, context), "members": [], "principles": []}
    members = _ids(change.members, errors["members"])
    errors["members"] += [
        _l("User %(id)s cannot review: no active account has this number.", id=user_id)
        for user_id in members
        if user_id not in context.reviewers
    ]
    codes = list(dict.fromkeys(code.strip() for code in change.principles if code.strip()))
    errors["principles"] = [error for code in codes if (error := _principle_error(code, context)) is not None]
    if any(errors.values()):
        raise GroupError(errors)
    return Checked(name, members, [code for code in context.sections if code in codes])


def _principle_error(code: str, context: Context) -> Any:
    if code not in context.sections:
        return _l("%(code)s is not a principle of this campaign.", code=code)
    if code in context.claimed:
        return _l(
            "%(code)s already belongs to the working group “%(group)s”: remove it there first.",
            code=code,
            group=context.claimed[code],
        )
    return None


def _name_errors(name: str, context: Context) -> list[str]:
    if not name:
        return [_l("Give the working group a name.")]
    if len(name) > MAX_NAME:
        return [_l("A name has at most %(n)s characters.", n=MAX_NAME)]
    if name.casefold() in context.other_names:
        return [_l("This campaign already has a working group called “%(name)s”.", name=name)]
    return []


def _ids(values: Iterable[str], errors: list[str]) -> list[int]:
    found = []
    for value in values:
        if str(value).strip().isdigit():
            found.append(int(str(value).strip()))
        else:
            errors.append(_l("“%(value)s” is not a user of Consult.", value=value))
    return list(dict.fromkeys(found))


def groups_of(campaign_id: int) -> list[WorkingGroup]:
    query = select(WorkingGroup).where(WorkingGroup.campaign_id == campaign_id)
    return sorted(db.session.scalars(query), key=lambda group: group.name.casefold())


def group_of(campaign_id: int, group_id: int) -> WorkingGroup | None:
    group = db.session.get(WorkingGroup, group_id)
    return group if group is not None and group.campaign_id == campaign_id else None


def reviewers() -> dict[int, str]:
    """Every active user may review (reviewers, HR and administrators), by id, with their name."""
    users = db.session.scalars(select(User).where(User.active.is_(True)))
    return {user.id: user.name or user.email for user in users}


def context_for(campaign: Campaign, group: WorkingGroup | None) -> Context:
    others = [other for other in groups_of(campaign.id) if group is None or other.id != group.id]
    return Context(
        other_names={other.name.casefold(): other.name for other in others},
        sections=[section.code for section in campaign_sections(campaign)],
        reviewers=reviewers(),
        claimed={code: other.name for other in others for code in other.section_codes},
    )


def create_group(campaign: Campaign, change: GroupChange, actor: User) -> WorkingGroup:
    checked = check_change(change, context_for(campaign, None))
    group = WorkingGroup(campaign_id=campaign.id, name=checked.name)
    db.session.add(group)
    _fill(group, checked)
    db.session.flush()
    record(actor, "group.create", f"{campaign.slug}/{group.name}", **_detail(checked))
    return group


def update_group(campaign: Campaign, group: WorkingGroup, change: GroupChange, actor: User) -> WorkingGroup:
    checked = check_change(change, context_for(campaign, group))
    before = group.name
    group.members.clear()
    group.principles.clear()
    db.session.flush()
    group.name = checked.name
    _fill(group, checked)
    db.session.flush()
    record(actor, "group.edit", f"{campaign.slug}/{group.name}", previous_name=before, **_detail(checked))
    return group


def _fill(group: WorkingGroup, checked: Checked) -> None:
    group.members.extend(WorkingGroupMember(user_id=user_id) for user_id in checked.members)
    group.principles.extend(
        WorkingGroupPrinciple(section_code=code, campaign_id=group.campaign_id) for code in checked.principles
    )


def _detail(checked: Checked) -> dict:
    return {"members": checked.members, "principles": checked.principles}


def delete_group(campaign: Campaign, group: WorkingGroup, actor: User) -> None:
    record(actor, "group.delete", f"{campaign.slug}/{group.name}", principles=sorted(group.section_codes))
    db.session.delete(group)
    db.session.flush()


PILLAR_NAME = N_("Pillar %(n)s: %(name)s")


def pillar_groups(campaign: Campaign, language: str) -> dict[str, list[str]]:
    """One group per pillar of the questionnaire: its name in ``language`` and its principles (pure read)."""
    charter = campaign.questionnaire.charter_version
    found: dict[str, list[str]] = {}
    for section in campaign_sections(campaign):
        if section.pillar is not None:
            found.setdefault(_pillar_name(charter, section.pillar, language), []).append(section.code)
    return found


def _pillar_name(charter: str | None, number: int, language: str) -> str:
    try:
        name = translated(pillar(charter, number).name, language) if charter in CHARTERS else ""
    except KeyError:
        name = ""
    return (
        say(language, PILLAR_NAME, n=number, name=name)
        if name
        else say(language, N_("Pillar %(n)s"), n=number)
    )


def one_group_per_pillar(campaign: Campaign, actor: User, language: str) -> list[WorkingGroup]:
    """A group for each pillar that has none of that name yet, with the pillar's principles that belong to no
    group; no members (HR adds them). Raises GroupError when there is nothing to create."""
    pillars = pillar_groups(campaign, language)
    if not pillars:
        raise GroupError(
            {"name": [_l("The questionnaire's sections belong to no pillar: create the groups one by one.")]}
        )
    context = context_for(campaign, None)
    created = [
        _new_group(campaign, name, [code for code in codes if code not in context.claimed])
        for name, codes in pillars.items()
        if name.casefold() not in context.other_names and any(c not in context.claimed for c in codes)
    ]
    if not created:
        raise GroupError({"name": [_l("Every pillar already has its working group: nothing was created.")]})
    db.session.flush()
    record(actor, "group.per-pillar", campaign.slug, groups=[group.name for group in created])
    return created


def _new_group(campaign: Campaign, name: str, codes: list[str]) -> WorkingGroup:
    group = WorkingGroup(campaign_id=campaign.id, name=name)
    db.session.add(group)
    _fill(group, Checked(name, [], codes))
    return group


def groups_by_section(campaign_id: int) -> dict[str, WorkingGroup]:
    """The group of each principle that has one."""
    return {code: group for group in groups_of(campaign_id) for code in group.section_codes}


def own_sections(campaign_id: int, user_id: int) -> set[str]:
    """The principles of the groups ``user_id`` belongs to."""
    query = (
        select(WorkingGroupPrinciple.section_code)
        .join(WorkingGroupMember, WorkingGroupMember.group_id == WorkingGroupPrinciple.group_id)
        .where(WorkingGroupPrinciple.campaign_id == campaign_id, WorkingGroupMember.user_id == user_id)
    )
    return set(db.session.scalars(query))


def in_group(group: WorkingGroup | None, chosen: str | None) -> bool:
    """Whether the overview's group filter keeps a principle of ``group``: any (no choice), none, or an id."""
    if not chosen:
        return True
    if chosen == "none":
        return group is None
    return group is not None and str(group.id) == chosen


def own_first(rows: Sequence, own: set[str]) -> tuple[list, list]:
    """The rows of the reviewer's own principles, then the others, each in the order given (pure)."""
    return [r for r in rows if r.section.code in own], [r for r in rows if r.section.code not in own]
