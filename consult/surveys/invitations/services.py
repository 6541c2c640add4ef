"""Personal invitations by e-mail: reading the address list, sending in batches, reminders.

Tokens and links. Only a token's hash is stored, so Consult cannot send a link it has not just made. A link
is therefore minted when its message is prepared: ``prepare_invitations`` and ``prepare_reminders`` draw a
new token for each invitation and replace the stored hash, and in the same transaction write the message to
the outbox (``outbox``), its token sealed with the app's key, until it is sent; the broker carries only the
outbox rows' ids. Consequences, stated in the e-mails and on the invitations page: a reminder carries a new
link and the previous one stops working; sending invitations whose links were exported earlier (``consult
campaign tokens --emails`` without ``--send``) replaces those links. A draft is sealed with its link, so no
reminder goes to an invitation whose holder saved answers for later: the link they kept still opens them.

Who has answered is never shown. Reminders go only to invitations not yet used whose first message was
delivered; the page says how many were sent, and not even that when the number is small enough to point at
people (``participation.reminder_count_shown``). Failed addresses are listed only for first invitations, which
every address receives whether or not it later answers; a failed reminder is recorded on its invitation
(status ``failed`` with the error) but never listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, delete, func, select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import CampaignError, school_dimension
from consult.surveys.invitations import outbox
from consult.surveys.invitations.models import Invitation, OutgoingMail, counted
from consult.surveys.invitations.revoking import revoked_one_by_one
from consult.surveys.invitations.tokens import new_token, token_hash
from consult.surveys.responses.models import Draft
from consult.textcheck import control_problem

MAX_ERRORS_SHOWN = 50
INVITATION_COLUMNS = ("email", "school")
QUEUED, SENT, FAILED, PENDING = outbox.QUEUED, outbox.SENT, outbox.FAILED, "pending"


class InvitationFileError(ValueError):
    """An address file refused as a whole, with every problem and its line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n(and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__("the address file was refused, nothing was stored:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class Outgoing:
    """Messages written to the outbox (their rows' ids); ``eligible``: the invitations that could have
    received one; ``deferred``: the broker could not be reached, the rows wait for it (set by ``tasks``)."""

    campaign_id: int
    mail_ids: list[int]
    eligible: int = 0
    deferred: bool = False
    invitation_ids: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        return len(self.mail_ids)


def school_codes(campaign: Campaign) -> dict[str, str]:
    """Every way a school may be written in the file (code or label, any case) -> its option code."""
    found = school_dimension(campaign)
    lookup: dict[str, str] = {}
    for option in found[1].options if found else []:
        for name in (option.code, *option.label.values()):
            lookup[name.strip().casefold()] = option.code
    return lookup


def read_invitation_csv(data: bytes, campaign: Campaign) -> list[tuple[str, str | None]]:
    """(e-mail, school code or None) per row of a UTF-8 CSV with a header ``email``, optionally ``school``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvitationFileError(
            [f"the file is not UTF-8 text (byte {error.start} cannot be read)"]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return read_people(reader, school_codes(campaign))
    except csv.Error as error:
        raise InvitationFileError([f"line {reader.line_num}: unreadable CSV ({error})"]) from error


def read_people(reader, schools: dict[str, str]) -> list[tuple[str, str | None]]:
    columns = read_header(next(reader, []))
    people, errors, seen = [], [], {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        person = read_row(row, columns, schools, reader.line_num, errors)
        if person is not None and person[0] in seen:
            errors.append(
                f"line {reader.line_num}: {person[0]} is listed twice (first on line {seen[person[0]]})"
            )
        elif person is not None:
            seen[person[0]] = reader.line_num
            people.append(person)
    if not people and not errors:
        errors.append("the file lists no e-mail address")
    if errors:
        raise InvitationFileError(errors)
    return people


def read_header(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in INVITATION_COLUMNS]
    problems = []
    if "email" not in names:
        problems.append("line 1: the header must name a column 'email' (and optionally 'school')")
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(map(repr, unknown))}: expected email, school")
    if len(set(names)) != len(names):
        problems.append("line 1: a column is named twice")
    if problems:
        raise InvitationFileError(problems)
    return {name: index for index, name in enumerate(names)}


def read_row(
    row: list[str], columns: dict[str, int], schools: dict[str, str], line: int, errors: list[str]
) -> tuple[str, str | None] | None:
    if len(row) != len(columns):
        errors.append(f"line {line}: expected {len(columns)} values, found {len(row)}")
        return None
    controls = [(name, control_problem(row[index], multiline=False)) for name, index in columns.items()]
    if any(problem for _, problem in controls):
        errors += [f"line {line}, column {name}: {problem}" for name, problem in controls if problem]
        return None
    raw_email = row[columns["email"]].strip()
    try:
        email = validate_email(raw_email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        errors.append(f"line {line}: {raw_email!r} is not a valid e-mail address ({error})")
        return None
    school = row[columns["school"]].strip() if "school" in columns else ""
    if school and school.casefold() not in schools:
        known = ", ".join(sorted(set(schools.values()))) or "none: the questionnaire has no school dimension"
        errors.append(f"line {line}: unknown school {school!r} (the campaign's schools: {known})")
        return None
    return email, schools.get(school.casefold()) if school else None


def check_can_send(campaign: Campaign) -> None:
    if campaign.mode != CampaignMode.TOKEN:
        raise CampaignError("this campaign uses an open link: it sends no personal invitations")
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignError(
            f"campaign {campaign.slug} is {campaign.status.value}: messages are sent only while it is open"
        )


def mail_languages(campaign: Campaign, languages: Sequence[str] | None) -> list[str]:
    offered = list(campaign.questionnaire.languages)
    chosen = [language for language in languages or offered if language in offered]
    if not chosen:
        raise CampaignError(f"choose the e-mail's language among {', '.join(offered)}")
    return chosen


def prepare_invitations(
    campaign_id: int,
    actor: User | None = None,
    languages: Sequence[str] | None = None,
    retry_failed: bool = False,
) -> Outgoing:
    """The first messages of pending invitations (or of failed ones), written to the outbox. Flushes: the
    caller commits before queueing them."""
    campaign = db.session.get(Campaign, campaign_id)
    check_can_send(campaign)
    chosen = mail_languages(campaign, languages)
    rows = unsent_invitations(campaign.id, retry_failed)
    mail_ids = mint(campaign.id, rows, "invitation", chosen)
    record(actor, "campaign.send-invitations", campaign.slug, count=len(mail_ids), retry=retry_failed)
    return Outgoing(campaign.id, mail_ids, invitation_ids=tuple(row.id for row in rows))


def first_message_states(outgoing: Outgoing) -> dict[str, int]:
    """How many of the first messages just queued are sent, still queued, failed (a page reads this right
    after queueing: in-process, they were sent already; with workers, most are still queued)."""
    query = (
        select(Invitation.send_status, func.count())
        .where(Invitation.id.in_(outgoing.invitation_ids))
        .group_by(Invitation.send_status)
    )
    return dict(db.session.execute(query.execution_options(populate_existing=True)).all())


def unsent_invitations(campaign_id: int, failed: bool) -> list[Invitation]:
    """Invitations waiting for their first message, or those whose first message failed."""
    if failed:
        wanted = (Invitation.send_status == FAILED) & (Invitation.reminders_sent == 0)
    else:
        wanted = Invitation.send_status == PENDING
    query = select(Invitation).where(
        Invitation.campaign_id == campaign_id,
        Invitation.email.is_not(None),
        Invitation.revoked.is_(None),
        wanted,
    )
    return list(db.session.scalars(query.order_by(Invitation.id)))


def prepare_reminders(
    campaign_id: int, actor: User | None = None, languages: Sequence[str] | None = None
) -> Outgoing:
    """Reminders with new links, written to the outbox, for invitations delivered and not used yet. Flushes:
    the caller commits before queueing them."""
    campaign = db.session.get(Campaign, campaign_id)
    check_can_send(campaign)
    chosen = mail_languages(campaign, languages)
    delivered = (
        (Invitation.campaign_id == campaign.id)
        & Invitation.email.is_not(None)
        & Invitation.revoked.is_(None)
        & ((Invitation.send_status == SENT) | (Invitation.reminders_sent > 0))
    )
    eligible = db.session.scalar(select(func.count()).select_from(Invitation).where(delivered))
    rows = db.session.scalars(
        select(Invitation)
        .where(delivered, Invitation.used.is_(False), without_saved_draft())
        .order_by(Invitation.id)
    ).all()
    for invitation in rows:
        invitation.reminders_sent += 1
    mail_ids = mint(campaign.id, rows, "reminder", chosen)
    record(actor, "campaign.remind", campaign.slug)
    return Outgoing(campaign.id, mail_ids, eligible)


def mint(campaign_id: int, rows: Sequence[Invitation], kind: str, languages: Sequence[str]) -> list[int]:
    """A new token per invitation, its hash stored, its status queued and its message in the outbox; returns
    the outbox rows' ids. A draft saved under the previous link is sealed with that link
    (``responses.sealing``), which the new one cannot open: it is deleted."""
    old_hashes = [invitation.token_hash for invitation in rows]
    db.session.execute(
        delete(Draft).where(Draft.campaign_id == campaign_id, Draft.token_hash.in_(old_hashes))
    )
    minted = []
    for invitation in rows:
        token = new_token()
        invitation.token_hash, invitation.send_status = token_hash(token), QUEUED
        minted.append((invitation, token))
    db.session.flush()
    return outbox.add(campaign_id, minted, kind, languages)


def without_saved_draft():
    """Invitations whose holder has saved no draft: a reminder's new link would make their draft unreadable,
    and they already keep a link that works (the "saved" page asks them to)."""
    return ~select(Draft.token_hash).where(Draft.token_hash == Invitation.token_hash).exists()


@dataclass(frozen=True)
class InvitationSummary:
    """Counts by the status of each invitation's first message, and the addresses it failed to reach;
    ``retry_at``: when messages that met a server error are tried again (no count: some may be reminders);
    ``unreachable``: the error, when the latest failure is that the mail server could not be reached."""

    total: int
    by_status: dict[str, int]
    failed: list[tuple[str, str]]
    retry_at: datetime | None = None
    unreachable: str | None = None
    revoked: int = 0
    """Links HR revoked one at a time (no longer counted as invitations)."""


def invitation_summary(campaign: Campaign) -> InvitationSummary:
    first_status = case((Invitation.reminders_sent > 0, SENT), else_=Invitation.send_status)
    counts = dict(
        db.session.execute(
            select(first_status, func.count())
            .where(Invitation.campaign_id == campaign.id, counted())
            .group_by(first_status)
        ).all()
    )
    failed = db.session.execute(
        select(Invitation.email, Invitation.send_error)
        .where(Invitation.campaign_id == campaign.id, Invitation.email.is_not(None))
        .where(Invitation.send_status == FAILED, Invitation.reminders_sent == 0)
        .where(Invitation.revoked.is_(None))
        .order_by(Invitation.email)
    ).all()
    retry_at, latest_error = waiting_retry(campaign.id)
    return InvitationSummary(
        sum(counts.values()),
        counts,
        [(email, error or "") for email, error in failed],
        retry_at,
        unreachable(campaign.id, latest_error),
        revoked_one_by_one(campaign.id),
    )


def waiting_retry(campaign_id: int) -> tuple[datetime | None, str | None]:
    """When the outbox's messages that met a server error are next tried, and the latest such error."""
    retrying = (OutgoingMail.campaign_id == campaign_id) & (OutgoingMail.attempts > 0)
    retry_at = db.session.scalar(select(func.min(OutgoingMail.next_attempt_at)).where(retrying))
    latest = db.session.scalar(
        select(OutgoingMail.last_error).where(retrying).order_by(OutgoingMail.next_attempt_at.desc()).limit(1)
    )
    return retry_at, latest


def unreachable(campaign_id: int, latest_error: str | None) -> str | None:
    """The connection error of the latest failure: the messages waiting for a retry have it, or (none
    waiting) the messages that failed for good."""
    if latest_error is not None:
        return latest_error if outbox.is_connection_error(latest_error) else None
    errors = db.session.scalars(
        select(Invitation.send_error)
        .where(Invitation.campaign_id == campaign_id, Invitation.send_status == FAILED)
        .where(Invitation.send_error.is_not(None))
        .distinct()
    )
    return next((error for error in errors if outbox.is_connection_error(error)), None)
