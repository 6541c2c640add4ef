"""Benchmark: researchers answering at once, through every page, against gunicorn and a real database.

A fresh database (PostgreSQL, then the embedded SQLite in a temporary folder) gets an open campaign and one
token per virtual respondent, made in-process with the app's services. gunicorn then serves the app with the
repository's gunicorn.conf.py (gthread workers), and a load generator (processes of threads, HTTP/1.1 with
keep-alive spoken on the socket) walks each respondent through every page: welcome, each step GET then POST
(with its CSRF token), "About you", the review, the submission and the thank-you page, and the style sheet
and icon once (they are served as immutable: a browser keeps them for the other pages). Some tokens are
reused on purpose: a second submission after the first, and two submissions at the same instant. At the end
the stored responses are counted (admitted responses and ballots still waiting for their batch): exactly
one per token, none lost, none twice, no draft left.
Targets (2 cores, load generator included), against the floor measured in the same run (below): at least
0.5 of the floor's rate on PostgreSQL and 0.35 on SQLite, p99 < 300 ms per request, nothing lost. (An
absolute rate is no target: this shared machine's speed drifts, and the floor's rate with it.)

Baseline, in the same run and against the same gunicorn: the same clients walk 16 requests to ``/healthz``
(the app's cheapest page: Flask, its hooks, an ORM session and ``SELECT 1``) per "questionnaire". Its rate
is the ceiling that this machine, gunicorn, Flask and the load generator set at that moment;
``vs_baseline`` is the questionnaire's share of it, comparable across machines whose speed differs.

Floor, in the same run: ``floor_app.py`` (Flask alone, one indexed query on the invitation table per request,
a page of the questionnaire's mean size) served with the same gunicorn.conf.py and walked by the same
clients, 16 requests per token. It is the least work a respondent's page can do, and the questionnaire's
rate is judged as a share of it (``vs_floor``, ``targets_met``). Each database is run
``--repeat`` times (a fresh database each time); each run's figures and their medians are printed.

    /work/venv/bin/python bench/bench_respond.py [--respondents 1500] [--clients 48] [--repeat 3]
        [--databases postgresql,sqlite]
        [--questionnaire charter-2023|short] [--web-workers N] [--web-threads N] [--generators 2]

Needs PostgreSQL (CONSULT_BENCH_PG, default postgres@127.0.0.1:5432). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PG_ADMIN = os.environ.get("CONSULT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "consult_bench_respond"
ROOT = Path(__file__).resolve().parent.parent
TARGET_RATE_VS_FLOOR = {"postgresql": 0.5, "sqlite": 0.35}
TARGET_P99_MS = 300.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHOICE = re.compile(r'name="((?:item|profile)-[^"]+)" value="([^"]*)"')
COMMENT = re.compile(r'<textarea id="[^"]+" name="(comment-[^"]+)"')
STEP_LINK = re.compile(r'href="(/r/[^"/]+/step/\d+)"')
STATIC_LINK = re.compile(r'<link rel="[^"]+" href="(/static/[^"]+)"')
BASELINE_PATH, FLOOR_PATH, REQUESTS_PER_QUESTIONNAIRE = "/healthz", "/floor/{token}", 16
CONSULT_APP, FLOOR_APP = "consult:create_app()", "bench.floor_app:create_app()"


# --------------------------------------------------------------------------- setting up


def pg_database() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE


def server_environment(database_url: str) -> dict[str, str]:
    """No REDIS_URL: the rate limiter counts in each worker's memory, as in the embedded default."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return env | {
        "SECRET_KEY": "bench-respond",
        "CONSULT_BASE_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url,
    }


def bench_questionnaire(name: str):
    from consult.surveys.questionnaires.charter_templates import load_template

    q = load_template("charter-2023")
    if name == "short":
        q = replace(q, sections=tuple(replace(s, items=s.items[:1]) for s in q.sections[:8]))
    return q


