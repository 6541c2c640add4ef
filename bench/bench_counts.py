"""Benchmark: count tables of 1,000,000 respondents x 60 items x 3 dimensions (8, 4, 4 options).

Run by hand: ``python bench/bench_counts.py [--respondents N] [--runs 5]``. Prints one JSON object with the
median times (seconds) and ratios.

* ours: :func:`build_counts` (item counts, score counts of every section and the alpha sums), with its default
  two threads; ours_1_thread: the same on one thread.
* numpy_loop: np.bincount one item at a time over ``cell * (k + 2) + value`` (item counts only).
* pandas: ``groupby([cell, item]).size()`` for each item column (item counts only).
* duckdb: ``GROUP BY cell, item, value`` over a long table registered from pandas; the long table is built
  outside the timed region (item counts only; DuckDB uses every core).

The methods run in turns (one run of each per round) so that a busy machine slows them alike.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from consult.analysis.counts import build_counts
from consult.analysis.results import build_results
from consult.surveys.questionnaires.spec import (
    DONT_KNOW,
    Dimension,
    Item,
    Option,
    Questionnaire,
    Scale,
    Section,
)

OPTIONS = (8, 4, 4)
SECTIONS, ITEMS_PER_SECTION, POINTS = 20, 3, 5


def questionnaire() -> Questionnaire:
    sections = tuple(
        Section(
            f"P{s + 1:02d}",
            {"en": f"Principle {s + 1}"},
            tuple(
                Item(f"P{s + 1:02d}.{i + 1}", {"en": "item"}, reverse=i == 2)
                for i in range(ITEMS_PER_SECTION)
            ),
            principle=s + 1,
        )
        for s in range(SECTIONS)
    )
    dimensions = tuple(
        Dimension(
            f"d{d}", {"en": f"Dimension {d}"}, tuple(Option(f"o{o}", {"en": f"Option {o}"}) for o in range(n))
        )
        for d, n in enumerate(OPTIONS)
    )
    return Questionnaire({"en": "Bench"}, ("en",), Scale(POINTS, {}, (4, 5)), dimensions, sections)


def respondents(n: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    """Correlated answers with realistic gaps: 3% item non-response, 5% don't know, 8% of respondents stopping
    part-way, 6% not stating each dimension."""
    rng = np.random.default_rng(seed)
    n_items = SECTIONS * ITEMS_PER_SECTION
    mood = rng.normal(3.4, 0.8, (n, 1))
    answers = np.clip(np.rint(mood + rng.normal(0, 0.9, (n, n_items))), 1, POINTS).astype(np.uint8)
    draw = rng.random((n, n_items))
    answers[draw < 0.03] = 0
    answers[(draw >= 0.03) & (draw < 0.08)] = DONT_KNOW
    stopped = rng.random(n) < 0.08
    answers[stopped] *= np.arange(n_items) < rng.integers(1, n_items, (n, 1))[stopped]
    weights = [rng.dirichlet(np.ones(count) * 3) for count in OPTIONS]
    profiles = np.stack(
        [rng.choice(np.arange(1, count + 1), n, p=w) for count, w in zip(OPTIONS, weights, strict=True)],
        axis=1,
    )
    profiles[rng.random(profiles.shape) < 0.06] = 0
    return answers, profiles.astype(np.uint8)


def cells_of(profiles: np.ndarray) -> np.ndarray:
    return np.ravel_multi_index(tuple(profiles.T.astype(np.intp)), tuple(n + 1 for n in OPTIONS))


def numpy_loop(answers: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    n_cells = int(np.prod([n + 1 for n in OPTIONS]))
    base = cells_of(profiles) * (POINTS + 2)
    value = np.zeros(256, np.intp)
    value[1 : POINTS + 1] = np.arange(1, POINTS + 1)
    value[DONT_KNOW] = POINTS + 1
    return np.stack(
        [
            np.bincount(base + value[answers[:, j]], minlength=n_cells * (POINTS + 2))
            for j in range(answers.shape[1])
        ]
    )


def check_same_counts(q: Questionnaire, ours: np.ndarray, loop: np.ndarray) -> None:
    """The numpy loop counts raw values; ours are reverse-keyed."""
    raw = loop.reshape(len(q.items), -1, POINTS + 2).transpose(1, 0, 2)
    reverse = np.array([item.reverse for item in q.items])
    unkeyed = [0, *range(POINTS, 0, -1), POINTS + 1]
    if not (
        (ours[:, ~reverse] == raw[:, ~reverse]).all()
        and (ours[:, reverse][:, :, unkeyed] == raw[:, reverse]).all()
    ):
        raise AssertionError("build_counts and the numpy loop disagree")


def pandas_counts(frame: pd.DataFrame) -> list[pd.Series]:
    return [frame.groupby(["cell", column], sort=False).size() for column in frame.columns[1:]]


def long_table(answers: np.ndarray, profiles: np.ndarray) -> pd.DataFrame:
    n, n_items = answers.shape
    return pd.DataFrame(
        {
            "cell": np.repeat(cells_of(profiles).astype(np.int32), n_items),
            "item": np.tile(np.arange(n_items, dtype=np.int16), n),
            "value": answers.ravel(),
        }
    )


def rounds(methods: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(runs):
        for name, method in methods.items():
            start = time.perf_counter()
            method()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_memory(function: Callable[[], object]) -> int:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    q = questionnaire()
    answers, profiles = respondents(args.respondents)
    tables = build_counts(q, answers, profiles)
    check_same_counts(q, tables.item_counts, numpy_loop(answers, profiles))
    frame = pd.DataFrame(answers, columns=[item.code for item in q.items])
    frame.insert(0, "cell", cells_of(profiles))
    connection = duckdb.connect()
    connection.register("answers_long", long_table(answers, profiles))
    query = "SELECT cell, item, value, count(*) AS n FROM answers_long GROUP BY cell, item, value"
    medians = rounds(
        {
            "ours": lambda: build_counts(q, answers, profiles),
            "ours_1_thread": lambda: build_counts(q, answers, profiles, threads=1),
            "numpy_loop": lambda: numpy_loop(answers, profiles),
            "pandas": lambda: pandas_counts(frame),
            "duckdb": lambda: connection.execute(query).fetchnumpy(),
        },
        args.runs,
    )
    campaign = {"slug": "bench", "title": "Bench", "min_group_size": 5}
    medians |= rounds({"build_results": lambda: build_results(campaign, q, tables)}, args.runs)
    report = {
        "respondents": args.respondents,
        "items": len(q.items),
        "options": list(OPTIONS),
        "median_seconds": {name: round(value, 4) for name, value in medians.items()},
        "ratios": {
            f"{name}/{ours}": round(medians[name] / medians[ours], 2)
            for ours in ("ours", "ours_1_thread")
            for name in ("pandas", "duckdb", "numpy_loop")
        },
        "peak_memory_mb": {
            "build_counts_traced": round(peak_memory(lambda: build_counts(q, answers, profiles)) / 2**20, 1),
            "build_results_traced": round(peak_memory(lambda: build_results(campaign, q, tables)) / 2**20, 1),
            "process_max_rss": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10, 1),
        },
        "scope": "ours builds item counts, score counts and alpha sums; the others item counts only",
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
