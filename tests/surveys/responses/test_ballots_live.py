"""The ballot box on PostgreSQL with committed data: what a database reader (or a dump) can tie together."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import text

from consult.extensions import db
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.respond import services as respond
from consult.surveys.respond.views import admit_ballots
from tests.conftest import TEST_DATABASE, database_url, small_questionnaire

K = 10
SECRET_REMARK = "zanzibar quill"


def open_campaign(app, invited: int) -> tuple[int, list[str]]:
    with app.app_context():
        campaign = campaigns.create_campaign(small_questionnaire(min_group_size=K))
        campaigns.open_campaign(campaign)
        tokens = [issued.token for issued in links.issue_tokens(campaign, invited)]
        db.session.commit()
        return campaign.id, tokens


def answer(app, token: str, value: int, remark: str = "fine") -> None:
    """One respondent, as the pages do it: a draft saved, then the submission and the admission check."""
    with app.app_context():
        visit = respond.find_invitation(token)
        respond.save_draft(visit, {"answers": {"P01.1": value}, "comments": {"P01": remark}})
        db.session.commit()
        visit = respond.find_invitation(token)
        assert respond.submit(visit, respond.layouts.get(visit.campaign)) == "stored"
        db.session.commit()
        admit_ballots(visit.campaign.id)
        db.session.remove()


def rows(app, sql: str, **params) -> list[tuple]:
    with app.app_context():
        found = [tuple(row) for row in db.session.execute(text(sql), params)]
        db.session.remove()
        return found


def dump(app) -> str:
    url = database_url(f"{TEST_DATABASE}_live").replace("postgresql+psycopg", "postgresql")
    return subprocess.run(["pg_dump", "--data-only", url], capture_output=True, text=True, check=True).stdout


@pytest.mark.live
def test_no_response_or_comment_shares_a_transaction_with_some_invitations_or_fewer_than_k(live_app):
    """Batches of k share one transaction id; the last batch at closing shares it with every invitation of
    the campaign (closing deletes their addresses), which ties no response to any one of them."""
    campaign_id, tokens = open_campaign(live_app, K + 3)
    for value, token in zip([1, 2, 3, 4, 5] * 3, tokens, strict=False):
        answer(live_app, token, value)
    with live_app.app_context():
        campaigns.close_campaign(db.session.get(campaigns.Campaign, campaign_id))
        db.session.commit()
    invitations = rows(live_app, "SELECT xmin::text FROM invitation WHERE campaign_id = :c", c=campaign_id)
    for table in ("response", "comment"):
        groups = rows(
            live_app,
            f"SELECT xmin::text, count(*) FROM {table} WHERE campaign_id = :c GROUP BY 1",
            c=campaign_id,
        )
        assert sum(n for _, n in groups) == K + 3
        assert sorted(n for _, n in groups) == [3, K]
        for xmin, _ in groups:
            shared = [x for (x,) in invitations if x == xmin]
            assert shared == [] or len(shared) == len(invitations), "shared with a strict subset"
    assert rows(live_app, "SELECT count(*) FROM ballot WHERE campaign_id = :c", c=campaign_id) == [(0,)]


@pytest.mark.live
def test_the_physical_order_of_responses_is_not_the_order_of_use(live_app):
    campaign_id, tokens = open_campaign(live_app, K)
    order = list(range(K))
    for position, token in zip(order, tokens, strict=True):
        answer(live_app, token, 1 + position % 5, remark=f"remark {position}")
    stored = rows(live_app, "SELECT text FROM comment WHERE campaign_id = :c ORDER BY ctid", c=campaign_id)
    assert len(stored) == K
    assert [int(remark.split()[1]) for (remark,) in stored] != order


@pytest.mark.live
def test_a_dump_holds_no_draft_nor_pending_ballot_in_clear(live_app):
    campaign_id, tokens = open_campaign(live_app, 2)
    with live_app.app_context():
        visit = respond.find_invitation(tokens[0])
        respond.save_draft(visit, {"answers": {"P01.1": 4}, "comments": {"P01": SECRET_REMARK}})
        db.session.commit()
    answer(live_app, tokens[1], 4, remark=SECRET_REMARK + " too")
    assert rows(live_app, "SELECT count(*) FROM ballot WHERE campaign_id = :c", c=campaign_id) == [(1,)]
    assert rows(live_app, "SELECT count(*) FROM draft WHERE campaign_id = :c", c=campaign_id) == [(1,)]
    assert SECRET_REMARK not in dump(live_app)


@pytest.mark.live
def test_the_vacuum_after_an_admission_never_waits_for_another(live_app):
    """Two vacuums of one table wait for each other; a respondent's request must not queue behind one."""
    import time

    from consult.surveys.responses import ballots
    from consult.surveys.responses.tasks import purge_ballots

    with live_app.app_context():
        with db.engine.connect() as holder:
            holder.execute(text("LOCK TABLE ballot IN SHARE UPDATE EXCLUSIVE MODE"))
            started = time.monotonic()
            ballots.purge()
            purge_ballots.apply()
            assert time.monotonic() - started < 2
            holder.rollback()
        db.session.remove()


@pytest.mark.live
def test_a_second_admission_of_a_campaign_admits_nothing_and_does_not_wait(live_app):
    from consult.surveys.responses import ballots

    campaign_id, tokens = open_campaign(live_app, K)
    with live_app.app_context():
        for token in tokens:
            visit = respond.find_invitation(token)
            respond.submit(visit, respond.layouts.get(visit.campaign))
            db.session.commit()
        with db.engine.connect() as other:
            other.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": ballots.ADMISSION_LOCK + campaign_id}
            )
            assert ballots.admit_if_ready(campaign_id) == 0
            db.session.rollback()
            other.rollback()
        assert ballots.admit_if_ready(campaign_id) == K
        db.session.commit()
        db.session.remove()