def prepare(env: dict[str, str], questionnaire: str, respondents: int) -> list[str]:
    """Schema, reference data, an open campaign and its tokens, through the app's own services."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from consult import create_app
    from consult.charter.services import load_reference_data
    from consult.extensions import db
    from consult.surveys.campaigns import services
    from consult.surveys.invitations import links

    app = create_app()
    with app.test_request_context():
        upgrade()
        load_reference_data()
        campaign = services.create_campaign(bench_questionnaire(questionnaire))
        services.open_campaign(campaign)
        tokens = [issued.token for issued in links.issue_tokens(campaign, respondents)]
        db.session.commit()
        db.engine.dispose()
    return tokens


def count_stored(env: dict[str, str]) -> dict[str, int]:
    os.environ.update(env)
    from sqlalchemy import func, select

    from consult import create_app
    from consult.extensions import db
    from consult.surveys.invitations.models import Invitation
    from consult.surveys.responses.models import Ballot, Draft, Response

    app = create_app()
    with app.app_context():
        admitted = db.session.scalar(select(func.count()).select_from(Response))
        pending = db.session.scalar(select(func.count()).select_from(Ballot))
        counts = {
            "responses_stored": admitted + pending,
            "responses_admitted": admitted,
            "ballots_pending": pending,
            "tokens_used": db.session.scalar(select(func.count()).where(Invitation.used.is_(True))),
            "drafts_left": db.session.scalar(select(func.count()).select_from(Draft)),
        }
        db.engine.dispose()
    return counts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, args: argparse.Namespace, log: Path, app: str = CONSULT_APP
):
    """gunicorn as deployed (gunicorn.conf.py) serving ``app``; ``--web-workers`` and ``--web-threads``
    override its defaults."""
    env = env | {"CONSULT_BIND": f"127.0.0.1:{port}"}
    env |= {"WEB_CONCURRENCY": str(args.web_workers)} if args.web_workers else {}
    env |= {"WEB_THREADS": str(args.web_threads)} if args.web_threads else {}
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


# --------------------------------------------------------------------------- one virtual respondent


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    submitted: int = 0
    cpu_seconds: float = 0.0
    refused_again: int = 0
    double_submit_stored: int = 0
    bytes_received: int = 0


class Browser:
    """One respondent's browser: a keep-alive connection and its cookies. HTTP/1.1 is spoken directly on the
    socket: ``http.client`` parses headers with the e-mail package and cost the load generator a third of
    its CPU, which the target counts against the server."""

    def __init__(self, port: int, tally: Tally, language: str) -> None:
        self.port, self.tally, self.language = port, tally, language
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Accept-Language: {self.language}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            try:
                return self.exchange(request)
            except OSError as error:
                self.close()
                if attempt == 2:
                    self.tally.errors.append(f"{method} {path}: {error!r}")
        return 0, "", ""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def exchange(self, request: bytes) -> tuple[int, str, str]:
        start = time.perf_counter()
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        status, headers, body = self.read_response()
        self.tally.latencies_ms.append((time.perf_counter() - start) * 1000)
        self.tally.bytes_received += len(body)
        location = ""
        for name, value in headers:
            if name == "set-cookie":
                cookie = value.partition(";")[0]
                key, _, content = cookie.partition("=")
                self.cookies[key.strip()] = content
            elif name == "location":
                location = value
        return status, location, body.decode()

    def read_response(self) -> tuple[int, list[tuple[str, str]], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self.receive()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = [(n.strip().lower(), v.strip()) for n, _, v in (line.partition(":") for line in lines[1:])]
        length = next((int(v) for n, v in headers if n == "content-length"), None)
        if length is None:
            raise OSError("response without Content-Length")
        while len(self.buffer) < length:
            self.receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if any(n == "connection" and v.lower() == "close" for n, v in headers):
            self.close()
        return int(lines[0].split(" ", 2)[1]), headers, body

    def receive(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise OSError("connection closed by the server")
        self.buffer += chunk

    def expect(self, status: int, method: str, path: str, form: dict | None = None) -> tuple[str, str]:
        got, location, text = self.send(method, path, form)
        if got != status:
            self.tally.errors.append(f"{method} {path.split('/', 3)[-1]}: {got} instead of {status}")
        return location, text


FORMS: dict[tuple[str, str], tuple[dict[str, list[str]], list[str]]] = {}
"""The controls of each step page, per language: the same for every respondent, so read once per process (a
browser's parsing costs the server nothing; the load generator's shares its two cores)."""


def form_controls(page: str, path: str, language: str) -> tuple[dict[str, list[str]], list[str]]:
    key = (path.rsplit("/", 1)[-1], language)
    if key not in FORMS:
        choices: dict[str, list[str]] = {}
        for name, value in CHOICE.findall(page):
            choices.setdefault(name, []).append(value)
        FORMS[key] = choices, COMMENT.findall(page)
    return FORMS[key]


def answers_for(page: str, path: str, language: str, rng: random.Random) -> dict[str, str]:
    choices, comments = form_controls(page, path, language)
    form = {name: rng.choice(values) for name, values in choices.items() if rng.random() < 0.97}
    form |= {name: "Comment from a load test: fine." for name in comments if rng.random() < 0.2}
    return form | {"csrf_token": CSRF.search(page).group(1), "action": "next"}


def walk(port: int, token: str, tally: Tally, rng: random.Random, twice: str) -> None:
    """Every page, as a browser would; ``twice`` reuses the token ("after" or "together")."""
    browser = Browser(port, tally, rng.choice(["en", "fr-FR,fr;q=0.9"]))
    base = f"/r/{token}"
    _, page = browser.expect(200, "GET", base)
    for asset in STATIC_LINK.findall(page):
        browser.expect(200, "GET", asset)
    path = STEP_LINK.search(page).group(1)
    while True:
        _, page = browser.expect(200, "GET", path)
        if "/submit" in page:
            break
        location, _ = browser.expect(303, "POST", path, answers_for(page, path, browser.language, rng))
        path = urlsplit(location).path or path
    form = {"csrf_token": CSRF.search(page).group(1)}
    submit_all(port, browser, base, form, tally, twice)


def submit_all(port: int, browser: Browser, base: str, form: dict, tally: Tally, twice: str) -> None:
    statuses: list[int] = []
    if twice == "together":
        twin = Browser(port, tally, browser.language)
        twin.cookies = dict(browser.cookies)
        thread = threading.Thread(
            target=lambda: statuses.append(twin.send("POST", base + "/submit", form)[0])
        )
        thread.start()
    statuses.append(browser.send("POST", base + "/submit", form)[0])
    if twice == "together":
        thread.join()
    tally.submitted += statuses.count(303) >= 1
    tally.double_submit_stored += max(statuses.count(303) - 1, 0)
    if 303 in statuses:
        browser.expect(200, "GET", base + "/thanks")
    if twice == "after":
        status = browser.send("POST", base + "/submit", form)[0]
        tally.refused_again += status in (200, 409)


def walk_reference(path: str, port: int, token: str, tally: Tally, _rng: random.Random, _twice: str) -> None:
    """A reference's "questionnaire" (the baseline's, the floor's): as many requests as a real one, each to
    ``path`` with the walk's token in it."""
    browser = Browser(port, tally, "en")
    for _ in range(REQUESTS_PER_QUESTIONNAIRE):
        browser.expect(200, "GET", path.format(token=token))
    browser.close()
    tally.submitted += 1


