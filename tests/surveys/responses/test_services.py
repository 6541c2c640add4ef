from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from consult.accounts.models import AuditEvent
from consult.surveys.campaigns import services
from consult.surveys.responses.csv_format import ResponsesFileError
from consult.surveys.responses.models import Comment, Response
from consult.surveys.responses.services import import_responses_file
from tests.conftest import small_questionnaire

HEADER = "school,career_stage,P01.1,P01.2,P14.1,comment:P01"
GOOD = f"{HEADER}\nnorth,R2,4,DK,,Reach me at a@b.org\n,R4,1,5,3,\nsouth,,2,2,5,\n"


def stored(db, campaign) -> tuple[np.ndarray, np.ndarray]:
    rows = db.session.execute(
        select(Response.answers, Response.profile).where(Response.campaign_id == campaign.id)
    ).all()
    answers = sorted(tuple(r.answers) for r in rows)
    profiles = sorted(tuple(r.profile) for r in rows)
    return np.array(answers), np.array(profiles)


def count(db, model, campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign.id))


def test_import_stores_every_row_and_comment(db, make_campaign, make_user):
    campaign = make_campaign(small_questionnaire(min_group_size=3), status="open")
    hr = make_user("hr")
    assert import_responses_file(campaign, GOOD.encode("utf-8-sig"), actor=hr) == 3
    answers, profiles = stored(db, campaign)
    assert answers.tolist() == [[1, 5, 3], [2, 2, 5], [4, 255, 0]]
    assert profiles.tolist() == [[0, 4], [1, 2], [2, 0]]
    comments = db.session.scalars(select(Comment.text).where(Comment.campaign_id == campaign.id)).all()
    assert comments == ["Reach me at a@b.org"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.import_responses")
    ).one()
    assert (event.actor_id, event.target) == (hr.id, campaign.slug)
    assert event.detail == {"responses": 3, "comments": 1}


def test_ids_are_random_and_imports_add_up(db, make_campaign):
    campaign = make_campaign(small_questionnaire(min_group_size=3), status="closed")
    import_responses_file(campaign, GOOD.encode())
    import_responses_file(campaign, GOOD.encode())
    ids = db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)).all()
    assert len(set(ids)) == 6
    assert max(ids) > 2**40


def test_a_bad_row_refuses_the_whole_file(db, make_campaign):
    campaign = make_campaign(status="open")
    bad = GOOD + "north,R1,3,3,6,\n"
    with pytest.raises(ResponsesFileError) as caught:
        import_responses_file(campaign, bad.encode())
    assert caught.value.errors == ["row 5, column P14.1: '6' is not one of 1..5, DK or empty"]
    assert count(db, Response, campaign) == 0
    assert count(db, Comment, campaign) == 0


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_campaigns_that_take_no_responses(db, make_campaign, status):
    campaign = make_campaign(status="closed" if status == "archived" else "draft")
    if status == "archived":
        services.archive_campaign(campaign)
    with pytest.raises(services.CampaignError, match=f"is {status}"):
        import_responses_file(campaign, GOOD.encode())
    assert count(db, Response, campaign) == 0


def test_an_import_of_fewer_than_k_responses_is_refused_whole(db, make_campaign):
    campaign = make_campaign(status="open")
    with pytest.raises(services.CampaignError, match="at least 5"):
        import_responses_file(campaign, GOOD.encode())
    assert count(db, Response, campaign) == count(db, Comment, campaign) == 0
