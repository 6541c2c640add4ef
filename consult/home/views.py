from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from consult.accounts.auth import staff_required
from consult.extensions import db
from consult.surveys.campaigns import desk
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.timeutil import utcnow

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home/index.html")


@bp.get("/dashboard")
@staff_required
def dashboard():
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.status != CampaignStatus.ARCHIVED)
        .order_by(Campaign.created_at.desc())
    ).all()
    language, not_stated = str(get_locale()), _("School not stated")
    rows = [desk.standing(campaign, language, not_stated) for campaign in campaigns]
    return render_template("home/dashboard.html", rows=rows, now=utcnow())


@bp.get("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
