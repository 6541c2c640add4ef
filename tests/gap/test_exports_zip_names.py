"""The charts ZIP of a campaign stored with an unsafe section code (before codes were checked) is safe."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from consult.analysis.services import latest_results
from consult.analysis.tasks import start_analysis
from consult.gap import exports
from tests.conftest import small_questionnaire


def test_no_entry_climbs_out_of_the_zip(make_campaign, add_responses):
    q = small_questionnaire()
    sections = (replace(q.sections[0], code=".."), q.sections[1])
    campaign = make_campaign(replace(q, sections=sections), status="open")
    add_responses(campaign, 60)
    start_analysis(campaign)
    assert latest_results(campaign) is not None
    content = exports.export_campaign(campaign, "charts").content
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "en/01-ethics-and-research-integrity_distribution.svg" in names
    assert not any(".." in name or name.startswith("/") or "\\" in name for name in names)
