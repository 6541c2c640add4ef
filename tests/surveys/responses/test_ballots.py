"""The ballot box: responses enter only in shuffled batches of at least k, and closing admits the rest."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consult.analysis.models import AnalysisRun
from consult.analysis.services import AnalysisRefused, check_results_allowed
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.respond import services as respond
from consult.surveys.responses import ballots
from consult.surveys.responses.models import Ballot, Comment, Response
from consult.timeutil import today

K = 5


def count(db, model, campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign_id))


def submit(campaign, answer: int = 4, comment: str | None = None) -> None:
    token = links.issue_tokens(campaign, 1)[0].token
    visit = respond.find_invitation(token)
    draft = {"answers": {"P01.1": answer}, "comments": {"P01": comment} if comment else {}}
    respond.save_draft(visit, draft)
    assert respond.submit(respond.find_invitation(token), respond.layouts.get(visit.campaign)) == "stored"


def test_ballots_wait_until_there_are_k_of_them_then_enter_together(db, make_campaign):
    campaign = make_campaign(status="open")
    for i in range(K - 1):
        submit(campaign, comment=f"comment {i}")
        assert ballots.admit_if_ready(campaign.id) == 0
    assert (count(db, Ballot, campaign.id), count(db, Response, campaign.id)) == (K - 1, 0)
    submit(campaign, comment="the last")
    assert ballots.admit_if_ready(campaign.id) == K
    assert (count(db, Ballot, campaign.id), count(db, Response, campaign.id)) == (0, K)
    assert count(db, Comment, campaign.id) == K
    days = set(db.session.scalars(select(Response.submitted_on).where(Response.campaign_id == campaign.id)))
    assert days == {today()}


def test_closing_admits_the_remaining_ballots_whatever_their_number(db, make_campaign):
    campaign = make_campaign(status="open", interim_results=False)
    submit(campaign)
    submit(campaign)
    campaigns.close_campaign(campaign)
    db.session.flush()
    assert (count(db, Ballot, campaign.id), count(db, Response, campaign.id)) == (0, 2)


def test_closing_withdraws_interim_results_when_the_last_batch_is_smaller_than_k(db, make_campaign):
    campaign = make_campaign(status="open", interim_results=True)
    db.session.add(AnalysisRun(campaign_id=campaign.id, trigger="test", partitions_total=1, results={}))
    for _ in range(K + 2):
        submit(campaign)
        ballots.admit_if_ready(campaign.id)
    campaigns.close_campaign(campaign)
    db.session.flush()
    assert count(db, AnalysisRun, campaign.id) == 0 and count(db, Response, campaign.id) == K + 2


def test_closing_keeps_interim_results_when_the_last_batch_is_k_or_none(db, make_campaign):
    campaign = make_campaign(status="open", interim_results=True)
    db.session.add(AnalysisRun(campaign_id=campaign.id, trigger="test", partitions_total=1, results={}))
    for _ in range(K):
        submit(campaign)
    ballots.admit_if_ready(campaign.id)
    campaigns.close_campaign(campaign)
    db.session.flush()
    assert count(db, AnalysisRun, campaign.id) == 1


def test_an_open_campaign_has_results_only_with_interim_results_on(db, make_campaign):
    campaign = make_campaign(status="open", interim_results=False)
    with pytest.raises(AnalysisRefused, match="once the campaign closes"):
        check_results_allowed(campaign)
    campaign.interim_results = True
    check_results_allowed(campaign)
    with pytest.raises(AnalysisRefused, match="draft"):
        check_results_allowed(make_campaign(status="draft"))


def test_a_ballot_holds_no_readable_answer_or_comment(db, make_campaign):
    campaign = make_campaign(status="open")
    submit(campaign, comment="an unmistakable remark")
    sealed = db.session.scalar(select(Ballot.sealed).where(Ballot.campaign_id == campaign.id))
    assert b"unmistakable" not in sealed and b"P01" not in sealed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.sampled_from(["submit", "release"]), min_size=1, max_size=25))
def test_no_two_releases_differ_by_fewer_than_k_respondents(db, make_campaign, events):
    """Whatever the order of arrivals and releases, what anyone can see moves by 0 or at least k."""
    campaign = make_campaign(status="open")
    seen = [0]
    for event in events:
        if event == "submit":
            submit(campaign)
            ballots.admit_if_ready(campaign.id)
        else:
            seen.append(count(db, Response, campaign.id))
    campaigns.close_campaign(campaign)
    db.session.flush()
    steps = [b - a for a, b in itertools.pairwise(seen)]
    assert all(step == 0 or step >= K for step in steps)
    assert count(db, Response, campaign.id) == events.count("submit")


def test_the_sqlite_file_holds_no_draft_nor_pending_ballot_in_clear(tmp_path):
    """The embedded deployment: the database file (and its write-ahead log) read as bytes."""
    from consult.database import dispose_engines
    from consult.extensions import db as database
    from consult.surveys.questionnaires.charter_templates import load_template
    from tests.conftest import make_app, upgrade_schema

    app = make_app(f"sqlite:///{tmp_path / 'consult.db'}")
    upgrade_schema(app)
    remark = "a remark nobody else would write"
    with app.app_context():
        campaign = campaigns.create_campaign(load_template("charter-2023"))
        campaigns.open_campaign(campaign)
        first, second = (issued.token for issued in links.issue_tokens(campaign, 2))
        database.session.commit()
        for token in (first, second):
            visit = respond.find_invitation(token)
            respond.save_draft(visit, {"answers": {"P01.1": 4}, "comments": {"P01": remark}})
            database.session.commit()
        respond.submit(respond.find_invitation(second), respond.layouts.get(visit.campaign))
        database.session.commit()
        assert count(database, Ballot, campaign.id) == 1
        database.session.remove()
        dispose_engines()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("consult.db*"))
    assert remark.encode() not in stored


def test_the_kth_submission_through_the_pages_admits_the_batch(db, client, make_campaign):
    from tests.conftest import csrf_from

    campaign = make_campaign(status="open")
    for sent, issued in enumerate(links.issue_tokens(campaign, K), start=1):
        review = client.get(f"/r/{issued.token}/step/4").get_data(as_text=True)
        assert (
            client.post(f"/r/{issued.token}/submit", data={"csrf_token": csrf_from(review)}).status_code
            == 303
        )
        expected = (0, sent) if sent < K else (K, 0)
        assert (count(db, Response, campaign.id), count(db, Ballot, campaign.id)) == expected
