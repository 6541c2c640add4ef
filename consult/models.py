"""Every model, imported in one place so Alembic and ``db.create_all`` see the whole schema."""

from consult.accounts.models import AuditEvent, User
from consult.analysis.models import AnalysisRun, PartitionCounts
from consult.api.models import ApiToken
from consult.charter.models import CharterVersion, Principle
from consult.gap.groups.models import WorkingGroup, WorkingGroupMember, WorkingGroupPrinciple
from consult.gap.models import Assessment, AssessmentRevision, ExportJob, ImportedGap
from consult.hrs4r.models import (
    Action,
    ActionRevision,
    Indicator,
    OrganisationFigures,
    OtmrAnswer,
    PillarNarrative,
)
from consult.surveys.campaigns.models import Campaign
from consult.surveys.headcounts.models import Headcounts
from consult.surveys.invitations.models import Invitation
from consult.surveys.questionnaires.models import Dimension, DimensionOption, Item, Questionnaire, Section
from consult.surveys.responses.models import Ballot, Comment, Draft, Response

__all__ = [
    "Action",
    "ActionRevision",
    "AnalysisRun",
    "ApiToken",
    "Assessment",
    "AssessmentRevision",
    "AuditEvent",
    "Ballot",
    "Campaign",
    "CharterVersion",
    "Comment",
    "Dimension",
    "DimensionOption",
    "Draft",
    "ExportJob",
    "Headcounts",
    "ImportedGap",
    "Indicator",
    "Invitation",
    "Item",
    "OrganisationFigures",
    "OtmrAnswer",
    "PartitionCounts",
    "PillarNarrative",
    "Principle",
    "Questionnaire",
    "Response",
    "Section",
    "User",
    "WorkingGroup",
    "WorkingGroupMember",
    "WorkingGroupPrinciple",
]
