"""Log hygiene: no client address and no invitation token reaches a log line (design.md, anonymity).

A token in a request line, with the line's time, would record when an invitation was used; the address
would say from where. Both are removed from werkzeug's request log and from gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

ADDRESS_AT_START = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)\s")
TOKEN_IN_PATH = re.compile(r"/r/(?!open/)[A-Za-z0-9_-]{16,}")


def redact_request_line(line: str) -> str:
    return TOKEN_IN_PATH.sub("/r/[token]", line)


class DropClientAddress(logging.Filter):
    """Werkzeug's request log starts with the client's address and names the path: scrub both."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact_request_line(ADDRESS_AT_START.sub("- ", message, count=1))
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def install_log_filters() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in werkzeug.filters):
        werkzeug.addFilter(DropClientAddress())


def gunicorn_logger_class():
    """A gunicorn logger whose access atoms carry neither the address nor a token (see gunicorn.conf.py)."""
    from gunicorn.glogging import Logger

    class ScrubbedLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            atoms.update({"h": "-", "{x-forwarded-for}i": "-"})
            for key in ("r", "U", "q", "{raw_uri}e", "f"):
                if key in atoms and isinstance(atoms[key], str):
                    atoms[key] = redact_request_line(atoms[key])
            return atoms

    return ScrubbedLogger
