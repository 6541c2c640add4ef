"""Benchmark: the whole analysis of a million-respondent campaign, from PostgreSQL to stored results.

1,000,000 respondents x 60 items x 3 dimensions of 8 x 4 x 4 groups, loaded into a fresh PostgreSQL database
with a binary COPY (timed apart: not part of the target), then analysed by two Celery worker processes on
Redis: start_analysis -> run DONE, median of --runs runs, each a full recount (the stored partition tables are
deleted first). Also timed: a refresh with nothing changed (every partition skipped), and build_counts over
the same arrays in memory, for comparison. Peak memory is each worker process's high-water mark (VmHWM).
Target: the analysis under 15 s, every worker under 1 GiB.

    /work/venv/bin/python bench/bench_analysis.py [--respondents N] [--runs 3] [--workers 2] [--partitions 16]

Needs PostgreSQL (CONSULT_BENCH_PG, default postgres@127.0.0.1:5432) and Redis (CONSULT_BENCH_REDIS, default
db 13 of 127.0.0.1:6379, flushed). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import psycopg
import redis

from consult import create_app
from consult.analysis.counts import build_counts
from consult.analysis.models import AnalysisRun, PartitionCounts, RunStatus
from consult.analysis.tasks import start_analysis
from consult.config import celery_settings
from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.campaigns.services import create_campaign, open_campaign
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.responses import synthetic
from consult.surveys.responses.models import RESPONSE_ID_BITS

PG_ADMIN = os.environ.get("CONSULT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CONSULT_BENCH_REDIS", "redis://127.0.0.1:6379/13")
DATABASE = "consult_bench_analysis"
TARGET_SECONDS, MEMORY_TARGET_MIB = 15.0, 1024
ITEMS = 60
WORKER_ARGUMENTS = (
    "-m celery -A consult.worker worker --concurrency 1 --pool prefork -Q celery --without-gossip "
    "--without-mingle --without-heartbeat --loglevel WARNING"
)
PG_EPOCH = date(2000, 1, 1)


def bench_questionnaire() -> spec.Questionnaire:
    """The charter-2023 template (20 principles; school 8, career stage 4, gender 4) cut to 3 items each."""
    q = load_template("charter-2023")
    sections = tuple(replace(section, items=section.items[:3]) for section in q.sections)
    q = replace(q, sections=sections)
    assert len(q.items) == ITEMS and [len(d.options) for d in q.dimensions] == [8, 4, 4]
    return q


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def copy_rows(answers: np.ndarray, profiles: np.ndarray, campaign_id: int) -> bytes:
    """The responses in PostgreSQL's binary COPY format, built as one array of fixed-size records."""
    n, items, dims = len(answers), answers.shape[1], profiles.shape[1]
    record = np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("campaign_len", ">i4"),
            ("campaign", ">i4"),
            ("day_len", ">i4"),
            ("day", ">i4"),
            ("answers_len", ">i4"),
            ("answers", f"V{items}"),
            ("profile_len", ">i4"),
            ("profile", f"V{dims}"),
        ]
    )
    rows = np.zeros(n, record)
    ids = np.frombuffer(secrets.token_bytes(8 * n), np.uint64) >> np.uint64(64 - RESPONSE_ID_BITS)
    rows["fields"], rows["id_len"], rows["id"] = 5, 8, ids
    rows["campaign_len"], rows["campaign"] = 4, campaign_id
    rows["day_len"], rows["day"] = 4, (date.today() - PG_EPOCH).days
    rows["answers_len"], rows["answers"] = items, np.ascontiguousarray(answers).view(f"V{items}").ravel()
    rows["profile_len"], rows["profile"] = dims, np.ascontiguousarray(profiles).view(f"V{dims}").ravel()
    return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"


def load_responses(url: str, campaign_id: int, answers: np.ndarray, profiles: np.ndarray) -> None:
    data = copy_rows(answers, profiles, campaign_id)
    statement = "COPY response (id, campaign_id, submitted_on, answers, profile) FROM STDIN (FORMAT binary)"
    with psycopg.connect(url) as connection:
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for start in range(0, len(data), 1 << 24):
                copy.write(data[start : start + (1 << 24)])
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE response")


def fresh_database() -> tuple[str, str]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    plain = PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE
    return plain, plain.replace("postgresql://", "postgresql+psycopg://")


def make_bench_app(url: str, partitions: int):
    from flask_migrate import upgrade

    from consult.charter.services import load_reference_data

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": REDIS_URL,
            "CELERY": celery_settings(REDIS_URL),
            "ANALYSIS_PARTITIONS": partitions,
        }
    )
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
    return app


def start_workers(count: int, url: str, partitions: int, log_dir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench",
        "CONSULT_ANALYSIS_PARTITIONS": str(partitions),
    }
    workers = []
    for number in range(count):
        command = [sys.executable, *shlex.split(WORKER_ARGUMENTS), "-n", f"bench{number}@%h"]
        log = (log_dir / f"worker{number}.log").open("w")
        workers.append(
            subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        )
    return workers


