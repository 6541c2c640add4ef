"""``consult privacy audit SLUG``: every anonymity check on a campaign's data and releases."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.surveys.campaigns.commands import campaign_or_fail


@click.group()
def privacy() -> None:
    """Anonymity: audit a campaign for the data-protection officer."""


@privacy.command("audit")
@click.argument("slug")
@with_appcontext
def audit_command(slug: str) -> None:
    """Run every anonymity check on a campaign's stored data and releases; exit 1 when one fails."""
    from consult.privacy.audit import audit, report

    campaign = campaign_or_fail(slug)
    found = audit(campaign)
    click.echo(report(campaign, found))
    failed = [check.name for check in found if not check.passed]
    if failed:
        raise click.ClickException(f"{len(failed)} check(s) failed: {', '.join(failed)}")
