"""The campaign builder's use cases: edits to a draft campaign's questionnaire.

Every edit is a pure change of the questionnaire as plain data (``spec``), validated exactly as a file is
(``yaml_format``), then written back over the draft's rows; so a draft is always a valid questionnaire
that exports to YAML and opens. Once a campaign opens, its questionnaire is frozen: every edit is refused.
Services flush; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete

from consult.accounts.models import User
from consult.accounts.services import record
from consult.charter import reference
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import CampaignError, slugify
from consult.surveys.questionnaires import charter_templates, spec
from consult.surveys.questionnaires.convert import campaign_spec, dimension_row, rating_rule_dict, section_row
from consult.surveys.questionnaires.models import UndoableDelete
from consult.surveys.questionnaires.yaml_format import (
    QuestionnaireError,
    questionnaire_from_dict,
    questionnaire_to_dict,
)
from consult.timeutil import utcnow

Coded = TypeVar("Coded", spec.Section, spec.Item, spec.Dimension)
Change = Callable[[spec.Questionnaire], spec.Questionnaire]


class FrozenError(CampaignError):
    """The campaign has opened: its questionnaire can no longer change."""


class BuilderError(CampaignError):
    """An edit refused, with every problem found and where it is."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class UnknownCode(CampaignError):
    """The section, item or dimension named does not exist in this questionnaire."""


def ensure_draft(campaign: Campaign) -> None:
    if campaign.is_frozen:
        raise FrozenError(
            f"campaign {campaign.slug} is {campaign.status.value}: its questionnaire was frozen when it "
            "opened and can no longer be edited"
        )


def validated(q: spec.Questionnaire) -> spec.Questionnaire:
    """``q`` checked as a file would be; a dimension without a question asks its label, as in a file."""
    data = questionnaire_to_dict(q)
    for dimension in data["dimensions"]:
        if not dimension["question"]:
            del dimension["question"]
    try:
        return questionnaire_from_dict(data)
    except QuestionnaireError as error:
        raise BuilderError(error.errors) from error


def edit(
    campaign: Campaign, change: Change, actor: User | None, action: str, **detail: Any
) -> spec.Questionnaire:
    """Apply ``change`` to a draft's questionnaire, validate the result and store it, or refuse it whole."""
    ensure_draft(campaign)
    q = validated(change(campaign_spec(campaign)))
    store(campaign, q)
    forget_undo(campaign)
    record(actor, action, campaign.slug, **detail)
    return q


def forget_undo(campaign: Campaign) -> None:
    """A change after a deletion ends the chance to undo it (the undo would silently revert the change)."""
    db.session.execute(
        delete(UndoableDelete).where(UndoableDelete.questionnaire_id == campaign.questionnaire_id)
    )


def store(campaign: Campaign, q: spec.Questionnaire) -> None:
    row = campaign.questionnaire
    row.title, row.languages, row.charter_version = dict(q.title), list(q.languages), q.charter
    row.scale_points, row.favourable, row.dont_know = (
        q.scale.points,
        list(q.scale.favourable),
        q.scale.dont_know,
    )
    row.scale_labels = {language: list(labels) for language, labels in q.scale.labels.items()}
    row.sections.clear()
    row.dimensions.clear()
    db.session.flush()
    row.sections.extend(section_row(i, s) for i, s in enumerate(q.sections))
    row.dimensions.extend(dimension_row(i, d) for i, d in enumerate(q.dimensions))
    campaign.min_group_size, campaign.comment_min_responses = q.min_group_size, q.comment_min_responses
    campaign.rating_rule = rating_rule_dict(q.rating)
    db.session.flush()


def replace_questionnaire(
    campaign: Campaign, q: spec.Questionnaire, actor: User | None
) -> spec.Questionnaire:
    return edit(campaign, lambda _: q, actor, "questionnaire.replace")


def find(entries: Sequence[Coded], code: str) -> Coded:
    for entry in entries:
        if entry.code == code:
            return entry
    raise UnknownCode(f"no {type(entries[0]).__name__.lower() if entries else 'entry'} has the code {code!r}")


