"""The submission's pages: the action plan (reviewers propose, HR edits, orders and validates), its bound
indicators, the OTM-R checklist, the organisational figures, the internal review, exports and import."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts.auth import hr_required, reviewer_required
from consult.accounts.models import Role
from consult.analysis.views import campaign_or_404
from consult.extensions import db
from consult.gap.forms import rating_choices
from consult.gap.services import get_assessment
from consult.hrs4r import cycle, exports, importer, review, services
from consult.hrs4r.documents import DOCUMENTS, describe, figure_text
from consult.hrs4r.forms import (
    ActionForm,
    CommitForm,
    ImportForm,
    IndicatorForm,
    NarrativeForm,
    figures_form_class,
    otmr_form_class,
)
from consult.hrs4r.indicators import Binding
from consult.hrs4r.labels import CHANGE_LABELS, OUTCOME_LABELS, STATUS_LABELS
from consult.hrs4r.models import Action, Indicator
from consult.hrs4r.reference import ORGANISATION_FIGURES, otmr_groups
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign

bp = Blueprint("hrs4r", __name__, url_prefix="/hrs4r")
EDITORS = (Role.ADMIN, Role.HR)


def language() -> str:
    return str(get_locale())


def is_hr() -> bool:
    return current_user.role in EDITORS


def action_or_404(campaign: Campaign, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.campaign_id != campaign.id:
        abort(404, description=_("No such action."))
    return action


def principle_choices(campaign: Campaign) -> list[SelectChoice]:
    return [
        SelectChoice(s.principle, f"{s.principle}. {translated(s.title, language())}")
        for s in campaign.questionnaire.sections
        if s.principle is not None
    ]


@bp.get("/<slug>/")
@reviewer_required
def plan(slug: str):
    campaign = campaign_or_404(slug)
    later = review.later_campaign(campaign)
    return render_template(
        "hrs4r/plan.html",
        campaign=campaign,
        evaluated=review.evaluated_plan(campaign, later),
        later=later,
        is_hr=is_hr(),
        form=CommitForm(),
        describe=lambda i: describe(i, campaign, language()),
        figure_text=lambda v, m: figure_text(v, m, language()),
        status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
        documents=DOCUMENTS,
        formats=exports.FORMATS,
    )


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


@bp.route("/<slug>/actions/new", methods=["GET", "POST"])
@reviewer_required
def propose(slug: str):
    """A working group proposes an action, usually from a principle's page (``?section=P04``)."""
    campaign = campaign_or_404(slug)
    codes = {s.code: s for s in campaign.questionnaire.sections}
    source = codes.get(request.args.get("section", ""))
    form = ActionForm()
    form.principles.choices = principle_choices(campaign)
    if request.method == "GET" and source is not None and source.principle is not None:
        form.principles.data = [source.principle]
    problem = None
    if form.validate_on_submit():
        try:
            action = services.propose(
                campaign, fields_from(form, source.code if source else None), current_user, validated=is_hr()
            )
            db.session.commit()
            flash(_("The action is in the plan."), "success")
            return redirect(url_for("hrs4r.action", slug=slug, action_id=action.id))
        except services.PlanError as error:
            db.session.rollback()
            problem = str(error)
    assessment = get_assessment(campaign.id, source.code) if source else None
    status = 400 if problem or form.errors else 200
    return render_template(
        "hrs4r/propose.html",
        campaign=campaign,
        form=form,
        source=source,
        assessment=assessment,
        problem=problem,
    ), status


@bp.route("/<slug>/actions/<int:action_id>", methods=["GET", "POST"])
@reviewer_required
def action(slug: str, action_id: int):
    campaign = campaign_or_404(slug)
    item = action_or_404(campaign, action_id)
    form = ActionForm(obj=item) if request.method == "GET" else ActionForm()
    form.principles.choices = principle_choices(campaign)
    if request.method == "GET":
        form.version.data = str(item.version)
    problem = None
    if request.method == "POST":
        if not is_hr():
            abort(403)
        if form.validate_on_submit():
            try:
                version = int(form.version.data) if form.version.data else None
                services.edit(item, fields_from(form), version, current_user)
                db.session.commit()
                flash(_("Saved. The action's history keeps the previous versions."), "success")
                return redirect(url_for("hrs4r.action", slug=slug, action_id=item.id))
            except services.PlanError as error:
                db.session.rollback()
                problem = str(error)
    return render_action(campaign, item, form, IndicatorForm(formdata=None), problem)


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


