"""The results pages: the campaign overview shaped like the gap analysis, a page per principle with its
charts (each with a data table), the analysis runs, and the results JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from consult import jobs, wording
from consult.accounts.auth import hr_required, reviewer_required
from consult.accounts.models import Role
from consult.analysis import chartstore, pages
from consult.analysis.chartparts import chart_parts, family_of
from consult.analysis.models import AnalysisRun, RunStatus
from consult.analysis.ratings import reason_of
from consult.analysis.services import latest_run
from consult.extensions import db
from consult.gap.exports import current_results, dimension_labels, scale_labels
from consult.gap.forms import RATING_MEANINGS, ActionForm
from consult.gap.groups import services as working_groups
from consult.gap.sanitize import clean_html
from consult.gap.services import neighbours
from consult.gap.status import STATUS_LABELS, status_counts
from consult.gap.tsv import RATINGS, format_rating
from consult.surveys.campaigns.models import Campaign
from consult.surveys.campaigns.services import CampaignError, get_campaign

bp = Blueprint("analysis", __name__, url_prefix="/results")
CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
EDITORS = frozenset({Role.ADMIN, Role.HR, Role.REVIEWER})
RUNNERS = frozenset({Role.ADMIN, Role.HR})


def campaign_or_404(slug: str) -> Campaign:
    try:
        return get_campaign(slug)
    except CampaignError:
        abort(404, description=_("No such campaign."))


def language() -> str:
    return str(get_locale())


RATING_CLASSES = {"++": "rating-pp", "+/-": "rating-pm", "-/+": "rating-mp", "--": "rating-mm"}


@bp.app_template_global()
def safe_html(text: str | None) -> Markup:
    return Markup(clean_html(text or ""))  # nosec B704 # sanitised by clean_html (allowed tags only)


@bp.app_template_global()
def rating_class(rating: str | None) -> str:
    return RATING_CLASSES.get(rating or "", "")


@bp.app_template_global()
def rating_text(rating: str | None, spelling: str = "plus-slash") -> str:
    return (
        format_rating(rating, "compact" if spelling == "compact" else "plus-slash")
        if rating in RATINGS
        else ""
    )


@bp.app_template_global()
def rating_meaning(rating: str | None) -> str:
    return str(RATING_MEANINGS.get(rating or "", ""))


@bp.app_template_global()
def rating_reason(rating: dict | None, spelling: str = "compact") -> str:
    """A suggested rating's reason in the interface's language."""
    return reason_of(rating, language(), "compact" if spelling == "compact" else "plus-slash")


@bp.app_template_global()
def share_text(value: float | None) -> str:
    return "\u2013" if value is None else wording.share(value, language())


@bp.app_template_global()
def decimal_text(value: float | None, digits: int = 2) -> str:
    return "\u2013" if value is None else wording.decimal(value, language(), digits)


@bp.app_template_global()
def interval_text(ci: list[float] | None) -> str:
    return wording.interval(ci[0], ci[1], language()) if ci else ""


@bp.get("/<slug>")
@reviewer_required
def overview(slug: str):
    campaign = campaign_or_404(slug)
    results = current_results(campaign)
    rows = pages.principle_rows(campaign, results, language())
    chosen = {name: request.args.get(name) for name in ("status", "only", "group")}
    groups = working_groups.groups_by_section(campaign.id)
    shown = [
        row
        for row in rows
        if row.shown_by(chosen["status"], chosen["only"])
        and working_groups.in_group(groups.get(row.section.code), chosen["group"])
    ]
    return render_template(
        "analysis/overview.html",
        campaign=campaign,
        results=results,
        counts=status_counts(row.status for row in rows),
        status_labels=STATUS_LABELS,
        chosen=chosen,
        shown=len(shown),
        run=latest_run(campaign.id),
        participation=pages.participation(campaign),
        parts=overview_parts(campaign, shown),
        groups=groups,
        all_groups=working_groups.groups_of(campaign.id),
        can_run=current_user.role in RUNNERS,
        form=ActionForm(),
    )


def overview_parts(campaign: Campaign, rows: list[pages.PrincipleRow]) -> list[tuple[str, list]]:
    """The reader's working groups' principles first, under their own heading, then the others; each part
    grouped by pillar. A reader in no group (or whose groups have no principle) gets one part."""
    own, others = working_groups.own_first(rows, working_groups.own_sections(campaign.id, current_user.id))
    if not own:
        return [("", pages.by_pillar(campaign, others, language()))]
    parts = [(_("Your working group's principles"), pages.by_pillar(campaign, own, language()))]
    return parts + (
        [(_("Other principles"), pages.by_pillar(campaign, others, language()))] if others else []
    )


@bp.get("/<slug>.json")
@reviewer_required
def results_json(slug: str):
    results = current_results(campaign_or_404(slug))
    if results is None:
        return jsonify(error="Not Found", message="this campaign has no analysis yet"), 404
    return jsonify(results)


@bp.post("/<slug>/analyse")
@hr_required
def analyse(slug: str):
    from consult.analysis.tasks import start_analysis

    campaign = campaign_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = latest_run(campaign.id)
    if active is not None and active.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        return redirect(url_for("analysis.run", slug=slug, run_id=active.id))
    try:
        run = start_analysis(campaign, trigger="web", background=jobs.in_background())
    except Exception as error:
        flash(_("The analysis could not start: %(error)s", error=str(error)), "error")
        return redirect(url_for("analysis.overview", slug=slug))
    return redirect(url_for("analysis.run", slug=slug, run_id=run.id))


@bp.get("/<slug>/runs/<int:run_id>")
@reviewer_required
def run(slug: str, run_id: int):
    campaign = campaign_or_404(slug)
    found = db.session.get(AnalysisRun, run_id)
    if found is None or found.campaign_id != campaign.id:
        abort(404)
    running = found.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    refresh = running and request.args.get("refresh") != "off"
    return render_template(
        "analysis/run.html", campaign=campaign, run=found, running=running, refresh=refresh
    )


@bp.get("/<slug>/<section_code>")
@reviewer_required
def principle(slug: str, section_code: str):
    campaign = campaign_or_404(slug)
    section = pages.section_or_none(campaign, section_code) or abort(404, description=_("No such principle."))
    figures = pages.section_figures(current_results(campaign), section_code)
    dims = dimension_labels(campaign, language())
    return render_template(
        "analysis/principle.html",
        campaign=campaign,
        section=section,
        figures=figures,
        assessment=pages.assessments_by_section(campaign.id).get(section_code),
        tables=pages.group_tables(figures, dims, language()) if figures else [],
        parts=chart_parts(figures, dims, language()) if figures else [],
        scale=scale_labels(campaign, language()),
        item_texts=pages.item_texts(section, language()),
        comments=pages.releasable_comments(campaign, section_code, (figures or {}).get("n")),
        previous=pages.previous_rows(campaign, section, language()),
        can_edit=current_user.role in EDITORS,
        pillar=pages.pillar_title(campaign, section.pillar, language()),
        dims=dims,
        around=neighbours(campaign, section.code),
        group=working_groups.groups_by_section(campaign.id).get(section.code),
    )


@bp.get("/<slug>/<section_code>/<kind>.<fmt>")
@reviewer_required
def chart(slug: str, section_code: str, kind: str, fmt: str):
    campaign = campaign_or_404(slug)
    run = latest_run(campaign.id, done_only=True)
    if run is None or family_of(kind) is None or fmt not in CHART_TYPES:
        abort(404)
    content = stored_chart(run, (section_code, kind, fmt))
    if content is None:
        abort(404)
    response = Response(content, mimetype=CHART_TYPES[fmt])
    if fmt == "pdf" or request.args.get("download"):
        response.headers["Content-Disposition"] = f"attachment; filename={slug}-{section_code}-{kind}.{fmt}"
    return response


def stored_chart(run: AnalysisRun, key: chartstore.ChartKey) -> bytes | None:
    """The chart stored with the results; a run from before the store gets its section drawn once, here.
    Two requests drawing the same section at once: the second one's rows give way to the first's."""
    content = chartstore.stored_chart(run.id, language(), key)
    if content is None and chartstore.ensure_charts(run, language(), only=key[0]):
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        content = chartstore.stored_chart(run.id, language(), key)
    return content
