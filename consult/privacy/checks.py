"""The privacy audit's checks over what a campaign has released and stored. Pure module: each check takes
plain values and returns a ``Check`` (passed or not, with what it found), tested without the app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

RESPONSE_COLUMNS = frozenset({"id", "campaign_id", "submitted_on", "answers", "profile"})
COMMENT_COLUMNS = frozenset({"id", "campaign_id", "section_code", "text"})
BALLOT_COLUMNS = frozenset({"id", "campaign_id", "sealed"})


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    details: tuple[str, ...] = field(default_factory=tuple)


def check(name: str, problems: Iterable[str], fine: str) -> Check:
    found = tuple(problems)
    return Check(name, not found, found or (fine,))


def release_steps(responses_by_release: Sequence[int], k: int) -> Check:
    """Successive releases (analyses, in order) differ by 0 or at least k respondents."""
    steps = [(a, b) for a, b in pairwise(responses_by_release) if 0 < abs(b - a) < k]
    return check(
        "releases move in steps of at least k",
        (f"a release of {b} responses follows one of {a}" for a, b in steps),
        f"{len(responses_by_release)} releases, every step 0 or at least {k}",
    )


def one_suppression(releases: Mapping[str, Mapping[str, set[str]]]) -> Check:
    """Every group hidden in one release (participation, each section's breakdowns) is hidden in all:
    ``releases``: release name -> dimension -> hidden option codes, shown option codes under "shown:<dim>"."""
    hidden: dict[str, set[str]] = {}
    for groups in releases.values():
        for dimension, codes in groups.items():
            if not dimension.startswith("shown:"):
                hidden.setdefault(dimension, set()).update(codes)
    problems = [
        f"{name} shows {dimension} {code}, hidden elsewhere"
        for name, groups in releases.items()
        for dimension, codes in hidden.items()
        for code in sorted(codes & set(groups.get(f"shown:{dimension}", ())))
    ]
    return check("one suppression for the whole campaign", problems, f"{len(releases)} releases agree")


def small_figures(results: Mapping) -> Check:
    """No released total, section or group counts 1 to k-1 respondents."""
    k = results.get("campaign", {}).get("min_group_size", 5)
    problems = (
        [f"the campaign total is {results['campaign'].get('responses')}"]
        if _small(results.get("campaign", {}).get("responses"), k)
        else []
    )
    for section in results.get("sections", []):
        if _small(section.get("n"), k):
            problems.append(f"section {section['code']} shows n = {section['n']}")
        for key, breakdown in (section.get("breakdowns") or {}).items():
            problems += [
                f"section {section['code']}, {key} {group['code']}: n = {group['n']}"
                for group in breakdown.get("groups", [])
                if not group.get("suppressed") and _small(group.get("n"), k)
            ]
    return check("no released figure of fewer than k people", problems, "every released count is 0 or >= k")


def _small(n, k: int) -> bool:
    return isinstance(n, int) and 0 < n < k


def stored_columns(columns: Mapping[str, set[str]]) -> Check:
    """The tables of answers hold nothing but what design.md allows: no user, token, address or time."""
    allowed = {"response": RESPONSE_COLUMNS, "comment": COMMENT_COLUMNS, "ballot": BALLOT_COLUMNS}
    problems = [
        f"{table} has the column {column}"
        for table, found in columns.items()
        for column in sorted(set(found) - allowed.get(table, set()))
    ]
    return check("answers are stored with nothing that identifies", problems, "response, comment, ballot")


def transaction_groups(
    groups: Mapping[str, Sequence[int]], invitation_groups: Sequence[int], k: int, closed: bool
) -> Check:
    """Rows of responses and comments share transaction ids only in batches of at least k (one smaller last
    batch at closing), and never with some of the invitations only. ``groups``: table -> the sizes of its
    transaction groups; ``invitation_groups``: for each of those transactions, how many invitations share it
    when they are not all of the campaign's (closing rewrites them all at once, which ties no one)."""
    problems = []
    for table, sizes in groups.items():
        small = [n for n in sizes if n < k]
        if len(small) > (1 if closed else 0):
            problems.append(f"{table}: {len(small)} batches of fewer than {k} rows")
    problems += [f"{n} invitations share a transaction with answers" for n in invitation_groups if n]
    return check("no answer shares a transaction with an invitation", problems, "batches only")


def plain(count: int, what: str, name: str) -> Check:
    return check(name, [f"{count} {what}"] if count else [], f"no {what}")
