"""``consult campaign create|open|close|archive|analyse|export``: thin wrappers around the services."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys.campaigns import services


def campaign_or_fail(slug: str):
    try:
        return services.get_campaign(slug)
    except services.CampaignError as error:
        raise click.ClickException(str(error)) from error


@click.command("create")
@click.option("--template", "template_name", help="charter-2023 or charter-2005")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A questionnaire file (YAML).",
)
@click.option("--title", help="The campaign's title (every language).")
@click.option(
    "--interim-results",
    is_flag=True,
    help="Show results while the campaign is open (the privacy notice says so); off by default.",
)
@click.option("--previous", help="The slug of the campaign to compare with (trends), e.g. an imported one.")
@with_appcontext
def create(
    template_name: str | None,
    source: Path | None,
    title: str | None,
    interim_results: bool,
    previous: str | None,
) -> None:
    """Create a draft campaign and print its slug."""
    from consult.surveys.questionnaires.charter_templates import load_template, template_names
    from consult.surveys.questionnaires.checks import MAX_FILE_BYTES
    from consult.surveys.questionnaires.yaml_format import QuestionnaireError, parse_questionnaire

    if (template_name is None) == (source is None):
        raise click.UsageError("give exactly one of --template and --from")
    if template_name is not None and template_name not in template_names():
        raise click.BadParameter(f"choose one of {', '.join(template_names())}", param_hint="--template")
    try:
        q = (
            load_template(template_name)
            if template_name
            else parse_questionnaire(read_file(source, MAX_FILE_BYTES + 1))
        )
    except QuestionnaireError as error:
        raise click.ClickException(
            f"{source} is not a valid questionnaire:\n  " + "\n  ".join(error.errors)
        ) from error
    before = campaign_or_fail(previous) if previous else None
    created = services.create_campaign(q, title=title)
    created.interim_results = interim_results
    created.previous_campaign_id = before.id if before else None
    db.session.commit()
    click.echo(created.slug)


def read_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path`` (at most ``limit``), or a one-line error when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(-1 if limit is None else limit)
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from error


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output path whose folder is missing or not writable, or a folder."""
    folder = path.parent
    if not folder.is_dir():
        raise click.ClickException(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise click.ClickException(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.ClickException(f"cannot write {path}: permission denied")


def write_file(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror or error}") from error


def lifecycle_command(name: str, action, done: str):
    @click.command(name, help=f"{name.capitalize()} a campaign.")
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

    return command


open_command = lifecycle_command("open", services.open_campaign, "is open")
close_command = lifecycle_command(
    "close", services.close_campaign, "is closed: answers are no longer accepted"
)
archive_command = lifecycle_command("archive", services.archive_campaign, "is archived")


@click.command("analyse")
@click.argument("slug")
@click.option("--wait", is_flag=True, help="Wait for the workers to finish, showing progress.")
@with_appcontext
def analyse(slug: str, wait: bool) -> None:
    """Run the analysis (on the workers, or in-process without a broker)."""
    from consult.analysis.commands import run_analysis

    run_analysis(campaign_or_fail(slug), wait)


@click.command("export")
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

    found = campaign_or_fail(slug)
    check_writable(out)
    stderr = sys.stderr
    try:
        with click.progressbar(length=100, label=f"Exporting {fmt}", file=stderr) as bar:
            document = export_campaign(found, fmt, language, lambda percent: bar.update(percent - bar.pos))
            bar.update(100 - bar.pos)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    write_file(out, document.content)
    click.echo(f"Wrote {out} ({len(document.content):,} bytes).")
