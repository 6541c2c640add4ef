"""Invitation and reminder e-mails: their text (English, French) and their sending over SMTP.

No Flask here: settings come from the app's ``MAIL_*`` configuration as a plain mapping. The message carries
the personal link and nothing that tracks its reader (no images, no redirecting links).
"""

from __future__ import annotations

import smtplib
import string
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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


MESSAGE_FIELDS = ("link", "title", "closing_date", "min_group_size")
"""What HR's own text of a message may name, in braces: ``{link}`` is required (``text_problems``)."""
NO_CLOSING_DATE = {"en": "(no closing date set yet)", "fr": "(pas encore de date de clôture)"}
TEST_SUBJECT = {"en": "Consult: test message", "fr": "Consult : message d'essai"}
TEST_BODY = {
    "en": "This message was sent by Consult to check its mail settings. It arrived: invitations can be sent.",
    "fr": "Ce message a été envoyé par Consult pour vérifier ses réglages de messagerie. Il est arrivé : "
    "les invitations peuvent être envoyées.",
}


@dataclass(frozen=True)
class Text:
    """HR's own subject and body of a message in one language, with ``MESSAGE_FIELDS`` in braces."""

    subject: str
    body: str


@dataclass(frozen=True)
class Letter:
    """What one message says, whoever it goes to; ``texts``: HR's own text per language, if any."""

    kind: str
    title: Mapping[str, str]
    languages: Sequence[str]
    min_group_size: int
    closes_at: datetime | None = None
    texts: Mapping[str, Text] = field(default_factory=dict)


def default_text(kind: str, language: str) -> Text:
    """The standard message as a text HR can start from, its variable parts written as fields in braces."""
    body_text = BODY[language].format(
        opening=OPENINGS[kind][language],
        k="{min_group_size}",
        url="{link}",
        replaces=REPLACES[language] if kind == "reminder" else "",
        closing=CLOSING[language].format(date="{closing_date}"),
    )
    return Text(SUBJECTS[kind][language], body_text)


def text_problems(text: Text, needs_closing_date: bool) -> list[str]:
    """What is wrong with HR's text: unknown or malformed fields, no ``{link}``, no ``{closing_date}``
    when the campaign has a closing date. Each problem is a code for the page to word
    (``unreadable``, ``unknown:NAME``, ``no-link``, ``no-closing-date``)."""
    names: set[str] = set()
    for part in (text.subject, text.body):
        try:
            names |= {name for _, name, _, _ in string.Formatter().parse(part) if name is not None}
        except ValueError:
            return ["unreadable"]
    problems = [f"unknown:{name}" for name in sorted(names) if name not in MESSAGE_FIELDS]
    if "link" not in names:
        problems.append("no-link")
    if needs_closing_date and "closing_date" not in names:
        problems.append("no-closing-date")
    return problems


def filled(template: str, letter: Letter, language: str, url: str) -> str:
    closing = NO_CLOSING_DATE[language]
    if letter.closes_at is not None:
        closing = letter.closes_at.strftime("%Y-%m-%d %H:%M") + " (UTC)"
    return template.format(
        link=url, title=title_in(letter, language), closing_date=closing, min_group_size=letter.min_group_size
    )


def subject(letter: Letter) -> str:
    language = letter.languages[0]
    if language in letter.texts:
        return filled(letter.texts[language].subject, letter, language, "")
    return SUBJECTS[letter.kind][language].format(title=title_in(letter, language))


def title_in(letter: Letter, language: str) -> str:
    return letter.title.get(language) or next(iter(letter.title.values()))


def body(letter: Letter, url: str) -> str:
    return SEPARATOR.join(body_in(letter, url, language) for language in letter.languages)


def body_in(letter: Letter, url: str, language: str) -> str:
    if language in letter.texts:
        return filled(letter.texts[language].body, letter, language, url)
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


def test_message(sender: str, recipient: str, language: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, recipient, TEST_SUBJECT[language]
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(TEST_BODY[language])
    return mail


def send_test(settings: MailSettings, recipient: str, language: str) -> None:
    """Send a test message at once; any SMTP or network error propagates, for ``failure_kind`` to read."""
    with smtp_session(settings) as smtp:
        smtp.send_message(test_message(settings.sender, recipient, language))


def failure_kind(error: str | None) -> str:
    """What a recorded sending error (``ClassName: message``, or the outbox's own sentences) means, as a code
    the pages and the command word in plain language: ``unreachable`` (no mail server answers at that
    address), ``authentication`` (user name or password refused), ``tls`` (encryption failed),
    ``refused-address`` (the server refused this address), ``sender-refused``, ``key-changed`` (the app's
    key changed before sending), else ``server``."""
    text = error or ""
    name = text.split(":", 1)[0]
    if text.startswith("address refused"):
        return "refused-address"
    if "app's key changed" in text:
        return "key-changed"
    if name in UNREACHABLE:
        return "unreachable"
    if name == "SMTPAuthenticationError" or (name == "SMTPNotSupportedError" and "AUTH" in text):
        return "authentication"
    if name in ("SSLError", "SSLCertVerificationError") or "STARTTLS" in text:
        return "tls"
    if name == "SMTPSenderRefused":
        return "sender-refused"
    return "server"


UNREACHABLE = frozenset(
    {"ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError", "ConnectionError",
     "TimeoutError", "timeout", "gaierror", "herror", "OSError", "SMTPConnectError", "SMTPServerDisconnected"}
)  # fmt: skip
"""The errors (by class name, as recorded) that say the mail server could not be reached."""


def describe(error: BaseException) -> str:
    """An error as the outbox records it: ``ClassName: message``."""
    return f"{type(error).__name__}: {error}"[:1000]
