"""``consult demo`` on a fresh SQLite file, as the README's first command runs it (tasks in-process)."""

from __future__ import annotations

import sqlite3

from celery import _state as celery_state
from click.testing import CliRunner

from consult.cli import build_cli


def test_the_demo_builds_two_analysed_campaigns_with_working_groups(tmp_path):
    previous = celery_state.get_current_app()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'consult.db'}",
        "REDIS_URL": None,
        "SECRET_KEY": "demo-test",
        "CONSULT_CHARTS_WITH_RESULTS": "0",
        "FLASK_APP": None,
    }
    try:
        result = CliRunner().invoke(
            build_cli(), ["demo", "--respondents", "60"], env=env, prog_name="consult"
        )
    finally:
        previous.set_current()
        previous.set_default()
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    assert "Analysing" in result.stderr and "Sign in as demo@consult.example" in result.stderr
    with sqlite3.connect(tmp_path / "consult.db") as database:
        runs = database.execute("SELECT status, responses, partitions_total FROM analysis_run").fetchall()
        groups = database.execute(
            "SELECT g.name, count(*) FROM working_group g JOIN working_group_principle p"
            " ON p.group_id = g.id "
            "GROUP BY g.id ORDER BY g.name"
        ).fetchall()
        members = database.execute("SELECT count(*) FROM working_group_member").fetchone()[0]
    assert runs == [("DONE", 60, 1), ("DONE", 60, 1)], "counted in this process, in one partition each"
    assert [name.split(":")[0] for name, _ in groups] == [f"Pillar {n}" for n in range(1, 5)]
    assert sum(count for _, count in groups) == 20 and members == 1


def test_the_earlier_campaign_is_analysed_without_drawing_its_charts(app, monkeypatch):
    from consult.demo import without_charts

    monkeypatch.setitem(app.config, "CHARTS_WITH_RESULTS", True)
    seen = []
    with app.app_context():
        without_charts(lambda campaign: seen.append(app.config["CHARTS_WITH_RESULTS"]))(None)
    assert seen == [False] and app.config["CHARTS_WITH_RESULTS"] is True


def test_the_analysis_workers_start_early_only_when_the_analyses_run_in_this_process(app, monkeypatch):
    from consult.analysis import workers
    from consult.config import celery_settings
    from consult.demo import start_analysis_workers

    started = []
    monkeypatch.setattr(workers, "warm_up", lambda: started.append(True))
    with app.app_context():
        start_analysis_workers()
        monkeypatch.setitem(app.config, "CELERY", celery_settings("redis://127.0.0.1:6379/12"))
        start_analysis_workers()
    assert started == [True]
