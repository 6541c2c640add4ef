from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from consult.accounts.auth import staff_required
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignStatus

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
    return render_template("home/dashboard.html", campaigns=campaigns)


@bp.get("/healthz")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}
