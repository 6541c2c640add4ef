"""``consult privacy audit SLUG`` on real data: a report, and a non-zero exit when a check fails."""

from __future__ import annotations

from datetime import date

import pytest

from consult.analysis.tasks import start_analysis
from consult.cli import build_cli
from consult.surveys.campaigns import services as campaigns
from consult.surveys.invitations import links
from consult.surveys.respond import services as respond
from consult.surveys.responses import ballots
from consult.surveys.responses.models import Draft


@pytest.fixture
def audit(app, db):
    runner = app.test_cli_runner()
    return lambda slug: runner.invoke(build_cli(), ["privacy", "audit", slug])


def answered_campaign(make_campaign, respondents: int = 12):
    campaign = make_campaign(status="open", interim_results=False)
    for token in (issued.token for issued in links.issue_tokens(campaign, respondents)):
        visit = respond.find_invitation(token)
        respond.save_draft(visit, {"answers": {"P01.1": 4, "P14.1": 2}, "profile": {"school": "north"}})
        respond.submit(respond.find_invitation(token), respond.layouts.get(visit.campaign))
        ballots.admit_if_ready(campaign.id)
    campaigns.close_campaign(campaign)
    start_analysis(campaign)
    return campaign


def test_a_campaign_answered_through_the_ballot_box_passes_every_check(db, make_campaign, audit):
    campaign = answered_campaign(make_campaign)
    result = audit(campaign.slug)
    assert result.exit_code == 0, result.output
    for expected in (
        "What each role can learn:",
        "[pass] releases move in steps of at least k",
        "[pass] one suppression for the whole campaign",
        "[pass] drafts are sealed",
        "[pass] closing admitted every ballot",
        "[pass] no answer shares a transaction with an invitation",
        "Residual risks:",
    ):
        assert expected in result.output
    assert "FAIL" not in result.output


def test_a_failed_check_is_reported_and_exits_non_zero(db, make_campaign, audit):
    campaign = make_campaign(status="open")
    db.session.add(
        Draft(token_hash=b"x" * 32, campaign_id=campaign.id, data={"answers": {}}, saved_on=date.today())
    )
    db.session.flush()
    result = audit(campaign.slug)
    assert result.exit_code == 1
    assert "[FAIL] drafts are sealed" in result.output and "1 drafts stored in clear" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_campaign_is_one_line_of_error(db, audit):
    result = audit("no-such-campaign")
    assert result.exit_code == 1 and "no campaign has the slug 'no-such-campaign'" in result.output
