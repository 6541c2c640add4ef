"""Questionnaire files that would cost time, recursion or a path in a ZIP: refused by the upload page with a
422 and the reason, and nothing created."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select

from consult.extensions import limiter
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.yaml_format import dump_questionnaire
from tests.conftest import csrf_from, small_questionnaire


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def hr(client, make_user, login):
    return login(make_user("hr"))


def upload(client, data: bytes):
    token = csrf_from(client.get("/campaigns/new").get_data(as_text=True))
    return client.post(
        "/campaigns/new/upload", data={"csrf_token": token, "file": (io.BytesIO(data), "survey.yaml")}
    )


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


DOTDOT = dump_questionnaire(small_questionnaire()).replace("code: P14\n", "code: '..'\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 10_000, "line 1, column 51: the document is nested more than 50 levels deep"),
        (b"[" + b"1," * 200_000 + b"1]", "the document has more than 20,000 values"),
        (b"title: " + b"x" * (2 * 1024 * 1024), "the file is larger than the limit of 512 KB"),
        (b"title: Survey\x00\n", "line 1, column 14: the file contains the control character U+0000 (NUL)"),
        (DOTDOT, "sections[1].code (line 91): &#39;..&#39; is not a valid section code"),
    ],
    ids=["nested", "flat", "oversize", "nul", "dotdot"],
)
def test_a_hostile_file_is_refused_quickly_with_the_reason(db, client, hr, data, message):
    before = count(db)
    started = time.process_time()
    response = upload(client, data)
    assert time.process_time() - started < 3
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(db) == before


def test_replacing_a_draft_questionnaire_by_a_hostile_file_changes_nothing(db, client, hr, make_campaign):
    draft = make_campaign()
    token = csrf_from(client.get(f"/campaigns/{draft.slug}").get_data(as_text=True))
    response = client.post(
        f"/campaigns/{draft.slug}/questionnaire/file",
        data={"csrf_token": token, "file": (io.BytesIO(b"[" * 10_000), "survey.yaml")},
    )
    assert response.status_code == 422
    assert "nested more than 50 levels deep" in response.get_data(as_text=True)
    assert campaign_spec(draft) == small_questionnaire()
