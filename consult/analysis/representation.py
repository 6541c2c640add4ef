"""Response rates against the staff headcounts, and how far the respondents differ from the staff (pure).

A group's rate is its respondents over its headcount. A group whose rate is under ``FLAG_SHARE`` (60%) of
the overall rate is flagged: its participation is thin. The goodness-of-fit test compares, per dimension,
the respondents of the shown groups (a hidden group and "not stated" left out) with the split of the staff
among those groups: Pearson's chi-square, as ``scipy.stats.chisquare``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

FLAG_SHARE = 0.6


@dataclass(frozen=True)
class Rate:
    options: tuple[int, ...]
    """1-based option per dimension of the group."""
    respondents: int
    headcount: int
    rate: float | None
    flagged: bool


@dataclass(frozen=True)
class Fit:
    statistic: float
    p: float
    over: int | None
    """The option most over-represented (highest respondents over expected), when the test rejects."""
    under: int | None


def overall_rate(respondents: int, headcount: int) -> float | None:
    return respondents / headcount if headcount > 0 else None


def rates(
    respondents: np.ndarray, headcounts: Mapping[tuple[int, ...], int], overall: float | None
) -> list[Rate]:
    """One rate per group of ``headcounts`` (1-based options on the axes of ``respondents``, which holds the
    respondents per option, index 0 = not stated)."""
    found = []
    for options, headcount in sorted(headcounts.items()):
        n = int(respondents[options])
        rate = n / headcount if headcount > 0 else None
        flagged = rate is not None and overall is not None and rate < FLAG_SHARE * overall
        found.append(Rate(options, n, headcount, rate, flagged))
    return found


def goodness_of_fit(
    respondents: Mapping[int, int], headcounts: Mapping[int, int], alpha: float = 0.05
) -> Fit | None:
    """Chi-square goodness-of-fit of the respondents per option against the staff's split; None under two
    groups, without respondents or when a group has no staff."""
    options = sorted(o for o in respondents if o in headcounts)
    observed = np.array([respondents[o] for o in options], np.float64)
    staff = np.array([headcounts[o] for o in options], np.float64)
    if len(options) < 2 or observed.sum() <= 0 or (staff <= 0).any():
        return None
    expected = staff / staff.sum() * observed.sum()
    statistic = float(((observed - expected) ** 2 / expected).sum())
    p = float(special.chdtrc(len(options) - 1, statistic))
    ratio = observed / expected
    if p >= alpha:
        return Fit(statistic, p, None, None)
    return Fit(statistic, p, options[int(ratio.argmax())], options[int(ratio.argmin())])


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def fit_sentence(dimension: str, fit: Fit, names: Sequence[str], texts: Mapping[str, str]) -> str:
    """In words: "career stage: respondents differ from the staff, p < 0.001: R1 over-represented".

    ``names``: option labels by 0-based index; ``texts``: the translated patterns ``differ``, ``same``."""
    if fit.over is None:
        return texts["same"].format(dimension=dimension, p=p_text(fit.p))
    return texts["differ"].format(
        dimension=dimension, p=p_text(fit.p), over=names[fit.over - 1], under=names[fit.under - 1]
    )
