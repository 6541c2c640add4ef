from __future__ import annotations

import shutil

import pytest
import yaml

from consult.cli import build_cli
from consult.surveys.campaigns.models import CampaignStatus
from consult.surveys.campaigns.services import get_campaign
from tests.limesurvey.files import ARCHIVE, GERMAN_ONLY, OURS, OURS_CSV


@pytest.fixture
def run(app, db):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(build_cli(), [str(a) for a in args])


@pytest.fixture
def ours(tmp_path):
    return shutil.copy(OURS, tmp_path / OURS.name)


def test_the_first_run_writes_the_mapping_beside_the_structure_and_prints_the_slug_last(run, ours, tmp_path):
    result = run("import", "limesurvey", ours, "--responses", OURS_CSV)
    assert result.exit_code == 0, result.output
    slug = result.output.splitlines()[-1]
    assert get_campaign(slug).status == CampaignStatus.CLOSED
    draft = tmp_path / "researchers_2022.mapping.yaml"
    assert yaml.safe_load(draft.read_text())["questions"]["ethics"]["use"] == "items"
    assert "23 responses and 11 comments imported" in result.output
    assert "Languages kept: en, fr; dropped: de" in result.output
    assert "tokens, timestamps, IP addresses, referrer URLs, timings (dropped)" in result.output


def test_an_edited_mapping_is_used_and_never_overwritten(run, ours, tmp_path):
    assert run("import", "limesurvey", ours).exit_code == 0
    draft = tmp_path / "researchers_2022.mapping.yaml"
    data = yaml.safe_load(draft.read_text())
    data["questions"]["recruit"] = {"use": "leave-out"}
    draft.write_text(yaml.safe_dump(data))
    result = run("import", "limesurvey", ours, "--responses", OURS_CSV, "--mapping", draft)
    assert result.exit_code == 0, result.output
    assert [s.code for s in get_campaign(result.output.splitlines()[-1]).questionnaire.sections] == ["ethics"]
    again = run("import", "limesurvey", ours)
    assert "not overwritten" in again.output and yaml.safe_load(draft.read_text()) == data


def test_errors_exit_non_zero_and_store_nothing(run, tmp_path):
    archive = shutil.copy(ARCHIVE, tmp_path / "survey.lsa")
    result = run("import", "limesurvey", archive)
    assert result.exit_code == 1
    assert "nothing imported" in result.output and "fewer than the minimum group size (5)" in result.output
    assert (tmp_path / "survey.mapping.yaml").exists()


def test_a_survey_in_no_language_of_consult_is_refused_with_a_clear_message(run, tmp_path):
    result = run("import", "limesurvey", shutil.copy(GERMAN_ONLY, tmp_path / GERMAN_ONLY.name))
    assert result.exit_code == 1
    assert "the survey is in de: Consult offers en and fr only" in result.output
    assert not (tmp_path / "forscher_de_only.mapping.yaml").exists()
