"""HR pages for campaigns: creation, the campaign page and its lifecycle, preview, YAML export, participation.

The questionnaire builder (``questionnaires.views``) and the invitations (``invitations.views``) are
blueprints nested in this one. Every page here is for HR staff and administrators (``hr_required``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from consult.accounts.auth import hr_required
from consult.accounts.models import AuditEvent
from consult.accounts.services import record
from consult.accounts.words import action_words
from consult.extensions import db
from consult.i18n import status_label
from consult.surveys.campaigns import desk, services
from consult.surveys.campaigns.chart import day_chart
from consult.surveys.campaigns.forms import CloseForm, ConfirmForm, PageSizeForm, ScheduleForm, UploadForm
from consult.surveys.campaigns.lookup import (
    campaign_or_404,
    conflict_page,
    draft_or_409,
    frozen_page,
    unknown_code_page,
)
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.headcounts.views import bp as headcounts_bp
from consult.surveys.invitations.revoke_views import bp as revoking_bp
from consult.surveys.invitations.views import bp as invitations_bp
from consult.surveys.questionnaires import builder
from consult.surveys.questionnaires.charter_templates import load_template, template_names
from consult.surveys.questionnaires.checks import MAX_FILE_BYTES
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.views import bp as builder_bp
from consult.surveys.questionnaires.yaml_format import (
    QuestionnaireError,
    dump_questionnaire,
    parse_questionnaire,
)
from consult.surveys.respond.preview import preview_context
from consult.timeutil import utcnow

bp = Blueprint("surveys", __name__, url_prefix="/campaigns")
bp.register_blueprint(builder_bp)
bp.register_blueprint(invitations_bp)
bp.register_blueprint(revoking_bp)
bp.register_blueprint(headcounts_bp)
bp.register_error_handler(builder.FrozenError, frozen_page)
bp.register_error_handler(builder.UnknownCode, unknown_code_page)

LIFECYCLE = {
    "open": services.open_campaign,
    "close": services.close_campaign,
    "archive": services.archive_campaign,
}


@bp.get("/new")
@hr_required
def new_campaign():
    return render_new(UploadForm())


def render_new(form: UploadForm, errors: list[str] | None = None, status: int = 200):
    templates = {name: load_template(name) for name in template_names()}
    return render_template("surveys/new.html", templates=templates, form=form, errors=errors or []), status


@bp.post("/new/<name>")
@hr_required
def create_from_template(name: str):
    if name not in template_names():
        flash(_("Unknown template."), "error")
        return redirect(url_for("surveys.new_campaign"))
    campaign = services.create_campaign(load_template(name), current_user)
    db.session.commit()
    flash(_("Draft campaign created from the template %(name)s.", name=name), "success")
    return redirect(url_for("surveys.campaign", slug=campaign.slug))


@bp.post("/new/upload")
@hr_required
def create_from_file():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_new(form, status=422)
    try:
        q = parse_questionnaire(form.file.data.read(MAX_FILE_BYTES + 1))
    except QuestionnaireError as error:
        return render_new(form, error.errors, 422)
    campaign = services.create_campaign(q, current_user)
    db.session.commit()
    flash(_("Draft campaign created from %(file)s.", file=form.file.data.filename), "success")
    return redirect(url_for("surveys.campaign", slug=campaign.slug))


@bp.get("/<slug>")
@hr_required
def campaign(slug: str):
    found = campaign_or_404(slug)
    return render_campaign(found, schedule=ScheduleForm(obj=found))


def render_campaign(found: Campaign, status: int = 200, **forms):
    forms.setdefault("schedule", ScheduleForm(obj=found))
    forms.setdefault("upload", UploadForm())
    forms.setdefault("close", CloseForm())
    forms.setdefault("pages", PageSizeForm(page_size=found.page_size))
    row = desk.standing(found, str(get_locale()), _("School not stated"))
    return render_template(
        "surveys/campaign.html",
        campaign=found,
        questionnaire=campaign_spec(found),
        row=row,
        figures=row.figures,
        now=utcnow(),
        confirm=ConfirmForm(),
        open_link=open_link_url(found),
        **forms,
    ), status


def open_link_url(found: Campaign) -> str | None:
    if found.mode != CampaignMode.OPEN_LINK or "respond.open_welcome" not in current_app.view_functions:
        return None
    return current_app.config["CONSULT_BASE_URL"] + url_for("respond.open_welcome", slug=found.slug)


@bp.get("/<slug>/status/<action>")
@hr_required
def confirm_lifecycle(slug: str, action: str):
    """The confirmation step before opening or archiving (closing has its own tick box): what will happen,
    and the button that does it; works without JavaScript."""
    found = campaign_or_404(slug)
    if action not in ("open", "archive"):
        abort(404)
    return render_template(
        "surveys/confirm_status.html",
        campaign=found,
        action=action,
        questionnaire=campaign_spec(found),
        confirm=ConfirmForm(),
    )


@bp.post("/<slug>/status/<action>")
@hr_required
def lifecycle(slug: str, action: str):
    found = campaign_or_404(slug)
    if action not in LIFECYCLE:
        abort(404)
    form = CloseForm() if action == "close" else ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm: closing is final."), "error")
        return render_campaign(found, 422, close=form)
    try:
        LIFECYCLE[action](found, current_user)
    except services.CampaignError as error:
        db.session.rollback()
        return conflict_page(str(error))
    db.session.commit()
    flash(_("The campaign is now %(status)s.", status=status_label(found.status)), "success")
    return redirect(url_for("surveys.campaign", slug=slug))


@bp.post("/<slug>/schedule")
@hr_required
def schedule(slug: str):
    found = campaign_or_404(slug)
    if found.status not in (CampaignStatus.DRAFT, CampaignStatus.OPEN):
        return conflict_page(builder.schedule_problems(found, None, None)[0])
    form = ScheduleForm()
    if not form.validate_on_submit():
        return render_campaign(found, 422, schedule=form)
    try:
        builder.set_schedule(found, form.opens_at.data, form.closes_at.data, current_user)
    except builder.BuilderError as error:
        db.session.rollback()
        form.closes_at.errors = [*form.closes_at.errors, *error.errors]
        return render_campaign(found, 422, schedule=form)
    db.session.commit()
    flash(_("Dates saved."), "success")
    return redirect(url_for("surveys.campaign", slug=slug))


@bp.post("/<slug>/page-size")
@hr_required
def page_size(slug: str):
    """How the questionnaire is split into pages: a draft's setting, frozen with the questionnaire."""
    found = draft_or_409(slug)
    form = PageSizeForm()
    if not form.validate_on_submit():
        return render_campaign(found, 422, pages=form)
    found.page_size = form.page_size.data
    record(current_user, "campaign.page-size", found.slug, page_size=found.page_size)
    db.session.commit()
    flash(_("Page size saved. The preview shows the new pages."), "success")
    return redirect(url_for("surveys.campaign", slug=slug))


