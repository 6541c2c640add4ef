from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from celery import _state as celery_state
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from sqlalchemy import delete, select, update
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from consult.analysis import services, tasks
from consult.analysis.counts import CountTables, build_counts
from consult.analysis.models import AnalysisRun, PartitionCounts, RunStatus
from consult.charter.reference import crosswalk
from consult.extensions import db as database
from consult.surveys.campaigns import services as surveys
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic
from consult.surveys.responses.models import RESPONSE_ID_BITS, Response
from consult.timeutil import utcnow
from tests.conftest import make_app, small_questionnaire, upgrade_schema

PARTITIONS = 4


def stored_arrays(db, campaign) -> tuple[np.ndarray, np.ndarray]:
    rows = db.session.execute(
        select(Response.answers, Response.profile).where(Response.campaign_id == campaign.id)
    ).all()
    q = campaign_spec(campaign)
    answers = np.frombuffer(b"".join(r.answers for r in rows), np.uint8).reshape(len(rows), len(q.items))
    profiles = np.frombuffer(b"".join(r.profile for r in rows), np.uint8).reshape(
        len(rows), len(q.dimensions)
    )
    return answers, profiles


def same_tables(first: CountTables, second: CountTables) -> bool:
    return first.to_bytes() == second.to_bytes()


def count_all(campaign) -> tuple[int, list[bool]]:
    run = services.create_run(campaign)
    recounted = [services.count_partition(run.id, p) for p in range(run.partitions_total)]
    return run.id, recounted


@given(st.integers(1, 64))
def test_partitions_cover_every_id_once(partitions):
    bounds = [services.partition_bounds(p, partitions) for p in range(partitions)]
    assert bounds[0][0] == 0 and bounds[-1][1] == (1 << RESPONSE_ID_BITS) - 1
    assert all(high + 1 == next_low for (_, high), (next_low, _) in itertools.pairwise(bounds))
    assert all(low <= high for low, high in bounds)


def test_both_loaders_read_the_same_partition(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 700)
    q = campaign_spec(campaign)
    widths = (len(q.items), len(q.dimensions))
    loaded = [services.load_partition(campaign.id, p, PARTITIONS, q) for p in range(PARTITIONS)]
    selected = [services.select_partition(campaign.id, p, PARTITIONS, widths) for p in range(PARTITIONS)]
    for (answers, profiles), (other_answers, other_profiles) in zip(loaded, selected, strict=True):
        assert np.array_equal(np.sort(answers, axis=0), np.sort(other_answers, axis=0))
        assert np.array_equal(np.sort(profiles, axis=0), np.sort(other_profiles, axis=0))
    assert sum(len(a) for a, _ in loaded) == 700
    assert all(0 < len(a) < 700 for a, _ in loaded)


def test_merged_partitions_equal_one_count_of_everything(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 900)
    _, recounted = count_all(campaign)
    assert recounted == [True] * PARTITIONS
    q = campaign_spec(campaign)
    merged = services.merged_tables(campaign.id, PARTITIONS, q)
    assert same_tables(merged, build_counts(q, *stored_arrays(db, campaign)))


def ids_of(db, campaign) -> set[int]:
    return set(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)))


def partition_of(response_id: int) -> int:
    return next(p for p in range(PARTITIONS) if services.partition_bounds(p, PARTITIONS)[1] >= response_id)


def test_new_responses_recount_only_their_partitions(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 400)
    count_all(campaign)
    before = ids_of(db, campaign)
    q = campaign_spec(campaign)
    data = synthetic.generate(q, 2, seed=99)
    storage.insert_responses(campaign.id, data.answers, data.profiles)
    touched = {partition_of(new) for new in ids_of(db, campaign) - before}
    _, recounted = count_all(campaign)
    assert recounted == [p in touched for p in range(PARTITIONS)]
    merged = services.merged_tables(campaign.id, PARTITIONS, q)
    assert same_tables(merged, build_counts(q, *stored_arrays(db, campaign)))
    _, again = count_all(campaign)
    assert again == [False] * PARTITIONS


def test_finish_stores_results_once_with_the_done_status(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 300)
    run_id, _ = count_all(campaign)
    run = db.session.get(AnalysisRun, run_id)
    assert (run.status, run.partitions_done, run.progress) == (RunStatus.RUNNING, PARTITIONS, 90)
    assert services.finish_run(run_id) is True
    assert run.status == RunStatus.DONE and run.responses == 300 and run.progress == 100
    assert run.results["campaign"]["responses"] == 300 and run.finished_at is not None
    assert services.finish_run(run_id) is False
    services.fail_run(run_id, "too late")
    assert run.status == RunStatus.DONE and run.error is None
    assert services.latest_results(campaign) == run.results


