"""Log hygiene: no client address and no invitation token reaches a log line (design.md, anonymity).

A token in a request line, with the line's time, would record when an invitation was used; the address
would say from where. Both are removed from werkzeug's request log and from gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

ADDRESS_AT_START = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)\s")
TOKEN_IN_PATH = re.compile(r"/r/(?!open/)[A-Za-z0-9_-]{16,}")
RESPONDENT_PATH = re.compile(r"^/r(?:/|$)")
TIME_OF_DAY = re.compile(r"^\[(\d{1,2}/\w{3}/\d{4})[: ][^\]]*\]$")
WERKZEUG_TIME = re.compile(r"\[(\d{1,2}/\w{3}/\d{4}) \d{2}:\d{2}:\d{2}\]")


def redact_request_line(line: str) -> str:
    return TOKEN_IN_PATH.sub("/r/[token]", line)


class DropClientAddress(logging.Filter):
    """Werkzeug's request log starts with the client's address and names the path: scrub both."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact_request_line(ADDRESS_AT_START.sub("- ", message, count=1))
        if '"GET /r' in scrubbed or '"POST /r' in scrubbed:
            scrubbed = WERKZEUG_TIME.sub(r"[\1]", scrubbed)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def install_log_filters() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropClientAddress) for f in werkzeug.filters):
        werkzeug.addFilter(DropClientAddress())


def access_atoms(environ: dict, status: str, sent: int | None, seconds: float, now: str) -> dict[str, object]:
    """The atoms gunicorn's access log may use: an allow-list. The address, the headers (X-Forwarded-For,
    Referer with a respondent's link, User-Agent) and the environment are never offered, whatever
    ``access_log_format`` asks for (a missing atom prints "-"), and the request line and path lose tokens."""
    method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
    microseconds = int(seconds * 1_000_000)
    return {
        "h": "-",
        "t": day_only(now) if RESPONDENT_PATH.match(environ.get("PATH_INFO", "")) else now,
        "r": redact_request_line(f"{method} {environ.get('RAW_URI', '')} {protocol}"),
        "s": status.split(None, 1)[0],
        "m": method,
        "U": redact_request_line(environ.get("PATH_INFO", "")),
        "q": redact_request_line(environ.get("QUERY_STRING", "")),
        "H": protocol,
        "b": "-" if sent is None else str(sent),
        "B": sent,
        "T": microseconds // 1_000_000,
        "D": microseconds,
        "M": microseconds // 1000,
        "L": f"{seconds:.6f}",
    }


def day_only(logged_time: str) -> str:
    """``[03/Dec/2026:20:12:15 +0000]`` -> ``[03/Dec/2026]``: respondents' requests carry no time finer than
    the day, so the access log cannot order submissions (or match one with a ballot's admission)."""
    return TIME_OF_DAY.sub(r"[\1]", logged_time)


def gunicorn_logger_class():
    """A gunicorn logger whose access atoms come from ``access_atoms`` (see gunicorn.conf.py); building only
    these, not gunicorn's dictionary of every header and environment variable, also makes each line cheap."""
    from gunicorn.glogging import Logger

    class ScrubbedLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            status = resp.status if isinstance(resp.status, str) else str(resp.status)
            sent = getattr(resp, "sent", None)
            return access_atoms(environ, status, sent, request_time.total_seconds(), self.now())

    return ScrubbedLogger
