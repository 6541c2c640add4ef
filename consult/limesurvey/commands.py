"""``consult import limesurvey STRUCTURE [--responses FILE] [--mapping FILE]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.surveys.campaigns.commands import read_file, write_file

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("limesurvey")
@click.argument("structure", type=FILE)
@click.option("--responses", type=FILE, help="LimeSurvey's CSV export (question-code headings) or .lsr file.")
@click.option(
    "--mapping", type=FILE, help="The mapping (YAML); without it, the automatic one, written beside."
)
@with_appcontext
def limesurvey(structure: Path, responses: Path | None, mapping: Path | None) -> None:
    """Import a LimeSurvey survey (.lss or .lsa) and its responses as a closed campaign; prints its slug."""
    from consult.limesurvey import mapping as automatic
    from consult.limesurvey.services import Upload, import_survey
    from consult.limesurvey.structure import LimeSurveyError, read_survey

    uploads = [
        Upload(read_file(path), path.name) if path else None for path in (structure, responses, mapping)
    ]
    try:
        survey = read_survey(uploads[0].data, structure.name)
        if mapping is None and automatic.kept_languages(survey):
            write_draft(structure, automatic.dump_mapping(automatic.automatic_mapping(survey), survey))
        report = import_survey(*uploads)
    except LimeSurveyError as error:
        db.session.rollback()
        raise click.ClickException(
            "nothing imported.\n" + "\n".join(f"  {e}" for e in error.errors)
        ) from error
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    click.echo(f"Analyse it with: consult campaign analyse {report.campaign.slug}")
    click.echo(report.campaign.slug)


def write_draft(structure: Path, text: str) -> None:
    """NAME.mapping.yaml beside the structure file, unless one is there already (HR may have edited it)."""
    target = structure.with_name(f"{structure.stem}.mapping.yaml")
    if target.exists():
        click.echo(f"Kept {target} as it is (not overwritten); import with --mapping {target} to use it.")
        return
    write_file(target, text.encode("utf-8"))
    click.echo(f"Wrote the mapping used to {target}: edit it, then import again with --mapping {target}.")


imports = click.Group("import", help="Import surveys run elsewhere.", commands=[limesurvey])