@pytest.mark.parametrize("spelling", ["plus-slash", "compact"])
def test_a_run_writes_its_reasons_in_the_campaign_spelling(db, make_campaign, spelling):
    campaign = make_campaign(status="open")
    campaign.rating_spelling = spelling
    assert services.campaign_info(campaign)["rating_spelling"] == spelling


def test_a_partition_counted_twice_is_still_counted_once(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 200)
    run = services.create_run(campaign)
    for partition in [0, 0, 1, 2, 3, 3]:
        services.count_partition(run.id, partition)
    assert run.partitions_done == PARTITIONS
    services.finish_run(run.id)
    assert run.results["campaign"]["responses"] == 200


def test_finish_counts_a_partition_whose_task_was_lost(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 250)
    run = services.create_run(campaign)
    for partition in range(1, PARTITIONS):
        services.count_partition(run.id, partition)
    services.finish_run(run.id)
    assert run.status == RunStatus.DONE and run.responses == 250


def test_a_new_partitioning_forgets_the_stored_tables(app, db, make_campaign, add_responses, monkeypatch):
    campaign = make_campaign(status="open")
    add_responses(campaign, 300)
    count_all(campaign)
    monkeypatch.setitem(app.config, "ANALYSIS_PARTITIONS", 3)
    run_id, recounted = count_all(campaign)
    assert recounted == [True, True, True]
    stored = db.session.scalars(
        select(PartitionCounts.partition).where(PartitionCounts.campaign_id == campaign.id)
    )
    assert sorted(stored) == [0, 1, 2]
    services.finish_run(run_id)
    assert db.session.get(AnalysisRun, run_id).responses == 300


@pytest.mark.parametrize("answers", [b"\x01\x02", b"\x01\x02\x03\x04"])
def test_a_misshapen_response_is_refused(db, make_campaign, add_responses, answers):
    campaign = make_campaign(status="open")
    add_responses(campaign, 50)
    db.session.add(Response(campaign_id=campaign.id, answers=answers, profile=b"\x01\x01"))
    db.session.flush()
    run = services.create_run(campaign)
    with pytest.raises(services.CorruptResponses, match="does not have 3 answers and 2 profile bytes"):
        for partition in range(PARTITIONS):
            services.count_partition(run.id, partition)


def test_an_answer_off_the_scale_is_refused(db, make_campaign):
    campaign = make_campaign(status="open")
    db.session.add(Response(id=5, campaign_id=campaign.id, answers=b"\x01\x09\x01", profile=b"\x01\x01"))
    db.session.flush()
    run = services.create_run(campaign)
    with pytest.raises(services.CorruptResponses, match=r"partition 0: .*outside the scale"):
        services.count_partition(run.id, 0)


def test_a_failed_run_keeps_its_first_error_and_the_previous_results(db, make_campaign, add_responses):
    campaign = make_campaign(status="open")
    add_responses(campaign, 120)
    done_id, _ = count_all(campaign)
    services.finish_run(done_id)
    failed = services.create_run(campaign)
    services.fail_run(failed.id, "partition 2: broken")
    services.fail_run(failed.id, "a partition could not be counted")
    assert (failed.status, failed.error) == (RunStatus.FAILED, "partition 2: broken")
    assert services.count_partition(failed.id, 0) is False
    assert services.finish_run(failed.id) is False and failed.results is None
    assert services.latest_run(campaign.id).id == failed.id
    assert services.latest_results(campaign) == db.session.get(AnalysisRun, done_id).results


def test_stale_runs_are_abandoned(db, make_campaign):
    campaign = make_campaign(status="open")
    old, recent = services.create_run(campaign), services.create_run(campaign)
    db.session.execute(
        update(AnalysisRun)
        .where(AnalysisRun.id == old.id)
        .values(created_at=utcnow() - services.STALE_AFTER * 2)
    )
    assert services.abandon_stale_runs(campaign.id) == 1
    db.session.expire_all()
    assert db.session.get(AnalysisRun, old.id).status == RunStatus.FAILED
    assert db.session.get(AnalysisRun, recent.id).status == RunStatus.QUEUED


def test_an_empty_campaign_has_results_with_no_respondents(db, make_campaign):
    campaign = make_campaign(status="open")
    run_id, _ = count_all(campaign)
    db.session.execute(delete(PartitionCounts).where(PartitionCounts.campaign_id == campaign.id))
    services.finish_run(run_id)
    assert db.session.get(AnalysisRun, run_id).results["campaign"]["responses"] == 0


