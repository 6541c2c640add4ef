"""No client address and no token in the log records of the respondent flow."""

from __future__ import annotations

import logging

import pytest

from consult.extensions import limiter
from consult.surveys.invitations import links
from consult.surveys.respond.privacy import RedactRespondents, redact
from tests.conftest import csrf_from

ADDRESS = "203.0.113.77"


def test_redaction_removes_tokens_and_addresses_only():
    line = f'{ADDRESS} - "GET /r/{"a" * 22}/step/1 HTTP/1.1" 200 at 12:30:45 from 2001:db8::7'
    assert redact(line) == '- - "GET /r/<token>/step/1 HTTP/1.1" 200 at 12:30:45 from -'
    assert redact("/r/open/my-campaign-2026 v1.2") == "/r/open/my-campaign-2026 v1.2"


def test_the_filter_rewrites_a_record_with_arguments():
    record = logging.LogRecord(
        "consult", logging.ERROR, __file__, 1, "Exception on %s [%s]", (f"/r/{'b' * 22}/submit", "POST"), None
    )
    RedactRespondents().filter(record)
    assert record.getMessage() == "Exception on /r/<token>/submit [POST]"


@pytest.fixture
def every_logger():
    """Alembic's fileConfig (run by the schema upgrade) disables the existing loggers: enable them again."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    disabled = [logger for logger in loggers if logger.disabled]
    for logger in disabled:
        logger.disabled = False
    yield
    for logger in disabled:
        logger.disabled = True


def test_no_address_or_token_in_the_records_of_a_whole_flow(
    app, client, db, make_campaign, caplog, every_logger
):
    with app.app_context():
        limiter.reset()
    token = links.issue_tokens(make_campaign(status="open"), 1)[0].token
    environ = {"REMOTE_ADDR": ADDRESS}
    caplog.set_level(logging.DEBUG)
    html = client.get(f"/r/{token}/step/1", environ_base=environ).get_data(as_text=True)
    client.post(
        f"/r/{token}/step/1", data={"item-P01.1": "9", "csrf_token": csrf_from(html)}, environ_base=environ
    )
    client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(html)}, environ_base=environ)
    client.post(f"/r/{token}/submit", data={"csrf_token": csrf_from(html)}, environ_base=environ)
    for i in range(32):
        client.get(f"/r/{'Q' * 21}{i % 10}", environ_base=environ)
    messages = [record.getMessage() for record in caplog.records]
    assert any("ratelimit" in m for m in messages)
    assert not [m for m in messages if ADDRESS in m or token in m]


def test_respondent_requests_are_logged_with_the_day_only():
    from consult.logs import DropClientAddress, access_atoms

    now = "[03/Dec/2026:20:12:15 +0000]"
    respondent = {
        "PATH_INFO": "/r/open/survey/submit",
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/r/open/survey/submit",
    }
    staff = {"PATH_INFO": "/campaigns/x", "REQUEST_METHOD": "GET", "RAW_URI": "/campaigns/x"}
    assert access_atoms(respondent, "303 SEE OTHER", 0, 0.01, now)["t"] == "[03/Dec/2026]"
    assert access_atoms(staff, "200 OK", 0, 0.01, now)["t"] == now
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [03/Dec/2026 20:12:15] "%s" 303 -',
        ("10.0.0.1", "POST /r/x"),
        None,
    )
    DropClientAddress().filter(record)
    assert record.getMessage() == '- - - [03/Dec/2026] "POST /r/x" 303 -'
