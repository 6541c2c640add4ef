from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from consult.charter.services import load_reference_data
from consult.extensions import db


@click.command()
@with_appcontext
def init() -> None:
    """Create or upgrade the schema and load the charter data (safe to run again)."""
    upgrade()
    count = load_reference_data()
    db.session.commit()
    click.echo(f"Schema up to date; {count} charter principles loaded.")
