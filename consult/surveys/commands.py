"""``consult campaign ...``: the group, assembled from the commands of each survey package."""

from __future__ import annotations

import click

from consult.surveys.campaigns.commands import (
    analyse,
    archive_command,
    close_command,
    create,
    export,
    open_command,
)
from consult.surveys.headcounts.commands import headcounts
from consult.surveys.invitations.commands import remind, tokens
from consult.surveys.responses.commands import import_responses

campaign = click.Group(
    "campaign",
    help="Campaigns: create, open, close, invite, import, analyse, export.",
    commands=[
        create,
        open_command,
        close_command,
        archive_command,
        tokens,
        remind,
        import_responses,
        headcounts,
        analyse,
        export,
    ],
)
