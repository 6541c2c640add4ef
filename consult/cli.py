"""The ``consult`` command: Flask's own commands (run, shell, db ...) plus Consult's."""

from __future__ import annotations

import importlib

import click
from flask.cli import FlaskGroup

from consult import create_app

COMMANDS = {
    "api-token": ("consult.api.commands:api_token", "Personal tokens for the HTTP API."),
    "campaign": (
        "consult.surveys.commands:campaign",
        "Campaigns: create, open, close, invite, import, analyse, export.",
    ),
    "db": ("flask_migrate.cli:db", "Perform database migrations."),
    "demo": (
        "consult.demo:demo",
        "Create a realistic demo campaign with answers, analyse it, and optionally serve the app.",
    ),
    "gap": ("consult.gap.commands:gap", "The gap-analysis table: import a TSV file into a campaign."),
    "hrs4r": (
        "consult.hrs4r.commands:hrs4r",
        "The HRS4R submission: action plan, OTM-R checklist, internal review.",
    ),
    "import": ("consult.limesurvey.commands:imports", "Import surveys run elsewhere."),
    "init": (
        "consult.charter.commands:init",
        "Create or upgrade the schema and load the charter data (safe to run again).",
    ),
    "mail": ("consult.surveys.invitations.commands:mail_group", "E-mail: check the mail settings."),
    "privacy": (
        "consult.privacy.commands:privacy",
        "Anonymity: audit a campaign for the data-protection officer.",
    ),
    "user": ("consult.accounts.commands:user", "Staff accounts."),
}
"""Each command's module and its one-line help: ``consult --help`` lists them without importing any (the
models, Alembic and the analysis stay unloaded until a command runs); a test checks the lines match."""


def load_command(name: str) -> click.Command:
    module, attribute = COMMANDS[name][0].split(":")
    return getattr(importlib.import_module(module), attribute)


class ConsultGroup(FlaskGroup):
    """Loads each of Consult's commands when it is named. Listing them builds no app and loads none of the
    installed packages' plugins (which still run when named, such as ``consult limiter``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS and name not in self.commands:
            self.add_command(load_command(name), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.help_line(name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def help_line(self, name: str) -> str:
        if name in COMMANDS:
            return COMMANDS[name][1]
        return self.commands[name].get_short_help_str(limit=80)


def build_cli() -> click.Group:
    return ConsultGroup(create_app=create_app, help="Consult: anonymous staff consultations for HRS4R.")


def main() -> None:
    build_cli()(prog_name="consult")
