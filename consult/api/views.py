"""The HTTP API, /api/v1: campaigns, participation, analyses, results, the gap table and exports.

Each view calls the same service as the page that shows the same thing, with the same role, so the API never
answers more than its caller's pages.
"""

from __future__ import annotations

from flask import Response, abort, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from consult.analysis.models import AnalysisRun
from consult.analysis.services import AnalysisRefused, check_results_allowed, latest_run
from consult.api import schemas
from consult.api.auth import HR, STAFF, api_roles, audit
from consult.extensions import db
from consult.gap import exportjobs, exports
from consult.gap.services import campaign_sections
from consult.surveys.campaigns import services
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.questionnaires.yaml_format import QuestionnaireError, parse_questionnaire

campaigns = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns", description="Campaigns")
results = Blueprint("results", __name__, url_prefix="/api/v1/campaigns", description="Results")
jobs = Blueprint("exports", __name__, url_prefix="/api/v1/exports", description="Export jobs")
BLUEPRINTS = (campaigns, results, jobs)
SLUG = "<string(maxlength=80):slug>"


def campaign_or_404(slug: str) -> Campaign:
    try:
        return services.get_campaign(slug)
    except services.CampaignError:
        abort(404, description="no such campaign")


def campaign_document(campaign: Campaign) -> dict:
    return {
        **{name: getattr(campaign, name) for name in schemas.CampaignSchema().fields if name != "languages"},
        "languages": list(campaign.questionnaire.languages),
    }


@campaigns.get("")
@campaigns.response(200, schemas.CampaignSchema(many=True))
@api_roles(*STAFF)
def list_campaigns():
    """The campaigns of the staff dashboard (every campaign but the archived ones), newest first."""
    found = db.session.scalars(
        select(Campaign)
        .where(Campaign.status != CampaignStatus.ARCHIVED)
        .order_by(Campaign.created_at.desc())
    )
    return [campaign_document(c) for c in found]


@campaigns.post("")
@campaigns.arguments(schemas.CampaignCreateSchema)
@campaigns.response(201, schemas.CampaignSchema)
@campaigns.alt_response(422, description="The questionnaire file is refused, with every error.")
@api_roles(*HR, write=True)
def create_campaign(body: dict):
    """Create a draft campaign from a questionnaire file (YAML)."""
    try:
        questionnaire = parse_questionnaire(body["questionnaire"].encode("utf-8"))
    except QuestionnaireError as error:
        abort(422, description="; ".join(error.errors))
    created = services.create_campaign(questionnaire, current_user, title=body.get("title"))
    created.interim_results = body["interim_results"]
    audit("api.campaign.create", created.slug)
    db.session.commit()
    return campaign_document(created)


@campaigns.get(f"/{SLUG}")
@campaigns.response(200, schemas.CampaignSchema)
@api_roles(*STAFF)
def read_campaign(slug: str):
    return campaign_document(campaign_or_404(slug))


def change_lifecycle(slug: str, action, name: str) -> dict:
    found = campaign_or_404(slug)
    try:
        action(found, current_user)
    except services.CampaignError as error:
        db.session.rollback()
        abort(409, description=str(error))
    audit(f"api.campaign.{name}", slug)
    db.session.commit()
    return campaign_document(found)


@campaigns.post(f"/{SLUG}/open")
@campaigns.response(200, schemas.CampaignSchema)
@campaigns.alt_response(409, description="Only a draft with at least one item opens.")
@api_roles(*HR, write=True)
def open_campaign(slug: str):
    return change_lifecycle(slug, services.open_campaign, "open")


@campaigns.post(f"/{SLUG}/close")
@campaigns.response(200, schemas.CampaignSchema)
@campaigns.alt_response(409, description="Only an open campaign closes.")
@api_roles(*HR, write=True)
def close_campaign(slug: str):
    return change_lifecycle(slug, services.close_campaign, "close")


@campaigns.get(f"/{SLUG}/participation")
@campaigns.response(200, schemas.ParticipationSchema)
@api_roles(*HR)
def participation(slug: str):
    """Responses so far by school, exactly as the campaign page shows them: a group under the minimum size
    and the groups hidden with it have no count (``responses`` null, ``hidden`` says why)."""
    figures = services.participation_figures(campaign_or_404(slug), str(get_locale()), _("School not stated"))
    return {
        **{name: getattr(figures, name) for name in ("min_group_size", "invited", "responses", "rate")},
        "groups": [vars(group) for group in figures.groups],
        "by_day": [vars(day) for day in figures.by_day],
    }


