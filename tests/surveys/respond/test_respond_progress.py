"""Progress within a page and the review's list of unanswered statements: the pure counts, then the pages."""

from __future__ import annotations

import pytest

from consult.extensions import limiter
from consult.surveys.invitations import links
from consult.surveys.respond.pages import (
    answered_on_step,
    build_layout,
    statement_span,
    unanswered_by_step,
)
from tests.conftest import csrf_from, small_questionnaire


def test_spans_number_the_statements_through_the_questionnaire():
    layout = build_layout(small_questionnaire())
    first, second = layout.question_steps
    assert statement_span(layout, first) == statement_span(layout, first)
    assert (statement_span(layout, first).first, statement_span(layout, first).last) == (1, 2)
    span = statement_span(layout, second)
    assert (span.first, span.last, span.total, span.count) == (3, 3, 3, 1)


def test_answers_are_counted_on_their_page_only_and_dont_know_counts():
    layout = build_layout(small_questionnaire())
    first, second = layout.question_steps
    answers = {"P01.1": 4, "P01.2": "DK", "P14.1": None}
    assert answered_on_step(first, answers) == 2 and answered_on_step(second, answers) == 0


def test_unanswered_statements_are_grouped_by_their_page():
    layout = build_layout(small_questionnaire())
    found = unanswered_by_step(layout, {"P01.1": 5})
    assert [(step.number, [item.code for item in items]) for step, items in found] == [
        (1, ["P01.2"]),
        (2, ["P14.1"]),
    ]
    assert unanswered_by_step(layout, {"P01.1": 5, "P01.2": "DK", "P14.1": 1}) == []


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def token(make_campaign) -> str:
    return links.issue_tokens(make_campaign(status="open"), 1)[0].token


def get(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_a_page_says_where_it_is_and_how_much_of_it_is_answered(client, db, token):
    html = get(client, f"/r/{token}/step/1")
    assert "Page 1 of 4 · statements 1\u20132 of 3" in html
    label = '<p id="page-progress-label" class="progress-page">'
    assert label + "On this page, you have answered 0 of 2 statements." in html
    bar = '<progress class="progress-page-bar" max="2" value="0" aria-labelledby="page-progress-label"'
    assert bar in html
    data = {"item-P01.1": "3", "action": "back", "csrf_token": csrf_from(html)}
    assert client.post(f"/r/{token}/step/1", data=data).status_code == 303
    again = get(client, f"/r/{token}/step/1")
    assert "On this page, you have answered 1 of 2 statements." in again and 'max="2" value="1"' in again
    french = get(client, f"/r/{token}/step/2", **{"Accept-Language": "fr"})
    assert "Page 2 sur 4 · affirmation 3 sur 3" in french
    assert "Sur cette page, vous avez répondu à 0 affirmation sur 1." in french


def test_a_refused_page_keeps_its_count_of_what_was_posted(client, db, token):
    html = get(client, f"/r/{token}/step/1")
    data = {"item-P01.1": "4", "item-P01.2": "9", "csrf_token": csrf_from(html)}
    refused = client.post(f"/r/{token}/step/1", data=data)
    assert refused.status_code == 400
    assert "On this page, you have answered 1 of 2 statements." in refused.get_data(as_text=True)


def test_the_review_lists_each_unanswered_statement_with_a_link_to_it(client, db, token):
    html = get(client, f"/r/{token}/step/1")
    client.post(f"/r/{token}/step/1", data={"item-P01.1": "5", "csrf_token": csrf_from(html)})
    review = get(client, f"/r/{token}/step/4")
    listed = review.split('<section class="review-unanswered"')[1].split("</section>")[0]
    assert '<h2 id="unanswered-heading">2 statements not answered</h2>' in listed
    assert "<h3>Page 1: Ethics, Integrity, Gender and Open Science</h3>" in listed
    assert f'<a href="/r/{token}/step/1?from=review#q1">' in listed
    assert f'<a href="/r/{token}/step/2?from=review#q2">' in listed
    assert "#q0" not in listed
    french = get(client, f"/r/{token}/step/4", **{"Accept-Language": "fr"})
    assert "2 affirmations sans réponse" in french


def test_a_page_opened_from_the_review_returns_to_it(client, db, token):
    html = get(client, f"/r/{token}/step/2?from=review")
    assert f'action="/r/{token}/step/2?from=review"' in html
    assert 'value="review" class="button">Save and return to the review</button>' in html
    assert "Save and return to the review" not in get(client, f"/r/{token}/step/2")
    data = {"item-P14.1": "2", "action": "review", "csrf_token": csrf_from(html)}
    response = client.post(f"/r/{token}/step/2?from=review", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{token}/step/4")
    review = get(client, f"/r/{token}/step/4")
    listed = review.split('<section class="review-unanswered"')[1].split("</section>")[0]
    assert "2 statements not answered" in listed and "My job is stable." not in listed


def test_a_fully_answered_review_has_no_unanswered_list(client, db, token):
    html = get(client, f"/r/{token}/step/1")
    data = {"item-P01.1": "5", "item-P01.2": "DK", "csrf_token": csrf_from(html)}
    client.post(f"/r/{token}/step/1", data=data)
    client.post(f"/r/{token}/step/2", data={"item-P14.1": "1", "csrf_token": csrf_from(html)})
    review = get(client, f"/r/{token}/step/4")
    assert "review-unanswered" not in review and "You have answered 3 of the 3 statements." in review