# The results JSON against scipy and numpy on the raw answers, stored in PostgreSQL and analysed in-process.

EXACT = {"rel": 1e-9, "abs": 1e-12}


def keyed_values(q, answers: np.ndarray) -> np.ndarray:
    """Reverse-keyed answers as floats, NaN for no answer and don't know."""
    values = answers.astype(float)
    values[(answers == 0) | (answers == 255)] = np.nan
    reverse = np.array([item.reverse for item in q.items])
    values[:, reverse] = q.scale.points + 1 - values[:, reverse]
    return values


def wilson(successes: int, n: int) -> list[float]:
    return list(proportion_confint(successes, n, alpha=0.05, method="wilson"))


def check_item(q, entry: dict, raw: np.ndarray, values: np.ndarray) -> None:
    answered = values[~np.isnan(values)]
    liked = int(np.isin(answered, q.scale.favourable).sum())
    assert entry["n"] == len(answered) and entry["dont_know"] == int((raw == 255).sum())
    assert entry["counts"] == [int((answered == v).sum()) for v in range(1, q.scale.points + 1)]
    assert entry["mean"] == pytest.approx(answered.mean(), **EXACT)
    assert entry["sd"] == pytest.approx(answered.std(ddof=1), **EXACT)
    assert entry["favourable"] == pytest.approx(liked / len(answered), **EXACT)
    assert entry["favourable_ci"] == pytest.approx(wilson(liked, len(answered)), **EXACT)


def cronbach(complete: np.ndarray) -> float:
    items = complete.shape[1]
    return items / (items - 1) * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def check_section(q, entry: dict, values: np.ndarray, k: int) -> None:
    """The section's mean and favourable share pool its answers; alpha needs k complete respondents."""
    answered = ~np.isnan(values)
    scored = answered.any(axis=1)
    liked = int(np.isin(values, q.scale.favourable).sum())
    assert entry["n"] == int(scored.sum()) and not entry["suppressed"]
    assert entry["mean"] == pytest.approx(values[answered].mean(), **EXACT)
    assert entry["favourable"] == pytest.approx(liked / answered.sum(), **EXACT)
    assert entry["favourable_ci"] == pytest.approx(wilson(liked, int(answered.sum())), **EXACT)
    complete = values[answered.all(axis=1)]
    expected_alpha = cronbach(complete) if values.shape[1] >= 2 and len(complete) >= k else None
    assert entry["alpha"] == pytest.approx(expected_alpha, **EXACT)


def group_members(q, profiles: np.ndarray, key: str, code: str) -> np.ndarray:
    dims = [d.code for d in q.dimensions]
    members = np.ones(len(profiles), bool)
    for dimension, option in zip(key.split(":"), code.split(":"), strict=True):
        d = dims.index(dimension)
        position = [o.code for o in q.dimensions[d].options].index(option) + 1
        members &= profiles[:, d] == position
    return members


def check_breakdown(q, key: str, breakdown: dict, values: np.ndarray, profiles: np.ndarray, k: int) -> None:
    tested = []
    for group in breakdown["groups"]:
        members = values[group_members(q, profiles, key, group["code"])]
        scores = np.nanmean(members[~np.isnan(members).all(axis=1)], axis=1)
        if group["suppressed"]:
            assert set(group) == {"code", "suppressed"}
            continue
        assert not 0 < len(scores) < k, f"{key} {group['code']}: {len(scores)} respondents shown"
        assert group["n"] == len(scores)
        if len(scores):
            answered = members[~np.isnan(members)]
            assert group["mean"] == pytest.approx(answered.mean(), **EXACT)
            assert group["favourable"] == pytest.approx(np.isin(answered, q.scale.favourable).mean(), **EXACT)
            tested.append(scores)
    hidden = int((~np.isnan(values).all(axis=1)).sum()) - sum(g.get("n", 0) for g in breakdown["groups"])
    assert ":" in key or hidden == 0 or hidden >= k, f"{key}: {hidden} respondents derivable from the total"
    check_test(breakdown["test"], tested)


