"""Invitations: the address file, sending through a real SMTP server (aiosmtpd), reminders, links by hand."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from consult.accounts.models import AuditEvent
from consult.extensions import limiter
from consult.surveys.campaigns import services
from consult.surveys.campaigns.models import Campaign, CampaignMode
from consult.surveys.invitations import links, outbox
from consult.surveys.invitations import services as invitations
from consult.surveys.invitations import tasks as invitation_tasks
from consult.surveys.invitations.models import Invitation, OutgoingMail
from consult.surveys.invitations.tasks import SMTP_MAX_RETRIES, send_reminders
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services as respond
from consult.surveys.responses.models import Draft
from tests.conftest import csrf_from, draft_data, small_questionnaire


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


LINK = re.compile(r"http://localhost/r/([A-Za-z0-9_-]{22})")


@dataclass
class Mailbox:
    """What the test SMTP server received, and the addresses it refuses."""

    messages: list[EmailMessage] = field(default_factory=list)
    sessions: set[int] = field(default_factory=set)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        self.sessions.add(id(session))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    def link_of(self, address: str) -> str:
        return LINK.findall(self.to(address)[-1].get_content())[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(app, monkeypatch):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "hr@consult.example.org")
    yield box
    controller.stop()


def people_csv(*rows: str, header: str = "email,school", bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join([header, *rows]) + "\n").encode()


def addresses(n: int) -> list[str]:
    return [f"researcher{i}@univ.example.org" for i in range(n)]


def invite(campaign: Campaign, emails: list[str], school: str | None = "north") -> None:
    links.invite_emails(campaign, [(address, school) for address in emails])


def rows(db, campaign) -> list[Invitation]:
    query = select(Invitation).where(Invitation.campaign_id == campaign.id).order_by(Invitation.id)
    return list(db.session.scalars(query))


def hr_page(client, make_user, login, campaign) -> str:
    login(make_user("hr"))
    return client.get(f"/campaigns/{campaign.slug}/invitations").get_data(as_text=True)


# --- the address file -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_reads_addresses_and_schools_by_code_or_label(make_campaign, bom):
    campaign = make_campaign()
    data = people_csv(
        "Ann@Univ.example.org,north",
        "bob@univ.example.org,Sud",
        "",
        "cat@univ.example.org,",
        header="Email,School",
        bom=bom,
    )
    assert invitations.read_invitation_csv(data, campaign) == [
        ("ann@univ.example.org", "north"),
        ("bob@univ.example.org", "south"),
        ("cat@univ.example.org", None),
    ]


def test_the_school_column_is_optional(make_campaign):
    data = people_csv("ann@univ.example.org", header="email")
    assert invitations.read_invitation_csv(data, make_campaign()) == [("ann@univ.example.org", None)]


def test_every_bad_row_is_refused_with_its_line(make_campaign):
    data = people_csv(
        "ann@univ.example.org,north",
        "not-an-address,north",
        "bob@univ.example.org,west",
        "ANN@univ.example.org,south",
        "cat@univ.example.org,north,extra",
    )
    with pytest.raises(invitations.InvitationFileError) as refused:
        invitations.read_invitation_csv(data, make_campaign())
    errors = refused.value.errors
    assert len(errors) == 4
    assert errors[0].startswith("line 3:") and "not-an-address" in errors[0]
    assert errors[1].startswith("line 4:") and "unknown school 'west'" in errors[1] and "north" in errors[1]
    assert errors[2].startswith("line 5:") and "listed twice (first on line 2)" in errors[2]
    assert errors[3].startswith("line 6:") and "expected 2 values" in errors[3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"mail,school\na@b.org,north\n", "must name a column 'email'"),
        (b"email,name\na@b.org,Ann\n", "unknown column(s) 'name'"),
        (b"email,email\na@b.org,a@b.org\n", "named twice"),
        (b"email\n", "lists no e-mail address"),
        (b"", "must name a column 'email'"),
        ("email\nann@b.org\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_a_malformed_file_is_refused(make_campaign, data, message):
    with pytest.raises(invitations.InvitationFileError, match=re.escape(message)):
        invitations.read_invitation_csv(data, make_campaign())


def test_schools_need_a_school_dimension(make_campaign):
    q = small_questionnaire()
    campaign = make_campaign(q.__class__(**{**q.__dict__, "dimensions": q.dimensions[1:]}))
    with pytest.raises(invitations.InvitationFileError, match="no school dimension"):
        invitations.read_invitation_csv(people_csv("a@b.org,north"), campaign)


# --- sending ----------------------------------------------------------------------------------------------


def send(client, campaign, language: str = "all", what: str = "send"):
    page = client.get(f"/campaigns/{campaign.slug}/invitations").get_data(as_text=True)
    return client.post(
        f"/campaigns/{campaign.slug}/invitations/{what}",
        data={"csrf_token": csrf_from(page), "language": language},
        follow_redirects=True,
    )


def test_invitations_reach_each_address_with_a_working_personal_link(
    db, client, make_user, login, make_campaign, mailbox
):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(3))
    hr_page(client, make_user, login, campaign)
    page = send(client, campaign).get_data(as_text=True)
    assert "3 invitations sent." in page
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == sorted(addresses(3))
    stored = {i.email: i for i in rows(db, campaign)}
    for address in addresses(3):
        message = mailbox.to(address)[0]
        assert message["From"] == "hr@consult.example.org" and message["To"] == address
        assert message["Subject"] == "Invitation: Small survey"
        assert stored[address].token_hash == token_hash(mailbox.link_of(address))
        assert stored[address].send_status == "sent" and stored[address].send_attempts == 1
    assert len({mailbox.link_of(a) for a in addresses(3)}) == 3
    body = mailbox.messages[0].get_content()
    assert "You are invited" in body and "Vous êtes invité·e" in body and "at least 5 people" in body


def test_the_message_can_be_in_one_language(client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(1))
    hr_page(client, make_user, login, campaign)
    send(client, campaign, language="fr")
    message = mailbox.messages[0]
    assert message["Content-Language"] == "fr" and message["Subject"] == "Invitation : Petite enquête"
    assert (
        "Votre lien personnel" in message.get_content() and "Your personal link" not in message.get_content()
    )


def test_workers_make_the_links_without_a_request_or_server_name(
    app, db, make_campaign, mailbox, monkeypatch
):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "CONSULT_BASE_URL", "https://consult.example.org/hr")
    campaign = make_campaign(status="open")
    invite(campaign, addresses(1))
    invitation_tasks.send_invitations(campaign.id)
    body = mailbox.messages[0].get_content()
    token = re.findall(r"https://consult\.example\.org/hr/r/([A-Za-z0-9_-]{22})", body)[0]
    assert rows(db, campaign)[0].token_hash == token_hash(token)


def test_sending_goes_in_batches(app, client, make_user, login, make_campaign, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 2)
    campaign = make_campaign(status="open")
    invite(campaign, addresses(5))
    assert invitation_tasks.send_invitations(campaign.id) == 5
    assert len(mailbox.messages) == 5 and len(mailbox.sessions) == 3


def test_a_refused_address_fails_alone_and_is_listed(db, client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(3))
    mailbox.refuse.add(addresses(1)[0])
    invitation_tasks.send_invitations(campaign.id)
    stored = {i.email: i for i in rows(db, campaign)}
    assert stored[addresses(1)[0]].send_status == "failed"
    assert "550" in stored[addresses(1)[0]].send_error
    assert [stored[a].send_status for a in addresses(3)[1:]] == ["sent", "sent"]
    page = hr_page(client, make_user, login, campaign)
    assert addresses(1)[0] in page and "No such mailbox here" in page
    assert addresses(3)[1] not in page


def test_a_mail_server_down_is_retried_then_recorded(db, app, make_campaign, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    assert invitation_tasks.send_invitations(campaign.id) == 2
    for invitation in rows(db, campaign):
        assert invitation.send_status == "failed"
        assert invitation.send_attempts == SMTP_MAX_RETRIES + 1
        assert "ConnectionRefusedError" in invitation.send_error


def test_failed_invitations_can_be_sent_again(db, app, client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    mailbox.refuse.add(addresses(1)[0])
    invitation_tasks.send_invitations(campaign.id)
    mailbox.refuse.clear()
    hr_page(client, make_user, login, campaign)
    send(client, campaign, what="retry")
    assert [i.send_status for i in rows(db, campaign)] == ["sent", "sent"]
    assert len(mailbox.to(addresses(1)[0])) == 1 and len(mailbox.to(addresses(2)[1])) == 1


def test_nothing_is_sent_before_the_campaign_opens(db, client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign()
    invite(campaign, addresses(2))
    hr_page(client, make_user, login, campaign)
    page = send(client, campaign).get_data(as_text=True)
    assert "messages are sent only while it is open" in page
    assert mailbox.messages == [] and {i.send_status for i in rows(db, campaign)} == {"pending"}


def test_an_open_link_campaign_has_no_invitations(db, client, make_user, login, make_campaign):
    campaign = make_campaign(status="open")
    campaign.mode = CampaignMode.OPEN_LINK
    page = hr_page(client, make_user, login, campaign)
    assert "uses an open link" in page and "invitations/upload" not in page
    with pytest.raises(services.CampaignError):
        invitation_tasks.send_invitations(campaign.id)


# --- reminders --------------------------------------------------------------------------------------------


def answered(db, campaign, emails: list[str]) -> None:
    for invitation in rows(db, campaign):
        invitation.used = invitation.used or invitation.email in emails
    db.session.flush()


def test_reminders_go_only_to_those_who_have_not_answered(
    db, client, make_user, login, make_campaign, mailbox
):
    campaign = make_campaign(status="open", q=small_questionnaire(min_group_size=3))
    invite(campaign, addresses(10))
    invitation_tasks.send_invitations(campaign.id)
    first_links = {a: mailbox.link_of(a) for a in addresses(10)}
    answered(db, campaign, addresses(3))
    hr_page(client, make_user, login, campaign)
    page = send(client, campaign, what="remind").get_data(as_text=True)
    assert "7 reminders were sent." in page
    reminded = [m["X-Envelope-To"] for m in mailbox.messages[10:]]
    assert sorted(reminded) == sorted(addresses(10)[3:])
    stored = {i.email: i for i in rows(db, campaign)}
    for address in addresses(10)[3:]:
        new_link = mailbox.link_of(address)
        assert new_link != first_links[address] and stored[address].token_hash == token_hash(new_link)
        assert "replaces the one in earlier messages" in mailbox.to(address)[-1].get_content()
        assert mailbox.to(address)[-1]["Subject"].startswith("Reminder:")
    assert all(stored[a].reminders_sent == 0 for a in addresses(3))


def test_a_small_number_of_reminders_is_not_told(db, client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(6))
    invitation_tasks.send_invitations(campaign.id)
    answered(db, campaign, addresses(1))
    hr_page(client, make_user, login, campaign)
    page = send(client, campaign, what="remind").get_data(as_text=True)
    assert "Their number is not shown" in page and "5 reminders" not in page
    assert len(mailbox.messages) == 6 + 5


def test_the_reminder_task_queues_reminders(db, make_campaign, make_user, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(6))
    invitation_tasks.send_invitations(campaign.id)
    answered(db, campaign, addresses(2))
    hr = make_user("hr")
    assert send_reminders.delay(campaign.id, hr.id, ["en"]).get() == 4
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages[6:]) == sorted(addresses(6)[2:])
    assert mailbox.messages[-1]["Content-Language"] == "en"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "campaign.remind", AuditEvent.target == campaign.slug)
    )
    assert event.actor_id == hr.id


def test_a_reminder_spares_the_answers_saved_for_later(db, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(2))
    invitation_tasks.send_invitations(campaign.id)
    saver, other = addresses(2)
    kept = mailbox.link_of(saver)
    respond.save_draft(respond.find_invitation(kept), {"answers": {"P01.1": 4}})
    db.session.flush()
    assert invitation_tasks.queue_reminders(campaign.id).count == 1
    assert mailbox.link_of(saver) == kept and mailbox.link_of(other) != kept
    assert draft_data(kept) == {"answers": {"P01.1": 4}}
    assert respond.find_invitation(kept).draft == {"answers": {"P01.1": 4}}


def test_new_links_delete_drafts_the_old_links_sealed(db, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    issued = links.invite_emails(campaign, [(addresses(1)[0], None)])
    respond.save_draft(respond.find_invitation(issued[0].token), {"answers": {"P01.1": 4}})
    invitation_tasks.send_invitations(campaign.id)
    assert db.session.get(Draft, token_hash(issued[0].token)) is None
    assert respond.find_invitation(mailbox.link_of(addresses(1)[0])).draft is None


def test_a_failed_reminder_is_recorded_but_never_listed(db, client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(6))
    invitation_tasks.send_invitations(campaign.id)
    mailbox.refuse.add(addresses(1)[0])
    invitation_tasks.queue_reminders(campaign.id)
    failed = next(i for i in rows(db, campaign) if i.email == addresses(1)[0])
    assert failed.send_status == "failed" and "550" in failed.send_error
    summary = invitations.invitation_summary(campaign)
    assert summary.failed == [] and summary.by_status == {"sent": 6}
    assert addresses(1)[0] not in hr_page(client, make_user, login, campaign)


# --- closing ----------------------------------------------------------------------------------------------


def test_closing_deletes_every_address_and_stops_queued_messages(db, client, make_user, login, make_campaign):
    campaign = make_campaign(status="open")
    invite(campaign, addresses(4))
    mail_ids = invitations.mint(campaign.id, rows(db, campaign), "invitation", ["en"])
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/status/close", data={"csrf_token": csrf_from(page), "confirm": "y"}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.campaign_id == campaign.id, Invitation.email.is_not(None))
        )
        == 0
    )
    assert outbox.deliver(outbox.claim(mail_ids), db.session.flush).sent == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    page = client.get(f"/campaigns/{campaign.slug}/invitations").get_data(as_text=True)
    assert "@univ.example.org" not in page