@bp.post("/<slug>/questionnaire/file")
@hr_required
def replace_questionnaire(slug: str):
    found = draft_or_409(slug)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_campaign(found, 422, upload=form)
    try:
        q = parse_questionnaire(form.file.data.read(MAX_FILE_BYTES + 1))
        builder.replace_questionnaire(found, q, current_user)
    except (QuestionnaireError, builder.BuilderError) as error:
        db.session.rollback()
        return render_campaign(found, 422, upload=form, upload_errors=error.errors)
    db.session.commit()
    flash(_("The questionnaire was replaced by the file's."), "success")
    return redirect(url_for("surveys.campaign", slug=slug))


@bp.get("/<slug>/questionnaire.yaml")
@hr_required
def export_yaml(slug: str):
    found = campaign_or_404(slug)
    text = dump_questionnaire(campaign_spec(found))
    record(current_user, "questionnaire.export", found.slug)
    db.session.commit()
    disposition = f'attachment; filename="{found.slug}.yaml"'
    return Response(text, mimetype="application/yaml", headers={"Content-Disposition": disposition})


@bp.get("/<slug>/preview")
@hr_required
def preview(slug: str):
    """A page of the questionnaire exactly as respondents see it, in one of its languages."""
    found = campaign_or_404(slug)
    offered = list(found.questionnaire.languages)
    language = request.args.get("language") if request.args.get("language") in offered else offered[0]
    try:
        context = preview_context(found, max(request.args.get("step", 1, type=int), 1), language)
    except ValueError:
        abort(404, _("The questionnaire has no such page."))
    with force_locale(language):
        return render_template("surveys/preview.html", campaign=found, **context)


@bp.get("/<slug>/participation")
@hr_required
def participation(slug: str):
    """Refreshes every minute while the campaign is open only when HR asks (``?refresh=on``), with a link to
    stop (WCAG 2.2.1: no time limit the user has not chosen)."""
    found = campaign_or_404(slug)
    figures = services.participation_figures(found, str(get_locale()), _("School not stated"))
    is_open = found.status == CampaignStatus.OPEN
    refresh = is_open and request.args.get("refresh") == "on"
    return render_template(
        "surveys/participation.html",
        campaign=found,
        figures=figures,
        chart=day_chart(figures.by_day),
        is_open=is_open,
        refresh=refresh,
    )


@bp.get("/<slug>/history")
@hr_required
def history(slug: str):
    """The audit log of one campaign, for HR: who did what to it, and when (never anything of respondents)."""
    found = campaign_or_404(slug)
    about = or_(
        AuditEvent.target == found.slug, AuditEvent.target.startswith(found.slug + "/", autoescape=True)
    )
    query = select(AuditEvent).where(about).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    page = db.paginate(query, per_page=50)
    return render_template("surveys/history.html", campaign=found, page=page, action_words=action_words)
