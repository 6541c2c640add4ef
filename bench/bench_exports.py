"""Benchmark: what people wait for around the analysis, each against a floor measured in the same run.

- start: ``consult --help`` against ``python -c "import flask, flask_sqlalchemy, sqlalchemy"`` (<= 1.5);
- charts ZIP, cold (no stored chart: drawn in parallel, then assembled) and warm (assembled from stored
  files), against a floor of bare matplotlib figures of the same sizes, drawn and saved one after the other
  in the same formats (targets: cold <= 0.7, warm <= 0.05);
- every other export (``consult campaign export``: JSON, CSV, XLSX, TSV, HTML, PDF) against the JSON export
  (target <= 2), and the HTML report's size (target < 2 MB);
- a principle page with its charts through the test client: first view after the analysis against a later
  one (target <= 1.5);
- ``consult demo`` against ``consult init`` on an empty database, both on the embedded SQLite (target <= 4).

The campaigns: the demo's (600 respondents of the charter-2023 template) and one of 100,000 respondents, on
PostgreSQL (CONSULT_BENCH_PG, default postgres@127.0.0.1:5432; database consult_bench_exports, recreated).
Medians of --runs runs (default 3); wall-clock seconds, and CPU seconds (this process and its children) beside
them, since a shared machine's load moves the wall clock of a figure and of its floor alike only on average.

    .venv/bin/python bench/bench_exports.py [--runs 3] [--respondents 600,100000] [--skip demo]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

PG_ADMIN = os.environ.get("CONSULT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("CONSULT_BENCH_DATABASE", "consult_bench_exports")
CONSULT = str(Path(sys.executable).with_name("consult"))
FLOOR_IMPORT = [sys.executable, "-c", "import flask, flask_sqlalchemy, sqlalchemy"]
EXPORTS = ("json", "csv", "xlsx", "tsv", "html", "pdf")
TARGETS = {"start": 1.5, "zip_cold": 0.7, "zip_warm": 0.05, "export": 2.0, "page": 1.5, "demo": 4.0}


def cpu_seconds() -> float:
    """This process's CPU, its finished children's, and that of its living descendants (the shared pool's
    workers, forked from a fork server: they outlive each export, so only their own counters see them)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + descendants_cpu()


def descendants_cpu() -> float:
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return sum(cpu for pid, cpu in times.items() if descends_from(pid, os.getpid(), parents))


