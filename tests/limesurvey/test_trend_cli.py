"""End to end with the ``consult`` command: a LimeSurvey survey is imported, analysed, and a new charter
campaign created with ``--previous`` shows the change since it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
import yaml
from celery import _state as celery_state

from consult.limesurvey import mapping as m
from consult.limesurvey.structure import read_survey
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.responses import synthetic
from consult.surveys.responses.csv_format import responses_csv
from tests.conftest import TEST_DATABASE, recreate_database
from tests.limesurvey.files import OURS, OURS_CSV
from tests.limesurvey.test_responses import expected_from_csv
from tests.test_cli import consult, succeeded

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str | None]]:
    """As ``tests/test_cli.py``: PostgreSQL with committed transactions, tasks in-process."""
    previous = celery_state.get_current_app()
    env = {
        "DATABASE_URL": recreate_database(f"{TEST_DATABASE}_limesurvey_cli"),
        "REDIS_URL": None,
        "SECRET_KEY": "cli-test",
        "CONSULT_CHARTS_WITH_RESULTS": "0",
        "FLASK_APP": None,
    }
    succeeded(consult(env, "init"))
    yield env
    previous.set_current()
    previous.set_default()


def test_an_imported_survey_is_the_previous_campaign_of_a_trend(env, tmp_path):
    structure = shutil.copy(OURS, tmp_path / OURS.name)
    survey = read_survey(OURS.read_bytes())
    mapping = tmp_path / "researchers_2022.mapping.yaml"
    data = yaml.safe_load(m.dump_mapping(m.automatic_mapping(survey), survey))
    data["questions"]["ethics"] |= {"section": "P01", "principle": 1}
    data["questions"]["ethicsc"]["section"] = "P01"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    output = succeeded(
        consult(
            env,
            "import",
            "limesurvey",
            str(structure),
            "--responses",
            str(OURS_CSV),
            "--mapping",
            str(mapping),
        )
    )
    imported = output.splitlines()[-1]
    succeeded(consult(env, "campaign", "analyse", imported, "--wait"))

    template = load_template("charter-2023")
    slug = succeeded(
        consult(env, "campaign", "create", "--template", "charter-2023", "--previous", imported)
    ).strip()
    succeeded(consult(env, "campaign", "open", slug))
    answers = synthetic.generate(template, 100, seed=8)
    responses = tmp_path / "responses.csv"
    responses.write_text(responses_csv(template, answers.answers, answers.profiles), encoding="utf-8-sig")
    succeeded(consult(env, "campaign", "import-responses", slug, str(responses)))
    succeeded(consult(env, "campaign", "close", slug))
    succeeded(consult(env, "campaign", "analyse", slug, "--wait"))
    out = tmp_path / "results.json"
    succeeded(consult(env, "campaign", "export", slug, "--format", "json", "--out", str(out)))

    p01 = next(s for s in json.loads(out.read_text(encoding="utf-8"))["sections"] if s["code"] == "P01")
    answered = [
        r[c]
        for r in expected_from_csv()
        for c in ("ethics[SQ001]", "ethics[SQ002]")
        if r[c] not in ("", "DK")
    ]
    assert p01["change"]["previous_favourable"] == pytest.approx(
        sum(a in ("A4", "A5") for a in answered) / len(answered)
    )


def test_an_unknown_previous_campaign_is_refused(env):
    result = consult(env, "campaign", "create", "--template", "charter-2023", "--previous", "no-such-slug")
    assert result.exit_code != 0 and "no campaign has the slug 'no-such-slug'" in result.stderr
