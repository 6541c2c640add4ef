"""``consult privacy audit``: gathers a campaign's stored data and releases and runs the checks of
``checks`` on them, for the institution's data-protection officer. Reads only; changes nothing."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text

from consult.analysis.models import AnalysisRun, RunStatus
from consult.extensions import db
from consult.privacy import checks
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.campaigns.services import participation_figures
from consult.surveys.invitations.models import Invitation
from consult.surveys.responses.models import Ballot, Draft

ROLES = (
    (
        "reviewer, HR",
        "released figures of groups of at least k, comments of sections with enough respondents "
        "(redacted); never a group of fewer than k, nor who has answered",
    ),
    ("administrator", "the same, plus the audit log (who changed what, never an answer)"),
    (
        "database or backup reader",
        "admitted responses and comments, in batches of at least k; not a draft "
        "(sealed with the respondent's link), not a pending ballot (sealed with the app's key), not which "
        "invitation an answer came from",
    ),
    (
        "log reader",
        "request counts; no token, address, answer, or time finer than the day on respondent pages",
    ),
)
RESIDUAL_RISKS = (
    "With interim results on, a copy of interim results kept before closing may differ from the final ones "
    "by fewer than k respondents; Consult withdraws the interim results then, but cannot withdraw a copy.",
    "Someone holding both the database and the app's secret key can read pending ballots (fewer than k per "
    "campaign at any time).",
    "Free-text comments are shown as written, minus the e-mail addresses and phone numbers redaction finds.",
)


def audit(campaign: Campaign) -> list[checks.Check]:
    runs = db.session.scalars(
        select(AnalysisRun)
        .where(AnalysisRun.campaign_id == campaign.id, AnalysisRun.status == RunStatus.DONE)
        .order_by(AnalysisRun.id)
    ).all()
    found = [
        checks.release_steps(
            [run.responses for run in runs if run.responses is not None], campaign.min_group_size
        ),
        checks.one_suppression(releases(campaign, runs[-1].results if runs else None)),
        checks.stored_columns({table: columns(table) for table in ("response", "comment", "ballot")}),
        checks.plain(clear_drafts(campaign.id), "drafts stored in clear", "drafts are sealed"),
    ]
    if runs:
        found.append(checks.small_figures(runs[-1].results))
    if campaign.status != CampaignStatus.DRAFT and campaign.status != CampaignStatus.OPEN:
        found += closed_checks(campaign)
    if db.engine.dialect.name == "postgresql":
        found.append(transactions(campaign))
    return found


def releases(campaign: Campaign, results: dict | None) -> dict[str, dict[str, set[str]]]:
    """Hidden and shown groups of every release: participation by school, each section's breakdowns."""
    shown = participation_figures(campaign, "en", "")
    found = {
        "participation": {
            "school": {g.code for g in shown.groups if g.code and g.hidden},
            "shown:school": {g.code for g in shown.groups if g.code and not g.hidden},
        }
    }
    for section in (results or {}).get("sections", []):
        groups: dict[str, set[str]] = {}
        for key, breakdown in (section.get("breakdowns") or {}).items():
            if ":" not in key:
                groups[key] = {g["code"] for g in breakdown["groups"] if g.get("suppressed")}
                groups[f"shown:{key}"] = {g["code"] for g in breakdown["groups"] if not g.get("suppressed")}
        found[f"principle page {section['code']}"] = groups
    return found


def columns(table: str) -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def clear_drafts(campaign_id: int) -> int:
    query = select(func.count()).select_from(Draft)
    return db.session.scalar(query.where(Draft.campaign_id == campaign_id, Draft.data.is_not(None)))


def closed_checks(campaign: Campaign) -> list[checks.Check]:
    pending = db.session.scalar(
        select(func.count()).select_from(Ballot).where(Ballot.campaign_id == campaign.id)
    )
    addresses = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.campaign_id == campaign.id, Invitation.email.is_not(None))
    )
    return [
        checks.plain(pending, "ballots still pending", "closing admitted every ballot"),
        checks.plain(addresses, "invitation e-mail addresses kept", "closing deleted the addresses"),
    ]


def transactions(campaign: Campaign) -> checks.Check:
    """PostgreSQL's transaction ids (``xmin``) of the answers, grouped, against the invitations'."""
    invitations = xmin_groups("invitation", campaign.id)
    total = sum(invitations.values())
    groups, shared = {}, []
    for table in ("response", "comment"):
        found = xmin_groups(table, campaign.id)
        groups[table] = list(found.values())
        shared += [invitations.get(xmin, 0) for xmin in found if invitations.get(xmin, 0) < total]
    closed = campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED)
    return checks.transaction_groups(groups, shared, campaign.min_group_size, closed)


def xmin_groups(table: str, campaign_id: int) -> dict[str, int]:
    query = text(f"SELECT xmin::text, count(*) FROM {table} WHERE campaign_id = :c GROUP BY 1")  # nosec B608 # table names are constants of this module
    return dict(db.session.execute(query, {"c": campaign_id}).all())


def report(campaign: Campaign, found: list[checks.Check]) -> str:
    lines = [
        f"Privacy audit of campaign {campaign.slug} ({campaign.status.value}), k = {campaign.min_group_size}",
        "",
    ]
    lines += ["What each role can learn:"] + [f"  {role}: {what}" for role, what in ROLES] + ["", "Checks:"]
    for found_check in found:
        lines.append(f"  [{'pass' if found_check.passed else 'FAIL'}] {found_check.name}")
        lines += [f"         {detail}" for detail in found_check.details]
    lines += ["", "Residual risks:"] + [f"  - {risk}" for risk in RESIDUAL_RISKS]
    return "\n".join(lines)