def replaced(entries: Sequence[Coded], code: str, new: Coded) -> tuple[Coded, ...]:
    find(entries, code)
    return tuple(new if entry.code == code else entry for entry in entries)


def removed(entries: Sequence[Coded], code: str) -> tuple[Coded, ...]:
    find(entries, code)
    return tuple(entry for entry in entries if entry.code != code)


def moved(entries: Sequence[Coded], code: str, offset: int) -> tuple[Coded, ...]:
    listed = list(entries)
    index = listed.index(find(entries, code))
    target = min(max(index + offset, 0), len(listed) - 1)
    listed.insert(target, listed.pop(index))
    return tuple(listed)


def section_of(q: spec.Questionnaire, item_code: str) -> spec.Section:
    for section in q.sections:
        if any(item.code == item_code for item in section.items):
            return section
    raise UnknownCode(f"no item has the code {item_code!r}")


def with_items(
    q: spec.Questionnaire, item_code: str, change: Callable[[spec.Section], tuple]
) -> spec.Questionnaire:
    section = section_of(q, item_code)
    return replace(q, sections=replaced(q.sections, section.code, replace(section, items=change(section))))


def with_section(q: spec.Questionnaire, code: str, section: spec.Section) -> spec.Questionnaire:
    """``section`` in place of section ``code``, keeping its items; the pillar follows the principle."""
    old = find(q.sections, code)
    new = replace(section, items=old.items, pillar=None)
    return replace(q, sections=replaced(q.sections, code, new))


def with_new_section(q: spec.Questionnaire, section: spec.Section) -> spec.Questionnaire:
    return replace(q, sections=(*q.sections, section))


def with_new_item(q: spec.Questionnaire, section_code: str, item: spec.Item) -> spec.Questionnaire:
    section = find(q.sections, section_code)
    return replace(
        q, sections=replaced(q.sections, section_code, replace(section, items=(*section.items, item)))
    )


def with_item(q: spec.Questionnaire, code: str, item: spec.Item) -> spec.Questionnaire:
    return with_items(q, code, lambda section: replaced(section.items, code, item))


def without_item(q: spec.Questionnaire, code: str) -> spec.Questionnaire:
    return with_items(q, code, lambda section: removed(section.items, code))


def with_item_moved(q: spec.Questionnaire, code: str, offset: int) -> spec.Questionnaire:
    return with_items(q, code, lambda section: moved(section.items, code, offset))


def with_scale(q: spec.Questionnaire, scale: spec.Scale) -> spec.Questionnaire:
    return replace(q, scale=scale)


def with_new_dimension(q: spec.Questionnaire, dimension: spec.Dimension) -> spec.Questionnaire:
    return replace(q, dimensions=(*q.dimensions, dimension))


def with_dimension(q: spec.Questionnaire, code: str, dimension: spec.Dimension) -> spec.Questionnaire:
    return replace(q, dimensions=replaced(q.dimensions, code, dimension))


def rearranged(q: spec.Questionnaire, kind: str, code: str, offset: int | None) -> spec.Questionnaire:
    """Section, item or dimension ``code`` moved by ``offset`` places, or removed when ``offset`` is None."""
    if kind == "items":
        return without_item(q, code) if offset is None else with_item_moved(q, code, offset)
    entries = getattr(q, kind)
    return replace(q, **{kind: removed(entries, code) if offset is None else moved(entries, code, offset)})


def with_settings(
    q: spec.Questionnaire,
    title: spec.Text,
    min_group_size: int,
    comment_min_responses: int,
    rating: spec.RatingRule,
) -> spec.Questionnaire:
    return replace(
        q,
        title=title,
        min_group_size=min_group_size,
        comment_min_responses=comment_min_responses,
        rating=rating,
    )