def wait_until_ready(app, workers: list[subprocess.Popen], log_dir: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(w.poll() is None for w in workers):
        if len(app.extensions["celery"].control.ping(timeout=0.5)) >= len(workers):
            return
    logs = "\n".join(path.read_text() for path in sorted(log_dir.glob("*.log")))
    raise RuntimeError(f"the {len(workers)} workers did not all answer within {timeout:.0f} s:\n{logs}")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_memory(workers: list[subprocess.Popen]) -> list[dict]:
    return [
        {
            "main_mib": round(peak_rss_mib(w.pid), 1),
            "pool_children_mib": [round(peak_rss_mib(child), 1) for child in children_of(w.pid)],
        }
        for w in workers
    ]


def forget_counts(app, campaign_id: int) -> None:
    with app.app_context():
        db.session.query(PartitionCounts).filter_by(campaign_id=campaign_id).delete()
        db.session.commit()


def analyse_once(app, campaign_id: int, timeout: float = 600) -> AnalysisRun:
    with app.app_context():
        run = start_analysis(db.session.get(Campaign, campaign_id), trigger="bench")
        deadline = time.monotonic() + timeout
        while run.status not in (RunStatus.DONE, RunStatus.FAILED) and time.monotonic() < deadline:
            time.sleep(0.01)
            db.session.rollback()
            run = db.session.get(AnalysisRun, run.id)
        if run.status != RunStatus.DONE:
            raise RuntimeError(f"analysis run {run.id} ended {run.status}: {run.error}")
        db.session.expunge(run)
        return run


def timed_runs(app, campaign_id: int, runs: int, full: bool) -> tuple[list[float], AnalysisRun]:
    """Wall-clock seconds from start_analysis to the run seen DONE, for each run; and the last run."""
    times, run = [], None
    for _ in range(runs):
        if full:
            forget_counts(app, campaign_id)
        start = time.perf_counter()
        run = analyse_once(app, campaign_id)
        times.append(time.perf_counter() - start)
    return times, run


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=16)
    return parser.parse_args()


def prepare(arguments: argparse.Namespace, q: spec.Questionnaire, figures: dict) -> tuple:
    start = time.perf_counter()
    data = synthetic.generate(q, arguments.respondents, seed=2026)
    figures["generate_s"] = round(time.perf_counter() - start, 3)
    in_memory = median_seconds(lambda: build_counts(q, data.answers, data.profiles), arguments.runs)
    figures["build_counts_in_memory_median_s"] = round(in_memory, 3)
    plain_url, url = fresh_database()
    app = make_bench_app(url, arguments.partitions)
    with app.app_context():
        campaign = create_campaign(q, title="Benchmark")
        open_campaign(campaign)
        db.session.commit()
        campaign_id = campaign.id
    start = time.perf_counter()
    load_responses(plain_url, campaign_id, data.answers, data.profiles)
    figures["copy_load_s"] = round(time.perf_counter() - start, 3)
    return app, url, campaign_id


def measure(arguments: argparse.Namespace, app, url: str, campaign_id: int, figures: dict) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as logs:
        workers = start_workers(arguments.workers, url, arguments.partitions, Path(logs))
        try:
            wait_until_ready(app, workers, Path(logs))
            full, run = timed_runs(app, campaign_id, arguments.runs, full=True)
            unchanged, _ = timed_runs(app, campaign_id, arguments.runs, full=False)
            figures["peak_rss_mib"] = worker_memory(workers)
        finally:
            stop_workers(workers)
    figures["analysis_s"] = [round(t, 3) for t in full]
    figures["analysis_median_s"] = round(statistics.median(full), 3)
    figures["refresh_unchanged_median_s"] = round(statistics.median(unchanged), 3)
    figures["responses_in_results"] = run.results["campaign"]["responses"]


def main() -> None:
    arguments = parse_arguments()
    q = bench_questionnaire()
    figures: dict = {
        "respondents": arguments.respondents,
        "items": len(q.items),
        "groups": [len(d.options) for d in q.dimensions],
        "workers": arguments.workers,
        "partitions": arguments.partitions,
        "runs": arguments.runs,
    }
    app, url, campaign_id = prepare(arguments, q, figures)
    measure(arguments, app, url, campaign_id, figures)
    peak = max(m for w in figures["peak_rss_mib"] for m in [w["main_mib"], *w["pool_children_mib"]])
    figures |= {
        "analysis_over_build_counts": round(
            figures["analysis_median_s"] / figures["build_counts_in_memory_median_s"], 2
        ),
        "analysis_over_target": round(figures["analysis_median_s"] / TARGET_SECONDS, 3),
        "peak_worker_mib": peak,
        "peak_over_memory_target": round(peak / MEMORY_TARGET_MIB, 3),
        "within_targets": figures["analysis_median_s"] < TARGET_SECONDS and peak < MEMORY_TARGET_MIB,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
