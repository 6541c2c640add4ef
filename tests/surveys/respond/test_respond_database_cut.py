"""Issue 15: PostgreSQL sessions cut while respondents submit. A statement that cannot ride the cut out gets
the respondent a 503 page in their language (nothing lost, press again), never a 500; pressing again stores
the answers exactly once."""

from __future__ import annotations

import re
import threading
import time
from html import unescape

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.respond import services
from consult.surveys.responses.models import Ballot, Response
from tests.conftest import TEST_DATABASE, csrf_from, draft_data, make_app, small_questionnaire
from tests.test_database import cut_connections

LIVE_DATABASE = f"{TEST_DATABASE}_live"
SUBMITTERS = 40
MESSAGES = {
    "en": ("Temporarily unavailable", "Nothing was lost: your answers so far are saved.", "Send again"),
    "fr": (
        "Momentanément indisponible",
        "Rien n'a été perdu\u00a0: vos réponses jusqu'ici sont enregistrées.",
        "Envoyer à nouveau",
    ),
}


def open_campaign(app, tokens: int) -> tuple[int, list[str]]:
    with app.app_context():
        campaign = campaigns.create_campaign(small_questionnaire())
        campaigns.open_campaign(campaign)
        issued = [t.token for t in links.issue_tokens(campaign, tokens)]
        db.session.commit()
        return campaign.id, issued


def stored(app, campaign_id: int) -> tuple[int, int]:
    """Submissions received (ballots waiting for their batch plus admitted responses), and tokens used."""
    with app.app_context():
        count = lambda model: db.session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(model.campaign_id == campaign_id)
        )
        used = db.session.scalar(
            select(func.count()).where(Invitation.campaign_id == campaign_id, Invitation.used.is_(True))
        )
        return count(Ballot) + count(Response), used


def resent_form(html: str) -> dict[str, str]:
    """The hidden fields of the 503 page's "send again" form."""
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', html)
    }


def cut_before(monkeypatch, name: str) -> None:
    """The database cuts every session just before ``services.<name>`` runs, in the middle of the
    submission's transaction: the statement cannot be run again on a fresh connection."""
    original = getattr(services, name)

    def cut_then_run(*args, **kwargs):
        cut_connections(LIVE_DATABASE)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, name, cut_then_run)


def answer_and_review(client, token: str) -> str:
    page = client.get(f"/r/{token}/step/1").get_data(as_text=True)
    saved = client.post(
        f"/r/{token}/step/1", data={"item-P01.1": "4", "comment-P01": "ok", "csrf_token": csrf_from(page)}
    )
    assert saved.status_code == 303
    return client.get(f"/r/{token}/step/4").get_data(as_text=True)


@pytest.mark.live
def test_a_submission_cut_mid_transaction_gets_a_retry_page_then_stores_once(live_app, monkeypatch):
    campaign_id, (token,) = open_campaign(live_app, 1)
    client = live_app.test_client()
    review = answer_and_review(client, token)
    with live_app.app_context():
        draft = draft_data(token)
    cut_before(monkeypatch, "cast_ballot")
    for language, (title, nothing_lost, button) in MESSAGES.items():
        failed = client.post(
            f"/r/{token}/submit",
            data={"csrf_token": csrf_from(review)},
            headers={"Accept-Language": language},
        )
        html = failed.get_data(as_text=True)
        assert failed.status_code == 503, html
        assert f'<html lang="{language}">' in html
        assert title in html and nothing_lost in html and button in html
        assert "Traceback" not in html and "OperationalError" not in html
        assert f'href="/r/{token}/step/4"' in html
        with live_app.app_context():
            assert draft_data(token) == draft
        assert stored(live_app, campaign_id) == (0, 0)
    monkeypatch.undo()
    again = client.post(f"/r/{token}/submit", data=resent_form(html))
    assert again.status_code == 303
    assert stored(live_app, campaign_id) == (1, 1)
    with live_app.app_context():
        assert db.session.scalar(select(Invitation.used).where(Invitation.token_hash == token_hash(token)))
        assert draft_data(token) is None


