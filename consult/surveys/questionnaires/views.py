"""The questionnaire builder's pages (nested in the ``surveys`` blueprint: endpoints ``surveys.builder.*``).

Each page edits a draft through ``builder``: a refused edit shows the form again with every problem; a
campaign that has opened is frozen (409). Listing pages stay readable once frozen.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts.auth import hr_required
from consult.charter import reference
from consult.extensions import db
from consult.i18n import translated
from consult.surveys.campaigns.forms import ConfirmForm
from consult.surveys.campaigns.lookup import campaign_or_404, draft_or_409
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires import builder, spec
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.forms import (
    DimensionForm,
    ItemForm,
    NewSectionForm,
    PrinciplesForm,
    ScaleForm,
    SectionForm,
    SettingsForm,
    StandardDimensionForm,
)

bp = Blueprint("builder", __name__)
MOVES = {"up": -1, "down": 1}


def page(template: str, campaign: Campaign, status: int = 200, **context):
    q = campaign_spec(campaign)
    return render_template(template, campaign=campaign, q=q, confirm=ConfirmForm(), **context), status


def submit(
    campaign: Campaign, submitted, apply: Callable[[], str], template: str, form_name: str = "form", **context
):
    """Run ``apply`` (it returns where to go next) on a valid form; else show the form with its problems."""
    context[form_name] = submitted
    if submitted.validate_on_submit():
        try:
            target = apply()
        except builder.BuilderError as error:
            db.session.rollback()
            return page(template, campaign, 422, errors=error.errors, **context)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(target)
    return page(template, campaign, 422 if request.method == "POST" else 200, errors=[], **context)


def save(campaign: Campaign, action: str, change: builder.Change, **detail) -> None:
    """Apply ``change`` to the draft, recorded in the audit log as ``questionnaire.<action>``."""
    builder.edit(campaign, change, current_user, f"questionnaire.{action}", **detail)


def questionnaire_url(campaign: Campaign) -> str:
    return url_for("surveys.builder.questionnaire", slug=campaign.slug)


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@hr_required
def settings(slug: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    form = SettingsForm(
        languages=q.languages, data=settings_data(campaign, q) if request.method == "GET" else None
    )
    form.spell_ratings(campaign.rating_spelling)

    def apply() -> str:
        rule = spec.RatingRule(**{key: form[key].data for key in spec.RatingRule.__dataclass_fields__})
        title, smallest, comments = (
            form.text("title"),
            form.min_group_size.data,
            form.comment_min_responses.data,
        )
        save(campaign, "settings", lambda q: builder.with_settings(q, title, smallest, comments, rule))
        builder.set_mode(campaign, form.mode.data, current_user)
        campaign.interim_results = form.interim_results.data
        return url_for("surveys.campaign", slug=slug)

    return submit(campaign, form, apply, "surveys/settings.html")


def settings_data(campaign: Campaign, q: spec.Questionnaire) -> dict:
    data = {f"title_{language}": text for language, text in q.title.items()}
    data.update(vars(q.rating), mode=campaign.mode.value, min_group_size=q.min_group_size)
    data["interim_results"] = campaign.interim_results
    return {**data, "comment_min_responses": q.comment_min_responses}


@bp.route("/<slug>/scale", methods=["GET", "POST"])
@hr_required
def scale(slug: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    form = ScaleForm(languages=q.languages)
    if request.method == "GET":
        form.points.data, form.dont_know.data = q.scale.points, q.scale.dont_know
        form.favourable.data = ", ".join(map(str, q.scale.favourable))
        form.fill_text("labels", {lang: "\n".join(labels) for lang, labels in q.scale.labels.items()})

    def apply() -> str:
        new = spec.Scale(form.points.data, form.labels(), form.favourable_points(), form.dont_know.data)
        save(campaign, "scale", lambda q: builder.with_scale(q, new))
        return url_for("surveys.campaign", slug=slug)

    return submit(campaign, form, apply, "surveys/scale.html")


@bp.route("/<slug>/principles", methods=["GET", "POST"])
@hr_required
def principles(slug: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    if q.charter is None:
        return page("surveys/principles.html", campaign, form=None, errors=[])
    form = PrinciplesForm()
    form.principles.choices = principle_choices(q)[1:]
    if request.method == "GET":
        form.principles.data = [s.principle for s in q.sections if s.principle is not None]

    def apply() -> str:
        chosen = set(form.principles.data)
        save(campaign, "principles", lambda q: builder.with_principles(q, chosen), principles=sorted(chosen))
        return questionnaire_url(campaign)

    return submit(campaign, form, apply, "surveys/principles.html")


def principle_choices(q: spec.Questionnaire) -> list[SelectChoice]:
    choices = [SelectChoice(0, _("None"))]
    if q.charter is not None:
        language = q.languages[0]
        choices += [
            SelectChoice(p.number, f"{p.number}. {translated(p.name, language)}")
            for p in reference.principles(q.charter)
        ]
    return choices


@bp.route("/<slug>/questionnaire", methods=["GET", "POST"])
@hr_required
def questionnaire(slug: str):
    campaign = campaign_or_404(slug) if request.method == "GET" else draft_or_409(slug)
    q = campaign_spec(campaign)
    form = NewSectionForm(languages=q.languages)
    form.principle.choices = principle_choices(q)

    def apply() -> str:
        section = form.new_section()
        save(campaign, "section.add", lambda q: builder.with_new_section(q, section), section=section.code)
        return url_for("surveys.builder.section", slug=slug, code=section.code)

    return submit(campaign, form, apply, "surveys/questionnaire.html")


def section_form(q: spec.Questionnaire, current: spec.Section, formdata: bool = True) -> SectionForm:
    form = SectionForm(languages=q.languages, prefix="section", **({} if formdata else {"formdata": None}))
    form.principle.choices = principle_choices(q)
    if not formdata or request.method == "GET":
        form.code.data, form.comment.data, form.principle.data = (
            current.code,
            current.comment,
            current.principle or 0,
        )
        form.fill_text("title", current.title)
    return form


@bp.route("/<slug>/sections/<code>", methods=["GET", "POST"])
@hr_required
def section(slug: str, code: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    current = builder.find(q.sections, code)
    form = section_form(q, current)

    def apply() -> str:
        new = form.section()
        save(campaign, "section.edit", lambda q: builder.with_section(q, code, new), section=code)
        return url_for("surveys.builder.section", slug=slug, code=new.code)

    return submit(
        campaign,
        form,
        apply,
        "surveys/section.html",
        current=current,
        item_form=ItemForm(languages=q.languages, prefix="item", formdata=None),
    )


@bp.post("/<slug>/sections/<code>/items")
@hr_required
def add_item(slug: str, code: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    current = builder.find(q.sections, code)
    form = ItemForm(languages=q.languages, prefix="item")

    def apply() -> str:
        new = form.item()
        save(campaign, "item.add", lambda q: builder.with_new_item(q, code, new), item=new.code)
        return url_for("surveys.builder.section", slug=slug, code=code)

    return submit(
        campaign,
        form,
        apply,
        "surveys/section.html",
        form_name="item_form",
        current=current,
        form=section_form(q, current, formdata=False),
    )


@bp.route("/<slug>/items/<code>", methods=["GET", "POST"])
@hr_required
def item(slug: str, code: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    current = builder.find(q.items, code)
    form = ItemForm(languages=q.languages)
    if request.method == "GET":
        form.code.data, form.reverse.data = current.code, current.reverse
        form.fill_text("text", current.text)
    owner = builder.section_of(q, code)

    def apply() -> str:
        new = form.item()
        save(campaign, "item.edit", lambda q: builder.with_item(q, code, new), item=code)
        return url_for("surveys.builder.section", slug=slug, code=owner.code)

    return submit(campaign, form, apply, "surveys/item.html", current=current, owner=owner)


@bp.route("/<slug>/dimensions", methods=["GET", "POST"])
@hr_required
def dimensions(slug: str):
    campaign = campaign_or_404(slug) if request.method == "GET" else draft_or_409(slug)
    q = campaign_spec(campaign)
    form = DimensionForm(languages=q.languages)

    def apply() -> str:
        new = form.dimension()
        save(campaign, "dimension.add", lambda q: builder.with_new_dimension(q, new), dimension=new.code)
        return url_for("surveys.builder.dimensions", slug=slug)

    return submit(campaign, form, apply, "surveys/dimensions.html", standard=standard_form(q))


def standard_form(q: spec.Questionnaire) -> StandardDimensionForm:
    form = StandardDimensionForm()
    present = {d.code for d in q.dimensions}
    form.code.choices = [
        SelectChoice(code, translated(reference.standard_dimension(code).label, q.languages[0]))
        for code in ("career_stage", "gender")
        if code not in present
    ]
    return form


@bp.post("/<slug>/dimensions/standard")
@hr_required
def add_standard_dimension(slug: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    form = standard_form(q)

    def apply() -> str:
        new = builder.standard_dimension(form.code.data, q.languages)
        save(campaign, "dimension.add", lambda q: builder.with_new_dimension(q, new), dimension=new.code)
        return url_for("surveys.builder.dimensions", slug=slug)

    return submit(
        campaign,
        form,
        apply,
        "surveys/dimensions.html",
        form_name="standard",
        form=DimensionForm(languages=q.languages, formdata=None),
    )


@bp.route("/<slug>/dimensions/<code>", methods=["GET", "POST"])
@hr_required
def dimension(slug: str, code: str):
    campaign = draft_or_409(slug)
    q = campaign_spec(campaign)
    current = builder.find(q.dimensions, code)
    form = DimensionForm(languages=q.languages)
    if request.method == "GET":
        form.code.data, form.options.data = current.code, builder.format_options(current.options, q.languages)
        form.fill_text("label", current.label)
        form.fill_text("question", current.question)

    def apply() -> str:
        new = form.dimension()
        save(campaign, "dimension.edit", lambda q: builder.with_dimension(q, code, new), dimension=code)
        return url_for("surveys.builder.dimensions", slug=slug)

    return submit(campaign, form, apply, "surveys/dimension.html", current=current)


KINDS = ("sections", "items", "dimensions")


@bp.post("/<slug>/<kind>/<code>/delete")
@hr_required
def delete(slug: str, kind: str, code: str):
    return rearrange(slug, kind, code, None)


@bp.post("/<slug>/<kind>/<code>/move/<direction>")
@hr_required
def move(slug: str, kind: str, code: str, direction: str):
    if direction not in MOVES:
        abort(404)
    return rearrange(slug, kind, code, MOVES[direction])


def rearrange(slug: str, kind: str, code: str, offset: int | None):
    """Delete (``offset`` None) or move a section, item or dimension, then go back to where it was listed."""
    campaign = draft_or_409(slug)
    if kind not in KINDS:
        abort(404)
    q = campaign_spec(campaign)
    back = back_url(q, kind, code, slug)
    action = "delete" if offset is None else "move"
    try:
        save(
            campaign, f"{kind[:-1]}.{action}", lambda q: builder.rearranged(q, kind, code, offset), code=code
        )
    except builder.BuilderError as error:
        db.session.rollback()
        flash(_("Nothing was changed: %(problems)s", problems="; ".join(error.errors)), "error")
    else:
        db.session.commit()
    return redirect(back)


def back_url(q: spec.Questionnaire, kind: str, code: str, slug: str) -> str:
    if kind == "items":
        return url_for("surveys.builder.section", slug=slug, code=builder.section_of(q, code).code)
    return url_for(
        "surveys.builder.dimensions" if kind == "dimensions" else "surveys.builder.questionnaire", slug=slug
    )
