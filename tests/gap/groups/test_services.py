from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.gap.groups import services
from consult.gap.groups.models import WorkingGroup, WorkingGroupMember, WorkingGroupPrinciple
from consult.gap.groups.services import Context, GroupChange, GroupError, check_change
from consult.surveys.questionnaires.charter_templates import load_template

CONTEXT = Context(
    other_names={"pillar 1": "Pillar 1"},
    sections=["P01", "P02", "P14"],
    reviewers={7: "Ada", 8: "Bob"},
    claimed={"P02": "Pillar 1"},
)


def test_a_good_change_is_tidied_and_principles_follow_the_questionnaire_order():
    checked = check_change(GroupChange("  Ethics   group ", ["8", "7", "8"], ["P14", "P01"]), CONTEXT)
    assert checked.name == "Ethics group"
    assert checked.members == [8, 7]
    assert checked.principles == ["P01", "P14"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (GroupChange("   "), "name", "Give the working group a name."),
        (GroupChange("PILLAR 1"), "name", "already has a working group called “PILLAR 1”"),
        (GroupChange("x" * 121), "name", "at most 120 characters"),
        (GroupChange("G", ["9"]), "members", "User 9 cannot review"),
        (GroupChange("G", ["Ada"]), "members", "“Ada” is not a user of Consult."),
        (GroupChange("G", [], ["P99"]), "principles", "P99 is not a principle of this campaign."),
        (GroupChange("G", [], ["P02"]), "principles", "P02 already belongs to the working group “Pillar 1”"),
    ],
)
def test_each_bad_input_gets_a_clear_error_on_its_field(change, field, words):
    with pytest.raises(GroupError) as raised:
        check_change(change, CONTEXT)
    assert list(raised.value.errors) == [field]
    assert words in raised.value.errors[field][0]


def test_every_problem_is_reported_at_once():
    with pytest.raises(GroupError) as raised:
        check_change(GroupChange("", ["9"], ["P99"]), CONTEXT)
    assert set(raised.value.errors) == {"name", "members", "principles"}


@pytest.mark.parametrize(
    ("group", "chosen", "kept"),
    [
        (None, None, True),
        (None, "", True),
        (None, "none", True),
        (None, "3", False),
        (SimpleNamespace(id=3), "3", True),
        (SimpleNamespace(id=3), "4", False),
        (SimpleNamespace(id=3), "none", False),
        (SimpleNamespace(id=3), None, True),
    ],
)
def test_the_group_filter(group, chosen, kept):
    assert services.in_group(group, chosen) is kept


def test_own_principles_come_first_in_their_order():
    rows = [SimpleNamespace(section=SimpleNamespace(code=code)) for code in ("P01", "P02", "P03", "P04")]
    own, others = services.own_first(rows, {"P04", "P02"})
    assert [r.section.code for r in own] == ["P02", "P04"]
    assert [r.section.code for r in others] == ["P01", "P03"]


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(load_template("charter-2023"))


def test_create_edit_and_delete_a_group_with_audit_entries(db, campaign, make_user):
    hr, ada, bob = make_user("hr"), make_user("reviewer"), make_user("reviewer")
    group = services.create_group(campaign, GroupChange("Ethics", [str(ada.id)], ["P01", "P02"]), hr)
    assert services.own_sections(campaign.id, ada.id) == {"P01", "P02"}
    services.update_group(campaign, group, GroupChange("Ethics and rights", [str(bob.id)], ["P02"]), hr)
    assert services.own_sections(campaign.id, ada.id) == set()
    assert services.own_sections(campaign.id, bob.id) == {"P02"}
    assert services.groups_by_section(campaign.id)["P02"].name == "Ethics and rights"
    services.delete_group(campaign, group, hr)
    assert db.session.scalars(select(WorkingGroupPrinciple)).all() == []
    assert db.session.scalars(select(WorkingGroupMember)).all() == []
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == hr.id)).all()
    assert actions == ["group.create", "group.edit", "group.delete"]


def test_a_refused_edit_changes_nothing(db, campaign, make_user):
    hr, ada = make_user("hr"), make_user("reviewer")
    services.create_group(campaign, GroupChange("Other", [], ["P03"]), hr)
    group = services.create_group(campaign, GroupChange("Ethics", [str(ada.id)], ["P01"]), hr)
    with pytest.raises(GroupError):
        services.update_group(campaign, group, GroupChange("Renamed", [], ["P01", "P03"]), hr)
    db.session.expire_all()
    assert group.name == "Ethics" and group.section_codes == {"P01"} and len(group.members) == 1


def test_a_disabled_user_cannot_join_a_group(db, campaign, make_user):
    hr, gone = make_user("hr"), make_user("reviewer")
    gone.active = False
    db.session.flush()
    with pytest.raises(GroupError) as raised:
        services.create_group(campaign, GroupChange("Ethics", [str(gone.id)], []), hr)
    assert list(raised.value.errors) == ["members"]
    assert services.groups_of(campaign.id) == []


def test_one_group_per_pillar_then_nothing_left(app, db, campaign, make_user):
    hr = make_user("hr")
    services.create_group(campaign, GroupChange("Mine", [], ["P01"]), hr)
    created = services.one_group_per_pillar(campaign, hr, "fr")
    names = [group.name for group in created]
    assert len(created) == 4 and all(name.startswith("Pilier ") for name in names)
    claimed = [code for group in created for code in group.section_codes]
    sections = [s.code for s in campaign.questionnaire.sections]
    assert sorted(claimed) == sorted(code for code in sections if code != "P01")
    with pytest.raises(GroupError) as raised:
        services.one_group_per_pillar(campaign, hr, "en")
    with app.test_request_context("/?lang=fr"):
        assert str(raised.value) == "Chaque pilier a déjà son groupe de travail : rien n'a été créé."
    assert len(db.session.scalars(select(WorkingGroup)).all()) == 5


def test_one_group_per_pillar_needs_pillars(app, db, make_campaign, make_user):
    from dataclasses import replace

    from tests.conftest import small_questionnaire

    q = small_questionnaire()
    campaign = make_campaign(replace(q, sections=tuple(replace(s, pillar=None) for s in q.sections)))
    with pytest.raises(GroupError) as raised:
        services.one_group_per_pillar(campaign, make_user("hr"), "en")
    with app.test_request_context("/"):
        assert "belong to no pillar" in str(raised.value)
    assert services.groups_of(campaign.id) == []