@pytest.mark.live
def test_a_step_whose_save_fails_twice_offers_to_send_the_page_again(live_app, monkeypatch):
    """The draft's save rides out one cut (run again on a fresh connection), not a second one."""
    _, (token,) = open_campaign(live_app, 1)
    client = live_app.test_client()
    page = client.get(f"/r/{token}/step/1").get_data(as_text=True)
    statement = services.sql.precompiled(services.sql.save_invited_draft, "postgresql")
    original = statement.execute

    def cut_then_execute(*args, **kwargs):
        cut_connections(LIVE_DATABASE)
        return original(*args, **kwargs)

    monkeypatch.setattr(statement, "execute", cut_then_execute)
    posted = {"item-P01.1": "4", "action": "next", "csrf_token": csrf_from(page)}
    failed = client.post(f"/r/{token}/step/1", data=posted, headers={"Accept-Language": "fr"})
    html = failed.get_data(as_text=True)
    assert failed.status_code == 503, html
    assert MESSAGES["fr"][1] in html and "Traceback" not in html
    assert resent_form(html) == posted
    monkeypatch.undo()
    assert client.post(f"/r/{token}/step/1", data=resent_form(html)).status_code == 303
    with live_app.app_context():
        assert draft_data(token)["answers"] == {"P01.1": 4}


def submit(client, token: str, csrf: str, answers: dict, barrier: threading.Barrier) -> None:
    barrier.wait()
    try:
        answer = client.post(f"/r/{token}/submit", data={"csrf_token": csrf})
        answers[token] = (answer.status_code, answer.get_data(as_text=True))
    except Exception as error:  # what the app lets through is the error 500 the test looks for
        answers[token] = (500, repr(error))


def cut_repeatedly(stop: threading.Event, cuts: list[int]) -> None:
    while not stop.is_set() and len(cuts) < 25:
        cuts.append(cut_connections(LIVE_DATABASE))
        time.sleep(0.02)


@pytest.mark.live
def test_forty_submissions_while_the_database_cuts_sessions(live_app):
    campaign_id, tokens = open_campaign(live_app, SUBMITTERS)
    client = live_app.test_client()
    forms = {token: csrf_from(client.get(f"/r/{token}/step/4").get_data(as_text=True)) for token in tokens}
    answers: dict[str, tuple[int, str]] = {}
    barrier, stop, cuts = threading.Barrier(SUBMITTERS + 1, timeout=60), threading.Event(), []
    threads = [
        threading.Thread(target=submit, args=(live_app.test_client(), t, forms[t], answers, barrier))
        for t in tokens
    ]
    killer = threading.Thread(target=cut_repeatedly, args=(stop, cuts))
    for thread in threads:
        thread.start()
    barrier.wait()
    killer.start()
    for thread in threads:
        thread.join(120)
    stop.set()
    killer.join(30)
    statuses = sorted(status for status, _ in answers.values())
    assert len(answers) == SUBMITTERS and set(statuses) <= {303, 503}, statuses
    assert sum(cuts) >= 1
    for token, (status, html) in answers.items():
        if status == 503:
            again = client.post(f"/r/{token}/submit", data=resent_form(html))
            assert again.status_code in (200, 303), again.get_data(as_text=True)
    assert stored(live_app, campaign_id) == (SUBMITTERS, SUBMITTERS)


@pytest.mark.live
def test_a_respondent_page_without_a_database_is_a_retry_page_not_a_500():
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    client = app.test_client()
    token = "A" * 22
    shown = client.get(f"/r/{token}/step/2", headers={"Accept-Language": "fr"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 503 and shown.headers["Retry-After"]
    assert MESSAGES["fr"][0] in html and f'href="/r/{token}/step/2"' in html
    posted = client.post(f"/r/{token}/submit", data={"csrf_token": "t"})
    html = posted.get_data(as_text=True)
    assert posted.status_code == 503 and MESSAGES["en"][2] in html
    assert resent_form(html) == {"csrf_token": "t"} and f'href="/r/{token}"' in html
