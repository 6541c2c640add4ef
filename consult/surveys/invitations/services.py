"""Personal invitations by e-mail: reading the address list, sending in batches, reminders.

Tokens and links. Only a token's hash is stored, so Consult cannot send a link it has not just made. A link
is therefore minted when its message is prepared: ``prepare_invitations`` and ``prepare_reminders`` draw a
new token for each invitation, replace the stored hash and commit; ``tasks`` then hands the tokens to the
sending tasks in their arguments. The tokens live in the broker's message until the batch is sent and are
never written anywhere else. Consequences, stated in the e-mails and on the invitations page: a reminder
carries a new link and the previous one stops working; sending invitations whose links were exported
earlier (``consult campaign tokens --emails`` without ``--send``) replaces those links. A draft is sealed
with its link, so no reminder goes to an invitation whose holder saved answers for later: the link they
kept still opens them.

Who has answered is never shown. Reminders go only to invitations not yet used whose first message was
delivered; the page says how many were sent, and not even that when the number is small enough to point at
people (``participation.reminder_count_shown``). Failed addresses are listed only for first invitations, which
every address receives whether or not it later answers; a failed reminder is recorded on its invitation
(status ``failed`` with the error) but never listed.
"""

from __future__ import annotations

import csv
import io
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import case, delete, func, select

from consult.accounts.models import User
from consult.accounts.services import record
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign, CampaignMode, CampaignStatus
from consult.surveys.campaigns.services import CampaignError, school_dimension
from consult.surveys.invitations import mail
from consult.surveys.invitations.links import respondent_url
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import new_token, token_hash
from consult.surveys.responses.models import Draft
from consult.textcheck import control_problem

MAX_ERRORS_SHOWN = 50
INVITATION_COLUMNS = ("email", "school")
QUEUED, SENT, FAILED, PENDING = "queued", "sent", "failed", "pending"


class InvitationFileError(ValueError):
    """An address file refused as a whole, with every problem and its line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f"\n(and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__("the address file was refused, nothing was stored:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class Outgoing:
    """Messages to send, with the new links they carry (invitation id, token); ``eligible``: the invitations
    that could have received one. Made and committed here, queued by ``tasks.queue_batches``."""

    campaign_id: int
    pairs: list[tuple[int, str]]
    kind: str
    languages: list[str]
    eligible: int = 0

    @property
    def count(self) -> int:
        return len(self.pairs)


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
    """The first messages of pending invitations (or of failed ones). Commits: the new links' hashes must be
    stored before a worker sends them."""
    campaign = db.session.get(Campaign, campaign_id)
    check_can_send(campaign)
    chosen = mail_languages(campaign, languages)
    pairs = mint(campaign.id, unsent_invitations(campaign.id, retry_failed))
    record(actor, "campaign.send-invitations", campaign.slug, count=len(pairs), retry=retry_failed)
    db.session.commit()
    return Outgoing(campaign.id, pairs, "invitation", chosen)


def unsent_invitations(campaign_id: int, failed: bool) -> list[Invitation]:
    """Invitations waiting for their first message, or those whose first message failed."""
    if failed:
        wanted = (Invitation.send_status == FAILED) & (Invitation.reminders_sent == 0)
    else:
        wanted = Invitation.send_status == PENDING
    query = select(Invitation).where(
        Invitation.campaign_id == campaign_id, Invitation.email.is_not(None), wanted
    )
    return list(db.session.scalars(query.order_by(Invitation.id)))


def prepare_reminders(
    campaign_id: int, actor: User | None = None, languages: Sequence[str] | None = None
) -> Outgoing:
    """New links for invitations delivered and not used yet; commits before they are queued."""
    campaign = db.session.get(Campaign, campaign_id)
    check_can_send(campaign)
    chosen = mail_languages(campaign, languages)
    delivered = (
        (Invitation.campaign_id == campaign.id)
        & Invitation.email.is_not(None)
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
    pairs = mint(campaign.id, rows)
    record(actor, "campaign.remind", campaign.slug)
    db.session.commit()
    return Outgoing(campaign.id, pairs, "reminder", chosen, eligible)


def mint(campaign_id: int, rows: Sequence[Invitation]) -> list[tuple[int, str]]:
    """A new token per invitation, its hash stored and its status queued. A draft saved under the previous
    link is sealed with that link (``responses.sealing``), which the new one cannot open: it is deleted."""
    old_hashes = [invitation.token_hash for invitation in rows]
    db.session.execute(
        delete(Draft).where(Draft.campaign_id == campaign_id, Draft.token_hash.in_(old_hashes))
    )
    pairs = []
    for invitation in rows:
        token = new_token()
        invitation.token_hash, invitation.send_status = token_hash(token), QUEUED
        pairs.append((invitation.id, token))
    db.session.flush()
    return pairs


def without_saved_draft():
    """Invitations whose holder has saved no draft: a reminder's new link would make their draft unreadable,
    and they already keep a link that works (the "saved" page asks them to)."""
    return ~select(Draft.token_hash).where(Draft.token_hash == Invitation.token_hash).exists()


def deliver_batch(
    campaign_id: int, pairs: Iterable[Sequence], kind: str, languages: Sequence[str], final: bool
) -> int:
    """Send one batch over one SMTP connection; returns how many messages left. A refused address fails
    alone; a connection or server error is recorded on the unsent invitations and raised (the task retries),
    or, on the final attempt, marks them failed."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return 0
    rows = deliverable(campaign_id, pairs)
    letter = mail.Letter(kind, campaign.title, languages, campaign.min_group_size, campaign.closes_at)
    settings = mail.MailSettings.from_config(current_app.config)
    sent = 0
    try:
        with mail.smtp_session(settings) as smtp:
            for invitation, token in rows:
                sent += deliver_one(smtp, letter, settings.sender, invitation, token)
    except OSError as error:
        note_failure([i for i, _ in rows if i.send_status == QUEUED], error, final)
        db.session.commit()
        if not final:
            raise
        return sent
    db.session.commit()
    return sent


