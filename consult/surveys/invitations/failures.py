"""Sending errors in plain words: what went wrong and what to do: for the pages and the command."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult.surveys.invitations import mail

SETTINGS = "MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD, MAIL_SENDER"


@dataclass(frozen=True)
class Failure:
    reason: str
    action: str
    technical: str


REASONS = {
    "unreachable": (
        _l("No mail server answered at the configured address."),
        _l(
            "Ask your IT department for the mail server's name and port and set them in MAIL_SERVER and "
            "MAIL_PORT, then send a test e-mail."
        ),
    ),
    "authentication": (
        _l("The mail server refused the user name or the password."),
        _l("Check MAIL_USERNAME and MAIL_PASSWORD with your IT department, then send a test e-mail."),
    ),
    "tls": (
        _l("The encrypted connection to the mail server could not be set up."),
        _l("Check MAIL_USE_TLS and MAIL_PORT (usually 587 with TLS), then send a test e-mail."),
    ),
    "sender-refused": (
        _l("The mail server refused to send from the configured sender address."),
        _l("Set MAIL_SENDER to an address the mail server accepts, then send a test e-mail."),
    ),
    "refused-address": (
        _l("The mail server refused this address."),
        _l("Check the address for a typing error, correct it in your list and add the person again."),
    ),
    "key-changed": (
        _l("The link waiting to be sent could not be read: the application's secret key changed."),
        _l("Send the failed invitations again: each gets a new link."),
    ),
    "server": (
        _l("The mail server answered with an error."),
        _l("Send a test e-mail; if it fails too, show the technical detail to your IT department."),
    ),
}


def explain(error: str | None) -> Failure:
    reason, action = REASONS[mail.failure_kind(error)]
    return Failure(str(reason), str(action), error or "")
