from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from consult.surveys.campaigns.participation import (
    GroupInput,
    Hidden,
    hidden_groups,
    participation,
    reminder_count_shown,
)

DAY1, DAY2, DAY3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)


def figures(counts: dict[str, int], k: int = 5, invited: dict[str, int] | None = None):
    invited = invited or {}
    groups = [GroupInput(code, code.title(), n, invited.get(code)) for code, n in counts.items()]
    return participation(k, groups, {DAY1: sum(counts.values())}, sum(invited.values()))


def by_code(result) -> dict:
    return {g.code: g for g in result.groups}


def test_groups_of_k_or_more_are_shown_with_their_rate():
    result = figures({"north": 12, "south": 8}, invited={"north": 40, "south": 10})
    groups = by_code(result)
    assert (groups["north"].responses, groups["north"].rate) == (12, 0.3)
    assert (groups["south"].responses, groups["south"].rate) == (8, 0.8)
    assert (result.responses, result.invited, result.rate) == (20, 50, 0.4)


def test_a_group_under_k_is_hidden_with_its_rate():
    groups = by_code(
        figures({"north": 12, "south": 3, "east": 9}, invited={"north": 20, "south": 6, "east": 9})
    )
    assert groups["south"].hidden == Hidden.SMALL
    assert groups["south"].responses is None and groups["south"].rate is None


def test_zero_is_not_a_small_group():
    groups = by_code(figures({"north": 12, "south": 0, "east": 9}))
    assert groups["south"].responses == 0 and groups["south"].hidden is None
    assert groups["east"].hidden is None


def test_complementary_suppression_hides_the_next_smallest_group():
    """With the total shown, north = total - south - east would give the small group away."""
    groups = by_code(figures({"north": 3, "south": 40, "east": 9}))
    assert groups["north"].hidden == Hidden.SMALL
    assert groups["east"].hidden == Hidden.COMPLEMENTARY
    assert groups["south"].responses == 40


def test_two_small_groups_that_add_up_to_k_need_no_complement():
    groups = by_code(figures({"north": 2, "south": 3, "east": 9}))
    assert groups["north"].hidden == groups["south"].hidden == Hidden.SMALL
    assert groups["east"].responses == 9


def test_a_total_under_k_is_hidden_and_so_is_the_series_by_day():
    result = participation(5, [GroupInput("north", "North", 2, 10)], {DAY1: 1, DAY2: 1}, 10)
    assert result.total_hidden and result.responses is None and result.rate is None
    assert result.by_day == ()
    assert result.groups[0].responses is None


def test_series_by_day_is_sorted_and_cumulative():
    result = participation(5, [], {DAY3: 4, DAY1: 6, DAY2: 1}, 0)
    assert [(d.day, d.responses, d.cumulative) for d in result.by_day] == [
        (DAY1, 6, 6),
        (DAY2, 1, 7),
        (DAY3, 4, 11),
    ]
    assert result.rate is None


def test_without_invitations_no_rate_is_given():
    groups = by_code(figures({"north": 12}, invited={}))
    assert groups["north"].rate is None


@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(3, 10))
def test_no_released_figure_gives_away_a_small_group(counts: list[int], k: int):
    """Shown groups are 0 or >= k; what the total leaves for the hidden ones together is 0 or >= k (or the
    total itself is under k, and hidden)."""
    hidden = hidden_groups(counts, k)
    assert {i for i, why in hidden.items() if why == Hidden.SMALL} == {
        i for i, n in enumerate(counts) if 0 < n < k
    }
    assert all(counts[i] >= k for i, why in hidden.items() if why == Hidden.COMPLEMENTARY)
    hidden_total = sum(counts[i] for i in hidden)
    assert hidden_total == 0 or hidden_total >= k or sum(counts) < k


def test_reminder_count_is_said_only_when_it_cannot_point_at_people():
    assert reminder_count_shown(sent=40, eligible=100, k=5)
    assert reminder_count_shown(sent=0, eligible=0, k=5)
    assert reminder_count_shown(sent=30, eligible=30, k=5)
    assert not reminder_count_shown(sent=3, eligible=50, k=5)
    assert not reminder_count_shown(sent=48, eligible=50, k=5)
    assert not reminder_count_shown(sent=0, eligible=1, k=5)
