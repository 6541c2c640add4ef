"""A pending ballot and its invitation share a transaction id until the beat task rewrites the invitations
(and responses never do: they enter in batches, see tests/surveys/responses/test_ballots_live.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.invitations import links
from consult.surveys.invitations.tasks import blur_invitation_writes
from consult.surveys.respond import services as respond
from tests.conftest import small_questionnaire


def xmins(table: str, campaign_id: int) -> set[str]:
    query = text(f"select xmin::text from {table} where campaign_id = :c")
    rows = db.session.execute(query, {"c": campaign_id})
    return {row[0] for row in rows}


def submit(token: str) -> None:
    visit = respond.find_invitation(token)
    assert respond.submit(visit, respond.layouts.get(visit.campaign)) == respond.Outcome.STORED
    db.session.commit()


@pytest.mark.live
def test_rewriting_used_invitations_unlinks_their_transaction_ids(live_app):
    with live_app.app_context():
        campaign = services.create_campaign(small_questionnaire())
        services.open_campaign(campaign)
        tokens = [t.token for t in links.issue_tokens(campaign, 3)]
        db.session.commit()
        for token in tokens[:2]:
            submit(token)
        pending = xmins("ballot", campaign.id)
        assert len(pending & xmins("invitation", campaign.id)) == 2
        assert blur_invitation_writes.apply().get() >= 2
        assert not pending & xmins("invitation", campaign.id)
        db.session.remove()