def with_principles(q: spec.Questionnaire, numbers: set[int]) -> spec.Questionnaire:
    """Keep the sections of the chosen principles (and those naming none); add the chosen ones missing, from
    the charter's template, each before the first section of a later principle."""
    if q.charter is None:
        raise BuilderError(["this questionnaire names no charter: its sections are not tied to principles"])
    kept = [s for s in q.sections if s.principle is None or s.principle in numbers]
    present = {s.principle for s in kept}
    template = charter_templates.load_template(f"charter-{q.charter}")
    for section in template.sections:
        if section.principle in numbers and section.principle not in present:
            later = [
                i for i, s in enumerate(kept) if s.principle is not None and s.principle > section.principle
            ]
            kept.insert(later[0] if later else len(kept), localised_section(section, q.languages))
    return replace(q, sections=tuple(kept))


def localised(text: spec.Text, languages: Sequence[str]) -> spec.Text:
    return {language: text[language] for language in languages if language in text}


def localised_section(section: spec.Section, languages: Sequence[str]) -> spec.Section:
    items = tuple(replace(item, text=localised(item.text, languages)) for item in section.items)
    return replace(section, title=localised(section.title, languages), items=items)


def standard_dimension(code: str, languages: Sequence[str]) -> spec.Dimension:
    found = reference.standard_dimension(code)
    if found is None:
        raise UnknownCode(f"no standard dimension has the code {code!r}")
    options = tuple(replace(option, label=localised(option.label, languages)) for option in found.options)
    return spec.Dimension(
        code, localised(found.label, languages), options, localised(found.question, languages)
    )


OPTION_SEPARATOR = re.compile(r"\s*\|\s*")


def parse_options(text: str, languages: Sequence[str]) -> tuple[spec.Option, ...]:
    """One option a line: ``label``, ``code | label`` or ``code | label | label`` (one per language, in
    order); a code left out is made from the label."""
    options, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = OPTION_SEPARATOR.split(line.strip())
        if len(parts) not in (1, 2, 1 + len(languages)):
            errors.append(f"line {number}: expected 'label', 'code | label' or one label per language")
            continue
        code = slugify(parts[0]) if len(parts) == 1 else parts[0]
        labels = parts[-1:] * len(languages) if len(parts) <= 2 else parts[1:]
        options.append(spec.Option(code, dict(zip(languages, labels, strict=True))))
    if errors:
        raise BuilderError(errors)
    return tuple(options)


def format_options(options: Sequence[spec.Option], languages: Sequence[str]) -> str:
    return "\n".join(
        " | ".join([option.code, *(option.label.get(language, "") for language in languages)])
        for option in options
    )


def set_mode(campaign: Campaign, mode: CampaignMode | str, actor: User | None) -> None:
    ensure_draft(campaign)
    campaign.mode = CampaignMode(mode)
    record(actor, "campaign.mode", campaign.slug, mode=str(campaign.mode))


def set_schedule(
    campaign: Campaign, opens_at: datetime | None, closes_at: datetime | None, actor: User | None
) -> None:
    """Dates in UTC. A draft sets both; an open campaign may only move its closing date, into the future."""
    problems = schedule_problems(campaign, opens_at, closes_at)
    if problems:
        raise BuilderError(problems)
    if campaign.status == CampaignStatus.DRAFT:
        campaign.opens_at = opens_at
    campaign.closes_at = closes_at
    record(
        actor,
        "campaign.schedule",
        campaign.slug,
        opens_at=str(opens_at or ""),
        closes_at=str(closes_at or ""),
    )


def schedule_problems(campaign: Campaign, opens_at: datetime | None, closes_at: datetime | None) -> list[str]:
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        return [f"campaign {campaign.slug} is {campaign.status.value}: its dates can no longer change"]
    problems = []
    if campaign.status == CampaignStatus.OPEN and opens_at not in (None, campaign.opens_at):
        problems.append("the campaign is already open: only its closing date can change")
    start = opens_at if campaign.status == CampaignStatus.DRAFT else campaign.opened_at
    if start is not None and closes_at is not None and closes_at <= start:
        problems.append("the closing date must come after the opening date")
    if closes_at is not None and closes_at <= utcnow():
        problems.append("the closing date must be in the future")
    return problems
