"""An analysis run in-process tells its listener how far it has got, from counting to the last chart."""

from __future__ import annotations

import pytest

from consult.analysis import progress, tasks
from consult.analysis.models import RunStatus


def heard(action) -> list[float]:
    shares: list[float] = []
    with progress.listening(shares.append):
        action()
    return shares


def test_the_charts_tell_their_share_of_the_run():
    shares = heard(lambda: [progress.charts_drawn(done, 6) for done in range(1, 7)])
    assert shares == sorted(shares)
    assert shares[0] > progress.RESULTS_MADE
    assert shares[2] == pytest.approx(progress.RESULTS_MADE + (1 - progress.RESULTS_MADE) / 2)
    assert shares[-1] == pytest.approx(1.0)


def test_nobody_listening_is_no_error():
    progress.partitions_counted(1, 4)
    progress.finished()


def test_an_in_process_run_moves_from_counting_through_its_charts_to_the_end(
    app, db, make_campaign, add_responses, monkeypatch
):
    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    campaign = make_campaign(status="open")
    add_responses(campaign, 60)
    runs = []
    shares = heard(lambda: runs.append(tasks.start_analysis(campaign, trigger="cli")))
    assert runs[0].status == RunStatus.DONE
    assert shares == sorted(shares)
    assert shares[: runs[0].partitions_total][-1] == pytest.approx(progress.COUNTED)
    assert progress.RESULTS_MADE in shares
    charts = [share for share in shares if progress.RESULTS_MADE < share < 1]
    assert len(charts) >= len(runs[0].results["sections"]) - 1
    assert shares[-1] == 1.0


def test_a_daemonic_process_hands_the_charts_to_the_workers_after_the_results(
    app, db, make_campaign, add_responses, monkeypatch
):
    """A Celery prefork worker's child may not start the drawing's workers: its run ends with its results,
    then each section's charts in each language are a task of their own (run here at once: the test suite's
    queue is eager), which the workers' processes take side by side."""
    import multiprocessing

    from consult.analysis.chartstore import drawable_sections, stored_sections

    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    drawn = []
    monkeypatch.setattr(tasks.draw_section_charts, "run", wrapped_task(tasks.draw_section_charts.run, drawn))
    campaign = make_campaign(status="open")
    add_responses(campaign, 60)
    runs = []
    shares = heard(lambda: runs.append(tasks.start_analysis(campaign, trigger="cli")))
    assert runs[0].status == RunStatus.DONE and runs[0].results["sections"]
    assert not [share for share in shares if progress.RESULTS_MADE < share < 1]
    languages = campaign.questionnaire.languages
    drawable = {section["code"] for section in drawable_sections(campaign, runs[0].results, "en")}
    assert len(languages) == 2 and sorted(drawn) == sorted(
        (lang, code) for lang in languages for code in drawable
    )
    assert all(stored_sections(runs[0].id, language) == drawable for language in languages)


def wrapped_task(run, calls: list):
    def recorded(run_id: int, language: str, code: str) -> int:
        calls.append((language, code))
        return run(run_id, language, code)

    return recorded