def deliverable(campaign_id: int, pairs: Iterable[Sequence]) -> list[tuple[Invitation, str]]:
    """The batch's invitations still waiting for this very link (a newer link or a closing supersedes it)."""
    tokens = {int(invitation_id): token for invitation_id, token in pairs}
    rows = db.session.scalars(
        select(Invitation).where(Invitation.campaign_id == campaign_id, Invitation.id.in_(tokens))
    ).all()
    return [
        (row, tokens[row.id])
        for row in sorted(rows, key=lambda row: row.id)
        if row.email and row.send_status == QUEUED and row.token_hash == token_hash(tokens[row.id])
    ]


def deliver_one(
    smtp: smtplib.SMTP, letter: mail.Letter, sender: str, invitation: Invitation, token: str
) -> int:
    try:
        smtp.send_message(mail.message(letter, sender, invitation.email, respondent_url(token)))
    except smtplib.SMTPRecipientsRefused as error:
        invitation.send_attempts += 1
        invitation.send_status, invitation.send_error = FAILED, refusal(error)
        return 0
    invitation.send_attempts += 1
    invitation.send_status, invitation.send_error = SENT, None
    return 1


def refusal(error: smtplib.SMTPRecipientsRefused) -> str:
    code, reason = next(iter(error.recipients.values()), (0, b""))
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    return f"address refused by the mail server ({code} {text})"[:1000]


def note_failure(rows: Sequence[Invitation], error: OSError, final: bool) -> None:
    for invitation in rows:
        invitation.send_attempts += 1
        invitation.send_error = f"{type(error).__name__}: {error}"[:1000]
        if final:
            invitation.send_status = FAILED


@dataclass(frozen=True)
class InvitationSummary:
    """Counts by the status of each invitation's first message, and the addresses it failed to reach."""

    total: int
    by_status: dict[str, int]
    failed: list[tuple[str, str]]


def invitation_summary(campaign: Campaign) -> InvitationSummary:
    first_status = case((Invitation.reminders_sent > 0, SENT), else_=Invitation.send_status)
    counts = dict(
        db.session.execute(
            select(first_status, func.count())
            .where(Invitation.campaign_id == campaign.id)
            .group_by(first_status)
        ).all()
    )
    failed = db.session.execute(
        select(Invitation.email, Invitation.send_error)
        .where(Invitation.campaign_id == campaign.id, Invitation.email.is_not(None))
        .where(Invitation.send_status == FAILED, Invitation.reminders_sent == 0)
        .order_by(Invitation.email)
    ).all()
    return InvitationSummary(sum(counts.values()), counts, [(email, error or "") for email, error in failed])
