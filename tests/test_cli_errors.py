"""Every ``consult`` command given bad arguments or bad files: a short error naming the problem and a non-zero
exit, never a traceback, and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from consult.cli import build_cli
from consult.gap import services as gap_services
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.yaml_format import dump_questionnaire
from tests.conftest import small_questionnaire

MAX_LINES = 8
"""Click's usage errors take four lines; a refused file one more per problem."""
RESPONSES_HEADER = "school,career_stage,P01.1,P01.2,P14.1,comment:P01\n"


def files(folder: Path) -> dict[str, Path]:
    """Bad files of every kind, by name; ``missing`` does not exist and ``nowhere`` is in a missing folder."""
    contents = {
        "empty": b"",
        "binary": bytes(range(256)) * 8,
        "nul": b"title: Survey\x00\n",
        "latin1": "title: Enqu\u00eate\n".encode("latin-1"),
        "nested": b"[" * 10_000,
        "flat": b"[" + b"1," * 200_000 + b"1]",
        "huge": b"title: " + b"x" * (600 * 1024) + b"\n",
        "dotdot": dump_questionnaire(small_questionnaire()).replace("code: P14\n", "code: '..'\n").encode(),
        "responses_nul": (RESPONSES_HEADER + "north,R1,1,2,3,secret\x00comment\n").encode(),
        "responses_header": b"who,what\nx,y\n",
        "emails_nul": b"email\nsomeone\x00@example.org\n",
        "emails_header": b"name\nx\n",
        "gap_nul": b"Principles\tImplementation\tGAP\tInitiatives\n<b>Ethics</b>\t++\tgap\x00\t\n",
        "gap_header": b"<b>Recruitment</b>\t++\t\t\n",
    }
    paths = {"missing": folder / "missing.csv", "nowhere": folder / "no" / "such" / "out.json"}
    for name, content in contents.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_bytes(content)
    return paths