def render_action(campaign: Campaign, item: Action, form: ActionForm, indicator_form: IndicatorForm, problem):
    indicator_form_choices(indicator_form, campaign)
    later = review.later_campaign(campaign)
    status = 400 if problem or form.errors or indicator_form.errors else 200
    return render_template(
        "hrs4r/action.html",
        campaign=campaign,
        action=item,
        form=form,
        indicator_form=indicator_form,
        problem=problem,
        history=services.history(item),
        is_hr=is_hr(),
        commit_form=CommitForm(),
        results=review.evaluate_action(item, campaign, later),
        later=later,
        describe=lambda i: describe(i, campaign, language()),
        figure_text=lambda v, m: figure_text(v, m, language()),
        change_labels=CHANGE_LABELS,
        status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
        source_assessment=get_assessment(campaign.id, item.source_section) if item.source_section else None,
    ), status


@bp.post("/<slug>/actions/<int:action_id>/indicators")
@hr_required
def bind(slug: str, action_id: int):
    campaign = campaign_or_404(slug)
    item = action_or_404(campaign, action_id)
    form = IndicatorForm()
    indicator_form_choices(form, campaign)
    problem = None
    if form.validate_on_submit():
        scope, _sep, code = form.figure.data.partition(":")
        dimension, _sep, group = (form.group.data or "").partition(":")
        target = form.target.data if form.metric.data == "mean" else form.target.data / Decimal(100)
        try:
            services.bind_indicator(
                item,
                Binding(scope, code, form.metric.data, None, dimension or None, group or None),
                form.comparator.data,
                float(target),
                current_user,
            )
            db.session.commit()
            flash(_("The indicator is bound to the survey figure."), "success")
            return redirect(url_for("hrs4r.action", slug=slug, action_id=item.id))
        except services.PlanError as error:
            db.session.rollback()
            problem = str(error)
    action_form = ActionForm(obj=item, formdata=None)
    action_form.principles.choices = principle_choices(campaign)
    action_form.version.data = str(item.version)
    return render_action(campaign, item, action_form, form, problem)


@bp.post("/<slug>/actions/<int:action_id>/indicators/<int:indicator_id>/delete")
@hr_required
def unbind(slug: str, action_id: int, indicator_id: int):
    campaign = campaign_or_404(slug)
    item = action_or_404(campaign, action_id)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None or indicator.action_id != item.id or not CommitForm().validate_on_submit():
        abort(400, description=_("No such indicator, or the form expired."))
    services.unbind_indicator(indicator, current_user)
    db.session.commit()
    flash(_("The indicator was removed."), "success")
    return redirect(url_for("hrs4r.action", slug=slug, action_id=item.id))


@bp.post("/<slug>/actions/<int:action_id>/<change>")
@hr_required
def change(slug: str, action_id: int, change: str):
    """Buttons of the plan: move up or down, validate a proposal, delete."""
    campaign = campaign_or_404(slug)
    item = action_or_404(campaign, action_id)
    if change not in ("up", "down", "validate", "delete") or not CommitForm().validate_on_submit():
        abort(400, description=_("Unknown change, or the form expired."))
    if change == "validate":
        services.validate(item, current_user)
    elif change == "delete":
        services.delete(item, current_user)
    else:
        services.move(item, -1 if change == "up" else 1, current_user)
    db.session.commit()
    return redirect(url_for("hrs4r.plan", slug=slug) + (f"#action-{action_id}" if change != "delete" else ""))


@bp.route("/<slug>/otm-r", methods=["GET", "POST"])
@reviewer_required
def otmr(slug: str):
    campaign = campaign_or_404(slug)
    saved = cycle.otmr_answers(campaign.id)
    form_class = otmr_form_class()
    form = form_class(data=otmr_data(saved)) if request.method == "GET" else form_class()
    for question_field in form:
        if hasattr(question_field, "rating"):
            question_field.rating.choices = rating_choices(campaign.rating_spelling)
    problem = None
    if request.method == "POST":
        if not is_hr():
            abort(403)
        if form.validate_on_submit():
            answers = {int(name[1:]): value for name, value in form.data.items() if name.startswith("q")}
            try:
                cycle.save_otmr(campaign.id, answers, current_user)
                db.session.commit()
                flash(_("The OTM-R checklist is saved."), "success")
                return redirect(url_for("hrs4r.otmr", slug=slug))
            except services.PlanError as error:
                db.session.rollback()
                problem = str(error)
    return render_template(
        "hrs4r/otmr.html",
        campaign=campaign,
        form=form,
        groups=otmr_groups(),
        is_hr=is_hr(),
        problem=problem,
        previous=cycle.otmr_answers(campaign.previous_campaign_id),
    ), 400 if problem or form.errors else 200


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