walk_baseline = partial(walk_reference, BASELINE_PATH)
walk_floor = partial(walk_reference, FLOOR_PATH)


def generator(port: int, tokens: list[str], threads: int, seed: int, walker=walk) -> Tally:
    """One load-generator process: ``threads`` respondents at a time, each taking the next token."""
    tally, lock = Tally(), threading.Lock()
    queue = list(enumerate(tokens))

    def respondent(offset: int) -> None:
        rng = random.Random(seed + offset)
        while True:
            with lock:
                if not queue:
                    return
                index, token = queue.pop()
            twice = "after" if index % 20 == 1 else "together" if index % 20 == 2 else ""
            walker(port, token, tally, rng, twice)

    workers = [threading.Thread(target=respondent, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    tally.cpu_seconds = usage.ru_utime + usage.ru_stime
    return tally


# --------------------------------------------------------------------------- one run


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def load(port: int, tokens: list[str], clients: int, generators: int, walker=walk) -> tuple[Tally, float]:
    shares = [tokens[i::generators] for i in range(generators)]
    start = time.perf_counter()
    with ProcessPoolExecutor(generators) as pool:
        futures = [
            pool.submit(generator, port, share, clients // generators, i * 100_000, walker)
            for i, share in enumerate(shares)
        ]
        tallies = [future.result() for future in futures]
    elapsed = time.perf_counter() - start
    total = Tally()
    for tally in tallies:
        total.latencies_ms += tally.latencies_ms
        total.errors += tally.errors
        total.submitted += tally.submitted
        total.refused_again += tally.refused_again
        total.double_submit_stored += tally.double_submit_stored
        total.cpu_seconds += tally.cpu_seconds
        total.bytes_received += tally.bytes_received
    return total, elapsed


def run(database: str, args: argparse.Namespace) -> dict:
    """One fresh database: the baseline and the questionnaires on one gunicorn, the count, then the floor on
    another gunicorn with the same settings."""
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        instance = Path(folder)
        url = pg_database() if database == "postgresql" else f"sqlite:///{instance / 'consult.db'}"
        env = server_environment(url)
        tokens = subprocess_call(prepare, env, args.questionnaire, args.respondents)
        with serving(env, args, instance / "gunicorn.log") as (pid, port):
            baseline = measured(pid, database, args, port, [""] * len(tokens), walk_baseline)
            tally, elapsed, cpu = measured(pid, database, args, port, tokens, walk)
        stored = subprocess_call(count_stored, env)
        page_bytes = tally.bytes_received // max(len(tally.latencies_ms), 1)
        floor_env = env | {"FLOOR_PAGE_BYTES": str(page_bytes)}
        with serving(floor_env, args, instance / "floor.log", FLOOR_APP) as (pid, port):
            floor = measured(pid, database, args, port, tokens, walk_floor)
    figures = summary(database, args, tokens, tally, elapsed, stored) | cpu_figures(cpu, tally.submitted)
    return figures | {
        "baseline": reference_figures(BASELINE_PATH, *baseline),
        "vs_baseline": against_reference(figures, baseline),
        "floor": reference_figures(FLOOR_PATH, *floor) | {"page_bytes": page_bytes},
        "vs_floor": against_reference(figures, floor),
    }


@contextmanager
def serving(env: dict[str, str], args: argparse.Namespace, log: Path, app: str = CONSULT_APP):
    """gunicorn serving ``app`` for the time of the block: its process id and port."""
    port = free_port()
    server = start_gunicorn(env, port, args, log, app)
    try:
        yield server.pid, port
    finally:
        server.terminate()
        server.wait(30)


def measured(pid: int, database: str, args, port: int, tokens: list, walker) -> tuple[Tally, float, dict]:
    """One load, with the CPU each part spent on it."""
    web, backends = process_tree_cpu(pid), database_cpu(database)
    tally, elapsed = load(port, tokens, args.clients, args.generators, walker)
    cpu = {
        "web": process_tree_cpu(pid) - web,
        "database": sum(seconds - backends.get(p, 0.0) for p, seconds in database_cpu(database).items()),
        "load_generator": tally.cpu_seconds,
    }
    return tally, elapsed, cpu


def reference_figures(path: str, tally: Tally, elapsed: float, cpu: dict) -> dict:
    return {
        "path": path,
        "requests_per_questionnaire": REQUESTS_PER_QUESTIONNAIRE,
        "questionnaires_per_second": round(tally.submitted / elapsed, 1),
        "latency_ms": latency_figures(tally.latencies_ms),
        "errors": len(tally.errors),
    } | cpu_figures(cpu, tally.submitted)


def against_reference(figures: dict, reference: tuple[Tally, float, dict]) -> dict:
    """The questionnaire's rate as a share of a reference's (the baseline's, the floor's), and its CPU as a
    multiple of the reference's."""
    tally, elapsed, cpu = reference
    rate = tally.submitted / elapsed
    cpu_ms = sum(cpu.values()) * 1000 / max(tally.submitted, 1)
    return {
        "rate_ratio": round(figures["questionnaires_per_second"] / rate, 3) if rate else None,
        "cpu_ratio": round(figures["cpu_ms_per_questionnaire"]["total"] / cpu_ms, 2) if cpu_ms else None,
    }


def cpu_seconds(pid: int) -> float:
    """User and system time of a process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def database_cpu(database: str) -> dict[int, float]:
    """CPU of each backend of the benchmark database so far (they live as long as the web workers)."""
    if database != "postgresql":
        return {}
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        pids = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (DATABASE,)
        ).fetchall()
    return {pid: cpu_seconds(pid) for (pid,) in pids}


def cpu_figures(cpu: dict[str, float], questionnaires: int) -> dict:
    """CPU per questionnaire, and the rate it allows on two cores given to it alone (machines are shared)."""
    per = {part: round(seconds * 1000 / max(questionnaires, 1), 2) for part, seconds in cpu.items()}
    total = sum(per.values())
    return {
        "cpu_ms_per_questionnaire": per | {"total": round(total, 2)},
        "questionnaires_per_second_on_two_free_cores": round(2000 / total, 1) if total else None,
    }


def subprocess_call(function, *arguments):
    """Run set-up and counting in a fresh process, with the server's environment and no state left behind."""
    with ProcessPoolExecutor(1) as pool:
        return pool.submit(function, *arguments).result()


def latency_figures(latencies_ms: list[float]) -> dict[str, float]:
    return {
        q: percentile(latencies_ms, p) for q, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
    }


def summary(database: str, args, tokens: list[str], tally: Tally, elapsed: float, stored: dict) -> dict:
    requests = len(tally.latencies_ms)
    return {
        "database": database,
        "questionnaire": args.questionnaire,
        "respondents": len(tokens),
        "clients": args.clients,
        "gunicorn": {"workers": args.web_workers or os.cpu_count(), "threads": args.web_threads or 2},
        "seconds": round(elapsed, 2),
        "questionnaires_per_second": round(tally.submitted / elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "latency_ms": latency_figures(tally.latencies_ms),
        "errors": len(tally.errors),
        "error_samples": sorted(set(tally.errors))[:5],
        "responses_expected": len(tokens),
        **stored,
        "lost": max(len(tokens) - stored["responses_stored"], 0),
        "duplicates": max(stored["responses_stored"] - len(tokens), 0) + tally.double_submit_stored,
        "reused_tokens_refused": tally.refused_again,
    }


MEDIAN_FIGURES = {
    "questionnaires_per_second": ("questionnaires_per_second",),
    "p50_ms": ("latency_ms", "p50"),
    "p99_ms": ("latency_ms", "p99"),
    "cpu_ms_per_questionnaire": ("cpu_ms_per_questionnaire", "total"),
    "baseline_questionnaires_per_second": ("baseline", "questionnaires_per_second"),
    "baseline_cpu_ms_per_questionnaire": ("baseline", "cpu_ms_per_questionnaire", "total"),
    "rate_ratio_vs_baseline": ("vs_baseline", "rate_ratio"),
    "cpu_ratio_vs_baseline": ("vs_baseline", "cpu_ratio"),
    "floor_questionnaires_per_second": ("floor", "questionnaires_per_second"),
    "floor_cpu_ms_per_questionnaire": ("floor", "cpu_ms_per_questionnaire", "total"),
    "rate_ratio_vs_floor": ("vs_floor", "rate_ratio"),
    "cpu_ratio_vs_floor": ("vs_floor", "cpu_ratio"),
}


def figure(run: dict, path: tuple[str, ...]) -> float:
    for key in path:
        run = run[key]
    return run


def medians(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Per database, the median of each headline figure over its runs."""
    by_database: dict[str, list[dict]] = {}
    for r in runs:
        by_database.setdefault(r["database"], []).append(r)
    return {
        database: {"runs": len(rs)}
        | {name: round(statistics.median(figure(r, p) for r in rs), 3) for name, p in MEDIAN_FIGURES.items()}
        for database, rs in by_database.items()
    }


def targets_met(database: str, middle: dict[str, float]) -> dict[str, bool]:
    return {
        "rate_ratio_vs_floor": middle["rate_ratio_vs_floor"] >= TARGET_RATE_VS_FLOOR[database],
        "p99_ms": middle["p99_ms"] < TARGET_P99_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--respondents", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=3, help="runs per database; medians are reported")
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--questionnaire", choices=("charter-2023", "short"), default="charter-2023")
    parser.add_argument("--web-workers", type=int, help="default: gunicorn.conf.py's (one per core)")
    parser.add_argument("--web-threads", type=int, help="default: gunicorn.conf.py's (2)")
    parser.add_argument("--generators", type=int, default=2)
    args = parser.parse_args()
    runs = [run(database, args) for _ in range(args.repeat) for database in args.databases.split(",")]
    middle = medians(runs)
    nothing_lost = all(r["lost"] == 0 and r["duplicates"] == 0 and r["drafts_left"] == 0 for r in runs)
    print(
        json.dumps(
            {
                "runs": runs,
                "medians": middle,
                "targets": {"rate_ratio_vs_floor": TARGET_RATE_VS_FLOOR, "p99_ms": TARGET_P99_MS},
                "targets_met": {database: targets_met(database, m) for database, m in middle.items()},
                "nothing_lost": nothing_lost,
                "errors": sum(r["errors"] + r["baseline"]["errors"] + r["floor"]["errors"] for r in runs),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
