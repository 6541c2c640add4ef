"""The charts of each analysis run, drawn once and stored, keyed by run (the results' version) and language.

An analysis draws its charts as soon as its results are stored, in every language of the questionnaire; the
pages, the reports and the charts ZIP then only read stored files. A language or a run drawn before this
store existed is drawn on first need, once. Charts read the stored results only, which are already under
the campaign's disclosure control (suppressed groups are drawn as "fewer than k", never with a figure).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from consult.analysis.chartdraw import MANIFEST, ChartInputs, DrawJob, draw_sections
from consult.analysis.models import AnalysisRun, ChartFile
from consult.extensions import db
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
ChartKey = tuple[str, str, str]
"""(section code, kind, file format)"""


def chart_inputs(campaign: Campaign, language: str) -> ChartInputs:
    from consult.analysis.chart_common import dimension_labels

    labels = campaign.questionnaire.scale_labels
    scale = list(labels.get(language) or labels.get("en") or next(iter(labels.values()), []))
    spec = campaign_spec(campaign)
    dims = dimension_labels(spec.dimensions, language)
    thresholds = (spec.rating.minus_plus, spec.rating.plus_minus, spec.rating.plus_plus)
    return ChartInputs(
        language, scale, dims, int(campaign.min_group_size), thresholds, campaign.rating_spelling
    )


def drawable_sections(campaign: Campaign, results: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """The results' sections that have charts, with their title and items' texts in ``language``."""
    questions = {section.code: section for section in campaign.questionnaire.sections}
    drawable = []
    for stored in results.get("sections", []):
        if stored.get("suppressed") or not stored.get("items") or stored.get("code") not in questions:
            continue
        section = {**stored, "items": [dict(item) for item in stored["items"]]}
        source = questions[section["code"]]
        section["title"] = translated(source.title, language) or section.get("title")
        texts = {item.code: translated(item.text, language) for item in source.items}
        for item in section["items"]:
            item.setdefault("text", texts.get(item.get("code"), ""))
        drawable.append(section)
    return drawable


def stored_sections(run_id: int, language: str) -> set[str]:
    """The sections whose charts are stored whole (with their manifest, stored with the current parts)."""
    return set(
        db.session.scalars(
            select(ChartFile.section_code).where(
                ChartFile.run_id == run_id,
                ChartFile.language == language,
                ChartFile.kind == MANIFEST[0],
                ChartFile.fmt == MANIFEST[1],
            )
        )
    )


def ensure_charts(
    run: AnalysisRun, language: str, only: str | None = None, progress: Progress | None = None
) -> int:
    """Draw and store the charts of ``run`` in ``language`` not stored yet (of section ``only``, if given);
    returns how many sections were drawn: 0 when everything was stored already."""
    campaign = db.session.get(Campaign, run.campaign_id)
    return draw_and_store(run, missing_jobs(campaign, run, language, only), progress)


def missing_jobs(
    campaign: Campaign, run: AnalysisRun, language: str, only: str | None = None
) -> list[DrawJob]:
    done = stored_sections(run.id, language)
    inputs = chart_inputs(campaign, language)
    return [
        (section, inputs)
        for section in drawable_sections(campaign, run.results or {}, language)
        if section["code"] not in done and (only is None or section["code"] == only)
    ]


def draw_and_store(run: AnalysisRun, jobs: list[DrawJob], progress: Progress | None) -> int:
    if not jobs:
        if progress is not None:
            progress(1, 1)
        return 0
    for language, code, files in draw_sections(jobs, progress):
        store_section(run.id, language, code, files)
    return len(jobs)


def store_section(run_id: int, language: str, code: str, files: Mapping[tuple[str, str], bytes]) -> None:
    """Replaces whatever another process stored for the section meanwhile, so the pair stays whole. When
    another process stores the same section at the same moment (a page's first view beside a worker's task),
    the first to commit keeps its files: they are the same, drawn from the same results."""
    owned = (ChartFile.run_id == run_id, ChartFile.language == language, ChartFile.section_code == code)
    try:
        with db.session.begin_nested():
            db.session.execute(delete(ChartFile).where(*owned))
            db.session.add_all(
                ChartFile(run_id=run_id, language=language, section_code=code, kind=k, fmt=f, content=content)
                for (k, f), content in files.items()
            )
    except IntegrityError:
        log.info("charts of section %s (%s) of run %s stored by another process", code, language, run_id)


def draw_run_charts(run: AnalysisRun, progress: Progress | None = None) -> int:
    """Every language of the campaign's questionnaire, right after the results are made, all at once."""
    campaign = db.session.get(Campaign, run.campaign_id)
    jobs = [
        job for language in campaign.questionnaire.languages for job in missing_jobs(campaign, run, language)
    ]
    return draw_and_store(run, jobs, progress)


def stored_charts(run_id: int, language: str, fmts: tuple[str, ...]) -> dict[ChartKey, bytes]:
    rows = db.session.execute(
        select(ChartFile.section_code, ChartFile.kind, ChartFile.fmt, ChartFile.content).where(
            ChartFile.run_id == run_id, ChartFile.language == language, ChartFile.fmt.in_(fmts)
        )
    )
    return {(code, kind, fmt): content for code, kind, fmt, content in rows}


def stored_chart(run_id: int, language: str, key: ChartKey) -> bytes | None:
    code, kind, fmt = key
    return db.session.scalar(
        select(ChartFile.content).where(
            ChartFile.run_id == run_id,
            ChartFile.language == language,
            ChartFile.section_code == code,
            ChartFile.kind == kind,
            ChartFile.fmt == fmt,
        )
    )
