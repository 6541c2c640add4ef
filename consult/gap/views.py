"""The working group's pages: edit a principle's assessment, import a gap-analysis table, export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult import jobs
from consult.accounts.auth import hr_required, reviewer_required
from consult.accounts.models import Role
from consult.analysis import pages
from consult.analysis.chartparts import chart_parts
from consult.analysis.views import campaign_or_404
from consult.extensions import db
from consult.gap import exportjobs, exports, services, status
from consult.gap.forms import ActionForm, AssessmentForm, ExportJobForm, ImportForm, rating_choices
from consult.gap.groups.services import groups_by_section
from consult.gap.models import Assessment, ExportJob
from consult.gap.sanitize import removed_markup
from consult.gap.status import STATUS_LABELS, status_of
from consult.gap.tsv import GapFormatError, format_rating
from consult.surveys.campaigns.models import Campaign

bp = Blueprint("gap", __name__, url_prefix="/gap")
DIRECT_FORMATS = ("tsv", "xlsx", "csv", "json")
JOB_FORMATS = ("html", "pdf", "charts")
TABLES = ("tsv", "xlsx", "html", "pdf")
LARGE_CAMPAIGN = 20_000
VALIDATORS = frozenset({Role.ADMIN, Role.HR})


@bp.route("/<slug>/principles/<section_code>", methods=["GET", "POST"])
@reviewer_required
def edit(slug: str, section_code: str):
    campaign = campaign_or_404(slug)
    section = section_or_404(campaign, section_code)
    form = assessment_form(campaign, services.get_assessment(campaign.id, section_code))
    if not form.validate_on_submit():
        return render_edit(campaign, section, form, None, None)
    if request.form.get("then") == "preview":
        return render_edit(campaign, section, form, None, None, preview=previews(form))
    try:
        services.save_assessment(campaign.id, section_code, change_from(form), current_user)
    except services.StaleAssessment as error:
        db.session.rollback()
        form.version.data = str(error.current.version)
        return render_edit(campaign, section, form, error.current, str(error))
    except services.JustificationMissing as error:
        db.session.rollback()
        form.justification.errors = [justification_missing(campaign, error)]
        return render_edit(campaign, section, form, None, None)
    except services.AssessmentError as error:
        db.session.rollback()
        return render_edit(campaign, section, form, None, str(error))
    db.session.commit()
    flash(_("Saved. The principle's history keeps the previous versions."), "success")
    for preview in previews(form):
        if preview["removed"]:
            flash(removed_message(preview), "warning")
    return redirect(url_for("gap.edit", slug=slug, section_code=after_saving(campaign, section_code)))


def after_saving(campaign: Campaign, section_code: str) -> str:
    """The principle to show once saved: the next one when the reviewer asked for it (and there is one)."""
    following = services.neighbours(campaign, section_code)[1]
    return following.code if request.form.get("then") == "next" and following else section_code


def justification_missing(campaign: Campaign, error: services.JustificationMissing) -> str:
    spelling = "compact" if campaign.rating_spelling == "compact" else "plus-slash"
    return _(
        "Your final rating, %(rating)s, is not the suggested rating, %(suggested)s. Write in the "
        "justification why the committee chose it, then save again.",
        rating=format_rating(error.rating, spelling),
        suggested=format_rating(error.suggested, spelling),
    )


def section_or_404(campaign: Campaign, section_code: str):
    try:
        return services.section_of(campaign, section_code)
    except services.AssessmentError:
        abort(404, description=_("No such principle."))


def assessment_form(campaign: Campaign, assessment: Assessment | None) -> AssessmentForm:
    """The form with the ratings in the campaign's spelling; on GET, filled with the saved assessment."""
    if request.method != "GET":
        form = AssessmentForm()
    else:
        form = AssessmentForm(obj=assessment)
        form.version.data = str(assessment.version) if assessment else ""
        form.final_rating.data = (assessment.final_rating if assessment else None) or ""
    form.final_rating.choices = rating_choices(campaign.rating_spelling)
    return form


