"""HR's own text of invitations and reminders (checked, previewed, sent), the test e-mail, and sending errors
in plain words."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from consult.surveys.invitations import mail, texts
from consult.surveys.invitations import tasks as invitation_tasks
from consult.surveys.invitations.commands import mail_group
from consult.surveys.invitations.failures import explain
from consult.surveys.invitations.models import MailText
from tests.conftest import csrf_from
from tests.surveys.invitations import test_services as shared
from tests.surveys.invitations.test_services import addresses, free_port, hr_page, invite, send

mailbox = shared.mailbox
fresh_rate_limits = shared.fresh_rate_limits

OWN_EN = "Dear colleague,\n\nPlease answer {title} by {closing_date}: {link}\n"
OWN_FR = "Chère collègue,\n\nMerci de répondre avant le {closing_date} : {link}\n"


# --- pure: placeholders, errors -----------------------------------------------------------------------


def test_the_standard_text_is_offered_with_placeholders_and_passes_its_own_checks():
    for kind in ("invitation", "reminder"):
        for language in ("en", "fr"):
            text = mail.default_text(kind, language)
            assert "{link}" in text.body and "{closing_date}" in text.body and "{title}" in text.subject
            assert mail.text_problems(text, needs_closing_date=True) == []


@pytest.mark.parametrize(
    ("subject", "body", "closing", "problems"),
    [
        ("Hello", "Answer here: {link}", False, []),
        ("Hello", "Answer here", False, ["no-link"]),
        ("Hello", "Answer here: {link}", True, ["no-closing-date"]),
        ("Hello {name}", "{link} {url}", False, ["unknown:name", "unknown:url"]),
        ("Hello", "{link} and a lone { brace", False, ["unreadable"]),
    ],
)
def test_a_text_is_checked_for_its_placeholders(subject, body, closing, problems):
    assert mail.text_problems(mail.Text(subject, body), closing) == problems


def test_an_own_text_fills_its_placeholders_in_each_language():
    letter = mail.Letter(
        "invitation",
        {"en": "Survey", "fr": "Enquête"},
        ["en", "fr"],
        5,
        datetime(2027, 3, 1, 12, 0),
        {"en": mail.Text("About {title}", OWN_EN), "fr": mail.Text("À propos", OWN_FR)},
    )
    assert mail.subject(letter) == "About Survey"
    body = mail.body(letter, "https://x.example/r/abc")
    assert "Please answer Survey by 2027-03-01 12:00 (UTC): https://x.example/r/abc" in body
    assert "avant le 2027-03-01 12:00 (UTC) : https://x.example/r/abc" in body


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("ConnectionRefusedError: [Errno 111] Connection refused", "unreachable"),
        ("gaierror: [Errno -2] Name or service not known", "unreachable"),
        ("SMTPAuthenticationError: (535, b'5.7.8 bad credentials')", "authentication"),
        ("SSLError: [SSL: WRONG_VERSION_NUMBER]", "tls"),
        ("SMTPSenderRefused: (553, b'not allowed', 'x@y')", "sender-refused"),
        ("address refused by the mail server (550 No such mailbox here)", "refused-address"),
        ("the link waiting to be sent cannot be opened (the app's key changed): send again", "key-changed"),
        ("SMTPDataError: (554, b'rejected')", "server"),
    ],
)
def test_sending_errors_are_read_as_plain_kinds(error, kind):
    assert mail.failure_kind(error) == kind


def test_an_error_is_explained_with_what_to_do(app):
    with app.test_request_context("/?lang=fr"):
        failure = explain("ConnectionRefusedError: [Errno 111] Connection refused")
    assert "MAIL_SERVER" in failure.action and failure.technical.startswith("ConnectionRefusedError")
    assert failure.reason and failure.reason != failure.action


# --- services -----------------------------------------------------------------------------------------


def test_an_own_text_is_stored_all_or_nothing(db, make_campaign):
    campaign = make_campaign(status="open")
    campaign.closes_at = datetime(2027, 3, 1, 12, 0)
    good = mail.Text("Survey", OWN_EN)
    with pytest.raises(texts.TextError) as refused:
        texts.save_texts(campaign, "invitation", {"en": good, "fr": mail.Text("Enquête", "Sans lien")}, None)
    assert refused.value.problems == {"fr": ["no-link", "no-closing-date"]}
    assert db.session.scalars(select(MailText)).all() == []
    texts.save_texts(campaign, "invitation", {"en": good, "fr": mail.Text("Enquête", OWN_FR)}, None)
    assert texts.is_own(campaign, "invitation") and not texts.is_own(campaign, "reminder")
    assert texts.texts_for_editing(campaign, "reminder")["en"] == mail.default_text("reminder", "en")


def test_invitations_are_sent_with_the_own_text(db, make_campaign, mailbox):
    campaign = make_campaign(status="open")
    texts.save_texts(
        campaign,
        "invitation",
        {"en": mail.Text("Hi {title}", OWN_EN), "fr": mail.Text("Salut", OWN_FR)},
        None,
    )
    invite(campaign, addresses(1))
    invitation_tasks.send_invitations(campaign.id, languages=["en"])
    message = mailbox.messages[0]
    assert message["Subject"] == "Hi Small survey"
    assert message.get_content().startswith("Dear colleague,")
    assert "(no closing date set yet)" in message.get_content()
    assert mailbox.link_of(addresses(1)[0])


# --- pages --------------------------------------------------------------------------------------------


def test_hr_edits_previews_and_resets_the_invitation(db, client, make_user, login, make_campaign):
    campaign = make_campaign()
    login(make_user("hr"))
    url = f"/campaigns/{campaign.slug}/invitations/text/invitation"
    page = client.get(url).get_data(as_text=True)
    assert "{link}" in page and "Message (Français)" in page
    data = {
        "csrf_token": csrf_from(page),
        "subject_en": "Survey {title}",
        "body_en": "Answer: {link}",
        "subject_fr": "Enquête",
        "body_fr": "Répondez {lien}",
    }
    refused = client.post(url, data=data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "The text was not saved" in text
    assert "“lien” is not a placeholder" in text and "must contain {link}" in text
    assert not texts.is_own(campaign, "invitation")
    saved = client.post(url, data={**data, "body_fr": "Répondez : {link}"}, follow_redirects=True)
    preview = saved.get_data(as_text=True)
    assert "Subject" in preview and "Survey Small survey" in preview
    assert "Answer: http://localhost/r/EXAMPLE-PERSONAL-LINK" in preview
    assert "Répondez : http://localhost/r/EXAMPLE-PERSONAL-LINK" in preview
    french = client.get(url + "/preview?language=fr").get_data(as_text=True)
    assert "Répondez" in french and "Answer:" not in french
    client.post(url + "/reset", data={"csrf_token": csrf_from(preview)})
    assert not texts.is_own(campaign, "invitation")
    assert client.get(url + "/preview").status_code == 200
    assert client.get(f"/campaigns/{campaign.slug}/invitations/text/other").status_code == 404


def test_the_test_e_mail_reaches_the_mail_server(client, make_user, login, make_campaign, mailbox):
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    response = client.post(
        f"/campaigns/{campaign.slug}/invitations/test-mail",
        data={"csrf_token": csrf_from(page), "email": "me@univ.example.org"},
        follow_redirects=True,
    )
    assert "A test e-mail was sent to me@univ.example.org" in response.get_data(as_text=True)
    assert [m["To"] for m in mailbox.messages] == ["me@univ.example.org"]
    assert mailbox.messages[0]["Subject"] == "Consult: test message"


def test_a_failed_test_e_mail_says_why_and_what_to_do(
    app, client, make_user, login, make_campaign, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    campaign = make_campaign()
    page = hr_page(client, make_user, login, campaign)
    url = f"/campaigns/{campaign.slug}/invitations/test-mail"
    response = client.post(url, data={"csrf_token": csrf_from(page), "email": "me@univ.example.org"})
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The test e-mail could not be sent. No mail server answered" in shown and "MAIL_PORT" in shown
    bad = client.post(url, data={"csrf_token": csrf_from(page), "email": "not an address"})
    assert bad.status_code == 422


def test_sending_reports_failures_truthfully(app, client, make_user, login, make_campaign, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    campaign = make_campaign(status="open")
    invite(campaign, addresses(3))
    hr_page(client, make_user, login, campaign)
    page = send(client, campaign).get_data(as_text=True)
    assert "0 sent, 3 failed, 0 waiting for a new attempt." in page and "queued for sending" not in page
    assert "The invitations could not be sent." in page and "Send a test e-mail" in page


def test_the_mail_test_command_sends_or_says_why_not(app, mailbox, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(mail_group, ["test", "me@univ.example.org"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in mailbox.messages] == ["me@univ.example.org"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    failed = runner.invoke(mail_group, ["test", "me@univ.example.org"])
    assert failed.exit_code == 1 and "No mail server answered" in failed.output
    assert runner.invoke(mail_group, ["test", "nobody"]).exit_code == 1
