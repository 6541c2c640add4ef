"""``consult campaign ...``: thin wrappers around the services."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys import services


def campaign_or_fail(slug: str):
    try:
        return services.get_campaign(slug)
    except services.CampaignError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def campaign() -> None:
    """Campaigns: create, open, close, invite, import, analyse, export."""


@campaign.command("create")
@click.option("--template", "template_name", help="charter-2023 or charter-2005")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A questionnaire file (YAML).",
)
@click.option("--title", help="The campaign's title (every language).")
@with_appcontext
def create(template_name: str | None, source: Path | None, title: str | None) -> None:
    """Create a draft campaign and print its slug."""
    from consult.charter.reference import load_template, template_names
    from consult.surveys.questionnaire_yaml import QuestionnaireError, parse_questionnaire

    if (template_name is None) == (source is None):
        raise click.UsageError("give exactly one of --template and --from")
    if template_name is not None and template_name not in template_names():
        raise click.BadParameter(f"choose one of {', '.join(template_names())}", param_hint="--template")
    try:
        q = load_template(template_name) if template_name else parse_questionnaire(source.read_bytes())
    except QuestionnaireError as error:
        raise click.ClickException(
            f"{source} is not a valid questionnaire:\n  " + "\n  ".join(error.errors)
        ) from error
    created = services.create_campaign(q, title=title)
    db.session.commit()
    click.echo(created.slug)


def lifecycle_command(name: str, action, done: str):
    @campaign.command(name)
    @click.argument("slug")
    @with_appcontext
    def command(slug: str) -> None:
        found = campaign_or_fail(slug)
        try:
            action(found)
        except services.CampaignError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Campaign {slug} {done}.")

    command.__doc__ = f"{name.capitalize()} a campaign."
    return command


lifecycle_command("open", services.open_campaign, "is open")
lifecycle_command("close", services.close_campaign, "is closed: answers are no longer accepted")
lifecycle_command("archive", services.archive_campaign, "is archived")


@campaign.command("tokens")
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
    written out (see consult/surveys/invitations.py)."""
    from consult.surveys.invitations import check_can_send, read_invitation_csv, send_invitations

    if (count is None) == (emails is None):
        raise click.UsageError("give exactly one of --count and --emails")
    if send and (emails is None or out is not None):
        raise click.UsageError(
            "--send goes with --emails and without --out: e-mailed links are never written"
        )
    found = campaign_or_fail(slug)
    try:
        if send:
            check_can_send(found)
        people = read_invitation_csv(emails.read_bytes(), found) if emails else None
        issued = services.invite_emails(found, people) if people else services.issue_tokens(found, count)
    except (services.CampaignError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if send:
        click.echo(f"{send_invitations(found.id)} invitations queued for sending.")
    else:
        write_tokens(issued, out)


def write_tokens(issued, out: Path | None) -> None:
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["token", "url"])
        writer.writerows([t.token, t.url] for t in issued)
    finally:
        if out:
            handle.close()
    if out:
        click.echo(f"{len(issued)} tokens written to {out}.", err=True)


@campaign.command("remind")
@click.argument("slug")
@with_appcontext
def remind(slug: str) -> None:
    """E-mail a reminder, with a new link, to the invited people who have not answered."""
    from consult.surveys.invitations import queue_reminders
    from consult.surveys.participation import reminder_count_shown

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


@campaign.command("import-responses")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses(slug: str, file: Path) -> None:
    """Import responses from a CSV file (all or nothing)."""
    from consult.surveys.responses_csv import ResponsesFileError
    from consult.surveys.responses_import import import_responses_file

    found = campaign_or_fail(slug)
    try:
        count = import_responses_file(found, file.read_bytes())
    except (ResponsesFileError, services.CampaignError) as error:
        db.session.rollback()
        raise click.ClickException(f"{file}: nothing imported.\n{error}") from error
    db.session.commit()
    click.echo(f"{count} responses imported into {slug}.")


@campaign.command("analyse")
@click.argument("slug")
@click.option("--wait", is_flag=True, help="Wait for the workers to finish, showing progress.")
@with_appcontext
def analyse(slug: str, wait: bool) -> None:
    """Run the analysis (on the workers, or in-process without a broker)."""
    from consult.analysis.commands import run_analysis

    run_analysis(campaign_or_fail(slug), wait)


@campaign.command("export")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["json", "csv", "xlsx", "tsv", "html", "pdf", "charts"]),
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--language", default="en", type=click.Choice(["en", "fr"]))
@with_appcontext
def export(slug: str, fmt: str, out: Path, language: str) -> None:
    """Export results, the gap table or the charts."""
    from consult.gap.exports import ExportError, export_campaign

    try:
        document = export_campaign(campaign_or_fail(slug), fmt, language)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    out.write_bytes(document.content)
    click.echo(f"Wrote {out} ({len(document.content):,} bytes).")
