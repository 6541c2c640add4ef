from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db

ERRORS_SHOWN = 5


@click.group()
def gap() -> None:
    """The gap-analysis table: import a TSV file into a campaign."""


@gap.command("import")
@click.argument("slug")
@click.argument("source", metavar="FILE.tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "purpose",
    type=click.Choice(["assessments", "previous"]),
    default="assessments",
    show_default=True,
    help="Fill the campaign's assessments, or keep the file as the previous analysis to compare with.",
)
@with_appcontext
def import_table(slug: str, source: Path, purpose: str) -> None:
    """Import a gap-analysis table (tab-separated, as working groups exchange it). All or nothing."""
    from consult.gap.services import AssessmentError, import_gap
    from consult.gap.tsv import GapFormatError
    from consult.surveys.campaigns.commands import campaign_or_fail, read_file

    campaign = campaign_or_fail(slug)
    try:
        report = import_gap(campaign.id, read_file(source), source.name, purpose, None)
    except GapFormatError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{source} was not imported (nothing was changed):\n{shown_errors(error.errors)}"
        ) from error
    except AssessmentError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if purpose == "previous":
        click.echo(
            f"Kept {report.rows} rows ({report.charter_version} charter) as the previous analysis of {slug}."
        )
    else:
        click.echo(f"Imported {report.rows} principles into {slug}: {', '.join(report.sections)}.")


def shown_errors(errors: list[tuple[int, str]]) -> str:
    """The first ERRORS_SHOWN problems, one a line, then how many more (a binary file has one per line)."""
    lines = [f"  line {line}: {reason}" for line, reason in errors[:ERRORS_SHOWN]]
    if len(errors) > ERRORS_SHOWN:
        lines.append(f"  (and {len(errors) - ERRORS_SHOWN} more problems)")
    return "\n".join(lines)
