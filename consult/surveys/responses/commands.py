"""``consult campaign import-responses``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.campaigns.commands import campaign_or_fail, read_file


@click.command("import-responses")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_responses(slug: str, file: Path) -> None:
    """Import responses from a CSV file (all or nothing)."""
    from consult.surveys.responses.csv_format import ResponsesFileError
    from consult.surveys.responses.services import import_responses_file

    found = campaign_or_fail(slug)
    try:
        count = import_responses_file(found, read_file(file))
    except (ResponsesFileError, services.CampaignError) as error:
        db.session.rollback()
        raise click.ClickException(f"{file}: nothing imported.\n{error}") from error
    db.session.commit()
    click.echo(f"{count} responses imported into {slug}.")
