"""The documents of a cycle besides the plan: OTM-R answers, organisational figures, pillar narratives.
Services flush; the caller commits once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.gap.services import rich_text
from consult.gap.tsv import normalise_rating
from consult.hrs4r.labels import FIGURE_LABELS
from consult.hrs4r.models import OrganisationFigures, OtmrAnswer, PillarNarrative
from consult.hrs4r.reference import ORGANISATION_FIGURES, otmr_questions
from consult.hrs4r.services import PlanError
from consult.timeutil import utcnow

MAX_PROFILE = 2_000


def otmr_answers(campaign_id: int | None) -> dict[int, OtmrAnswer]:
    if campaign_id is None:
        return {}
    rows = db.session.scalars(select(OtmrAnswer).where(OtmrAnswer.campaign_id == campaign_id))
    return {row.question: row for row in rows}


def save_otmr(campaign_id: int, answers: dict[int, dict[str, str]], actor: User | None) -> None:
    """``answers``: question number -> rating, comment, evidence (links, one a line), indicators."""
    known = {q.number for q in otmr_questions()}
    saved = otmr_answers(campaign_id)
    for number, answer in answers.items():
        if number not in known:
            raise PlanError(f"the OTM-R checklist has no question {number}")
        row = saved.get(number) or OtmrAnswer(campaign_id=campaign_id, question=number)
        try:
            row.rating = normalise_rating(answer.get("rating") or "")
        except ValueError as error:
            raise PlanError(f"question {number}: {error}") from error
        row.comment = answer.get("comment", "").strip()
        row.evidence = "\n".join(
            line.strip() for line in answer.get("evidence", "").splitlines() if line.strip()
        )
        row.indicators = answer.get("indicators", "").strip()
        row.updated_at = utcnow()
        db.session.add(row)
    record(actor, "hrs4r.otmr.saved", f"campaign:{campaign_id}")


def organisation_figures(campaign_id: int | None) -> OrganisationFigures | None:
    if campaign_id is None:
        return None
    return db.session.scalar(
        select(OrganisationFigures).where(OrganisationFigures.campaign_id == campaign_id)
    )


def parse_figure(name: str, text: str) -> float | None:
    text = text.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PlanError(f"{FIGURE_LABELS[name]}: {text!r} is not a number") from None
    if value < 0 or not value.is_finite():
        raise PlanError(f"{FIGURE_LABELS[name]}: a figure is a positive number")
    return float(value)


def save_figures(campaign_id: int, texts: dict[str, str], profile: str, validate: bool, actor: User | None):
    values = {name: parse_figure(name, texts.get(name, "")) for name, _ in ORGANISATION_FIGURES}
    if len(profile) > MAX_PROFILE:
        raise PlanError(f"the profile is limited to {MAX_PROFILE:,} characters")
    row = organisation_figures(campaign_id) or OrganisationFigures(campaign_id=campaign_id)
    row.values, row.profile = values, profile.strip()
    row.validated_by_id = actor.id if validate and actor else None
    row.validated_at = utcnow() if validate else None
    db.session.add(row)
    record(actor, "hrs4r.figures.validated" if validate else "hrs4r.figures.saved", f"campaign:{campaign_id}")
    return row


def narratives(campaign_id: int) -> dict[int, PillarNarrative]:
    rows = db.session.scalars(select(PillarNarrative).where(PillarNarrative.campaign_id == campaign_id))
    return {row.pillar: row for row in rows}


def save_narrative(campaign_id: int, pillar: int, strengths: str, weaknesses: str, actor: User | None):
    """Strengths and weaknesses of one pillar, sanitised as the GAP texts are."""
    row = narratives(campaign_id).get(pillar) or PillarNarrative(campaign_id=campaign_id, pillar=pillar)
    try:
        row.strengths_html, row.weaknesses_html = rich_text(strengths), rich_text(weaknesses)
    except ValueError as error:
        raise PlanError(str(error)) from error
    row.updated_at = utcnow()
    db.session.add(row)
    record(actor, "hrs4r.narrative.saved", f"campaign:{campaign_id}", pillar=pillar)
    return row
