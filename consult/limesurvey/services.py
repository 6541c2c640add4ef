"""Import a LimeSurvey survey (and its responses) as a closed campaign: all or nothing.

Every file is read and checked before anything is written. The responses then enter as admitted ballots do
(``ballots.store_batch``): one batch, in a shuffled order, dated by the day of the import, with their
comments shuffled apart; LimeSurvey's response ids, order, dates, addresses, tokens and referrers are not
kept. The campaign is closed at once, so that it serves as the previous campaign of a later one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.accounts.models import User
from consult.accounts.services import record
from consult.limesurvey import mapping as m
from consult.limesurvey.plan import Plan, read_plan
from consult.limesurvey.responses import Decoded, decode_responses, read_table
from consult.limesurvey.structure import LimeSurveyError, Survey, has_member, read_survey
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.campaigns.services import create_campaign
from consult.surveys.questionnaires.checks import LoadError, load_yaml
from consult.surveys.responses import ballots, storage
from consult.timeutil import utcnow


@dataclass
class Upload:
    data: bytes
    name: str = ""


@dataclass
class ImportReport:
    campaign: Campaign
    survey: Survey
    plan: Plan
    responses: int = 0
    comments: int = 0
    incomplete: int = 0
    dropped: list[str] = field(default_factory=list)

    @property
    def languages_dropped(self) -> list[str]:
        return [lang for lang in self.survey.languages if lang not in self.plan.questionnaire.languages]

    def lines(self) -> list[str]:
        q = self.plan.questionnaire
        lines = [
            f"LimeSurvey survey {self.survey.sid}: {len(q.sections)} sections, {len(q.items)} items, "
            f"{len(q.dimensions)} dimensions, {len(self.plan.comments)} free-text questions as comments; "
            f"{len(self.plan.left_out)} questions left out.",
            f"Languages kept: {', '.join(q.languages)}; "
            f"dropped: {', '.join(self.languages_dropped) or 'none'} "
            "(Consult offers en and fr).",
            f"{self.responses} responses and {self.comments} comments imported, shuffled, dated today.",
        ]
        if self.incomplete:
            lines.append(f"{self.incomplete} incomplete responses (never submitted) skipped.")
        lines.append(
            "Never stored: LimeSurvey response ids and order"
            + "".join(f", {kind}" for kind in self.dropped)
            + " (dropped)."
        )
        return lines


def read_mapping(survey: Survey, mapping: Upload | None) -> dict[str, Any]:
    if mapping is None:
        return m.automatic_mapping(survey)
    try:
        data, _ = load_yaml(mapping.data)
    except LoadError as error:
        raise LimeSurveyError([f"the mapping file: {error}"]) from error
    return data


def prepare(structure: Upload, responses: Upload | None, mapping: Upload | None) -> tuple:
    """Read and check everything, writing nothing: (survey, plan, decoded responses or None)."""
    survey = read_survey(structure.data, structure.name)
    plan = read_plan(survey, read_mapping(survey, mapping))
    if responses is None and has_member(structure.data, (".lsr",)):
        responses = structure
    decoded = (
        decode_responses(survey, plan, read_table(responses.data, responses.name)) if responses else None
    )
    if decoded is not None and 0 < len(decoded.answers) < plan.questionnaire.min_group_size:
        raise LimeSurveyError(
            [
                f"the file holds {len(decoded.answers)} complete responses, fewer than the minimum "
                f"group size ({plan.questionnaire.min_group_size}): none could ever be shown (lower "
                "min_group_size in the mapping, never below 3, if that is right)"
            ]
        )
    return survey, plan, decoded


def import_survey(
    structure: Upload,
    responses: Upload | None = None,
    mapping: Upload | None = None,
    actor: User | None = None,
) -> ImportReport:
    """Create the closed campaign; flushes, the caller commits. LimeSurveyError when anything is refused."""
    survey, plan, decoded = prepare(structure, responses, mapping)
    campaign = create_campaign(plan.questionnaire, actor)
    report = ImportReport(campaign, survey, plan)
    if decoded is not None:
        store(campaign.id, decoded, report)
    campaign.status = CampaignStatus.CLOSED
    campaign.opened_at = campaign.closed_at = utcnow()
    record(actor, "campaign.import_limesurvey", campaign.slug, survey=survey.sid, responses=report.responses)
    return report


def store(campaign_id: int, decoded: Decoded, report: ImportReport) -> None:
    rows = [
        {"answers": a.tobytes(), "profile": p.tobytes(), "comments": []}
        for a, p in zip(decoded.answers, decoded.profiles, strict=True)
    ]
    if rows:
        ballots.store_batch(campaign_id, rows)
    report.responses, report.comments = len(rows), storage.insert_comments(campaign_id, decoded.comments)
    report.incomplete, report.dropped = decoded.incomplete, decoded.dropped
