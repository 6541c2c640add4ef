"""HR's headcounts page: give the staff numbers (file or typed), set the weighting, read the response rates.

Nested in the campaigns blueprint (``/campaigns/<slug>/headcounts``); HR staff and administrators only.
Storing headcounts or settings starts a new analysis when the campaign's results may be computed, so that
the rates and weighted figures follow at once.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from consult.accounts.auth import hr_required
from consult.analysis.services import AnalysisRefused, check_results_allowed, latest_results
from consult.extensions import db
from consult.surveys.campaigns.lookup import campaign_or_404
from consult.surveys.headcounts import services
from consult.surveys.headcounts.csv_format import MAX_BYTES, HeadcountsFileError
from consult.surveys.headcounts.forms import HeadcountsForm, WeightingForm
from consult.surveys.headcounts.models import Headcounts
from consult.surveys.headcounts.pages import representation

bp = Blueprint("headcounts", __name__)


@bp.get("/<slug>/headcounts")
@hr_required
def page(slug: str):
    return render_page(slug)


def render_page(slug: str, form: HeadcountsForm | None = None, errors=None, status: int = 200):
    campaign = campaign_or_404(slug)
    stored = db.session.get(Headcounts, campaign.id)
    settings = WeightingForm(obj=stored) if stored else None
    results = latest_results(campaign)
    context = representation(campaign, results, str(get_locale()))
    return (
        render_template(
            "surveys/headcounts.html",
            campaign=campaign,
            stored=stored,
            form=form or HeadcountsForm(),
            settings=settings,
            errors=errors or [],
            view=context,
        ),
        status,
    )


@bp.post("/<slug>/headcounts")
@hr_required
def upload(slug: str):
    campaign = campaign_or_404(slug)
    form = HeadcountsForm()
    if not form.validate_on_submit():
        return render_page(slug, form, status=422)
    data = form.file.data.read(MAX_BYTES + 1) if form.file.data else form.text.data.encode()
    try:
        services.save_headcounts(campaign, data)
    except HeadcountsFileError as error:
        return render_page(slug, form, error.errors, 422)
    db.session.commit()
    flash(_("Headcounts stored."), "success")
    return reanalysed(campaign)


@bp.post("/<slug>/headcounts/settings")
@hr_required
def settings(slug: str):
    campaign = campaign_or_404(slug)
    form = WeightingForm()
    if not form.validate_on_submit():
        flash(_("The settings were not saved: check the values."), "error")
        return redirect(url_for("surveys.headcounts.page", slug=slug))
    try:
        services.save_settings(campaign, form.trim_low.data, form.trim_high.data, form.rating_basis.data)
    except services.SettingsError as error:
        flash(str(error), "error")
        return redirect(url_for("surveys.headcounts.page", slug=slug))
    db.session.commit()
    flash(_("Weighting settings saved."), "success")
    return reanalysed(campaign)


def reanalysed(campaign):
    """Recompute the results when they may exist, so that rates and weighted figures follow."""
    from consult.analysis.tasks import start_analysis

    try:
        check_results_allowed(campaign)
    except AnalysisRefused:
        return redirect(url_for("surveys.headcounts.page", slug=campaign.slug))
    start_analysis(campaign, trigger="web")
    return redirect(url_for("surveys.headcounts.page", slug=campaign.slug))