def check_test(test: dict | None, groups: list[np.ndarray]) -> None:
    if len(groups) < 2:
        assert test is None
        return
    n = sum(len(g) for g in groups)
    if len(groups) >= 3:
        statistic, p = scipy_stats.kruskal(*groups)
        expected = {
            "name": "kruskal-wallis",
            "statistic": statistic,
            "p": p,
            "effect_size": statistic / (n - 1),
        }
    else:
        u, p = scipy_stats.mannwhitneyu(
            *groups, alternative="two-sided", method="asymptotic", use_continuity=True
        )
        effect = 1 - 2 * u / (len(groups[0]) * len(groups[1]))
        expected = {"name": "mann-whitney", "statistic": u, "p": p, "effect_size": effect}
    assert test["name"] == expected.pop("name")
    for name, value in expected.items():
        assert test[name] == pytest.approx(float(value), **EXACT), name
    assert test["p"] <= test["p_adjusted"] <= 1


def test_results_equal_scipy_on_the_raw_answers(db, make_campaign, add_responses):
    campaign = make_campaign(load_template("charter-2023"), status="open")
    add_responses(campaign, 1500, seed=21)
    run = tasks.start_analysis(campaign)
    assert run.status == RunStatus.DONE, run.error
    results, q = run.results, campaign_spec(campaign)
    answers, profiles = stored_arrays(db, campaign)
    values = keyed_values(q, answers)
    assert results["campaign"]["responses"] == 1500
    checked_tests = 0
    for s, (section, columns) in enumerate(zip(q.sections, q.section_slices(), strict=True)):
        entry = results["sections"][s]
        assert (entry["code"], entry["principle"]) == (section.code, section.principle)
        for i, item in enumerate(entry["items"]):
            check_item(q, item, answers[:, columns.start + i], values[:, columns.start + i])
        check_section(q, entry, values[:, columns], max(3, campaign.min_group_size))
        for key, breakdown in entry["breakdowns"].items():
            check_breakdown(q, key, breakdown, values[:, columns], profiles, campaign.min_group_size)
            checked_tests += breakdown["test"] is not None
    assert checked_tests >= 100


def test_the_change_since_a_previous_campaign_of_the_same_charter(db, make_campaign, add_responses):
    before, now = make_campaign(status="closed"), make_campaign(status="open")
    add_responses(before, 300, seed=1)
    add_responses(now, 400, seed=2)
    previous = tasks.start_analysis(before).results
    now.previous_campaign_id = before.id
    results = tasks.start_analysis(now).results
    for section, old in zip(results["sections"], previous["sections"], strict=True):
        check_change(section["change"], section, [old])


def test_the_change_since_a_2005_campaign_goes_through_the_crosswalk(db, make_campaign, add_responses):
    before = make_campaign(load_template("charter-2005"), status="closed")
    now = make_campaign(load_template("charter-2023"), status="open")
    add_responses(before, 500, seed=3)
    add_responses(now, 500, seed=4)
    previous = tasks.start_analysis(before).results
    now.previous_campaign_id = before.id
    results = tasks.start_analysis(now).results
    old_by_principle = {old["principle"]: old for old in previous["sections"]}
    for section in results["sections"]:
        mapped = [old_by_principle[p] for p in crosswalk()[section["principle"]]]
        check_change(section["change"], section, mapped)
    assert results["sections"][7]["principle"] == 8 and results["sections"][7]["change"] is None


def check_change(change: dict | None, section: dict, previous: list[dict]) -> None:
    if not previous:
        assert change is None
        return
    liked, answers = sum(p["favourable_count"] for p in previous), sum(p["answers"] for p in previous)
    _, p = proportions_ztest([section["favourable_count"], liked], [section["answers"], answers])
    assert change["previous_favourable"] == pytest.approx(liked / answers, **EXACT)
    assert change["difference"] == pytest.approx(section["favourable"] - liked / answers, **EXACT)
    assert change["p"] == pytest.approx(p, **EXACT)


def test_the_embedded_sqlite_deployment_gives_the_same_results(tmp_path):
    """One code path, two deployments: the same tasks on SQLite, reading the rows one by one."""
    previous = celery_state.get_current_app()
    embedded = make_app(f"sqlite:///{tmp_path / 'consult.db'}")
    try:
        upgrade_schema(embedded)
        with embedded.app_context():
            campaign = surveys.create_campaign(small_questionnaire())
            campaign.interim_results = True
            surveys.open_campaign(campaign)
            q = campaign_spec(campaign)
            data = synthetic.generate(q, 240, seed=31)
            storage.insert_responses(campaign.id, data.answers, data.profiles)
            database.session.commit()
            run = tasks.start_analysis(campaign)
            assert run.status == RunStatus.DONE and run.responses == 240
            expected = services.compute_results(campaign, q, build_counts(q, data.answers, data.profiles))
            assert run.results == json.loads(json.dumps(expected))
            database.session.remove()
    finally:
        previous.set_current()
        previous.set_default()
