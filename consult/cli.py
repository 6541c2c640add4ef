"""The ``consult`` command: Flask's own commands (run, shell, db ...) plus Consult's."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from consult import create_app


def build_cli() -> click.Group:
    from consult.accounts.commands import user
    from consult.charter.commands import init
    from consult.demo import demo
    from consult.gap.commands import gap
    from consult.privacy.commands import privacy
    from consult.surveys.commands import campaign
    from consult.surveys.invitations.commands import mail_group

    group = FlaskGroup(create_app=create_app, help="Consult: anonymous staff consultations for HRS4R.")
    for command in (init, user, campaign, gap, privacy, demo, mail_group):
        group.add_command(command)
    return group


def main() -> None:
    build_cli()(prog_name="consult")
