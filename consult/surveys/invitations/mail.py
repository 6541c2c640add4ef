"""Invitation and reminder e-mails: their text (English, French) and their sending over SMTP.

No Flask here: settings come from the app's ``MAIL_*`` configuration as a plain mapping. The message carries
the personal link and nothing that tracks its reader (no images, no redirecting links).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

SMTP_TIMEOUT_SECONDS = 30

SUBJECTS = {
    "invitation": {"en": "Invitation: {title}", "fr": "Invitation : {title}"},
    "reminder": {"en": "Reminder: {title}", "fr": "Rappel : {title}"},
}

OPENINGS = {
    "invitation": {
        "en": "You are invited to take part in the consultation “{title}”.",
        "fr": "Vous êtes invité·e à participer à la consultation « {title} ».",
    },
    "reminder": {
        "en": "This is a reminder about the consultation “{title}”. If you have already answered, thank you: "
        "please ignore this message.",
        "fr": "Ceci est un rappel concernant la consultation « {title} ». Si vous avez déjà répondu, merci : "
        "ne tenez pas compte de ce message.",
    },
}

BODY = {
    "en": (
        "Hello,\n\n{opening}\n\n"
        "Your answers are anonymous: they are stored without your name, your e-mail address or this link, "
        "and results are only ever shown for groups of at least {k} people.\n\n"
        "Your personal link (it can be used once; please do not forward it):\n{url}\n\n"
        "{replaces}{closing}"
    ),
    "fr": (
        "Bonjour,\n\n{opening}\n\n"
        "Vos réponses sont anonymes : elles sont enregistrées sans votre nom, votre adresse électronique "
        "ni ce lien, et les résultats ne sont présentés que pour des groupes d'au moins {k} personnes.\n\n"
        "Votre lien personnel (utilisable une seule fois ; merci de ne pas le transférer) :\n{url}\n\n"
        "{replaces}{closing}"
    ),
}

REPLACES = {
    "en": "This link replaces the one in earlier messages, which no longer works.\n\n",
    "fr": "Ce lien remplace celui des messages précédents, qui ne fonctionne plus.\n\n",
}

CLOSING = {
    "en": "The consultation closes on {date} (UTC).\n",
    "fr": "La consultation sera close le {date} (UTC).\n",
}

SEPARATOR = "\n" + "-" * 40 + "\n\n"


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    sender: str
    use_tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            sender=config["MAIL_SENDER"],
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
        )


@dataclass(frozen=True)
class Letter:
    """What one message says, whoever it goes to."""

    kind: str
    title: Mapping[str, str]
    languages: Sequence[str]
    min_group_size: int
    closes_at: datetime | None = None


def subject(letter: Letter) -> str:
    language = letter.languages[0]
    return SUBJECTS[letter.kind][language].format(title=title_in(letter, language))


def title_in(letter: Letter, language: str) -> str:
    return letter.title.get(language) or next(iter(letter.title.values()))


def body(letter: Letter, url: str) -> str:
    return SEPARATOR.join(body_in(letter, url, language) for language in letter.languages)


def body_in(letter: Letter, url: str, language: str) -> str:
    closing = ""
    if letter.closes_at is not None:
        closing = CLOSING[language].format(date=letter.closes_at.strftime("%Y-%m-%d %H:%M"))
    return BODY[language].format(
        opening=OPENINGS[letter.kind][language].format(title=title_in(letter, language)),
        k=letter.min_group_size,
        url=url,
        replaces=REPLACES[language] if letter.kind == "reminder" else "",
        closing=closing,
    )


def message(letter: Letter, sender: str, recipient: str, url: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = subject(letter)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body(letter, url))
    mail["Content-Language"] = ", ".join(letter.languages)
    return mail


@contextmanager
def smtp_session(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """One connection for a batch of messages; SMTP and network errors propagate (the task retries)."""
    with smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        yield smtp
