from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from consult.accounts.models import Role
from consult.accounts.services import AccountError, create_user
from consult.extensions import db


@click.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff user (admin, hr or reviewer)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_user(email, role, password, name)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"User {email.strip().lower()} created with the role {role}.")
