"""The analysis of a campaign: count each partition of the responses, merge, compute, store once.

Partitions are fixed ranges of the random response ids. A partition's count tables are kept between runs and
recounted only when its number of responses changed (responses are only ever added), so refreshing an open
campaign recounts just the partitions that received answers. Every step is idempotent, so a task that is
delivered twice (a worker lost after its work but before its acknowledgement) does no harm, and the results
document is written once, with the run's DONE status, in finish_run's single transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from consult.analysis import progress, workers
from consult.analysis.counts import CountTables, build_counts, empty_counts
from consult.analysis.models import AnalysisRun, PartitionCounts, RunStatus
from consult.charter.reference import crosswalk
from consult.extensions import db
from consult.gap.models import final_ratings
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.headcounts.services import headcounts_info
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.models import Dimension as DimensionRow
from consult.surveys.questionnaires.models import Questionnaire as QuestionnaireRow
from consult.surveys.questionnaires.models import Section as SectionRow
from consult.surveys.responses.models import RESPONSE_ID_BITS, Response
from consult.timeutil import utcnow

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
log = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=1)
"""A run still active after this long lost its tasks (broker flushed, workers gone): it is marked failed."""


PACKED_PARTITION = (
    "SELECT count(*) FILTER (WHERE length(answers) <> %s OR length(profile) <> %s), "
    "string_agg(answers || profile, ''::bytea) "
    "FROM response WHERE campaign_id = %s AND id BETWEEN %s AND %s"
)
"""One partition as a single value: every response's answers and profile, end to end, and how many responses
do not have the expected lengths. One round trip and no per-row work on this side."""


class CorruptResponses(ValueError):
    """Stored responses that do not fit the campaign's questionnaire."""


def partition_bounds(partition: int, partitions: int) -> tuple[int, int]:
    """The lowest and highest response id of a partition (both included: 2**63 is beyond a BIGINT)."""
    width = (1 << RESPONSE_ID_BITS) // partitions
    low = partition * width
    high = (1 << RESPONSE_ID_BITS) - 1 if partition == partitions - 1 else low + width - 1
    return low, high


def partition_filter(campaign_id: int, partition: int, partitions: int) -> tuple:
    low, high = partition_bounds(partition, partitions)
    return (Response.campaign_id == campaign_id, Response.id.between(low, high))


class AnalysisRefused(ValueError):
    """No figures may be made of this campaign now, with the reason for the person who asked."""


def check_results_allowed(campaign: Campaign) -> None:
    """Results exist once a campaign closes; while it is open, only if HR turned on interim results."""
    if campaign.status == CampaignStatus.DRAFT:
        raise AnalysisRefused("a draft campaign has no responses to analyse")
    if campaign.status == CampaignStatus.OPEN and not campaign.interim_results:
        raise AnalysisRefused(
            "results exist once the campaign closes (interim results are off for this campaign)"
        )


def create_run(campaign: Campaign, trigger: str = "manual") -> AnalysisRun:
    check_results_allowed(campaign)
    partitions = current_app.config["ANALYSIS_PARTITIONS"]
    forget_other_partitioning(campaign.id, partitions)
    run = AnalysisRun(campaign_id=campaign.id, trigger=trigger, partitions_total=partitions)
    db.session.add(run)
    db.session.flush()
    return run


def forget_other_partitioning(campaign_id: int, partitions: int) -> None:
    """Stored tables hold the id ranges of the partitioning that counted them: drop them when it changed."""
    previous = latest_run(campaign_id)
    if previous is not None and previous.partitions_total != partitions:
        db.session.execute(delete(PartitionCounts).where(PartitionCounts.campaign_id == campaign_id))


def campaign_with_questions(campaign_id: int) -> Campaign:
    """The campaign with its whole questionnaire, loaded in a few queries instead of one per section."""
    questionnaire = selectinload(Campaign.questionnaire)
    return db.session.scalars(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(
            questionnaire.selectinload(QuestionnaireRow.sections).selectinload(SectionRow.items),
            questionnaire.selectinload(QuestionnaireRow.dimensions).selectinload(DimensionRow.options),
        )
    ).one()


def dialect() -> str:
    return db.session.connection().dialect.name


def load_partition(
    campaign_id: int, partition: int, partitions: int, q: spec.Questionnaire
) -> tuple[np.ndarray, np.ndarray]:
    widths = (len(q.items), len(q.dimensions))
    if dialect() == "postgresql":
        return packed_partition(campaign_id, partition_bounds(partition, partitions), widths)
    return select_partition(campaign_id, partition, partitions, widths)


