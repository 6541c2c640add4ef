"""``consult campaign tokens|remind``: thin wrappers around the invitation services."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.campaigns.commands import campaign_or_fail, check_writable, read_file
from consult.surveys.invitations import links


@click.command("tokens")
@click.argument("slug")
@click.option("--count", type=click.IntRange(1, 1_000_000), help="Anonymous tokens to print or export.")
@click.option(
    "--emails",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of e-mail addresses (column email, optional column school).",
)
@click.option("--send", is_flag=True, help="Send the invitations by e-mail (the campaign must be open).")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write token,url to this CSV file."
)
@with_appcontext
def tokens(slug: str, count: int | None, emails: Path | None, send: bool, out: Path | None) -> None:
    """Create single-use invitation tokens (CSV: token,url), or invite and e-mail a list of people.

    With --send, each person's link is made when the message is sent and goes only to them: no token is
    written out (see consult/surveys/invitations/services.py)."""
    from consult.surveys.invitations.services import check_can_send, read_invitation_csv
    from consult.surveys.invitations.tasks import queue_invitations

    if (count is None) == (emails is None):
        raise click.UsageError("give exactly one of --count and --emails")
    if send and (emails is None or out is not None):
        raise click.UsageError(
            "--send goes with --emails and without --out: e-mailed links are never written"
        )
    found = campaign_or_fail(slug)
    if out is not None:
        check_writable(out)
    try:
        if send:
            check_can_send(found)
        people = read_invitation_csv(read_file(emails), found) if emails else None
        issued = links.invite_emails(found, people) if people else links.issue_tokens(found, count)
    except (services.CampaignError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if send:
        queued = queue_invitations(found.id)
        click.echo(f"{queued.count} invitations queued for sending.")
        echo_deferred(queued)
    else:
        write_tokens(issued, out)


def write_tokens(issued, out: Path | None) -> None:
    try:
        handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from error
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["token", "url"])
        writer.writerows([t.token, t.url] for t in issued)
    finally:
        if out:
            handle.close()
    if out:
        click.echo(f"{len(issued)} tokens written to {out}.", err=True)


@click.command("remind")
@click.argument("slug")
@with_appcontext
def remind(slug: str) -> None:
    """E-mail a reminder, with a new link, to the invited people who have not answered."""
    from consult.surveys.campaigns.participation import reminder_count_shown
    from consult.surveys.invitations.tasks import queue_reminders

    found = campaign_or_fail(slug)
    try:
        queued = queue_reminders(found.id)
    except services.CampaignError as error:
        raise click.ClickException(str(error)) from error
    if reminder_count_shown(queued.count, queued.eligible, found.min_group_size):
        click.echo(f"{queued.count} reminders queued for sending.")
    else:
        click.echo(
            "Reminders queued for sending (their number is not shown: it could tell who has answered)."
        )
    echo_deferred(queued)


def echo_deferred(queued) -> None:
    if queued.deferred:
        click.echo(
            "The task queue cannot be reached: the messages are kept in the outbox and will be sent as soon "
            "as it is back.",
            err=True,
        )


@click.group("mail", help="E-mail: check the mail settings.")
def mail_group() -> None:
    pass


@mail_group.command("test")
@click.argument("address")
@click.option("--language", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@with_appcontext
def mail_test(address: str, language: str) -> None:
    """Send a test e-mail to ADDRESS now, through the mail settings the invitations use."""
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import force_locale

    from consult.surveys.invitations.failures import explain
    from consult.surveys.invitations.texts import send_test_message

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"{address!r} is not a valid e-mail address ({error})") from error
    error = send_test_message(address, language)
    if error is not None:
        with force_locale(language):
            failure = explain(error)
        raise click.ClickException(
            f"the test e-mail could not be sent. {failure.reason} {failure.action} ({failure.technical})"
        )
    click.echo(f"A test e-mail was sent to {address}: check that it arrives (look in the spam folder too).")
