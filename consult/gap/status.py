"""Where each principle stands in the working group's work, and its validation on behalf of the steering
committee.

not started: nothing saved; drafted: texts saved, no final rating; proposed: a final rating saved, not yet
validated; validated: HR or an admin validated the row as it now stands (the next save undoes it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.gap.models import Assessment, AssessmentRevision
from consult.gap.services import AssessmentError, get_assessment
from consult.surveys.campaigns.models import Campaign
from consult.timeutil import utcnow

STATUSES = ("not_started", "drafted", "proposed", "validated")
STATUS_LABELS = {
    "not_started": _l("not started"),
    "drafted": _l("drafted"),
    "proposed": _l("proposed"),
    "validated": _l("validated"),
}


def status_of(assessment: Assessment | None) -> str:
    if assessment is None or not (
        assessment.final_rating or assessment.gap_html or assessment.initiatives_html
    ):
        return "not_started"
    if assessment.final_rating is None:
        return "drafted"
    return "validated" if assessment.validated_at is not None else "proposed"


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in STATUSES}


def validate(campaign: Campaign, section_code: str, version: int | None, actor: User) -> Assessment:
    """Validate the row as the validator saw it (``version``): a row with no final rating, already
    validated, or saved again since the page was opened is refused."""
    assessment = get_assessment(campaign.id, section_code)
    if assessment is None or assessment.final_rating is None:
        raise AssessmentError(str(_l("Only a principle with a final rating can be validated.")))
    if version != assessment.version:
        raise AssessmentError(
            str(_l("The principle was saved again meanwhile: read it again, then validate."))
        )
    if assessment.validated_at is not None:
        raise AssessmentError(str(_l("This principle is already validated.")))
    assessment.validated_by_id, assessment.validated_at = actor.id, utcnow()
    db.session.flush()
    db.session.add(_revision(assessment, actor))
    record(actor, "gap.assessment.validate", f"{campaign.slug}/{section_code}", version=assessment.version)
    db.session.flush()
    return assessment


def _revision(assessment: Assessment, actor: User) -> AssessmentRevision:
    return AssessmentRevision(
        assessment_id=assessment.id,
        version=assessment.version,
        final_rating=assessment.final_rating,
        justification=assessment.justification,
        gap_html=assessment.gap_html,
        initiatives_html=assessment.initiatives_html,
        user_id=actor.id,
        at=assessment.validated_at,
        event="validated",
    )
