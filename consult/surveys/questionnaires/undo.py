"""Deleting a section, question or profile question from a draft, with an undo until the next change.

The questionnaire as it was is kept as YAML (``UndoableDelete``, one per draft); undoing stores it back, and
any other change of the draft forgets it (``builder.edit``). Services flush; the view commits.
"""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires import builder
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.models import UndoableDelete
from consult.surveys.questionnaires.yaml_format import dump_questionnaire, parse_questionnaire


def delete_entry(campaign: Campaign, kind: str, code: str, actor: User | None) -> None:
    """Remove ``code`` (a section, item or dimension), keeping the questionnaire as it was for ``undo``."""
    before = dump_questionnaire(campaign_spec(campaign))
    change = lambda q: builder.rearranged(q, kind, code, None)  # noqa: E731
    builder.edit(campaign, change, actor, f"questionnaire.{kind[:-1]}.delete", code=code)
    kept = UndoableDelete(questionnaire_id=campaign.questionnaire_id, kind=kind, code=code, previous=before)
    db.session.add(kept)
    db.session.flush()


def pending_undo(campaign: Campaign) -> UndoableDelete | None:
    query = select(UndoableDelete).where(UndoableDelete.questionnaire_id == campaign.questionnaire_id)
    return db.session.scalar(query)


def undo(campaign: Campaign, actor: User | None) -> tuple[str, str] | None:
    """Put back the questionnaire as it was before the latest deletion; the (kind, code) put back, or None
    when there is nothing to undo."""
    kept = pending_undo(campaign)
    if kept is None:
        return None
    restored, previous = (kept.kind, kept.code), parse_questionnaire(kept.previous.encode())
    builder.edit(campaign, lambda _: previous, actor, "questionnaire.undo", code=kept.code)
    return restored
