"""Participation by day drawn as a bar chart: pure geometry for an inline SVG (no script, no image request).

It draws only the released series (``participation.day_series``, already empty when the total is hidden), so
it shows nothing the table beside it does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consult.surveys.campaigns.participation import DayFigures

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 44, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    baseline: float
    left: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labelled: frozenset[int]
    """The bars whose day is written under them (about six, so that labels never overlap)."""


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above ``value``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def day_chart(series: Sequence[DayFigures]) -> DayChart | None:
    """Bars of the responses received each day, on a scale from 0 to a round maximum; None without data."""
    if not series:
        return None
    top = nice_ceiling(max(day.responses for day in series))
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (WIDTH - MARGIN_LEFT) / len(series)
    baseline = HEIGHT - MARGIN_BOTTOM
    bars = tuple(
        Bar(
            x=MARGIN_LEFT + i * slot + slot * 0.1,
            y=baseline - plot_height * day.responses / top,
            width=slot * 0.8,
            height=plot_height * day.responses / top,
            label=day.day.isoformat(),
            value=day.responses,
        )
        for i, day in enumerate(series)
    )
    ticks = tuple(Tick(baseline - plot_height * share, round(top * share)) for share in (0, 0.5, 1))
    every = max(1, -(-len(series) // 6))
    return DayChart(
        WIDTH, HEIGHT, baseline, MARGIN_LEFT, bars, ticks, frozenset(range(0, len(series), every))
    )
