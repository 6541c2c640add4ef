"""Helpers of the submission's pages: form choices and form data in the reader's language."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from consult.charter.reference import pillar
from consult.hrs4r import services
from consult.hrs4r.forms import ActionForm, IndicatorForm
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign


def language() -> str:
    return str(get_locale())


def principle_choices(campaign: Campaign) -> list[SelectChoice]:
    return [
        SelectChoice(s.principle, f"{s.principle}. {translated(s.title, language())}")
        for s in campaign.questionnaire.sections
        if s.principle is not None
    ]


def fields_from(form: ActionForm, source: str | None = None) -> services.ActionFields:
    return services.ActionFields(
        title=form.title.data or "",
        description=form.description.data or "",
        principles=tuple(form.principles.data or ()),
        start_period=form.start_period.data or "",
        end_period=form.end_period.data or "",
        responsible_unit=(form.responsible_unit.data or "").strip(),
        indicators_text=form.indicators_text.data or "",
        status=form.status.data or "planned",
        remarks=form.remarks.data or "",
        source_section=source,
    )


def indicator_form_choices(form: IndicatorForm, campaign: Campaign) -> None:
    figures = []
    for section in campaign.questionnaire.sections:
        title = translated(section.title, language())
        figures.append(SelectChoice(f"section:{section.code}", f"{section.code} · {title}"))
        figures += [
            SelectChoice(f"item:{i.code}", f"{i.code} · {translated(i.text, language())[:90]}")
            for i in section.items
        ]
    form.figure.choices = figures
    groups = [SelectChoice("", _("All respondents"))]
    for dimension in campaign.questionnaire.dimensions:
        groups += [
            SelectChoice(
                f"{dimension.code}:{o.code}",
                _(
                    "%(dimension)s: %(group)s",
                    dimension=translated(dimension.label, language()),
                    group=translated(o.label, language()),
                ),
            )
            for o in dimension.options
        ]
    form.group.choices = groups


def otmr_data(saved: dict) -> dict:
    return {
        f"q{number}": {
            "rating": a.rating or "",
            "comment": a.comment,
            "evidence": a.evidence,
            "indicators": a.indicators,
        }
        for number, a in saved.items()
    }


def pillar_list(campaign: Campaign) -> list[tuple[int, str]]:
    charter = campaign.questionnaire.charter_version or "2023"
    numbers = sorted({s.pillar for s in campaign.questionnaire.sections if s.pillar})
    return [(n, translated(pillar(charter, n).name, language())) for n in numbers]
