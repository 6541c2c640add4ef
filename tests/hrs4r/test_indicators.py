"""Bound indicators evaluated on a later campaign, against figures recomputed from the raw answers: same
charter, across the 2005 -> 2023 crosswalk, and never from a suppressed figure."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consult.analysis.services import latest_results
from consult.analysis.tasks import start_analysis
from consult.charter.reference import crosswalk
from consult.hrs4r import review, services
from consult.hrs4r.indicators import Binding
from tests.conftest import small_questionnaire
from tests.hrs4r.helpers import group_rows, raw_figures, section_items


@pytest.fixture
def two_campaigns(make_campaign, add_responses):
    """A campaign with an action plan, and the next campaign, both answered and analysed."""
    before = make_campaign(status="open")
    before_data = add_responses(before, 220, seed=3)
    start_analysis(before)
    after = make_campaign(status="open")
    after.previous_campaign_id = before.id
    after_data = add_responses(after, 260, seed=11)
    start_analysis(after)
    return before, before_data, after, after_data


def bind(campaign, binding: Binding, comparator: str, target: float):
    action = services.propose(
        campaign, services.ActionFields("Mentoring for new researchers", principles=(1,)), None
    )
    return services.bind_indicator(action, binding, comparator, target, None)


def outcome(campaign, indicator):
    later = review.later_campaign(campaign)
    [result] = [
        r for r in review.evaluate_action(indicator.action, campaign, later) if r.indicator is indicator
    ]
    return result


def test_a_principles_favourable_share_and_mean_equal_the_raw_answers(two_campaigns):
    before, before_data, after, after_data = two_campaigns
    items = section_items(small_questionnaire(), {"P01"})
    base_share, _ = raw_figures(before, before_data, items)
    now_share, now_mean = raw_figures(after, after_data, items)
    share = bind(before, Binding("section", "P01", "favourable"), ">=", round(now_share, 6) - 0.001)
    mean = bind(before, Binding("section", "P01", "mean"), ">=", now_mean + 0.01)
    assert share.baseline == pytest.approx(base_share, abs=1e-12)
    assert share.principle == 1
    first, second = outcome(before, share), outcome(before, mean)
    assert first.evaluation.figure.value == pytest.approx(now_share, abs=1e-12)
    assert first.evaluation.outcome == "met"
    assert first.evaluation.figure.low < now_share < first.evaluation.figure.high
    assert second.evaluation.figure.value == pytest.approx(now_mean, abs=1e-12)
    assert second.evaluation.outcome == "not-met"


def test_a_groups_share_and_gap_and_an_items_mean_equal_the_raw_answers(two_campaigns):
    before, _, after, after_data = two_campaigns
    items = section_items(small_questionnaire(), {"P01"})
    north = group_rows(after, after_data, "school", "north")
    group_share, _ = raw_figures(after, after_data, items, north)
    everyone, _ = raw_figures(after, after_data, items)
    _, item_mean = raw_figures(after, after_data, {"P01.2"})
    share = bind(
        before, Binding("section", "P01", "favourable", dimension="school", group="north"), ">=", 0.99
    )
    gap = bind(before, Binding("section", "P01", "gap", dimension="school", group="north"), "<=", 0.5)
    item = bind(before, Binding("item", "P01.2", "mean"), "<=", 5)
    assert outcome(before, share).evaluation.figure.value == pytest.approx(group_share, abs=1e-12)
    assert outcome(before, share).evaluation.outcome == "not-met"
    assert outcome(before, gap).evaluation.figure.value == pytest.approx(group_share - everyone, abs=1e-12)
    assert outcome(before, gap).evaluation.outcome == "met"
    evaluated = outcome(before, item).evaluation
    assert evaluated.figure.value == pytest.approx(item_mean, abs=1e-12)
    assert evaluated.figure.low < item_mean < evaluated.figure.high


def test_a_suppressed_figure_makes_the_indicator_not_measurable(make_campaign, add_responses):
    before = make_campaign(status="open")
    add_responses(before, 120, seed=5)
    start_analysis(before)
    after = make_campaign(status="open")
    after.previous_campaign_id = before.id
    add_responses(after, 4, seed=9)
    start_analysis(after)
    indicator = bind(before, Binding("section", "P14", "favourable"), ">=", 0.0)
    result = outcome(before, indicator)
    assert result.evaluation.outcome == "suppressed" and result.evaluation.figure.value is None
    assert all(s["suppressed"] for s in latest_results(after)["sections"])


def test_a_suppressed_group_is_not_measurable_even_when_its_section_is(two_campaigns, monkeypatch):
    before, _, after, _ = two_campaigns
    results = latest_results(after)
    hidden = [
        (key, group["code"])
        for section in results["sections"]
        if section["code"] == "P01"
        for key, breakdown in section["breakdowns"].items()
        if ":" not in key
        for group in breakdown["groups"]
        if group.get("suppressed")
    ]
    if not hidden:
        pytest.skip("no group of this sample is suppressed")
    dimension, group = hidden[0]
    indicator = bind(
        before, Binding("section", "P01", "favourable", dimension=dimension, group=group), ">=", 0
    )
    assert outcome(before, indicator).evaluation.outcome == "suppressed"


def charter_questionnaire(charter: str, principles: tuple[int, ...]):
    """The small questionnaire with its sections renamed to principles of ``charter``."""
    q = small_questionnaire()
    sections = tuple(
        replace(
            section,
            code=f"P{number:02d}",
            principle=number,
            items=tuple(replace(item, code=f"P{number:02d}.{i}") for i, item in enumerate(section.items, 1)),
        )
        for section, number in zip(q.sections, principles, strict=True)
    )
    return replace(q, charter=charter, sections=sections)


def test_through_the_2005_to_2023_crosswalk(make_campaign, add_responses):
    """A 2005 plan bound to principle 12; the 2023 campaign's principle 10 takes over 2005's 12, 13 and 15."""
    assert 12 in crosswalk()[10]
    before = make_campaign(charter_questionnaire("2005", (12, 30)), status="open")
    add_responses(before, 150, seed=21)
    start_analysis(before)
    after = make_campaign(charter_questionnaire("2023", (10, 14)), status="open")
    after.previous_campaign_id = before.id
    after_data = add_responses(after, 180, seed=22)
    start_analysis(after)
    action = services.propose(before, services.ActionFields("Recruitment guide", principles=(12,)), None)
    indicator = services.bind_indicator(action, Binding("section", "P12", "favourable"), ">=", 0.1, None)
    expected, _ = raw_figures(after, after_data, {"P10.1", "P10.2"})
    result = outcome(before, indicator)
    assert result.evaluation.figure.value == pytest.approx(expected, abs=1e-12)
    assert result.evaluation.outcome == "met"
    elsewhere = services.bind_indicator(action, Binding("section", "P30", "favourable"), ">=", 0.1, None)
    assert outcome(before, elsewhere).evaluation.outcome == "missing"