def packed_partition(
    campaign_id: int, bounds: tuple[int, int], widths: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    connection = db.session.connection().connection.driver_connection
    with connection.cursor(binary=True) as cursor:
        misshapen_rows, packed = cursor.execute(PACKED_PARTITION, (*widths, campaign_id, *bounds)).fetchone()
    if misshapen_rows:
        raise misshapen(widths)
    rows = np.frombuffer(packed or b"", np.uint8).reshape(-1, sum(widths))
    return rows[:, : widths[0]], rows[:, widths[0] :]


def misshapen(widths: tuple[int, int]) -> CorruptResponses:
    return CorruptResponses(
        f"a stored response does not have {widths[0]} answers and {widths[1]} profile bytes"
    )


def select_partition(
    campaign_id: int, partition: int, partitions: int, widths: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    rows = db.session.execute(
        select(Response.answers, Response.profile).where(
            *partition_filter(campaign_id, partition, partitions)
        )
    ).all()
    if any((len(r.answers), len(r.profile)) != widths for r in rows):
        raise misshapen(widths)
    answers = np.frombuffer(b"".join(r.answers for r in rows), np.uint8).reshape(len(rows), widths[0])
    profiles = np.frombuffer(b"".join(r.profile for r in rows), np.uint8).reshape(len(rows), widths[1])
    return answers, profiles


def partition_size(campaign_id: int, partition: int, partitions: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(*partition_filter(campaign_id, partition, partitions))
    )


def stored_size(campaign_id: int, partition: int) -> int | None:
    return db.session.scalar(
        select(PartitionCounts.responses).where(
            PartitionCounts.campaign_id == campaign_id, PartitionCounts.partition == partition
        )
    )


def count_partition(run_id: int, partition: int) -> bool:
    """Bring one partition's stored tables up to date and note its progress; True when it was recounted."""
    run = db.session.get(AnalysisRun, run_id)
    if run is None or run.status not in ACTIVE:
        return False
    campaign = campaign_with_questions(run.campaign_id)
    recount = stored_size(campaign.id, partition) != partition_size(
        campaign.id, partition, run.partitions_total
    )
    if recount:
        recount_partition(campaign, partition, run.partitions_total)
    db.session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == run_id, AnalysisRun.status.in_(ACTIVE))
        .values(
            partitions_done=case(
                (AnalysisRun.partitions_done < AnalysisRun.partitions_total, AnalysisRun.partitions_done + 1),
                else_=AnalysisRun.partitions_done,
            ),
            status=RunStatus.RUNNING,
        )
    )
    progress.partitions_counted(partition + 1, run.partitions_total)
    return recount


def recount_partition(campaign: Campaign, partition: int, partitions: int) -> None:
    q = campaign_spec(campaign)
    answers, profiles = load_partition(campaign.id, partition, partitions, q)
    try:
        tables = build_counts(q, answers, profiles)
    except ValueError as error:
        raise CorruptResponses(f"partition {partition}: {error}") from error
    store_partition(campaign.id, partition, len(answers), tables.to_bytes())


def store_partition(campaign_id: int, partition: int, responses: int, tables: bytes) -> None:
    """Insert or replace, so that two runs counting the same partition at once both succeed."""
    insert = postgresql.insert if dialect() == "postgresql" else sqlite.insert
    values = {"campaign_id": campaign_id, "partition": partition, "responses": responses, "tables": tables}
    statement = insert(PartitionCounts).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["campaign_id", "partition"],
            set_={"responses": statement.excluded.responses, "tables": statement.excluded.tables},
        )
    )


def merged_tables(campaign_id: int, partitions: int, q: spec.Questionnaire) -> CountTables:
    stored = db.session.scalars(
        select(PartitionCounts.tables).where(
            PartitionCounts.campaign_id == campaign_id, PartitionCounts.partition < partitions
        )
    )
    return sum((CountTables.from_bytes(tables) for tables in stored), empty_counts(q))


def count_missing_partitions(campaign: Campaign, partitions: int) -> None:
    """Partitions never counted (their task lost for good) are counted here, so no run merges a hole."""
    counted = set(
        db.session.scalars(
            select(PartitionCounts.partition).where(PartitionCounts.campaign_id == campaign.id)
        )
    )
    for partition in sorted(set(range(partitions)) - counted):
        recount_partition(campaign, partition, partitions)


def finish_run(run_id: int) -> bool:
    """Merge the partitions, compute the results, store them with the DONE status; False if already ended."""
    run = db.session.get(AnalysisRun, run_id, with_for_update=True)
    if run is None or run.status not in ACTIVE:
        return False
    campaign = campaign_with_questions(run.campaign_id)
    count_missing_partitions(campaign, run.partitions_total)
    q = campaign_spec(campaign)
    tables = merged_tables(campaign.id, run.partitions_total, q)
    run.results = compute_results(campaign, q, tables)
    run.responses = tables.total
    progress.results_made()
    draw_charts(run)
    run.status, run.finished_at, run.partitions_done = RunStatus.DONE, utcnow(), run.partitions_total
    progress.finished()
    return True


