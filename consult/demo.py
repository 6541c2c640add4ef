"""``consult demo``: a realistic campaign, answered and analysed, ready to browse."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select, update
from werkzeug.serving import run_simple

from consult.accounts.models import Role, User
from consult.accounts.services import create_user, find_user, set_password
from consult.charter.services import load_reference_data
from consult.extensions import db
from consult.gap.groups.models import WorkingGroupMember
from consult.gap.groups.services import one_group_per_pillar
from consult.surveys.campaigns import services
from consult.surveys.campaigns.models import Campaign
from consult.surveys.headcounts.models import Headcounts
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec

DEMO_EMAIL = "demo@consult.example"


def demo_account() -> tuple[User, str]:
    """The demo administrator, with a fresh password each time (printed, never stored in clear)."""
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    user = find_user(DEMO_EMAIL)
    if user is None:
        user = create_user(DEMO_EMAIL, Role.ADMIN, password, name="Demo administrator")
    else:
        set_password(user, password)
    return user, password


def demo_groups(campaign, admin: User) -> None:
    """One working group per pillar, the demo administrator a member of the first: its overview starts with
    that group's principles, as a reviewer's does."""
    groups = one_group_per_pillar(campaign, admin, "en")
    groups[0].members.append(WorkingGroupMember(user_id=admin.id))


DEMO_RESPONSE_RATE = 0.35


def invite_demo_staff(campaign, respondents: int) -> None:
    """Invitations for a 35% response rate, those of the respondents marked used, as answering would have."""
    links.issue_tokens(campaign, round(respondents / DEMO_RESPONSE_RATE))
    used = select(Invitation.id).where(Invitation.campaign_id == campaign.id).limit(respondents)
    db.session.execute(update(Invitation).where(Invitation.id.in_(used.scalar_subquery())).values(used=True))


RELATIVE_RATES = {"school": (3.0, 1.0), "career_stage": (1.6, 0.8)}
"""How often each dimension's first and last options answer, relative to each other (linear in between):
the first school three times as often as the last, doctoral candidates twice as often as leaders."""


def demo_headcounts(q: spec.Questionnaire, respondents: int) -> list[dict]:
    """Staff per cell such that the synthetic respondents answer unevenly (``RELATIVE_RATES``), at an overall
    rate of DEMO_RESPONSE_RATE; "prefer not to say" has no headcount."""
    import numpy as np

    from consult.surveys.responses import synthetic

    shares = []
    for dimension in q.dimensions:
        first, last = RELATIVE_RATES.get(dimension.code, (1.0, 1.0))
        staff = synthetic.option_weights(dimension) / np.linspace(first, last, len(dimension.options))
        shares.append(staff / staff.sum())
    total = respondents / DEMO_RESPONSE_RATE
    rows = []
    for combination in itertools.product(*(range(len(d.options)) for d in q.dimensions)):
        options = [d.options[i].code for d, i in zip(q.dimensions, combination, strict=True)]
        if "prefer-not" not in options:
            share = float(np.prod([shares[d][i] for d, i in enumerate(combination)]))
            codes = {d.code: code for d, code in zip(q.dimensions, options, strict=True)}
            rows.append({"options": codes, "headcount": max(1, round(total * share))})
    return rows


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
    db.session.add(Headcounts(campaign_id=campaign.id, method="cells", rows=demo_headcounts(q, respondents)))
    return campaign


def with_settings(analyse: Callable[[Campaign], object], **settings) -> Callable[[Campaign], object]:
    """``analyse`` run with these application settings, the previous ones restored after."""

    def analyse_with_settings(campaign: Campaign) -> object:
        config = current_app.config
        before = {name: config.get(name) for name in settings}
        config.update(settings)
        try:
            return analyse(campaign)
        finally:
            config.update(before)

    return analyse_with_settings


def without_charts(analyse: Callable[[Campaign], object]) -> Callable[[Campaign], object]:
    """The earlier campaign is there for the trend: its charts are drawn when first looked at, which halves
    the drawing the demo waits for."""
    return with_settings(analyse, CHARTS_WITH_RESULTS=False)


def in_process_settings() -> dict:
    """When the analyses run in this process, in one partition: partitions spread the counting over the
    task queue's workers and spare recounting unchanged ones when responses arrive; counting fresh
    campaigns here, they only cost (0.55 s instead of 0.07 s for 600 respondents)."""
    from consult.celery_app import is_eager

    return {"ANALYSIS_PARTITIONS": 1} if is_eager(current_app) else {}


def start_analysis_workers() -> None:
    """When the analyses run in this process, their worker processes start now, in the background: their
    imports overlap creating and answering the campaigns instead of delaying the first audit."""
    from consult.analysis import workers
    from consult.celery_app import is_eager

    if is_eager(current_app):
        workers.warm_up()


@click.command()
@click.option("--respondents", type=click.IntRange(1, 2_000_000), default=600, show_default=True)
@click.option("--serve", is_flag=True, help="Then serve Consult on http://localhost:5000.")
@click.option("--port", type=int, default=5000, show_default=True)
@with_appcontext
def demo(respondents: int, serve: bool, port: int) -> None:
    """Create a realistic demo campaign with answers, analyse it, and optionally serve the app."""
    from consult.analysis.commands import run_analysis

    start_analysis_workers()
    upgrade()
    load_reference_data()
    admin, password = demo_account()
    campaign = build_demo(respondents)
    demo_groups(campaign, admin)
    db.session.commit()
    click.echo(f"Demo campaign {campaign.slug}: {respondents} synthetic responses.", err=True)
    from consult.hrs4r.demo import previous_cycle

    analyse = with_settings(lambda analysed: run_analysis(analysed, wait=True), **in_process_settings())
    previous_cycle(campaign, respondents, without_charts(analyse))
    analyse(campaign)
    click.echo(f"Sign in as {DEMO_EMAIL} with the password {password}", err=True)
    db.session.remove()
    if serve:
        click.echo(f"Serving Consult on http://localhost:{port} (Ctrl+C to stop).", err=True)
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)
