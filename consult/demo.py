"""``consult demo``: a realistic campaign, answered and analysed, ready to browse."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select, update
from werkzeug.serving import run_simple

from consult.accounts.models import Role
from consult.accounts.services import create_user, find_user, set_password
from consult.charter.services import load_reference_data
from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec

DEMO_EMAIL = "demo@consult.example"


def demo_account() -> str:
    """The demo administrator, with a fresh password each time (printed, never stored in clear)."""
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    user = find_user(DEMO_EMAIL)
    if user is None:
        create_user(DEMO_EMAIL, Role.ADMIN, password, name="Demo administrator")
    else:
        set_password(user, password)
    return password


DEMO_RESPONSE_RATE = 0.35


def invite_demo_staff(campaign, respondents: int) -> None:
    """Invitations for a 35% response rate, those of the respondents marked used, as answering would have."""
    links.issue_tokens(campaign, round(respondents / DEMO_RESPONSE_RATE))
    used = select(Invitation.id).where(Invitation.campaign_id == campaign.id).limit(respondents)
    db.session.execute(update(Invitation).where(Invitation.id.in_(used.scalar_subquery())).values(used=True))


def build_demo(respondents: int, seed: int = 2026):
    from consult.surveys.responses import storage, synthetic

    campaign = services.create_campaign(
        load_template("charter-2023"), title="HRS4R researchers' survey (demo)"
    )
    invite_demo_staff(campaign, respondents)
    services.open_campaign(campaign)
    campaign.interim_results = True
    q = campaign_spec(campaign)
    data = synthetic.generate(q, respondents, seed)
    storage.insert_responses(campaign.id, data.answers, data.profiles)
    storage.insert_comments(campaign.id, data.comments)
    return campaign


@click.command()
@click.option("--respondents", type=click.IntRange(1, 2_000_000), default=600, show_default=True)
@click.option("--serve", is_flag=True, help="Then serve Consult on http://localhost:5000.")
@click.option("--port", type=int, default=5000, show_default=True)
@with_appcontext
def demo(respondents: int, serve: bool, port: int) -> None:
    """Create a realistic demo campaign with answers, analyse it, and optionally serve the app."""
    from consult.analysis.commands import run_analysis

    upgrade()
    load_reference_data()
    password = demo_account()
    campaign = build_demo(respondents)
    db.session.commit()
    click.echo(f"Demo campaign {campaign.slug}: {respondents} synthetic responses.", err=True)
    run_analysis(campaign, wait=True)
    click.echo(f"Sign in as {DEMO_EMAIL} with the password {password}", err=True)
    db.session.remove()
    if serve:
        click.echo(f"Serving Consult on http://localhost:{port} (Ctrl+C to stop).", err=True)
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)