def descends_from(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid == ancestor:
            return True
    return False


def timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def medians(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "wall_s": round(statistics.median(s[0] for s in samples), 4),
        "cpu_s": round(statistics.median(s[1] for s in samples), 4),
    }


def compared(name: str, figure: dict, floor: dict, target: float) -> dict:
    ratio = figure["wall_s"] / floor["wall_s"] if floor["wall_s"] else None
    cpu_ratio = figure["cpu_s"] / floor["cpu_s"] if floor["cpu_s"] else None
    return {
        "figure": figure,
        "floor": floor,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "cpu_ratio": round(cpu_ratio, 3) if cpu_ratio is not None else None,
        "target": target,
        "meets": ratio is not None and ratio <= target,
        "what": name,
    }


def run(command: list[str], env: dict | None = None) -> None:
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def interleaved(runs: int, first: Callable, second: Callable) -> tuple[dict, dict]:
    """Both measured turn by turn, so that a change of the machine's load touches both alike."""
    a, b = [], []
    for _ in range(runs):
        a.append(timed(first))
        b.append(timed(second))
    return medians(a), medians(b)


# Start and demo: subprocesses on the embedded default.


def bench_start(runs: int) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/consult.db"}
    figure, floor = interleaved(runs, lambda: run([CONSULT, "--help"], env), lambda: run(FLOOR_IMPORT, env))
    return compared(
        "consult --help / import flask, flask_sqlalchemy, sqlalchemy", figure, floor, TARGETS["start"]
    )


def bench_demo(runs: int) -> dict:
    def fresh_env() -> dict:
        return {**os.environ, "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/consult.db"}

    figure, floor = interleaved(
        runs, lambda: run([CONSULT, "demo"], fresh_env()), lambda: run([CONSULT, "init"], fresh_env())
    )
    return compared("consult demo / consult init on an empty database", figure, floor, TARGETS["demo"])


# The campaigns, on PostgreSQL.


def fresh_database() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE


def bench_app(url: str):
    from flask_migrate import upgrade

    from consult import create_app
    from consult.charter.services import load_reference_data
    from consult.config import celery_settings

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "SECRET_KEY": "bench",
            "CELERY": celery_settings(None),
            "CONSULT_JOB_THREAD": False,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        upgrade()
        load_reference_data()
    return app


def analysed_campaign(app, respondents: int) -> tuple[str, int]:
    """A charter-2023 campaign with ``respondents`` synthetic answers, closed and analysed (charts drawn)."""
    from consult.analysis.tasks import start_analysis
    from consult.extensions import db
    from consult.surveys.campaigns import services
    from consult.surveys.questionnaires.charter_templates import load_template
    from consult.surveys.questionnaires.convert import campaign_spec
    from consult.surveys.responses import storage, synthetic

    with app.app_context():
        campaign = services.create_campaign(load_template("charter-2023"), title=f"Bench {respondents}")
        services.open_campaign(campaign)
        data = synthetic.generate(campaign_spec(campaign), respondents, 2026)
        storage.insert_responses(campaign.id, data.answers, data.profiles)
        services.close_campaign(campaign)
        db.session.commit()
        run_ = start_analysis(campaign)
        assert run_.status == "done", run_.error
        return campaign.slug, run_.id


def forget_charts(app, run_id: int) -> None:
    from sqlalchemy import delete

    from consult.analysis.models import ChartFile
    from consult.extensions import db

    with app.app_context():
        db.session.execute(delete(ChartFile).where(ChartFile.run_id == run_id))
        db.session.commit()


def export_in_process(app, slug: str, fmt: str) -> bytes:
    from consult.extensions import db
    from consult.gap.exports import export_campaign
    from consult.surveys.campaigns.services import get_campaign

    with app.app_context():
        content = export_campaign(get_campaign(slug), fmt, "en").content
        db.session.commit()
        return content


def figure_sizes(app, slug: str) -> list[tuple[float, float]]:
    """The sizes of the ZIP's figures, in inches (not timed)."""
    from consult.analysis import charts, chartstore
    from consult.analysis.services import latest_run
    from consult.surveys.campaigns.services import get_campaign

    with app.app_context():
        campaign = get_campaign(slug)
        run_ = latest_run(campaign.id, done_only=True)
        inputs = chartstore.chart_inputs(campaign, "en")
        sizes = []
        for section in chartstore.drawable_sections(campaign, run_.results, "en"):
            figures = charts.section_figures(
                section, inputs.scale_labels, inputs.dimensions, "en", inputs.min_group_size
            )
            sizes += [tuple(figure.get_size_inches()) for figure in figures.values()]
        return sizes


def naive_floor(sizes: list[tuple[float, float]]) -> None:
    """Bare figures of the same sizes, each drawn and saved in PNG, SVG and PDF one after the other."""
    import io

    from matplotlib.figure import Figure

    for size in sizes:
        for fmt in ("png", "svg", "pdf"):
            figure = Figure(figsize=size)
            figure.add_subplot()
            figure.savefig(io.BytesIO(), format=fmt, dpi=150)


def bench_zip(app, slug: str, run_id: int, runs: int) -> dict:
    sizes = figure_sizes(app, slug)
    cold, warm, floor = [], [], []
    for _ in range(runs):
        forget_charts(app, run_id)
        cold.append(timed(lambda: export_in_process(app, slug, "charts")))
        warm.append(timed(lambda: export_in_process(app, slug, "charts")))
        floor.append(timed(lambda: naive_floor(sizes)))
    return {
        "figures": len(sizes),
        "cold": compared("charts ZIP, nothing stored / naive floor", medians(cold), medians(floor), 0.7),
        "warm": compared("charts ZIP, stored charts / naive floor", medians(warm), medians(floor), 0.05),
    }


def bench_exports(url: str, slug: str, runs: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = Path(tempfile.mkdtemp())

    def export(fmt: str) -> Callable[[], None]:
        command = [CONSULT, "campaign", "export", slug, "--format", fmt, "--out", str(out / f"export.{fmt}")]
        return lambda: run(command, env)

    samples: dict[str, list] = {fmt: [] for fmt in EXPORTS}
    for _ in range(runs):
        for fmt in EXPORTS:
            samples[fmt].append(timed(export(fmt)))
    json_floor = medians(samples["json"])
    report = {
        fmt: compared(f"consult campaign export --format {fmt} / --format json", medians(s), json_floor, 2.0)
        for fmt, s in samples.items()
        if fmt != "json"
    }
    html_bytes = (out / "export.html").stat().st_size
    report["html_bytes"] = {"bytes": html_bytes, "target": 2_000_000, "meets": html_bytes < 2_000_000}
    return report


def page_view(client, slug: str, code: str) -> None:
    page = client.get(f"/results/{slug}/{code}")
    assert page.status_code == 200, page.status_code
    for source in re.findall(r'<img class="chart" src="([^"]+)"', page.get_data(as_text=True)):
        assert client.get(source).status_code == 200


def bench_page(app, slug: str, runs: int) -> dict:
    """First views of at least five principles (after one view of the last principle, which compiles the
    templates: a cost of the process, not of a page), then a second view of each."""
    from consult.accounts.models import Role
    from consult.accounts.services import create_user, find_user
    from consult.extensions import db
    from consult.surveys.campaigns.services import get_campaign

    email = "bench-reviewer@example.org"
    with app.app_context():
        if find_user(email) is None:
            create_user(email, Role.REVIEWER, "bench password 2026")
            db.session.commit()
        codes = [section.code for section in get_campaign(slug).questionnaire.sections]
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench password 2026"})
    page_view(client, slug, codes[-1])
    codes = codes[: max(runs, 5)]
    first = [timed(lambda c=code: page_view(client, slug, c)) for code in codes]
    later = [timed(lambda c=code: page_view(client, slug, c)) for code in codes]
    return compared(
        "a principle page and its charts: first view / later view", medians(first), medians(later), 1.5
    )


def bench_campaign(url: str, app, respondents: int, runs: int) -> dict:
    slug, run_id = analysed_campaign(app, respondents)
    report: dict = {"respondents": respondents}
    for name, part in (
        ("principle_page", lambda: bench_page(app, slug, runs)),
        ("charts_zip", lambda: bench_zip(app, slug, run_id, runs)),
        ("exports", lambda: bench_exports(url, slug, runs)),
    ):
        report[name] = part()
        print(json.dumps({respondents: {name: report[name]}}), file=sys.stderr, flush=True)
    return report


def verdict(report: dict) -> bool:
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "meets" in node:
                found.append(bool(node["meets"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report)
    return all(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--respondents", default="600,100000")
    parser.add_argument("--skip", action="append", default=[], choices=["start", "demo", "campaigns"])
    arguments = parser.parse_args()
    report: dict = {"cores": os.cpu_count(), "load_average_before": os.getloadavg(), "runs": arguments.runs}
    if "start" not in arguments.skip:
        report["start"] = bench_start(arguments.runs)
        print(json.dumps({"start": report["start"]}), file=sys.stderr, flush=True)
    if "campaigns" not in arguments.skip:
        url = fresh_database()
        app = bench_app(url)
        report["campaigns"] = [
            bench_campaign(url, app, int(n), arguments.runs) for n in arguments.respondents.split(",")
        ]
    if "demo" not in arguments.skip:
        report["demo"] = bench_demo(arguments.runs)
    report["load_average_after"] = os.getloadavg()
    report["all_targets_met"] = verdict(report)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