@results.post(f"/{SLUG}/analyses")
@results.response(202, schemas.AnalysisRunSchema)
@results.alt_response(409, description="No figures may be made of this campaign now (the reason says why).")
@api_roles(*HR, write=True)
def start_analysis(slug: str):
    """Start an analysis on the workers; poll its status."""
    from consult.analysis.tasks import start_analysis as start

    found = campaign_or_404(slug)
    try:
        check_results_allowed(found)
    except AnalysisRefused as error:
        abort(409, description=str(error))
    audit("api.analysis.start", slug)
    run = start(found, trigger="api")
    return run, 202, {"Location": url_for("results.analysis", slug=slug, run_id=run.id)}


@results.get(f"/{SLUG}/analyses/latest")
@results.response(200, schemas.AnalysisRunSchema)
@api_roles(*STAFF)
def latest_analysis(slug: str):
    return latest_run(campaign_or_404(slug).id) or abort(404, description="this campaign has no analysis")


@results.get(f"/{SLUG}/analyses/<int(max=2147483647):run_id>")
@results.response(200, schemas.AnalysisRunSchema)
@api_roles(*STAFF)
def analysis(slug: str, run_id: int):
    found = db.session.get(AnalysisRun, run_id)
    if found is None or found.campaign_id != campaign_or_404(slug).id:
        abort(404, description="no such analysis")
    return found


@results.get(f"/{SLUG}/results")
@results.response(200, schemas.ResultsSchema)
@api_roles(*STAFF)
def campaign_results(slug: str):
    """The results JSON: the same bytes as `consult campaign export SLUG --format json`."""
    try:
        document = exports.export_campaign(campaign_or_404(slug), "json")
    except exports.ExportError as error:
        abort(404, description=str(error))
    return Response(document.content, mimetype="application/json")


@results.get(f"/{SLUG}/gap")
@results.response(200, schemas.GapRowSchema(many=True))
@api_roles(*STAFF)
def gap_table(slug: str):
    """The gap-analysis table, one row per principle, as the TSV export has it."""
    found = campaign_or_404(slug)
    rows = exports.gap_rows(found)
    return [
        {
            "section": section.code,
            "principle": section.principle,
            "name": row.name,
            "implementation": row.rating,
            "gap": row.gap_html,
            "initiatives": row.initiatives_html,
        }
        for section, row in zip(campaign_sections(found), rows, strict=True)
    ]


@results.get(f"/{SLUG}/action-plan")
@results.arguments(schemas.LanguageQuerySchema, location="query")
@results.response(200, schemas.ActionPlanSchema)
@api_roles(*STAFF)
def action_plan(query: dict, slug: str):
    """The HRS4R action plan: the same bytes as `consult hrs4r export SLUG --document action-plan --format
    json`."""
    from consult.hrs4r.exports import export

    made = export(campaign_or_404(slug), "action-plan", "json", query["language"])
    return Response(made.content, mimetype="application/json")


@results.post(f"/{SLUG}/exports")
@results.arguments(schemas.ExportRequestSchema)
@results.response(202, schemas.ExportJobSchema)
@api_roles(*STAFF, write=True)
def start_export(body: dict, slug: str):
    """Start an export job (any format of `consult campaign export`); poll it, then download its file."""
    from consult.gap.tasks import run_export

    found = campaign_or_404(slug)
    job = exportjobs.create_export_job(found.id, body["format"], body["language"], current_user)
    audit("api.export.start", slug, format=body["format"])
    db.session.commit()
    try:
        run_export.delay(job.id)
    except Exception as error:
        exportjobs.fail_export_job(job.id, f"the export could not be handed to a worker: {error}")
        db.session.commit()
    db.session.refresh(job)
    return job, 202, {"Location": url_for("exports.export_job", token=job.token)}


def job_or_404(token: str):
    found = exportjobs.export_job(token) or abort(404, description="no such export job")
    db.session.refresh(found)
    return found


@jobs.get("/<string(maxlength=64):token>")
@jobs.response(200, schemas.ExportJobSchema)
@api_roles(*STAFF)
def export_job(token: str):
    return job_or_404(token)


@jobs.get("/<string(maxlength=64):token>/download")
@jobs.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream")
@jobs.alt_response(409, description="The job has not finished (or failed).")
@api_roles(*STAFF)
def download_export(token: str):
    found = job_or_404(token)
    if found.status != "done" or found.content is None:
        abort(409, description=f"the export job is {found.status}")
    response = Response(found.content, mimetype=found.mimetype or "application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename or "export"}"'
    return response
