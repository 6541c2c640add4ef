"""How far an analysis run in this process has got, for a command that runs it in-process and shows a bar.

Workers write their progress in the run's row (``AnalysisRun.progress``), which the run page and
``consult campaign analyse --wait`` follow. Without a task queue the whole analysis is one call in the
command's own process, so the row cannot be followed while it runs: the command listens here instead, and
hears each counted partition, the results, and each section's charts in each language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[float], None]
"""Called with the share of the run done, from 0 to 1."""

COUNTED = 0.1
RESULTS_MADE = 0.35
"""Shares of the bar at the end of counting and of the results; the charts take the rest (the longest)."""

_listener: ContextVar[Listener | None] = ContextVar("analysis_progress", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def report(share: float) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(min(1.0, max(0.0, share)))


def partitions_counted(done: int, total: int) -> None:
    report(COUNTED * done / total if total else COUNTED)


def results_made() -> None:
    report(RESULTS_MADE)


def charts_drawn(done: int, total: int) -> None:
    """``done`` of the run's ``total`` sections to draw (in every language) are drawn."""
    report(RESULTS_MADE + (1 - RESULTS_MADE) * done / max(total, 1))


def finished() -> None:
    report(1.0)
