"""The campaign lifecycle: draft -> open -> closed -> archived, its guards, its dates, the beat task, and the
questionnaire frozen once the campaign opens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import limiter
from consult.surveys.campaigns.models import CampaignStatus
from consult.surveys.campaigns.tasks import apply_campaign_schedule
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses.models import Draft
from consult.timeutil import utcnow
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture
def hr(client, make_user, login):
    return login(make_user("hr"))


def act(client, campaign, action: str, **fields):
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    return client.post(
        f"/campaigns/{campaign.slug}/status/{action}", data={"csrf_token": csrf_from(page), **fields}
    )


def schedule(client, campaign, opens: str, closes: str):
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    return client.post(
        f"/campaigns/{campaign.slug}/schedule",
        data={"csrf_token": csrf_from(page), "opens_at": opens, "closes_at": closes},
    )


def local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_campaign_goes_from_draft_to_archived(db, client, hr, make_campaign):
    campaign = make_campaign()
    assert act(client, campaign, "open").status_code == 302
    assert campaign.status == CampaignStatus.OPEN and campaign.opened_at is not None
    assert act(client, campaign, "close", confirm="y").status_code == 302
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    assert act(client, campaign, "archive").status_code == 302
    assert campaign.status == CampaignStatus.ARCHIVED
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.target == campaign.slug)
        .order_by(AuditEvent.id)
    ).all()
    assert events[1:] == [
        ("campaign.open", hr.id),
        ("campaign.close", hr.id),
        ("campaign.archive", hr.id),
    ]


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("draft", "close", "only an open campaign can close"),
        ("draft", "archive", "only a closed campaign is archived"),
        ("open", "open", "only a draft can be opened"),
        ("open", "archive", "only a closed campaign is archived"),
        ("closed", "open", "only a draft can be opened"),
        ("closed", "close", "only an open campaign can close"),
    ],
)
def test_only_the_next_step_is_allowed(db, client, hr, make_campaign, status, action, message):
    campaign = make_campaign(status=status)
    response = act(client, campaign, action, confirm="y")
    assert response.status_code == 409 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign.status.value == status


def test_closing_must_be_confirmed(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    response = act(client, campaign, "close")
    assert response.status_code == 422 and "closing is final" in response.get_data(as_text=True)
    assert campaign.status == CampaignStatus.OPEN


def test_an_unknown_action_is_404(client, hr, make_campaign):
    assert act(client, make_campaign(), "reopen").status_code == 404


def test_closing_is_final_for_answers(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    links.invite_emails(campaign, [("ann@univ.example.org", "north")])
    db.session.add(Draft(token_hash=token_hash("x" * 22), campaign_id=campaign.id, data={}))
    db.session.flush()
    act(client, campaign, "close", confirm="y")
    assert db.session.scalars(
        select(Invitation.email).where(Invitation.campaign_id == campaign.id)
    ).all() == [None]
    assert db.session.scalars(select(Draft).where(Draft.campaign_id == campaign.id)).all() == []
    assert act(client, campaign, "open").status_code == 409


def test_dates_are_saved_for_a_draft(db, client, hr, make_campaign):
    campaign = make_campaign()
    opens, closes = utcnow() + timedelta(days=1), utcnow() + timedelta(days=15)
    assert schedule(client, campaign, local(opens), local(closes)).status_code == 302
    assert local(campaign.opens_at) == local(opens) and local(campaign.closes_at) == local(closes)
    assert (
        "campaign.schedule"
        in db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == campaign.slug)).all()
    )


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(days=3), timedelta(days=2), "the closing date must come after the opening date"),
        (timedelta(days=3), timedelta(days=3), "the closing date must come after the opening date"),
        (None, timedelta(days=-1), "the closing date must be in the future"),
    ],
)
def test_bad_dates_are_refused(db, client, hr, make_campaign, opens, closes, message):
    campaign = make_campaign()
    response = schedule(client, campaign, local(utcnow() + opens) if opens else "", local(utcnow() + closes))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert campaign.opens_at is None and campaign.closes_at is None


def test_an_open_campaign_may_only_move_its_closing_date(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    closes = utcnow() + timedelta(days=10)
    assert schedule(client, campaign, "", local(closes)).status_code == 302
    assert local(campaign.closes_at) == local(closes)
    response = schedule(client, campaign, local(utcnow() + timedelta(days=1)), local(closes))
    assert response.status_code == 422 and "only its closing date can change" in response.get_data(
        as_text=True
    )


def test_a_closed_campaign_keeps_its_dates(db, client, hr, make_campaign):
    campaign = make_campaign(status="closed")
    response = schedule(client, campaign, "", local(utcnow() + timedelta(days=1)))
    assert response.status_code == 409 and "can no longer change" in response.get_data(as_text=True)


def test_the_beat_task_opens_and_closes_campaigns_on_their_dates(db, make_campaign):
    now = utcnow()
    due_to_open, not_yet = make_campaign(), make_campaign()
    due_to_open.opens_at, not_yet.opens_at = now - timedelta(minutes=1), now + timedelta(hours=1)
    due_to_close, still_open = make_campaign(status="open"), make_campaign(status="open")
    due_to_close.closes_at, still_open.closes_at = now - timedelta(minutes=1), now + timedelta(hours=1)
    links.invite_emails(due_to_close, [("ann@univ.example.org", None)])
    db.session.flush()
    assert apply_campaign_schedule.delay().get() == {"opened": 1, "closed": 1}
    assert [c.status.value for c in (due_to_open, not_yet, due_to_close, still_open)] == [
        "open",
        "draft",
        "closed",
        "open",
    ]
    assert (
        db.session.scalar(select(Invitation.email).where(Invitation.campaign_id == due_to_close.id)) is None
    )
    assert apply_campaign_schedule.delay().get() == {"opened": 0, "closed": 0}


def test_a_campaign_that_cannot_open_does_not_stop_the_others(db, make_campaign):
    broken, fine = make_campaign(), make_campaign()
    for section in broken.questionnaire.sections:
        section.items.clear()
    broken.opens_at = fine.opens_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert apply_campaign_schedule.delay().get() == {"opened": 1, "closed": 0}
    assert (broken.status.value, fine.status.value) == ("draft", "open")


def post(client, path: str, **fields):
    page = client.get("/dashboard").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), **fields})


SETTINGS = {
    "title_en": "Staff survey 2026",
    "title_fr": "Enquête 2026",
    "mode": "token",
    "min_group_size": "7",
    "comment_min_responses": "12",
    "plus_plus": "0.8",
    "plus_minus": "0.6",
    "minus_plus": "0.45",
    "equity_gap": "0.1",
    "equity_alpha": "0.01",
}


FROZEN_POSTS = [
    ("settings", SETTINGS),
    ("scale", {"points": "5"}),
    ("principles", {"principles": ["1"]}),
    ("questionnaire", {"code": "X"}),
    ("sections/P01", {}),
    ("sections/P01/items", {}),
    ("items/P01.1", {}),
    ("dimensions", {}),
    ("dimensions/standard", {"code": "gender"}),
    ("dimensions/school", {}),
    ("sections/P01/delete", {}),
    ("items/P01.1/move/down", {}),
    ("dimensions/school/delete", {}),
    ("questionnaire/file", {}),
]


@pytest.mark.parametrize("status", ["open", "closed"])
@pytest.mark.parametrize(("path", "fields"), FROZEN_POSTS)
def test_a_campaign_that_has_opened_is_frozen(db, client, make_campaign, hr, status, path, fields):
    campaign = make_campaign(status=status)
    before = campaign_spec(campaign)
    response = post(client, f"/campaigns/{campaign.slug}/{path}", **fields)
    assert response.status_code == 409
    assert "questionnaire was frozen when it opened" in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign_spec(campaign) == before


def test_a_frozen_questionnaire_is_still_readable(db, client, make_campaign, hr):
    campaign = make_campaign(status="open")
    page = client.get(f"/campaigns/{campaign.slug}/questionnaire").get_data(as_text=True)
    assert "Je connais les règles." not in page and "I know the rules." in page
    assert "is frozen" in page and "Add a section" not in page
    assert client.get(f"/campaigns/{campaign.slug}/settings").status_code == 409
