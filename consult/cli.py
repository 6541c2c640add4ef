"""The ``consult`` command: Flask's own commands (run, shell, db ...) plus Consult's."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from consult import create_app


class ConsultGroup(FlaskGroup):
    """Lists its own commands without building the app or loading the installed packages' plugins (which
    still run when named, such as ``consult limiter``): ``consult --help`` imports only the commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


def build_cli() -> click.Group:
    from flask_migrate.cli import db

    from consult.accounts.commands import user
    from consult.api.commands import api_token
    from consult.charter.commands import init
    from consult.demo import demo
    from consult.gap.commands import gap
    from consult.hrs4r.commands import hrs4r
    from consult.limesurvey.commands import imports
    from consult.privacy.commands import privacy
    from consult.surveys.commands import campaign

    group = ConsultGroup(create_app=create_app, help="Consult: anonymous staff consultations for HRS4R.")
    for command in (init, user, campaign, gap, privacy, demo, db, hrs4r, imports, api_token):
        group.add_command(command)
    return group


def main() -> None:
    build_cli()(prog_name="consult")
