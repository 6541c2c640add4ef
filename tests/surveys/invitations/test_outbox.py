"""The outbox: messages are rows committed with their new links' hashes, sealed, sent by id, deleted once
sent; a broker that is down at queue time (a real Redis of the test's own, stopped) loses nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import _state as celery_state
from celery.exceptions import Retry
from sqlalchemy import func, select, update

from consult.config import celery_settings
from consult.extensions import limiter
from consult.surveys.invitations import outbox
from consult.surveys.invitations import services as invitations
from consult.surveys.invitations import tasks as invitation_tasks
from consult.surveys.invitations.models import OutgoingMail
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.responses.sealing import SealError, derive_key, unseal
from consult.timeutil import utcnow
from tests.conftest import PASSWORD, TEST_DATABASE, csrf_from, database_url, make_app
from tests.redis_server import redis_server
from tests.surveys.invitations.test_services import Mailbox, addresses, free_port, hr_page, invite, rows, send


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def smtp(app, monkeypatch) -> Mailbox:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield box
    controller.stop()


def outbox_rows(db) -> list[OutgoingMail]:
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def age(db, minutes: int) -> None:
    earlier = utcnow() - timedelta(minutes=minutes)
    db.session.execute(update(OutgoingMail).values(next_attempt_at=earlier, created_at=earlier))


def test_the_links_wait_sealed_with_their_hashes_and_are_deleted_once_sent(db, app, make_campaign, smtp):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    outgoing = invitations.prepare_invitations(campaign.id, languages=["en"])
    waiting = outbox_rows(db)
    assert [row.id for row in waiting] == outgoing.mail_ids and {row.kind for row in waiting} == {
        "invitation"
    }
    key = derive_key(app.config["SECRET_KEY"], outbox.OUTBOX)
    for row, invitation in zip(waiting, rows(db, campaign), strict=True):
        token = unseal(key, row.sealed_token, outbox.OUTBOX)
        assert token.encode() not in row.sealed_token and invitation.token_hash == token_hash(token)
        with pytest.raises(SealError):
            unseal(derive_key("another secret", outbox.OUTBOX), row.sealed_token, outbox.OUTBOX)
    assert invitation_tasks.queue_campaign(outgoing).deferred is False
    assert outbox_rows(db) == [] and len(smtp.messages) == 2
    assert [i.send_status for i in rows(db, campaign)] == ["sent", "sent"]


def test_a_row_is_sent_once_however_often_it_is_queued(db, make_campaign, smtp):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    mail_ids = invitations.prepare_invitations(campaign.id).mail_ids
    assert outbox.claim(mail_ids) == mail_ids and outbox.claim(mail_ids) == []
    invitation_tasks.send_outgoing_mail.apply((mail_ids,))
    assert smtp.messages == []
    db.session.execute(update(OutgoingMail).values(sending_until=None))
    invitation_tasks.send_outgoing_mail.apply((mail_ids,))
    invitation_tasks.send_outgoing_mail.apply((mail_ids,))
    assert len(smtp.messages) == 2


def test_a_new_link_replaces_the_message_waiting_with_the_old_one(db, make_campaign, smtp):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(1))
    first = invitations.mint(campaign.id, rows(db, campaign), "invitation", ["en"])
    second = invitations.mint(campaign.id, rows(db, campaign), "invitation", ["fr"])
    assert [row.id for row in outbox_rows(db)] == second != first
    invitation_tasks.send_outgoing_mail.apply((first + second,))
    assert len(smtp.messages) == 1 and smtp.messages[0]["Content-Language"] == "fr"
    assert rows(db, campaign)[0].token_hash == token_hash(smtp.link_of(addresses(1)[0]))


def test_a_mail_server_down_keeps_the_rows_for_a_later_attempt(
    db, app, client, make_user, login, make_campaign, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    mail_ids = invitations.prepare_invitations(campaign.id).mail_ids
    with pytest.raises(Retry, match="Retry in 60"):
        invitation_tasks.send_outgoing_mail.apply((mail_ids,))
    for row in outbox_rows(db):
        assert row.attempts == 1 and row.sending_until is None and "ConnectionRefusedError" in row.last_error
        assert timedelta(seconds=50) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert {(i.send_status, i.send_attempts) for i in rows(db, campaign)} == {("queued", 1)}
    assert outbox.due(grace=outbox.LOST_AFTER) == []
    page = hr_page(client, make_user, login, campaign)
    assert "The invitations could not be sent." in page and "No mail server answered" in page
    assert "ConnectionRefusedError" in page and "MAIL_PORT" in page
    assert "tried again automatically, next at" in page


def test_the_beat_sends_the_messages_whose_task_was_lost(db, make_campaign, smtp):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(3))
    invitations.prepare_invitations(campaign.id)
    assert invitation_tasks.send_lost_mail.apply().get() == 0
    age(db, minutes=6)
    assert invitation_tasks.send_lost_mail.apply().get() == 3
    assert len(smtp.messages) == 3 and outbox_rows(db) == []
    assert {i.send_status for i in rows(db, campaign)} == {"sent"}


def test_a_final_connection_failure_says_to_check_the_mail_settings(
    db, app, client, make_user, login, make_campaign, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    campaign = make_campaign(status="open")
    invite(campaign, addresses(1))
    invitation_tasks.send_invitations(campaign.id)
    assert outbox_rows(db) == [] and rows(db, campaign)[0].send_status == "failed"
    page = hr_page(client, make_user, login, campaign)
    assert "No mail server answered at the configured address" in page and "MAIL_SERVER" in page


def test_a_refused_address_is_not_a_mail_server_problem(db, client, make_user, login, make_campaign, smtp):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    smtp.refuse.add(addresses(1)[0])
    invitation_tasks.send_invitations(campaign.id)
    page = hr_page(client, make_user, login, campaign)
    assert "No such mailbox here" in page and "The mail server refused this address." in page
    assert "could not be sent" not in page


# --- the broker down at queue time: a real Redis, stopped -------------------------------------------------


@pytest.fixture
def broker(db):
    with redis_server() as server:
        yield server


@pytest.fixture
def broker_app(app, broker, monkeypatch):
    """The app as the web side has it with REDIS_URL set: tasks go to the broker; no worker takes them."""
    previous = celery_state.get_current_app()
    url = broker.url()
    web = make_app(database_url(TEST_DATABASE), REDIS_URL=url, CELERY=celery_settings(url))
    web.test_client_class = app.test_client_class
    try:
        yield web
    finally:
        previous.set_current()
        previous.set_default()
        limiter.init_app(app)


def queued_arguments(server) -> list:
    """The arguments of every task message waiting in the broker."""
    messages = redis.Redis.from_url(server.url()).lrange("celery", 0, -1)
    return [json.loads(base64.b64decode(json.loads(m)["body"]))[0] for m in messages]


def test_a_broker_down_at_queue_time_keeps_the_messages_and_says_so(
    db, app, broker_app, broker, make_user, make_campaign
):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(3))
    hr = make_user("hr")
    browser = broker_app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    browser.post("/login", data={"email": hr.email, "password": PASSWORD, "csrf_token": csrf_from(page)})
    broker.stop()
    response = send(browser, campaign)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 invitations queued for sending." in page and "task queue cannot be reached right now" in page
    waiting = outbox_rows(db)
    assert len(waiting) == 3 and {i.send_status for i in rows(db, campaign)} == {"queued"}
    broker.start()
    with broker_app.app_context():
        assert invitation_tasks.send_invitations(campaign.id) == 0
    arguments = queued_arguments(broker)
    assert arguments == [[[row.id for row in waiting]]]
    assert "/r/" not in json.dumps(arguments) and db.session.scalar(select(func.count(OutgoingMail.id))) == 3
