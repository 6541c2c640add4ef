"""Between the plain questionnaire (``spec``) and its rows in the database."""

from __future__ import annotations

from dataclasses import asdict

from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.models import Dimension, DimensionOption, Item, Questionnaire, Section


def questionnaire_row(q: spec.Questionnaire) -> Questionnaire:
    return Questionnaire(
        title=dict(q.title),
        languages=list(q.languages),
        charter_version=q.charter,
        scale_points=q.scale.points,
        scale_labels={k: list(v) for k, v in q.scale.labels.items()},
        favourable=list(q.scale.favourable),
        dont_know=q.scale.dont_know,
        sections=[section_row(i, s) for i, s in enumerate(q.sections)],
        dimensions=[dimension_row(i, d) for i, d in enumerate(q.dimensions)],
    )


def section_row(position: int, s: spec.Section) -> Section:
    items = [
        Item(position=i, code=it.code, text=dict(it.text), reverse=it.reverse) for i, it in enumerate(s.items)
    ]
    return Section(
        position=position,
        code=s.code,
        title=dict(s.title),
        principle=s.principle,
        pillar=s.pillar,
        comment=s.comment,
        items=items,
    )


def dimension_row(position: int, d: spec.Dimension) -> Dimension:
    options = [DimensionOption(position=i, code=o.code, label=dict(o.label)) for i, o in enumerate(d.options)]
    return Dimension(
        position=position, code=d.code, label=dict(d.label), question=dict(d.question), options=options
    )


def campaign_spec(campaign: Campaign) -> spec.Questionnaire:
    """The campaign's questionnaire as plain data, with the campaign's own settings."""
    q = campaign.questionnaire
    return spec.Questionnaire(
        title=dict(q.title),
        languages=tuple(q.languages),
        charter=q.charter_version,
        scale=spec.Scale(
            points=q.scale_points,
            labels={k: tuple(v) for k, v in q.scale_labels.items()},
            favourable=tuple(q.favourable),
            dont_know=q.dont_know,
        ),
        dimensions=tuple(dimension_spec(d) for d in q.dimensions),
        sections=tuple(section_spec(s) for s in q.sections),
        min_group_size=campaign.min_group_size,
        comment_min_responses=campaign.comment_min_responses,
        rating=spec.RatingRule(**campaign.rating_rule) if campaign.rating_rule else spec.RatingRule(),
    )


def section_spec(s: Section) -> spec.Section:
    items = tuple(spec.Item(code=i.code, text=dict(i.text), reverse=i.reverse) for i in s.items)
    return spec.Section(
        code=s.code,
        title=dict(s.title),
        items=items,
        principle=s.principle,
        pillar=s.pillar,
        comment=s.comment,
    )


def dimension_spec(d: Dimension) -> spec.Dimension:
    options = tuple(spec.Option(code=o.code, label=dict(o.label)) for o in d.options)
    return spec.Dimension(code=d.code, label=dict(d.label), options=options, question=dict(d.question or {}))


def rating_rule_dict(rule: spec.RatingRule) -> dict[str, float]:
    return asdict(rule)
