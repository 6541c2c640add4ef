from __future__ import annotations

from pathlib import Path

import pytest

from consult.cli import build_cli
from consult.gap import services
from consult.surveys.questionnaires.charter_templates import load_template

SAMPLE = Path(__file__).parent.parent / "data" / "sample_gap.tsv"


@pytest.fixture
def run(app, db):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(build_cli(), list(args))


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(load_template("charter-2023"), status="closed")


def test_import_fills_the_campaign(run, campaign):
    result = run("gap", "import", campaign.slug, str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "Imported 20 principles" in result.output
    assert services.get_assessment(campaign.id, "P20").final_rating == "-/+"


def test_import_as_previous_keeps_the_file_to_compare_with(run, campaign):
    result = run("gap", "import", campaign.slug, str(SAMPLE), "--as", "previous")
    assert result.exit_code == 0, result.output
    assert "as the previous analysis" in result.output
    assert services.imported_gap(campaign.id, "previous").filename == SAMPLE.name
    assert services.get_assessment(campaign.id, "P01") is None


def test_a_malformed_file_exits_non_zero_with_line_and_reason(run, campaign, tmp_path):
    broken = tmp_path / "broken.tsv"
    broken.write_text("<b>Recruitment</b>\t++\t\t\n", encoding="utf-8")
    result = run("gap", "import", campaign.slug, str(broken))
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "line 1: principle row before the header row" in result.output
    assert services.get_assessment(campaign.id, "P10") is None


def test_an_unknown_campaign_is_an_error(run):
    result = run("gap", "import", "no-such-campaign", str(SAMPLE))
    assert result.exit_code == 1 and "no campaign has the slug" in result.output


def test_campaign_export_writes_the_table(run, campaign, tmp_path):
    run("gap", "import", campaign.slug, str(SAMPLE))
    out = tmp_path / "gap.tsv"
    result = run("campaign", "export", campaign.slug, "--format", "tsv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().split(b"\n")[1] == SAMPLE.read_bytes().split(b"\n")[3]
