"""The participation chart: pure geometry over the released series by day."""

from __future__ import annotations

from datetime import date

import pytest

from consult.surveys.campaigns.chart import HEIGHT, MARGIN_BOTTOM, day_chart, nice_ceiling
from consult.surveys.campaigns.participation import day_series, participation


@pytest.mark.parametrize(("value", "ceiling"), [(1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (147, 200)])
def test_the_scale_ends_on_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_bars_are_proportional_and_stand_on_the_baseline():
    chart = day_chart(day_series({date(2026, 3, 2): 5, date(2026, 3, 1): 10}))
    assert [bar.label for bar in chart.bars] == ["2026-03-01", "2026-03-02"]
    assert [bar.value for bar in chart.bars] == [10, 5]
    first, second = chart.bars
    assert first.height == pytest.approx(2 * second.height)
    assert all(bar.y + bar.height == pytest.approx(HEIGHT - MARGIN_BOTTOM) for bar in chart.bars)
    assert [tick.value for tick in chart.ticks] == [0, 5, 10]


def test_many_days_get_a_few_labels():
    series = day_series({date(2026, 3, d): 5 for d in range(1, 31)})
    assert len(day_chart(series).labelled) <= 6


def test_a_hidden_total_draws_nothing():
    figures = participation(5, [], {date(2026, 3, 1): 3}, 10)
    assert figures.by_day == () and day_chart(figures.by_day) is None
