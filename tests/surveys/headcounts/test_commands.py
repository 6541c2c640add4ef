from __future__ import annotations

from consult.extensions import db as _db
from consult.surveys.commands import campaign as campaign_group
from consult.surveys.headcounts.models import Headcounts
from tests.surveys.headcounts.test_csv_format import CELLS


def test_headcounts_command_stores_the_file_or_nothing(app, db, make_campaign, tmp_path):
    campaign = make_campaign()
    runner = app.test_cli_runner()
    good, bad = tmp_path / "staff.csv", tmp_path / "bad.csv"
    good.write_text(CELLS)
    bad.write_text(CELLS + "north,R1,4\n")
    result = runner.invoke(campaign_group, ["headcounts", campaign.slug, str(good)])
    assert result.exit_code == 0, result.output
    assert "8 rows of cells stored" in result.output and "(200 in all)" in result.output
    stored = _db.session.get(Headcounts, campaign.id)
    assert stored.method == "cells" and stored.rating_basis == "weighted" and len(stored.rows) == 8
    refused = runner.invoke(campaign_group, ["headcounts", campaign.slug, str(bad)])
    assert refused.exit_code == 1 and "row 10: the same group as row 2" in refused.output
    assert len(_db.session.get(Headcounts, campaign.id).rows) == 8