def draw_charts(run: AnalysisRun) -> None:
    """The run's charts, stored with its results in the same transaction. Should drawing fail, the results
    still stand: each chart is then drawn when first asked for, as it is when ``CHARTS_WITH_RESULTS`` is
    off (the test suite's default, where most analyses are never charted). Not in a daemonic process (a
    Celery prefork worker's child): it may not start worker processes, and drawing every chart one after the
    other would hold the results back for minutes; the results are stored at once and the charts handed to
    the workers, a task per section and language (``sections_to_draw``)."""
    from consult.analysis.chartstore import draw_run_charts

    if not charts_with_results() or not workers.may_have_children():
        return
    try:
        with db.session.begin_nested():
            draw_run_charts(run, progress.charts_drawn)
    except Exception:
        log.exception("the charts of analysis %s could not be drawn now", run.id)


def charts_with_results() -> bool:
    return bool(current_app.config.get("CHARTS_WITH_RESULTS", True))


def sections_to_draw(run_id: int) -> list[tuple[str, str]]:
    """The (language, section) pairs of a finished run whose charts a Celery worker's process left to the
    workers (see ``draw_charts``); none where they were drawn with the results or are drawn on first view."""
    from consult.analysis.chartstore import drawable_sections

    if not charts_with_results() or workers.may_have_children():
        return []
    run = db.session.get(AnalysisRun, run_id)
    if run is None or run.status != RunStatus.DONE:
        return []
    campaign = db.session.get(Campaign, run.campaign_id)
    return [
        (language, str(section["code"]))
        for language in campaign.questionnaire.languages
        for section in drawable_sections(campaign, run.results or {}, language)
    ]


def compute_results(campaign: Campaign, q: spec.Questionnaire, tables: CountTables) -> dict:
    from consult.analysis.results import build_results

    previous = campaign.previous_campaign
    return build_results(
        campaign_info(campaign),
        q,
        tables,
        language=results_language(q),
        previous=latest_results(previous) if previous is not None else None,
        crosswalk=crosswalk_between(previous, q) if previous is not None else None,
    )


def results_language(q: spec.Questionnaire) -> str:
    return "en" if "en" in q.languages or not q.languages else q.languages[0]


def crosswalk_between(previous: Campaign, q: spec.Questionnaire) -> dict[int, tuple[int, ...]] | None:
    """2023 principle -> the 2005 principles it takes over, when a 2023 campaign follows a 2005 one."""
    if q.charter == "2023" and previous.questionnaire.charter_version == "2005":
        return crosswalk()
    return None


def fail_run(run_id: int, error: str) -> None:
    """Mark an active run failed; the first error is kept, and a finished run is left as it is."""
    run = db.session.get(AnalysisRun, run_id)
    if run is not None and run.status in ACTIVE:
        run.status, run.error, run.finished_at = RunStatus.FAILED, error[:2000], utcnow()


def abandon_stale_runs(campaign_id: int) -> int:
    result = db.session.execute(
        update(AnalysisRun)
        .where(
            AnalysisRun.campaign_id == campaign_id,
            AnalysisRun.status.in_(ACTIVE),
            AnalysisRun.created_at < utcnow() - STALE_AFTER,
        )
        .values(status=RunStatus.FAILED, finished_at=utcnow(), error="abandoned: its tasks never completed")
    )
    return result.rowcount


def campaign_info(campaign: Campaign) -> dict:
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "min_group_size": campaign.min_group_size,
        "comment_min_responses": campaign.comment_min_responses,
        "final_ratings": final_ratings(campaign.id),
        "hidden_groups": ((latest_results(campaign) or {}).get("campaign") or {}).get("hidden_groups") or {},
        "rating_spelling": campaign.rating_spelling,
        "headcounts": headcounts_info(campaign.id),
    }


def latest_run(campaign_id: int, done_only: bool = False) -> AnalysisRun | None:
    query = select(AnalysisRun).where(AnalysisRun.campaign_id == campaign_id)
    if done_only:
        query = query.where(AnalysisRun.status == RunStatus.DONE)
    return db.session.scalar(query.order_by(AnalysisRun.id.desc()).limit(1))


def latest_results(campaign: Campaign) -> dict | None:
    run = latest_run(campaign.id, done_only=True)
    return run.results if run else None
