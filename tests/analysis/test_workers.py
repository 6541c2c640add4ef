"""The shared pool of analysis workers: same results as in this process, reused, and not used where a
process may not have children."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from consult.analysis import workers
from consult.analysis.counts import build_counts
from consult.analysis.results import build_results
from tests.analysis.test_results import CAMPAIGN, questionnaire, respondents


def process_id(_: object) -> int:
    return os.getpid()


def square(n: int) -> int:
    return n * n


def die(_: object) -> None:
    os._exit(3)


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(workers, "core_count", lambda: 2)


def test_results_come_in_order_from_other_processes(two_cores):
    assert list(workers.ordered_map(square, range(7))) == [n * n for n in range(7)]
    assert os.getpid() not in set(workers.ordered_map(process_id, range(4)))


def test_the_pool_is_made_once_and_reused(two_cores):
    first = set(workers.ordered_map(process_id, range(6)))
    assert workers.shared_pool() is workers.shared_pool()
    assert set(workers.ordered_map(process_id, range(6))) <= first | set(workers.shared_pool()._processes)


def test_a_daemonic_process_works_alone(two_cores, monkeypatch):
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    assert not workers.parallel() and workers.warm_up() is None
    assert set(workers.ordered_map(process_id, range(4))) == {os.getpid()}


def test_one_core_works_alone(monkeypatch):
    monkeypatch.setattr(workers, "core_count", lambda: 1)
    assert set(workers.ordered_map(process_id, range(4))) == {os.getpid()}


def test_a_broken_pool_is_replaced(two_cores):
    with pytest.raises(BrokenProcessPool):
        list(workers.ordered_map(die, range(2)))
    assert list(workers.ordered_map(square, range(3))) == [0, 1, 4]


def test_warm_up_starts_every_worker_in_the_background(two_cores):
    workers.warm_up().join(timeout=60)
    assert len(workers.shared_pool()._processes) == 2


def test_audits_in_parallel_give_the_results_of_audits_one_by_one(monkeypatch):
    """Three dimensions and small groups: the audits search and add complements in most sections."""
    q = questionnaire(sizes=(3, 1, 4, 2, 2, 5), options=(3, 2, 4))
    answers, profiles = respondents(q, 140, seed=11, missing=0.2)
    tables = build_counts(q, answers, profiles)
    monkeypatch.setattr(workers, "core_count", lambda: 1)
    alone = build_results(CAMPAIGN, q, tables)
    monkeypatch.setattr(workers, "core_count", lambda: 2)
    spread = build_results(CAMPAIGN, q, tables)
    assert json.dumps(spread, sort_keys=True) == json.dumps(alone, sort_keys=True)
    assert workers.shared_pool()._processes
