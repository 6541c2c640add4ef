"""``consult hrs4r``: export the submission's documents, import an action plan."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db


@click.group()
def hrs4r() -> None:
    """The HRS4R submission: action plan, OTM-R checklist, internal review."""


@hrs4r.command("export")
@click.argument("slug")
@click.option(
    "--document",
    type=click.Choice(["action-plan", "otm-r", "internal-review", "package"]),
    default="package",
    show_default=True,
)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "html", "pdf", "json"]), required=True)
@click.option("--language", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_documents(slug: str, document: str, fmt: str, language: str, out: Path) -> None:
    """Write a document of the submission (or the whole package), in the e-tool's order and fields."""
    from consult.hrs4r.exports import export
    from consult.surveys.campaigns.commands import campaign_or_fail

    made = export(campaign_or_fail(slug), document, fmt, language)
    try:
        out.write_bytes(made.content)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"Wrote {out} ({len(made.content):,} bytes).", err=True)


@hrs4r.command("import-plan")
@click.argument("slug")
@click.argument(
    "source", metavar="FILE.csv|FILE.xlsx", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def import_plan(slug: str, source: Path) -> None:
    """Add an existing action plan's rows to the campaign's plan. All or nothing."""
    from consult.hrs4r import importer, services
    from consult.surveys.campaigns.commands import campaign_or_fail

    campaign = campaign_or_fail(slug)
    try:
        rows = importer.read_table(source.read_bytes(), source.name)
        parsed = importer.parse_plan(rows, set(services.campaign_principles(campaign)))
        services.import_plan(campaign, parsed, None)
    except importer.PlanFormatError as error:
        db.session.rollback()
        raise click.ClickException("nothing imported:\n" + "\n".join(error.problems)) from None
    db.session.commit()
    click.echo(f"Added {len(parsed)} actions to the plan of {slug}.", err=True)