CASES = [
    # (arguments, with {file} placeholders and {open}/{draft} slugs, a fragment of the error)
    ("init extra", "unexpected extra argument"),
    ("user create not-an-email --role hr --password-stdin", "e-mail"),
    ("user create someone@example.org --role king --password-stdin", "'king' is not one of"),
    ("campaign create", "give exactly one of --template and --from"),
    ("campaign create --template charter-1999", "choose one of"),
    ("campaign create --from {missing}", "does not exist"),
    ("campaign create --from {empty}", "the file is empty"),
    ("campaign create --from {binary}", "not UTF-8"),
    ("campaign create --from {nul}", "line 1, column 14: the file contains the control character U+0000"),
    ("campaign create --from {latin1}", "not UTF-8"),
    ("campaign create --from {nested}", "nested more than 50 levels deep"),
    ("campaign create --from {flat}", "more than 20,000 values"),
    ("campaign create --from {huge}", "larger than the limit of 512 KB"),
    ("campaign create --from {dotdot}", "'..' is not a valid section code"),
    ("campaign open no-such-campaign", "no campaign has the slug 'no-such-campaign'"),
    ("campaign open {open}", "only a draft can be opened"),
    ("campaign close no-such-campaign", "no campaign has the slug"),
    ("campaign close {draft}", "only an open campaign can close"),
    ("campaign archive no-such-campaign", "no campaign has the slug"),
    ("campaign tokens no-such-campaign --count 3", "no campaign has the slug"),
    ("campaign tokens {open} --count 0", "0 is not in the range"),
    ("campaign tokens {open} --count many", "'many' is not a valid integer"),
    ("campaign tokens {open}", "give exactly one of --count and --emails"),
    ("campaign tokens {open} --emails {missing}", "does not exist"),
    ("campaign tokens {open} --emails {empty}", "the header must name a column 'email'"),
    ("campaign tokens {open} --emails {binary}", "not UTF-8"),
    ("campaign tokens {open} --emails {latin1}", "not UTF-8"),
    ("campaign tokens {open} --emails {emails_nul}", "column email: contains the control character U+0000"),
    ("campaign tokens {open} --emails {emails_header}", "unknown column(s) 'name'"),
    ("campaign tokens {open} --count 3 --out {nowhere}", "does not exist"),
    ("campaign remind no-such-campaign", "no campaign has the slug"),
    ("campaign import-responses no-such-campaign {responses_nul}", "no campaign has the slug"),
    ("campaign import-responses {open} {missing}", "does not exist"),
    ("campaign import-responses {open} {empty}", "the file is empty"),
    ("campaign import-responses {open} {binary}", "not UTF-8"),
    ("campaign import-responses {open} {latin1}", "not UTF-8"),
    ("campaign import-responses {open} {nested}", "missing columns"),
    (
        "campaign import-responses {open} {responses_nul}",
        "row 2, column comment:P01: the comment contains the control character U+0000 (NUL) at character 7",
    ),
    ("campaign import-responses {open} {responses_header}", "unknown column 'who'"),
    ("campaign import-responses {draft} {responses_nul}", "responses are imported into an open"),
    ("campaign analyse no-such-campaign", "no campaign has the slug"),
    ("campaign analyse {draft}", "a draft campaign has no responses to analyse"),
    ("campaign remind {draft}", "messages are sent only while it is open"),
    ("campaign archive {draft}", "only a closed campaign is archived"),
    ("campaign tokens {draft} --emails {emails_header} --send", "messages are sent only while it is open"),
    ("campaign tokens {open} --count 2 --send", "--send goes with --emails and without --out"),
    ("campaign export {open} --format charts --out {folder}", "is a directory"),
    ("campaign create --from {folder}", "is a directory"),
    ("gap import {open} {folder}", "is a directory"),
    ("campaign export no-such-campaign --format json --out {nowhere}", "no campaign has the slug"),
    ("campaign export {open} --format json --out {nowhere}", "the folder"),
    ("campaign export {open} --format docx --out x", "'docx' is not one of"),
    ("campaign export {draft} --format json --out {missing}", "has no analysis yet"),
    ("gap import no-such-campaign {gap_nul}", "no campaign has the slug"),
    ("gap import {open} {missing}", "does not exist"),
    ("gap import {open} {empty}", "empty file"),
    ("gap import {open} {binary}", "not UTF-8"),
    ("gap import {open} {latin1}", "not UTF-8"),
    (
        "gap import {open} {nul_gap}",
        "line 2: column 3 (GAP / Implementation impediments) contains the control",
    ),
    ("gap import {open} {gap_header}", "principle row before the header row"),
    ("gap import {open} {gap_nul} --as everything", "'everything' is not one of"),
    ("demo --respondents 0", "0 is not in the range"),
    ("demo --respondents lots", "'lots' is not a valid integer"),
]


@pytest.fixture
def invoke(app, db, make_campaign, tmp_path):
    runner = app.test_cli_runner()
    names = {
        **{name: str(path) for name, path in files(tmp_path).items()},
        "nul_gap": str(tmp_path / "gap_nul.txt"),
        "folder": str(tmp_path),
        "open": make_campaign(status="open").slug,
        "draft": make_campaign().slug,
    }

    def run(command: str):
        args = [part.format(**names) for part in command.split()]
        return runner.invoke(build_cli(), args, input="a long enough password\n")

    return run


@pytest.mark.parametrize(("command", "fragment"), CASES, ids=[command for command, _ in CASES])
def test_a_bad_command_is_a_short_error(invoke, command, fragment):
    result = invoke(command)
    output = result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit), f"{result.exception!r}\n{output}"
    assert result.exit_code != 0, output
    assert "Traceback" not in output
    assert fragment in output
    assert len(output.strip().splitlines()) <= MAX_LINES, output


def test_a_refused_comment_is_never_echoed(invoke):
    result = invoke("campaign import-responses {open} {responses_nul}")
    assert "secret" not in result.stdout + result.stderr


def test_a_refused_gap_file_changes_nothing(invoke, app, make_campaign, tmp_path):
    campaign = make_campaign(load_template("charter-2023"), status="closed")
    result = invoke(f"gap import {campaign.slug} {{nul_gap}}")
    assert result.exit_code == 1
    assert gap_services.get_assessment(campaign.id, "P01") is None


def test_a_missing_output_folder_is_reported_before_any_token_is_made(invoke, db):
    from sqlalchemy import func, select

    from consult.surveys.invitations.models import Invitation

    before = db.session.scalar(select(func.count()).select_from(Invitation))
    invoke("campaign tokens {open} --count 3 --out {nowhere}")
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == before
