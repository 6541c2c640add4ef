"""Participation figures for HR: responses so far, per school against invitations, and by day.

Pure module. Participation is a count of people, so it obeys the same disclosure rule as the results
(design.md, "Anonymity"): a school with fewer than k responses (but at least one) shows "fewer than k" and no
rate; and because the total is shown, the hidden schools together must count 0 or at least k responses, so the
next smallest schools are hidden too until they do. When the total itself is under k, it is hidden, and so is
the series by day, which would add up to it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Hidden(StrEnum):
    SMALL = "small"
    """Fewer than k responses: shown as "fewer than k"."""
    COMPLEMENTARY = "complementary"
    """Hidden so that the total does not give away a small group."""
    ELSEWHERE = "elsewhere"
    """Hidden because the campaign's results hide it: one suppression decision for every release."""


@dataclass(frozen=True)
class GroupInput:
    code: str
    label: str
    responses: int
    invited: int | None = None
    """Invitations for this group; None when the group cannot be invited (school not stated)."""


@dataclass(frozen=True)
class GroupFigures:
    code: str
    label: str
    invited: int | None
    responses: int | None
    rate: float | None
    hidden: Hidden | None = None


@dataclass(frozen=True)
class DayFigures:
    day: date
    responses: int
    cumulative: int


@dataclass(frozen=True)
class Participation:
    min_group_size: int
    invited: int
    responses: int | None
    rate: float | None
    groups: tuple[GroupFigures, ...]
    by_day: tuple[DayFigures, ...]

    @property
    def total_hidden(self) -> bool:
        return self.responses is None


def hidden_groups(counts: Sequence[int], k: int, elsewhere: Collection[int] = ()) -> dict[int, Hidden]:
    """The groups to hide: those under k and those the results hide (``elsewhere``), then the next smallest
    until the hidden ones sum to 0 or >= k."""
    hidden = {i: Hidden.ELSEWHERE for i in elsewhere if counts[i] > 0}
    hidden |= {i: Hidden.SMALL for i, n in enumerate(counts) if 0 < n < k}
    while 0 < sum(counts[i] for i in hidden) < k:
        candidates = [i for i, n in enumerate(counts) if i not in hidden and n > 0]
        if not candidates:
            break
        hidden[min(candidates, key=lambda i: (counts[i], i))] = Hidden.COMPLEMENTARY
    return hidden


def rate(responses: int | None, invited: int | None) -> float | None:
    if responses is None or not invited:
        return None
    return responses / invited


def participation(
    min_group_size: int,
    groups: Sequence[GroupInput],
    by_day: Mapping[date, int],
    invited: int,
    hidden_elsewhere: Collection[str] = (),
) -> Participation:
    """The figures HR may see; ``groups`` must cover every response (include the "not stated" group).
    ``hidden_elsewhere``: codes of the groups the campaign's results hide, hidden here too."""
    total = sum(by_day.values())
    total_hidden = 0 < total < min_group_size
    elsewhere = [i for i, g in enumerate(groups) if g.code and g.code in hidden_elsewhere]
    hidden = hidden_groups([g.responses for g in groups], min_group_size, elsewhere)
    return Participation(
        min_group_size=min_group_size,
        invited=invited,
        responses=None if total_hidden else total,
        rate=None if total_hidden else rate(total, invited),
        groups=tuple(group_figures(g, hidden.get(i)) for i, g in enumerate(groups)),
        by_day=() if total_hidden else day_series(by_day),
    )


def group_figures(group: GroupInput, hidden: Hidden | None) -> GroupFigures:
    responses = None if hidden else group.responses
    return GroupFigures(
        code=group.code,
        label=group.label,
        invited=group.invited,
        responses=responses,
        rate=rate(responses, group.invited),
        hidden=hidden,
    )


def day_series(by_day: Mapping[date, int]) -> tuple[DayFigures, ...]:
    series, running = [], 0
    for day in sorted(by_day):
        running += by_day[day]
        series.append(DayFigures(day, by_day[day], running))
    return tuple(series)


def reminder_count_shown(sent: int, eligible: int, k: int) -> bool:
    """Whether "n reminders were sent" may be said: neither those reminded nor those who were not (they have
    answered) may be a non-empty set smaller than k, or the count would point at people."""
    answered = eligible - sent
    return (sent == 0 or sent >= k) and (answered == 0 or answered >= k)