@bp.route("/<slug>/figures", methods=["GET", "POST"])
@reviewer_required
def figures(slug: str):
    campaign = campaign_or_404(slug)
    saved = cycle.organisation_figures(campaign.id)
    form_class = figures_form_class()
    if request.method == "GET":
        values = saved.values if saved else {}
        data = {
            name: "" if values.get(name) is None else f"{values[name]:g}" for name, _k in ORGANISATION_FIGURES
        }
        form = form_class(data=data | {"profile": saved.profile if saved else ""})
    else:
        form = form_class()
    problem = None
    if request.method == "POST":
        if not is_hr():
            abort(403)
        if form.validate_on_submit():
            try:
                texts = {name: form[name].data or "" for name, _k in ORGANISATION_FIGURES}
                cycle.save_figures(
                    campaign.id, texts, form.profile.data or "", form.validated.data, current_user
                )
                db.session.commit()
                flash(_("The organisational figures are saved."), "success")
                return redirect(url_for("hrs4r.figures", slug=slug))
            except services.PlanError as error:
                db.session.rollback()
                problem = str(error)
    names = [name for name, _k in ORGANISATION_FIGURES]
    return render_template(
        "hrs4r/figures.html",
        campaign=campaign,
        form=form,
        names=names,
        saved=saved,
        is_hr=is_hr(),
        problem=problem,
    ), 400 if problem or form.errors else 200


@bp.route("/<slug>/review", methods=["GET", "POST"])
@reviewer_required
def internal_review(slug: str):
    """The internal review of this campaign against the previous one; working groups write the narrative."""
    campaign = campaign_or_404(slug)
    previous = campaign.previous_campaign
    problem = None
    if request.method == "POST":
        pillar = request.form.get("pillar", type=int)
        form = NarrativeForm()
        if pillar is None or not form.validate_on_submit():
            abort(400, description=_("The form is incomplete or expired."))
        try:
            cycle.save_narrative(
                campaign.id, pillar, form.strengths.data or "", form.weaknesses.data or "", current_user
            )
            db.session.commit()
            flash(_("The narrative is saved."), "success")
            return redirect(url_for("hrs4r.internal_review", slug=slug) + f"#pillar-{pillar}")
        except services.PlanError as error:
            db.session.rollback()
            problem = str(error)
    return render_template(
        "hrs4r/review.html",
        campaign=campaign,
        previous=previous,
        problem=problem,
        evaluated=review.evaluated_plan(previous, campaign) if previous else [],
        changes=review.principle_changes(campaign),
        narratives=cycle.narratives(campaign.id),
        pillars=pillar_list(campaign),
        form=NarrativeForm(formdata=None),
        describe=lambda i: describe(i, previous, language()),
        figure_text=lambda v, m: figure_text(v, m, language()),
        status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
    ), 400 if problem else 200


def pillar_list(campaign: Campaign) -> list[tuple[int, str]]:
    from consult.charter.reference import pillar

    charter = campaign.questionnaire.charter_version or "2023"
    numbers = sorted({s.pillar for s in campaign.questionnaire.sections if s.pillar})
    return [(n, translated(pillar(charter, n).name, language())) for n in numbers]


@bp.get("/<slug>/export")
@reviewer_required
def export(slug: str):
    campaign = campaign_or_404(slug)
    document, fmt = request.args.get("document", "package"), request.args.get("format", "html")
    lang = request.args.get("language", language())
    if document not in (*DOCUMENTS, "package") or fmt not in exports.FORMATS or lang not in ("en", "fr"):
        abort(400, description=_("Unknown document, format or language."))
    made = exports.export(campaign, document, fmt, lang)
    return Response(
        made.content,
        mimetype=made.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@bp.route("/<slug>/import", methods=["GET", "POST"])
@hr_required
def import_plan(slug: str):
    campaign = campaign_or_404(slug)
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = importer.read_table(upload.read(importer.MAX_BYTES + 1), upload.filename or "")
            parsed = importer.parse_plan(rows, set(services.campaign_principles(campaign)))
            services.import_plan(campaign, parsed, current_user)
            db.session.commit()
            flash(_("%(n)s actions were added to the plan.", n=len(parsed)), "success")
            return redirect(url_for("hrs4r.plan", slug=slug))
        except importer.PlanFormatError as error:
            db.session.rollback()
            problems = error.problems
    status = 400 if problems or form.errors else 200
    return render_template(
        "hrs4r/import.html", campaign=campaign, form=form, problems=problems, columns=importer.COLUMNS
    ), status
