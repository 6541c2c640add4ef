"""Drawing a results document's charts over processes, and in a process that may not start any."""

from __future__ import annotations

import multiprocessing
import os
import traceback

from consult.analysis.chartdraw import MANIFEST, ChartInputs, draw_sections, worker_count

SCALE = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
INPUTS = ChartInputs("en", SCALE, {}, 5)


def small_section(code: str) -> dict:
    item = {"code": f"{code}.1", "text": "A statement", "counts": [1, 2, 3, 2, 2], "n": 10}
    return {"code": code, "title": "A principle", "n": 10, "items": [item], "breakdowns": {}}


def _draw_in_a_daemon(queue) -> None:
    """Claims two cores, so that without the daemon's own drawing a pool would be started."""
    os.sched_getaffinity = lambda _pid: {0, 1}
    try:
        drawn = dict(draw_sections([small_section("P01"), small_section("P02")], INPUTS))
        queue.put((worker_count(2), {code: sorted(files) for code, files in drawn.items()}))
    except BaseException:
        queue.put(traceback.format_exc())


def test_a_daemonic_process_draws_its_charts_itself():
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    daemon = context.Process(target=_draw_in_a_daemon, args=(queue,), daemon=True)
    daemon.start()
    try:
        outcome = queue.get(timeout=120)
    finally:
        daemon.join(30)
    files = sorted([MANIFEST, ("distribution", "pdf"), ("distribution", "png"), ("distribution", "svg")])
    assert outcome == (1, {"P01": files, "P02": files})


def test_sections_are_spread_over_the_cores_outside_a_daemon():
    cores = len(os.sched_getaffinity(0))
    assert worker_count(20) == min(20, cores) and worker_count(1) == 1
