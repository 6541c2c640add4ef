"""``consult api-token create EMAIL [--read-only] [--days N]``: a personal API token, printed once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.accounts.services import find_user
from consult.api.tokens import MAX_DAYS, TokenError, create_token
from consult.extensions import db


@click.group("api-token")
def api_token() -> None:
    """Personal tokens for the HTTP API."""


@api_token.command("create")
@click.argument("email")
@click.option("--read-only", is_flag=True, help="The token reads; it changes nothing.")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), help="Expire after N days (default: never).")
@click.option("--name", default="created with consult api-token", help="What the token is for.")
@with_appcontext
def create(email: str, read_only: bool, days: int | None, name: str) -> None:
    """Create a token for a staff user; the token is printed alone on the last line, and never again."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user has the address {email}")
    try:
        row, secret = create_token(user, name, read_only, days)
    except TokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    scope = "read-only" if read_only else f"role {user.role.value}"
    expiry = f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "does not expire"
    click.echo(f"Token for {user.email} ({scope}, {expiry}); it is shown only now:")
    click.echo(secret)
