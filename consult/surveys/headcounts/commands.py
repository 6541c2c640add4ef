"""``consult campaign headcounts SLUG FILE.csv``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys.campaigns.commands import campaign_or_fail, read_file


@click.command("headcounts")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def headcounts(slug: str, file: Path) -> None:
    """Give the staff numbers (CSV: one column per dimension and a headcount column), all or nothing."""
    from consult.surveys.headcounts.csv_format import MAX_BYTES, HeadcountsFileError
    from consult.surveys.headcounts.services import save_headcounts

    found = campaign_or_fail(slug)
    try:
        saved = save_headcounts(found, read_file(file, MAX_BYTES + 1))
    except HeadcountsFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{file}: nothing stored.\n{error}") from error
    db.session.commit()
    total = sum(row["headcount"] for row in saved.rows) if saved.method == "cells" else "margins"
    click.echo(f"{len(saved.rows)} rows of {saved.method} stored for {slug} ({total} in all).")
