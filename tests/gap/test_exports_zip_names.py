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


def test_the_zip_names_each_heat_map_panel_and_its_index_lists_every_chart_in_both_languages(
    app, make_campaign, add_responses, monkeypatch
):
    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    campaign = make_campaign(small_questionnaire(), status="open")
    add_responses(campaign, 60)
    start_analysis(campaign)
    expected = {
        "en": ("heatmap-1-school", "heatmap-3-school-career-stage", "Share of favourable answers by group"),
        "fr": (
            "heatmap-1-ecole",
            "heatmap-3-ecole-etape-de-carriere",
            "Part de réponses favorables par groupe",
        ),
    }
    for language, (school, crossing, title) in expected.items():
        archive = zipfile.ZipFile(io.BytesIO(exports.export_campaign(campaign, "charts", language).content))
        names = archive.namelist()
        pngs = [name for name in names if name.endswith(".png")]
        assert any(name.endswith(f"_{school}.png") for name in pngs), pngs
        assert any(name.endswith(f"_{crossing}.png") for name in pngs), pngs
        assert not any("breakdown" in name for name in names)
        assert all(name.startswith(f"{language}/01-") or name.startswith(f"{language}/14-") for name in pngs)
        index = archive.read(f"{language}/index.html").decode()
        for name in pngs:
            assert f'href="{name.split("/", 1)[1]}"' in index
        assert index.count("<article>") == len(pngs) and index.count(title) >= 2 * 3
        assert ("rating thresholds" if language == "en" else "qui marque les seuils") in index


def test_charts_stored_before_the_split_are_drawn_again_once(app, make_campaign, add_responses, db):
    """A run whose charts were stored as one tall heat map ("breakdown", no manifest) gets its charts drawn
    again on the first export; the second export draws nothing."""
    from sqlalchemy import select

    from consult.analysis import chartstore
    from consult.analysis.models import ChartFile
    from consult.analysis.services import latest_run

    campaign = make_campaign(small_questionnaire(), status="open")
    add_responses(campaign, 60)
    start_analysis(campaign)
    run = latest_run(campaign.id, done_only=True)
    db.session.add_all(
        ChartFile(run_id=run.id, language="en", section_code=code, kind=kind, fmt="png", content=b"old")
        for code in ("P01", "P14")
        for kind in ("distribution", "breakdown")
    )
    db.session.flush()
    names = zipfile.ZipFile(io.BytesIO(exports.export_campaign(campaign, "charts").content)).namelist()
    assert not any("breakdown" in name for name in names) and any("heatmap-1" in name for name in names)
    kinds = set(db.session.scalars(select(ChartFile.kind).where(ChartFile.run_id == run.id)))
    assert "breakdown" not in kinds and {"manifest", "heatmap-1", "by_group"} <= kinds
    assert chartstore.ensure_charts(run, "en") == 0
