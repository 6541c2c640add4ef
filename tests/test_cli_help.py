"""``consult --help`` lists every command with its own help line, and loads none of them to do so."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from consult.cli import COMMANDS, build_cli, load_command

HEAVY = ("consult.models", "alembic", "sqlalchemy.orm", "matplotlib", "scipy", "numpy", "flask_limiter")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_listed_help_line_is_the_commands_own(name):
    command = load_command(name)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=200)


def test_the_listing_names_every_command_with_its_line():
    result = CliRunner().invoke(build_cli(), ["--help"], prog_name="consult")
    assert result.exit_code == 0, result.output
    listed = " ".join(result.output.split())
    for name, (_target, line) in COMMANDS.items():
        assert f"{name} {line}" in listed
    assert "run Run a development server." in listed


def test_help_imports_no_model_migration_or_analysis_module():
    script = (
        "import json, sys\nfrom consult.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert "campaign" in done.stdout


def test_a_named_command_is_loaded_and_runs():
    result = CliRunner().invoke(build_cli(), ["campaign", "--help"], prog_name="consult")
    assert result.exit_code == 0, result.output
    assert "export" in result.output
