"""The ``consult`` command end to end, on a committed PostgreSQL database, tasks in-process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import _state as celery_state
from click.testing import CliRunner, Result

from consult.cli import build_cli
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.responses import synthetic
from consult.surveys.responses.csv_format import responses_csv
from tests.conftest import PASSWORD, TEST_DATABASE, recreate_database

pytestmark = pytest.mark.live

DATABASE = f"{TEST_DATABASE}_cli"
"""Named after the session's test database, so that two test runs at once do not share it."""
RESPONDENTS = 400


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str | None]]:
    """The environment of a deployment without a broker: PostgreSQL, tasks in-process."""
    previous = celery_state.get_current_app()
    yield {
        "DATABASE_URL": recreate_database(DATABASE),
        "REDIS_URL": None,
        "SECRET_KEY": "cli-test",
        "CONSULT_CHARTS_WITH_RESULTS": "0",
        "CONSULT_BASE_URL": "https://consult.example.org",
        "CONSULT_ANALYSIS_PARTITIONS": "4",
        "FLASK_APP": None,
    }
    previous.set_current()
    previous.set_default()


def consult(env: dict, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(build_cli(), list(args), env=env, input=input, prog_name="consult")


def succeeded(result: Result) -> str:
    assert result.exit_code == 0, (
        f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    )
    return result.stdout


def failed(result: Result, message: str) -> None:
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def campaign(env, tmp_path_factory) -> str:
    """A campaign created from the 2023 template, opened, with tokens issued and responses imported."""
    succeeded(consult(env, "init"))
    succeeded(
        consult(
            env, "user", "create", "hr@example.org", "--role", "hr", "--password-stdin", input=PASSWORD + "\n"
        )
    )
    slug = succeeded(
        consult(
            env,
            "campaign",
            "create",
            "--template",
            "charter-2023",
            "--title",
            "CLI survey",
            "--interim-results",
        )
    ).strip()
    succeeded(consult(env, "campaign", "open", slug))
    data = synthetic.generate(load_template("charter-2023"), RESPONDENTS, seed=5)
    path = tmp_path_factory.mktemp("cli") / "responses.csv"
    path.write_text(
        responses_csv(load_template("charter-2023"), data.answers, data.profiles), encoding="utf-8-sig"
    )
    assert succeeded(consult(env, "campaign", "import-responses", slug, str(path))) == (
        f"{RESPONDENTS} responses imported into {slug}.\n"
    )
    return slug


def test_init_is_idempotent(env, campaign):
    assert "charter principles loaded" in succeeded(consult(env, "init"))


def test_tokens_are_written_with_their_links(env, campaign, tmp_path):
    out = tmp_path / "tokens.csv"
    result = consult(env, "campaign", "tokens", campaign, "--count", "5", "--out", str(out))
    succeeded(result)
    assert "5 tokens written" in result.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["token", "url"] and len(rows) == 6
    assert all(url.startswith("https://consult.example.org/") and token in url for token, url in rows[1:])
    assert len({token for token, _ in rows[1:]}) == 5


def test_analyse_then_export_json_and_csv(env, campaign, tmp_path):
    result = consult(env, "campaign", "analyse", campaign, "--wait")
    assert succeeded(result).endswith(f"done: {RESPONDENTS} responses.\n")
    assert "Analysing" in result.stderr
    succeeded(
        consult(env, "campaign", "export", campaign, "--format", "json", "--out", str(tmp_path / "r.json"))
    )
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert results["campaign"]["slug"] == campaign and results["campaign"]["responses"] == RESPONDENTS
    assert [s["code"] for s in results["sections"]] == [
        s.code for s in load_template("charter-2023").sections
    ]
    succeeded(
        consult(env, "campaign", "export", campaign, "--format", "csv", "--out", str(tmp_path / "r.csv"))
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    first = results["sections"][0]
    section_row = next(r for r in rows if r["section"] == first["code"] and r["level"] == "section")
    assert int(section_row["n"]) == first["n"] and float(section_row["mean"]) == pytest.approx(first["mean"])
    item_rows = [r for r in rows if r["level"] == "item"]
    assert len(item_rows) == sum(len(s["items"]) for s in results["sections"])
    assert [int(item_rows[0][f"count_{v}"]) for v in range(1, 6)] == first["items"][0]["counts"]
    groups = [r for r in rows if r["level"] == "group"]
    assert len(groups) == sum(len(b["groups"]) for s in results["sections"] for b in s["breakdowns"].values())
    hidden = [r for r in groups if r["suppressed"] == "true"]
    assert hidden and all(r["n"] == r["mean"] == r["favourable"] == "" for r in hidden)


def test_a_bad_responses_file_is_refused_whole(env, campaign, tmp_path):
    q = load_template("charter-2023")
    data = synthetic.generate(q, 3, seed=9)
    lines = responses_csv(q, data.answers, data.profiles).splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("P03.2")] = "9"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(cells), lines[3]]) + "\n", encoding="utf-8")
    result = consult(env, "campaign", "import-responses", campaign, str(bad))
    failed(result, "nothing imported")
    assert "row 3, column P03.2: '9' is not one of 1..5, DK or empty" in result.stderr
    assert result.stdout == ""
    assert succeeded(consult(env, "campaign", "analyse", campaign, "--wait")).endswith(
        f"done: {RESPONDENTS} responses.\n"
    )


def test_errors_go_to_stderr_with_a_non_zero_exit(env, campaign, tmp_path):
    failed(
        consult(env, "campaign", "open", "no-such-campaign"), "no campaign has the slug 'no-such-campaign'"
    )
    failed(consult(env, "campaign", "open", campaign), "only a draft can be opened")
    failed(consult(env, "campaign", "create"), "give exactly one of --template and --from")
    draft = succeeded(consult(env, "campaign", "create", "--template", "charter-2005")).strip()
    failed(
        consult(env, "campaign", "export", draft, "--format", "json", "--out", str(tmp_path / "x.json")),
        "has no analysis yet",
    )
    assert not (tmp_path / "x.json").exists()


def test_close_ends_the_campaign(env, campaign):
    assert succeeded(consult(env, "campaign", "close", campaign)) == (
        f"Campaign {campaign} is closed: answers are no longer accepted.\n"
    )
    failed(consult(env, "campaign", "close", campaign), "only an open campaign can close")


def test_the_installed_command_reports_errors_on_stderr(env, campaign):
    environment = {**os.environ, **{key: value for key, value in env.items() if value is not None}}
    for key in (key for key, value in env.items() if value is None):
        environment.pop(key, None)
    command = Path(sys.executable).with_name("consult")
    done = subprocess.run(
        [str(command), "campaign", "open", "no-such-campaign"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Error: no campaign has the slug 'no-such-campaign'" in done.stderr