def change_from(form: AssessmentForm) -> services.AssessmentChange:
    return services.AssessmentChange(
        final_rating=form.final_rating.data or None,
        justification=form.justification.data or "",
        gap_html=form.gap_html.data or "",
        initiatives_html=form.initiatives_html.data or "",
        version=form.version_number(),
    )


def previews(form: AssessmentForm) -> list[dict]:
    """Each text as it will be stored, and what the sanitiser removes from what was typed."""
    found = []
    for field in (form.gap_html, form.initiatives_html):
        try:
            stored = services.rich_text(field.data or "")
        except services.AssessmentError:
            continue
        removed = removed_markup(field.data or "", stored)
        found.append({"label": field.label.text, "id": field.id, "html": stored, "removed": removed})
    return found


def removed_message(preview: dict) -> str:
    return _(
        "%(field)s: the following were removed because they are not allowed: %(removed)s.",
        field=preview["label"],
        removed=", ".join(preview["removed"]),
    )


def render_edit(
    campaign,
    section,
    form: AssessmentForm,
    stale: Assessment | None,
    problem: str | None,
    preview: list[dict] | None = None,
):
    assessment = services.get_assessment(campaign.id, section.code)
    http_status = 409 if stale is not None else (400 if problem or form.errors else 200)
    return render_template(
        "gap/edit.html",
        campaign=campaign,
        section=section,
        form=form,
        assessment=assessment,
        stale=stale,
        problem=problem,
        suggestion=suggestion(campaign, section.code),
        around=services.neighbours(campaign, section.code),
        group=groups_by_section(campaign.id).get(section.code),
        **evidence(campaign, section.code),
        revisions=services.revisions(assessment.id) if assessment else [],
        principle_status=status_of(assessment),
        status_labels=STATUS_LABELS,
        can_validate=current_user.role in VALIDATORS,
        action_form=ActionForm(),
        preview=preview,
        removed_message=removed_message,
    ), http_status


@bp.post("/<slug>/principles/<section_code>/validate")
@hr_required
def validate(slug: str, section_code: str):
    """HR or an admin validates the principle's row as shown, on behalf of the steering committee."""
    campaign = campaign_or_404(slug)
    section_or_404(campaign, section_code)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        status.validate(campaign, section_code, request.form.get("version", type=int), current_user)
    except services.AssessmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("gap.edit", slug=slug, section_code=section_code))
    db.session.commit()
    flash(_("Validated. The history records who validated it and when."), "success")
    return redirect(url_for("gap.edit", slug=slug, section_code=section_code))


def evidence(campaign: Campaign, section_code: str) -> dict:
    """What the rating page shows beside the form: key figures, differences between groups, comments."""
    figures = pages.section_figures(exports.current_results(campaign), section_code)
    if not figures or figures.get("suppressed"):
        return {"figures": figures, "findings": [], "comments": None, "parts": []}
    language = str(get_locale())
    dims = exports.dimension_labels(campaign, language)
    tables = pages.group_tables(figures, dims, language)
    return {
        "figures": figures,
        "parts": [p for p in chart_parts(figures, dims, language) if p.family != "heatmap"],
        "findings": [table.finding for table in tables if table.finding],
        "comments": pages.releasable_comments(campaign, section_code, figures.get("n")),
    }


def suggestion(campaign, section_code: str) -> dict:
    results = exports.current_results(campaign) or {}
    section = next((s for s in results.get("sections", []) if s.get("code") == section_code), None)
    return dict((section or {}).get("rating") or {})


@bp.route("/<slug>/import", methods=["GET", "POST"])
@hr_required
def import_table(slug: str):
    campaign = campaign_or_404(slug)
    form, errors = ImportForm(), []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = services.import_gap(
                campaign.id, upload.read(), upload.filename or "", form.purpose.data, current_user
            )
            db.session.commit()
            flash(imported_message(report), "success")
            return redirect(url_for("analysis.overview", slug=slug))
        except GapFormatError as error:
            db.session.rollback()
            errors = error.errors
    status = 400 if errors or form.errors else 200
    return render_template("gap/import.html", campaign=campaign, form=form, errors=errors), status


