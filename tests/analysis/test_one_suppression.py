"""One suppression decision for the whole campaign: participation, every principle page, every release."""

from __future__ import annotations

from datetime import date

import numpy as np

from consult.analysis.counts import build_counts
from consult.analysis.results import build_results
from consult.privacy.checks import one_suppression
from consult.surveys.campaigns.participation import GroupInput, participation
from tests.analysis.test_results import CAMPAIGN, questionnaire

SCHOOLS = {0: 7, 1: 6, 2: 2, 3: 30}
"""Respondents per school option: 0 = not stated, 1 = A, 2 = B (small), 3 = C."""


def leaky_campaign():
    """The leak found in the participation page: it shows "not stated" like a school, so it protects the
    small school B by hiding A, while principle pages (where "not stated" is always hidden) would show A's n;
    with the total and "not stated", B's count came out at 2."""
    q = questionnaire(sizes=(2, 1), options=(3, 2))
    profiles = np.array([[school, 1 + i % 2] for school, n in SCHOOLS.items() for i in range(n)], np.uint8)
    answers = np.full((len(profiles), len(q.items)), 4, np.uint8)
    return q, answers, profiles


def participation_of(q, hidden_elsewhere=()):
    options = q.dimensions[0].options
    groups = [GroupInput(option.code, option.code, SCHOOLS[i]) for i, option in enumerate(options, start=1)]
    groups.append(GroupInput("", "not stated", SCHOOLS[0]))
    return participation(5, groups, {date(2026, 12, 1): sum(SCHOOLS.values())}, 0, hidden_elsewhere)


def releases_of(q, results, shown_participation):
    dimension = q.dimensions[0].code
    found = {
        "participation": {
            dimension: {g.code for g in shown_participation.groups if g.code and g.hidden},
            f"shown:{dimension}": {g.code for g in shown_participation.groups if g.code and not g.hidden},
        }
    }
    for section in results["sections"]:
        groups = section["breakdowns"][dimension]["groups"]
        found[section["code"]] = {
            dimension: {g["code"] for g in groups if g["suppressed"]},
            f"shown:{dimension}": {g["code"] for g in groups if not g["suppressed"]},
        }
    return found


def test_the_results_hide_what_the_participation_page_hides():
    q, answers, profiles = leaky_campaign()
    results = build_results(CAMPAIGN, q, build_counts(q, answers, profiles))
    assert results["campaign"]["hidden_groups"]["dim0"] == ["d0o0", "d0o1"]
    for section in results["sections"]:
        shown = {g["code"] for g in section["breakdowns"]["dim0"]["groups"] if not g["suppressed"]}
        assert shown == {"d0o2"}
    assert one_suppression(releases_of(q, results, participation_of(q))).passed


def test_the_checker_finds_the_leak_of_a_principle_page_showing_a_group_participation_hides():
    q, answers, profiles = leaky_campaign()
    results = build_results(CAMPAIGN, q, build_counts(q, answers, profiles))
    for section in results["sections"]:
        for group in section["breakdowns"]["dim0"]["groups"]:
            if group["code"] == "d0o0":
                group["suppressed"] = False
    found = one_suppression(releases_of(q, results, participation_of(q)))
    assert not found.passed and "P01 shows dim0 d0o0, hidden elsewhere" in found.details


def test_a_group_hidden_by_an_earlier_release_stays_hidden():
    q, answers, profiles = leaky_campaign()
    carried = {**CAMPAIGN, "hidden_groups": {"dim0": ["d0o2"]}}
    results = build_results(carried, q, build_counts(q, answers, profiles))
    assert "d0o2" in results["campaign"]["hidden_groups"]["dim0"]
    for section in results["sections"]:
        assert all(g["suppressed"] for g in section["breakdowns"]["dim0"]["groups"] if g["code"] == "d0o2")


def test_the_participation_page_hides_what_the_results_hide():
    q, _, _ = leaky_campaign()
    shown = participation_of(q, hidden_elsewhere={"d0o2"})
    hidden = {g.code for g in shown.groups if g.hidden}
    assert "d0o2" in hidden
    assert sum(SCHOOLS[i] for i, g in enumerate(shown.groups, start=1) if g.hidden and g.code) >= 5


def test_a_group_hidden_by_the_participation_page_shows_none_of_its_cells(monkeypatch):
    """Every respondent states a career stage: had the principle pages shown A x R1 = 5 and A x R2 = 5, A's
    count (10) with the participation page's total, "not stated" and C would have given B's: 53 - 11 - 30
    - 10 = 2."""
    monkeypatch.setattr("tests.analysis.test_one_suppression.SCHOOLS", {0: 11, 1: 10, 2: 2, 3: 30})
    q, answers, profiles = leaky_campaign()
    results = build_results(CAMPAIGN, q, build_counts(q, answers, profiles))
    assert results["campaign"]["hidden_groups"]["dim0"] == ["d0o0", "d0o1"]
    hidden = {group.code for group in participation_of(q).groups if group.hidden}
    assert hidden == {"d0o0", "d0o1"}
    for section in results["sections"]:
        cells = section["breakdowns"]["dim0:dim1"]["groups"]
        shown = {g["code"] for g in cells if not g["suppressed"]}
        assert shown == {"d0o2:d1o0", "d0o2:d1o1"}
