"""What keeps the respondent flow out of the logs: no client address, no token.

The rate limiter needs a per-client key; it gets a keyed hash of the address, so neither its storage nor its
own log line ("ratelimit ... exceeded") holds the address. ``consult.logs`` scrubs the access logs; an error
logged by the app ("Exception on /r/<token>/step/2") names the path, and a respondent's path carries the
token:
the filter below rewrites such records of the app's logger before any handler sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re

from flask import current_app, request

TOKEN_IN_PATH = re.compile(r"(/r/)[A-Za-z0-9_-]{22}(?=[/?\s\"']|$)")
ADDRESS_LIKE = re.compile(r"(?<![\w.:])[0-9a-fA-F:.]*[.:][0-9a-fA-F:.]*(?![\w.:])")
LOGGERS = ("flask-limiter", "gunicorn.error")


def client_key() -> str:
    """The rate limiter's key for this client: a keyed hash of its address, never the address itself."""
    secret = str(current_app.secret_key).encode()
    address = (request.remote_addr or "-").encode()
    return "c" + hmac.new(secret, address, hashlib.sha256).hexdigest()[:24]


def redact(message: str) -> str:
    return ADDRESS_LIKE.sub(hide_address, TOKEN_IN_PATH.sub(r"\1<token>", message))


def hide_address(match: re.Match) -> str:
    try:
        ipaddress.ip_address(match.group(0))
    except ValueError:
        return match.group(0)
    return "-"


class RedactRespondents(logging.Filter):
    """Rewrites a record that names a token or an address; every other record goes through untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install_log_redaction(app_logger_name: str) -> None:
    for name in (*LOGGERS, app_logger_name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactRespondents) for f in logger.filters):
            logger.addFilter(RedactRespondents())
