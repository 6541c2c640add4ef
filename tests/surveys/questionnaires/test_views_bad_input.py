"""The builder's forms: unsafe codes refused with the rule, control characters dropped from texts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consult.extensions import limiter
from consult.surveys.questionnaires.convert import campaign_spec
from tests.conftest import csrf_from, small_questionnaire


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def draft(make_campaign, client, make_user, login):
    login(make_user("hr"))
    q = small_questionnaire()
    return make_campaign(replace(q, dimensions=tuple(replace(d, question=d.label) for d in q.dimensions)))


def new_section(client, draft, code: str, item_code: str = "X.1", title: str = "A"):
    page = client.get("/dashboard").get_data(as_text=True)
    fields = {
        "code": code,
        "title_en": title,
        "title_fr": "B",
        "principle": "0",
        "item_code": item_code,
        "item_text_en": "x",
        "item_text_fr": "y",
    }
    return client.post(
        f"/campaigns/{draft.slug}/questionnaire", data={"csrf_token": csrf_from(page), **fields}
    )


@pytest.mark.parametrize(
    ("code", "item_code"), [("..", "X.1"), (".hidden", "X.1"), ("-x", "X.1"), ("X", "X..1"), ("X", "../1")]
)
def test_an_unsafe_code_is_refused_with_the_rule(db, client, draft, code, item_code):
    response = new_section(client, draft, code, item_code)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:300]
    assert "(and &#39;.&#39; in section and item codes, between two other characters)" in page.replace(
        "'", "&#39;"
    )
    assert len(campaign_spec(draft).sections) == 2


def test_control_characters_are_dropped_from_texts(db, client, draft):
    response = new_section(client, draft, "X", title="Work\x00 and\x0b life\n")
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign_spec(draft).sections[-1].title["en"] == "Work and life"
