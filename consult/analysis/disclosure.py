"""Disclosure control (design.md, principle 3): small-group suppression, complementary suppression, comments.

Comments are released by :func:`comments_releasable`; their contact details are redacted by
:mod:`consult.analysis.redaction`.

A *breakdown* is a parent figure shown with its children (a dimension's groups under the total; a row or
column of a two-way table under its margin). Children are never shown for respondents who did not state the
dimension, so those respondents form a hidden child of every breakdown. The rule for a breakdown whose parent
is released: a child of 1..k-1 respondents is suppressed (primary), then the hidden children together must
count 0 or at least k: the smallest shown non-empty child is suppressed until they do (complementary). An
empty child is shown (n = 0 says nothing about anyone) and is never chosen as a complement.

A results page releases many breakdowns at once, and figures of different tables combine: the total minus
the row and column margins plus the shown cells gives the respondents who stated neither dimension; three
two-way tables combine by inclusion-exclusion. So after the rule has been applied to every breakdown (the
one-way ones, then the rows and columns of every two-way table, until stable), an exact search for any
derivable set of 1..k-1 respondents (:mod:`consult.analysis.disclosurecheck`) adds complements until it
finds none. The search only runs when some cell of the full cross-classification has 1..k-1 respondents:
otherwise no set of them can be that small.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from consult.analysis.disclosurecheck import Suppression, first_violation, release_of


def suppress(counts_by_group: Mapping[str, int], k: int, hidden: int = 0) -> set[str]:
    """Groups to suppress in one breakdown shown with its total; ``hidden`` counts respondents of no group."""
    suppressed = {code for code, n in counts_by_group.items() if 0 < n < k}
    return _complete(counts_by_group, suppressed, k, hidden)


def _complete(counts: Mapping, suppressed: set, k: int, hidden: int) -> set:
    """Add complements until the hidden children count 0 or at least k."""
    suppressed = set(suppressed)
    candidates = sorted((n, index, code) for index, (code, n) in enumerate(counts.items()) if n > 0)
    while 0 < hidden + sum(counts[code] for code in suppressed) < k:
        shown = [entry for entry in candidates if entry[2] not in suppressed]
        if not shown:
            break
        suppressed.add(shown[0][2])
    return suppressed


def suppress_release(
    cell_counts: np.ndarray, k: int, forced: Mapping[int, set[int]] | None = None
) -> Suppression:
    """Suppression for the total, every one-way breakdown and every two-way table of ``cell_counts``.

    ``cell_counts`` has one axis per dimension, index 0 = not stated, i = option i. Primary and complementary
    suppression of each one-way breakdown and primary suppression of the two-way cells come first; then
    :func:`consult.analysis.protect.next_suppression` adds complements until no set of 1..k-1 respondents is
    derivable from all the figures together.
    """
    total = int(cell_counts.sum())
    if 0 < total < k:
        return Suppression(everything=True)
    dimensions = range(cell_counts.ndim)
    forced = forced or {}
    suppression = Suppression(
        groups={d: _one_way(_margin(cell_counts, (d,)), k, forced.get(d, set())) for d in dimensions}
    )
    for pair in itertools.combinations(dimensions, 2):
        table = _margin(cell_counts, pair)
        small = np.argwhere((table > 0) & (table < k))
        suppression.cells[pair] = {(int(a), int(b)) for a, b in small if a and b} | _forced_cells(
            table.shape, forced.get(pair[0], set()), forced.get(pair[1], set())
        )
    while _rows_and_columns(cell_counts, suppression, k):
        pass
    while _audit(cell_counts, suppression, k):
        pass
    return suppression


def _forced_cells(shape: tuple[int, ...], rows: set[int], columns: set[int]) -> set[tuple[int, int]]:
    """Every cell of a group hidden by another release. Their sum would give the group's count, which that
    release hides to protect a smaller group: with its total and "not stated", the small one would follow."""
    return {(a, b) for a in rows for b in range(1, shape[1])} | {
        (a, b) for b in columns for a in range(1, shape[0])
    }


def _audit(cell_counts: np.ndarray, suppression: Suppression, k: int) -> bool:
    """Search the released figures for a derivable set of 1..k-1 respondents; suppress the smallest figure
    (a two-way cell if possible) that its derivation uses. True when something was suppressed."""
    if cell_counts.ndim < 2 or not ((cell_counts > 0) & (cell_counts < k)).any():
        return False
    violation = first_violation(release_of(cell_counts, suppression), k)
    if violation is None:
        return False
    used = [figure for figure in violation.used if figure.key[0] != "total" and figure.count]
    cells = [figure for figure in used if figure.key[0] == "cell"]
    suppression.hide(min(cells or used, key=lambda figure: (figure.count, figure.label)).key)
    return True


def _rows_and_columns(cell_counts: np.ndarray, suppression: Suppression, k: int) -> bool:
    """The breakdown rule on every row and column of every two-way table whose margin is shown."""
    before = sum(map(len, suppression.cells.values()))
    for pair, cells in suppression.cells.items():
        table = _margin(cell_counts, pair)
        for flipped in (False, True):
            lines = table.T if flipped else table
            shown_margins = set(range(1, lines.shape[0])) - suppression.groups[pair[1 if flipped else 0]]
            for line in shown_margins:
                children = {
                    (c, line) if flipped else (line, c): int(lines[line, c]) for c in range(1, lines.shape[1])
                }
                cells |= _complete(children, cells & children.keys(), k, int(lines[line, 0]))
    return sum(map(len, suppression.cells.values())) > before


def _margin(cell_counts: np.ndarray, kept: tuple[int, ...]) -> np.ndarray:
    others = tuple(axis for axis in range(cell_counts.ndim) if axis not in kept)
    return cell_counts.sum(axis=others)


def _one_way(counts: np.ndarray, k: int, forced: set[int] = frozenset()) -> set[int]:
    """Primary suppression, the groups ``forced`` (hidden by another release of the campaign), then
    complements until the hidden children count 0 or at least k."""
    groups = {option: int(n) for option, n in enumerate(counts) if option > 0}
    primary = {code for code, n in groups.items() if 0 < n < k} | (set(forced) & groups.keys())
    return _complete(groups, primary, k, int(counts[0]))


def campaign_hidden_groups(respondents: np.ndarray, k: int) -> dict[int, set[int]]:
    """The groups the participation figures hide, per dimension: there "not stated" is a group shown like
    the others (index 0), so a small group may be protected by hiding another one that the results would
    show. Every release of the campaign hides these too (``suppress_release(forced=...)``)."""
    hidden = {}
    for d in range(respondents.ndim):
        counts = _margin(respondents, (d,))
        chosen = suppress({option: int(n) for option, n in enumerate(counts)}, k)
        hidden[d] = {option for option in chosen if option > 0}
    return hidden


def comments_releasable(section_n: int, threshold: int) -> bool:
    """Free-text comments of a section are shown only when it has at least ``threshold`` respondents."""
    return section_n >= threshold