def imported_message(report: services.ImportReport) -> str:
    if report.purpose == "previous":
        return _(
            "The file is kept as the previous gap analysis (%(n)s principles, %(charter)s charter): each "
            "principle's page compares with it.",
            n=report.rows,
            charter=report.charter_version,
        )
    return _(
        "Imported %(n)s principles: ratings and texts are in place, and each principle's history records "
        "the import.",
        n=report.rows,
    )


@bp.get("/<slug>/exports")
@reviewer_required
def exports_page(slug: str):
    campaign = campaign_or_404(slug)
    large, analysed = is_large(campaign), exports.latest_results(campaign) is not None
    offered = [
        f for f in (*DIRECT_FORMATS, *JOB_FORMATS) if f in exports.EXPORTERS and (analysed or f in TABLES)
    ]
    direct = () if large else tuple(fmt for fmt in offered if fmt in DIRECT_FORMATS)
    queued = tuple(fmt for fmt in offered if fmt not in direct)
    return render_template(
        "gap/exports.html",
        campaign=campaign,
        direct=direct,
        queued=queued,
        large=large,
        has_results=analysed,
        form=ExportJobForm(),
    )


def is_large(campaign) -> bool:
    limit = current_app.config.get("CONSULT_EXPORT_DIRECT_MAX_RESPONSES", LARGE_CAMPAIGN)
    return exports.response_count(campaign) > limit


@bp.get("/<slug>/download/<fmt>")
@reviewer_required
def download(slug: str, fmt: str):
    campaign = campaign_or_404(slug)
    if fmt not in DIRECT_FORMATS or fmt not in exports.EXPORTERS:
        abort(404)
    try:
        document = exports.export_campaign(campaign, fmt, str(get_locale()))
    except exports.ExportError as error:
        flash(str(error), "error")
        return redirect(url_for("gap.exports_page", slug=slug))
    return attachment(document.content, document.filename, document.mimetype)


def attachment(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/<slug>/exports")
@reviewer_required
def start_export(slug: str):
    campaign = campaign_or_404(slug)
    form = ExportJobForm()
    if not form.validate_on_submit() or form.format.data not in exports.EXPORTERS:
        abort(400)
    running = exportjobs.running_job(campaign.id, form.format.data, str(get_locale()))
    if running is not None:
        return redirect(url_for("gap.job", token=running.token))
    job = exportjobs.create_export_job(campaign.id, form.format.data, str(get_locale()), current_user)
    db.session.commit()
    hand_over(job.id)
    return redirect(url_for("gap.job", token=job.token))


def hand_over(job_id: int) -> None:
    """To the background thread (embedded default) or the workers; the page answers at once either way."""
    from consult.gap.tasks import run_export

    try:
        if jobs.in_background():
            jobs.submit(run_export, job_id)
        else:
            run_export.delay(job_id)
    except Exception as error:
        exportjobs.fail_export_job(job_id, f"the export could not be handed to a worker: {error}")
        db.session.commit()


@bp.get("/jobs/<token>")
@reviewer_required
def job(token: str):
    found = exportjobs.export_job(token) or abort(404)
    db.session.refresh(found)
    running = found.status in ("queued", "running")
    refresh = running and request.args.get("refresh") != "off"
    return render_template(
        "gap/job.html", job=found, campaign=campaign_of(found), running=running, refresh=refresh
    )


def campaign_of(job: ExportJob) -> Campaign:
    return db.session.get(Campaign, job.campaign_id)


@bp.get("/jobs/<token>/download")
@reviewer_required
def job_download(token: str):
    found = exportjobs.export_job(token) or abort(404)
    if found.status != "done" or found.content is None:
        return redirect(url_for("gap.job", token=token))
    return attachment(found.content, found.filename or "export", found.mimetype or "application/octet-stream")
