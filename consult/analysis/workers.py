"""One pool of worker processes per process, shared by the analysis's CPU-bound steps (the disclosure
audits of a campaign's sections, the drawing of its charts).

Matplotlib and the HiGHS solver hold the interpreter's lock while they work, so threads would not help.
The workers come from a fork server that has imported the analysis modules once, before any thread:
forking the web process itself could copy a lock another of its threads holds, and hang the child. The
pool is made on first use and kept: an analysis then pays neither the server's imports nor the workers'
start. ``warm_up`` starts both in the background, for a caller that knows work is coming.

Where workers cannot or need not be made the work runs in this process, in the same order with the same
results: in a daemonic process (a Celery prefork worker may not have children), or on one core.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

PRELOADED = ("consult.analysis.charts", "consult.analysis.disclosure", "consult.analysis.chartdraw")
"""What the fork server imports once (matplotlib, numpy, scipy's solver), so no worker imports it."""

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_owner: int | None = None
"""The process that made ``_pool``: a child forked from it (a web server's worker) makes its own."""


def core_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def may_have_children() -> bool:
    """False in a daemonic process, such as a Celery prefork worker's child."""
    return not multiprocessing.current_process().daemon


def parallel() -> bool:
    """Whether work goes to worker processes: more than one core, and a process allowed children."""
    return core_count() > 1 and may_have_children()


def pool_context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOADED))
    return context


def shared_pool() -> ProcessPoolExecutor:
    """The process's pool, made on first use (one worker per core)."""
    global _pool, _owner
    with _lock:
        if _pool is None or _owner != os.getpid():
            _pool, _owner = ProcessPoolExecutor(core_count(), mp_context=pool_context()), os.getpid()
        return _pool


def discard_pool() -> None:
    """Forget a broken pool (a worker died): the next call makes a new one."""
    global _pool
    with _lock:
        broken, _pool = _pool, None
    if broken is not None and _owner == os.getpid():
        broken.shutdown(wait=False, cancel_futures=True)


def ordered_map(function: Callable, items: Iterable) -> Iterator:
    """``map(function, items)``, its calls spread over the shared pool when ``parallel()``; results in the
    order of ``items``, each as soon as it and those before it are done. ``function`` and the items must be
    picklable (a module-level function, or a ``functools.partial`` of one)."""
    items = list(items)
    if len(items) < 2 or not parallel():
        yield from map(function, items)
        return
    try:
        yield from shared_pool().map(function, items)
    except BrokenProcessPool:
        discard_pool()
        raise


def _ready() -> int:
    return os.getpid()


def warm_up() -> threading.Thread | None:
    """Start the fork server and every worker in a background thread, so that their imports overlap
    whatever the caller does meanwhile; None when work would run in this process anyway."""
    if not parallel():
        return None

    def start_workers() -> None:
        pool = shared_pool()
        for future in [pool.submit(_ready) for _ in range(core_count())]:
            future.result()

    thread = threading.Thread(target=start_workers, name="analysis-workers-warm-up", daemon=True)
    thread.start()
    return thread
