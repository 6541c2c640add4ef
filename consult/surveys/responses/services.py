"""Importing a responses file (design.md, "Responses file") into a campaign: all or nothing.

The whole file is parsed and checked before anything is written, then every row goes in the caller's one
transaction: a refused file leaves the campaign as it was.
"""

from __future__ import annotations

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.campaigns.services import CampaignError
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage
from consult.surveys.responses.csv_format import parse_responses_csv

IMPORTABLE = (CampaignStatus.OPEN, CampaignStatus.CLOSED)


def import_responses_file(campaign: Campaign, data: bytes, actor: User | None = None) -> int:
    """Store the respondents of ``data`` in ``campaign`` and return their number; flushes, never commits.

    ResponsesFileError when the file is refused, CampaignError when the campaign takes no responses: a draft
    may still change its questions, and an archived campaign is final.
    """
    if campaign.status not in IMPORTABLE:
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: responses are imported into an open "
            "or closed campaign"
        )
    parsed = parse_responses_csv(campaign_spec(campaign), data)
    if 0 < len(parsed.answers) < campaign.min_group_size:
        raise CampaignError(
            f"the file holds {len(parsed.answers)} responses: an import adds at least "
            f"{campaign.min_group_size} (the campaign's minimum group size), so that no figure moves by fewer"
        )
    count = storage.insert_responses(campaign.id, parsed.answers, parsed.profiles)
    storage.insert_comments(campaign.id, parsed.comments)
    db.session.flush()
    record(actor, "campaign.import_responses", campaign.slug, responses=count, comments=len(parsed.comments))
    return count
