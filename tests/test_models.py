"""The domain model on PostgreSQL: packed anonymous responses, hashed tokens, the lifecycle's data."""

from __future__ import annotations

import numpy as np
from sqlalchemy import inspect, select

from consult.extensions import db as _db
from consult.surveys.invitations.models import Invitation
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage
from consult.surveys.responses.models import Response
from tests.conftest import small_questionnaire


def test_questionnaire_round_trips_through_its_rows(make_campaign):
    q = small_questionnaire()
    campaign = make_campaign(q)
    _db.session.expire_all()
    assert campaign_spec(campaign) == q


def test_responses_are_packed_one_byte_per_item_with_random_ids(make_campaign):
    campaign = make_campaign()
    answers = np.array([[1, 5, 255], [0, 3, 4]], dtype=np.uint8)
    profiles = np.array([[1, 0], [2, 4]], dtype=np.uint8)
    storage.insert_responses(campaign.id, answers, profiles)
    rows = _db.session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert sorted(r.answers for r in rows) == sorted(a.tobytes() for a in answers)
    assert all(0 <= r.id < 2**63 for r in rows)
    assert abs(rows[0].id - rows[1].id) > 1000


def test_response_and_comment_tables_hold_nothing_that_identifies():
    columns = {c.name for c in inspect(Response).columns}
    assert columns == {"id", "campaign_id", "submitted_on", "answers", "profile"}
    assert str(Response.__table__.c.submitted_on.type) == "DATE"


def test_invitation_keeps_a_hash_and_no_time_of_use():
    columns = {c.name: c for c in Invitation.__table__.columns}
    assert "token" not in columns and "token_hash" in columns
    assert not any(name.startswith("used_") for name in columns)


def test_each_test_runs_in_a_transaction_rolled_back_at_the_end_first(make_campaign):
    make_campaign(title="Isolation probe")
    _db.session.commit()


def test_each_test_runs_in_a_transaction_rolled_back_at_the_end_second(db):
    from consult.surveys.campaigns.models import Campaign

    assert _db.session.scalar(select(Campaign).where(Campaign.slug.like("isolation-probe%"))) is None
