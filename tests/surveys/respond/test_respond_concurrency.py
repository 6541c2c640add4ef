"""200 respondents submitting at the same instant, on committed data: 200 responses, reused tokens none."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from consult.database import dispose_engines
from consult.extensions import db
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.respond import services
from consult.surveys.respond.services import Outcome
from consult.surveys.responses.models import Ballot, Draft, Response
from tests.conftest import (
    TEST_DATABASE,
    admit_ballots,
    make_app,
    recreate_database,
    small_questionnaire,
    upgrade_schema,
)

RESPONDENTS, REUSED = 200, 60


@pytest.fixture(scope="module")
def live_app():
    app = make_app(
        recreate_database(f"{TEST_DATABASE}_respond_live"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 40, "max_overflow": 0, "pool_timeout": 60},
    )
    upgrade_schema(app)
    yield app
    with app.app_context():
        dispose_engines()


def open_campaign_with_tokens(app, n: int) -> list[str]:
    with app.app_context():
        campaign = campaigns.create_campaign(small_questionnaire())
        campaigns.open_campaign(campaign)
        tokens = [t.token for t in links.issue_tokens(campaign, n)]
        db.session.commit()
    return tokens


def respondent(app, token: str, barrier: threading.Barrier, outcomes: list) -> None:
    with app.app_context():
        visit = services.find_invitation(token)
        db.session.commit()
        if services.save_draft(visit, {"answers": {"P01.1": 4}, "comments": {"P01": "c"}}) == Outcome.STORED:
            db.session.commit()
        visit = services.find_invitation(token)
        db.session.commit()
        barrier.wait()
        outcome = services.submit(visit, services.layouts.get(visit.campaign))
        if outcome == Outcome.STORED:
            db.session.commit()
        else:
            db.session.rollback()
        outcomes.append(outcome)
        db.session.remove()


@pytest.mark.live
def test_concurrent_submissions_store_exactly_one_response_per_token(live_app):
    tokens = open_campaign_with_tokens(live_app, RESPONDENTS)
    walkers = tokens + tokens[:REUSED]
    barrier, outcomes = threading.Barrier(len(walkers), timeout=120), []
    threads = [threading.Thread(target=respondent, args=(live_app, t, barrier, outcomes)) for t in walkers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert sorted(outcomes).count(Outcome.STORED) == RESPONDENTS
    assert outcomes.count(Outcome.ALREADY) == REUSED
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == RESPONDENTS
        admit_ballots()
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Response)) == RESPONDENTS
        assert db.session.scalar(select(func.count()).where(Invitation.used.is_(True))) == RESPONDENTS
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
        answers = set(db.session.scalars(select(Response.answers)))
        assert answers == {bytes([4, 0, 0])}


@pytest.mark.live
def test_a_campaign_closed_while_respondents_submit_takes_no_answer_after_closing(live_app):
    tokens = open_campaign_with_tokens(live_app, 40)
    barrier, outcomes = threading.Barrier(len(tokens) + 1, timeout=120), []
    threads = [threading.Thread(target=respondent, args=(live_app, t, barrier, outcomes)) for t in tokens]
    for thread in threads:
        thread.start()
    with live_app.app_context():
        campaign = services.load_campaign(services.find_invitation(tokens[0]).campaign.id)
        barrier.wait()
        campaigns.close_campaign(campaign)
        db.session.commit()
        campaign_id = campaign.id
    for thread in threads:
        thread.join(180)
    with live_app.app_context():
        pending = db.session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.campaign_id == campaign_id)
        )
        stored = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.campaign_id == campaign_id)
        )
        used = db.session.scalar(
            select(func.count()).where(Invitation.used.is_(True), Invitation.campaign_id == campaign_id)
        )
    assert pending == 0 and stored == used == outcomes.count(Outcome.STORED)
    assert outcomes.count(Outcome.CLOSED) == len(tokens) - stored
