"""HR's own text of a campaign's invitations and reminders, per language, its checks and its preview; and the
test message that checks the mail settings. Services flush, never commit.

A text is checked as a whole before anything is stored: every language must name ``{link}`` (a message
without its link is useless), and ``{closing_date}`` while the campaign has a closing date, and nothing else
but the fields ``mail.MESSAGE_FIELDS``.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import delete, select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.invitations import mail
from consult.surveys.invitations.links import respondent_url
from consult.surveys.invitations.models import MailText
from consult.surveys.invitations.outbox import own_texts

KINDS = ("invitation", "reminder")
SAMPLE_RECIPIENT = "first.last@example.org"
SAMPLE_TOKEN = "EXAMPLE-PERSONAL-LINK"
MAX_SUBJECT = 200
MAX_BODY = 10_000


class TextError(ValueError):
    """A text refused as a whole: the problems (codes of ``mail.text_problems``) per language."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{language}: {', '.join(p)}" for language, p in problems.items()))


def texts_for_editing(campaign: Campaign, kind: str) -> dict[str, mail.Text]:
    """The text of each of the campaign's languages: HR's own, else the standard one with its fields."""
    own = own_texts(campaign.id, kind)
    return {
        language: own.get(language) or mail.default_text(kind, language)
        for language in campaign.questionnaire.languages
    }


def is_own(campaign: Campaign, kind: str) -> bool:
    query = select(MailText.id).where(MailText.campaign_id == campaign.id, MailText.kind == kind)
    return db.session.scalar(query.limit(1)) is not None


def check_texts(campaign: Campaign, texts: Mapping[str, mail.Text]) -> None:
    problems = {}
    for language in campaign.questionnaire.languages:
        text = texts.get(language)
        found = ["missing"] if text is None or not text.subject.strip() or not text.body.strip() else []
        if text is not None and (len(text.subject) > MAX_SUBJECT or len(text.body) > MAX_BODY):
            found.append("too-long")
        if text is not None and not found:
            found = mail.text_problems(text, campaign.closes_at is not None)
        if found:
            problems[language] = found
    if problems:
        raise TextError(problems)


def save_texts(campaign: Campaign, kind: str, texts: Mapping[str, mail.Text], actor: User | None) -> None:
    """Store HR's text in every language of the campaign, all or nothing (``TextError``)."""
    check_texts(campaign, texts)
    db.session.execute(delete(MailText).where(MailText.campaign_id == campaign.id, MailText.kind == kind))
    db.session.add_all(
        MailText(
            campaign_id=campaign.id,
            kind=kind,
            language=language,
            subject=texts[language].subject.strip(),
            body=texts[language].body.strip() + "\n",
        )
        for language in campaign.questionnaire.languages
    )
    db.session.flush()
    record(actor, "campaign.mail-text", campaign.slug, kind=kind)


def reset_texts(campaign: Campaign, kind: str, actor: User | None) -> None:
    db.session.execute(delete(MailText).where(MailText.campaign_id == campaign.id, MailText.kind == kind))
    record(actor, "campaign.mail-text-reset", campaign.slug, kind=kind)


def preview(campaign: Campaign, kind: str, languages: list[str]) -> EmailMessage:
    """The message exactly as it will be sent, to a sample address with a sample link."""
    letter = mail.Letter(
        kind,
        campaign.title,
        languages,
        campaign.min_group_size,
        campaign.closes_at,
        own_texts(campaign.id, kind),
    )
    sender = current_app.config["MAIL_SENDER"]
    return mail.message(letter, sender, SAMPLE_RECIPIENT, respondent_url(SAMPLE_TOKEN))


def send_test_message(recipient: str, language: str) -> str | None:
    """Send the test message now; None when the mail server took it, else the error as the outbox records
    it (``mail.failure_kind`` reads it)."""
    settings = mail.MailSettings.from_config(current_app.config)
    try:
        mail.send_test(settings, recipient, language)
    except (OSError, smtplib.SMTPException) as error:
        return mail.describe(error)
    return None
