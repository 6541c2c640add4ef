"""The action plan's life: propose, edit, order, validate, status, history, audit; the OTM-R reference."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import db as database
from consult.hrs4r import services
from consult.hrs4r.indicators import Binding
from consult.hrs4r.reference import check_timing, otmr_groups, otmr_questions, period_key


def test_the_life_of_an_action(make_campaign, make_user):
    campaign = make_campaign(status="closed")
    reviewer, hr = make_user("reviewer"), make_user("hr")
    first = services.propose(
        campaign, services.ActionFields("Ethics training", principles=(1,), source_section="P01"), reviewer
    )
    second = services.propose(campaign, services.ActionFields("Stable contracts", principles=(14,)), reviewer)
    assert [a.position for a in services.plan(campaign.id)] == [1, 2] and not first.validated
    services.edit(
        first,
        services.ActionFields(
            "Ethics training for all",
            principles=(1, 14),
            start_period="2026-q1",
            end_period="2027-S1",
            responsible_unit="HR department",
            status="in-progress",
        ),
        first.version,
        hr,
    )
    services.validate(first, hr)
    services.move(second, -1, hr)
    services.set_status(first, "delayed", "The trainer left.", hr)
    assert [a.title for a in services.plan(campaign.id)] == ["Stable contracts", "Ethics training for all"]
    assert (first.start_period, first.end_period, first.status, first.remarks) == (
        "2026-Q1",
        "2027-S1",
        "delayed",
        "The trainer left.",
    )
    database.session.flush()
    changes = [(r.change, r.state["status"], r.user_id) for r in services.history(first)]
    assert changes == [
        ("status", "delayed", hr.id),
        ("validated", "in-progress", hr.id),
        ("edited", "in-progress", hr.id),
        ("proposed", "planned", reviewer.id),
    ]
    audited = database.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target == f"action:{first.id}")
    )
    assert set(audited) >= {"hrs4r.action.proposed", "hrs4r.action.edited", "hrs4r.action.status"}


def test_a_stale_edit_is_refused(make_campaign):
    campaign = make_campaign()
    action = services.propose(campaign, services.ActionFields("A"), None)
    services.edit(action, services.ActionFields("B"), action.version, None)
    with pytest.raises(services.PlanError, match="meanwhile"):
        services.edit(action, services.ActionFields("C"), 1, None)
    assert action.title == "B"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (services.ActionFields(" "), "title"),
        (services.ActionFields("A", principles=(99,)), "no principle 99"),
        (services.ActionFields("A", status="finished"), "unknown status"),
        (services.ActionFields("A", start_period="2026-Q5"), "not a period"),
        (services.ActionFields("A", start_period="2027-Q1", end_period="2026-S2"), "ends"),
    ],
)
def test_bad_actions_are_refused(make_campaign, fields, message):
    campaign = make_campaign()
    with pytest.raises(services.PlanError, match=message):
        services.propose(campaign, fields, None)
    assert services.plan(campaign.id) == []


@pytest.mark.parametrize(
    ("binding", "comparator", "target", "message"),
    [
        (Binding("section", "P99", "favourable"), ">=", 0.5, "no section"),
        (Binding("item", "P01.9", "mean"), ">=", 3, "no item"),
        (Binding("section", "P01", "gap"), ">=", 0.1, "choose the group"),
        (Binding("section", "P01", "favourable", dimension="school", group="west"), ">=", 0.5, "no group"),
        (Binding("section", "P01", "favourable"), ">=", 45, "between 0 and 1"),
        (Binding("section", "P01", "favourable"), "==", 0.4, ">= or <="),
    ],
)
def test_bad_bindings_are_refused(make_campaign, binding, comparator, target, message):
    campaign = make_campaign()
    action = services.propose(campaign, services.ActionFields("A"), None)
    with pytest.raises(services.PlanError, match=message):
        services.bind_indicator(action, binding, comparator, target, None)
    assert action.indicators == []


def test_an_indicator_without_results_has_no_baseline_yet(make_campaign):
    campaign = make_campaign()
    action = services.propose(campaign, services.ActionFields("A"), None)
    indicator = services.bind_indicator(action, Binding("section", "P01", "favourable"), ">=", 0.45, None)
    assert indicator.baseline is None and indicator.principle == 1
    services.unbind_indicator(indicator, None)
    assert action.indicators == [] and services.history(action)[0].change == "indicator-removed"


def test_the_otmr_checklist_has_23_questions_in_five_groups_in_both_languages():
    assert [len(g.questions) for g in otmr_groups()] == [10, 5, 4, 3, 1]
    assert [q.number for q in otmr_questions()] == list(range(1, 24))
    for question in otmr_questions():
        assert question.text["en"].endswith("?") and question.text["fr"].endswith("?")
        assert question.text["en"] != question.text["fr"]
        assert question.open or question.transparent or question.merit
    assert all(g.name["en"] and g.name["fr"] for g in otmr_groups())


def test_periods():
    assert period_key("2026-Q3") == (2026, 7, 9) and period_key("2026-s2") == (2026, 7, 12)
    check_timing("2026-Q3", "2026-S2")
    with pytest.raises(ValueError, match="ends"):
        check_timing("2026-S2", "2026-Q2")
