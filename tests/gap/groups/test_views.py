from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import limiter
from consult.gap.groups import services
from consult.gap.groups.services import GroupChange
from consult.surveys.questionnaires.charter_templates import load_template
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def fresh_login_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def campaign(make_campaign):
    return make_campaign(load_template("charter-2023"), status="closed")


def form_post(client, page_url: str, url: str | None = None, **fields):
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url or page_url, data={"csrf_token": csrf_from(page), **fields})


def groups_named(campaign) -> list[str]:
    return [group.name for group in services.groups_of(campaign.id)]


def test_a_reviewer_sees_the_groups_but_cannot_change_them(client, login, make_user, campaign):
    hr = make_user("hr")
    group = services.create_group(campaign, GroupChange("Ethics", [], ["P01"]), hr)
    login(make_user("reviewer"))
    page = client.get(f"/groups/{campaign.slug}")
    assert page.status_code == 200 and "Ethics" in page.get_data(as_text=True)
    assert "New working group" not in page.get_data(as_text=True)
    token = csrf_from(client.get(f"/results/{campaign.slug}").get_data(as_text=True))
    base = f"/groups/{campaign.slug}"
    assert client.get(f"{base}/new").status_code == 403
    assert client.post(f"{base}/new", data={"csrf_token": token, "name": "Mine"}).status_code == 403
    assert client.get(f"{base}/{group.id}").status_code == 403
    assert client.get(f"{base}/{group.id}/delete").status_code == 403
    assert client.post(f"{base}/{group.id}/delete", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{base}/per-pillar", data={"csrf_token": token}).status_code == 403
    assert groups_named(campaign) == ["Ethics"]


def test_hr_creates_renames_and_deletes_a_group(client, login, make_user, campaign, db):
    hr, ada = login(make_user("hr")), make_user("reviewer")
    new = f"/groups/{campaign.slug}/new"
    response = form_post(client, new, name="Ethics", members=[str(ada.id)], principles=["P02", "P01"])
    assert response.status_code == 302
    group = services.groups_of(campaign.id)[0]
    assert group.name == "Ethics" and group.section_codes == {"P01", "P02"}
    assert [m.user_id for m in group.members] == [ada.id]
    edit = f"/groups/{campaign.slug}/{group.id}"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Ethics"' in page and re.search(
        rf'checked[^>]*value="{ada.id}"|value="{ada.id}"[^>]*checked', page
    )
    assert form_post(client, edit, name="Ethics and rights", principles=["P03"]).status_code == 302
    db.session.expire_all()
    assert group.name == "Ethics and rights" and group.section_codes == {"P03"} and group.members == []
    confirm = client.get(f"{edit}/delete").get_data(as_text=True)
    assert "Delete the working group “Ethics and rights”?" in confirm and "Yes, delete" in confirm
    assert form_post(client, f"{edit}/delete").status_code == 302
    assert groups_named(campaign) == []
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == hr.id)).all()
    assert [a for a in actions if a.startswith("group.")] == ["group.create", "group.edit", "group.delete"]
    history = client.get(f"/campaigns/{campaign.slug}/history").get_data(as_text=True)
    assert "created a working group" in history and "deleted a working group" in history


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": "  "}, "Give the working group a name."),
        ({"name": "Taken"}, "This campaign already has a working group called “Taken”."),
        ({"name": "New", "principles": ["P99"]}, "P99 is not a principle of this campaign."),
        ({"name": "New", "principles": ["P05"]}, "P05 already belongs to the working group “Taken”"),
        ({"name": "New", "members": ["999999"]}, "User 999999 cannot review"),
        ({"name": "New", "members": ["Ada"]}, "“Ada” is not a user of Consult."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(
    client, login, make_user, campaign, fields, words, db
):
    hr = login(make_user("hr"))
    services.create_group(campaign, GroupChange("Taken", [], ["P05"]), hr)
    db.session.commit()
    response = form_post(client, f"/groups/{campaign.slug}/new", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in page and "Nothing was saved." in page and 'aria-describedby="' in page
    assert groups_named(campaign) == ["Taken"]


def test_a_disabled_user_cannot_be_added(client, login, make_user, campaign, db):
    login(make_user("hr"))
    gone = make_user("reviewer")
    gone.active = False
    db.session.flush()
    response = form_post(client, f"/groups/{campaign.slug}/new", name="G", members=[str(gone.id)])
    assert response.status_code == 400 and f"User {gone.id} cannot review" in response.get_data(as_text=True)
    assert groups_named(campaign) == []


def test_one_group_per_pillar_in_the_readers_language(client, login, make_user, campaign):
    login(make_user("hr"))
    client.get(f"/groups/{campaign.slug}?lang=fr")
    response = form_post(client, f"/groups/{campaign.slug}", f"/groups/{campaign.slug}/per-pillar")
    assert response.status_code == 302
    page = client.get(f"/groups/{campaign.slug}").get_data(as_text=True)
    assert "4 groupes de travail créés, un par pilier" in page
    assert len(groups_named(campaign)) == 4 and all(n.startswith("Pilier ") for n in groups_named(campaign))
    again = form_post(client, f"/groups/{campaign.slug}", f"/groups/{campaign.slug}/per-pillar")
    assert "Chaque pilier a déjà son groupe de travail" in client.get(again.location).get_data(as_text=True)


def test_an_unknown_group_or_one_of_another_campaign_is_not_found(
    client, login, make_user, campaign, make_campaign
):
    hr = login(make_user("hr"))
    other = make_campaign(load_template("charter-2023"))
    group = services.create_group(other, GroupChange("Elsewhere", [], []), hr)
    assert client.get(f"/groups/{campaign.slug}/{group.id}").status_code == 404
    assert client.get(f"/groups/{campaign.slug}/{group.id}/delete").status_code == 404
    assert client.get(f"/groups/{campaign.slug}/999999").status_code == 404


def principle_order(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/results/[^/]+/(P\d+)"', page)


def test_a_reviewer_overview_starts_with_their_groups_principles(client, login, make_user, campaign):
    hr, ada = make_user("hr"), make_user("reviewer")
    services.create_group(campaign, GroupChange("Recruitment", [str(ada.id)], ["P12", "P13"]), hr)
    services.create_group(campaign, GroupChange("Ethics", [str(hr.id)], ["P01"]), hr)
    login(ada)
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    order = principle_order(page)
    assert order[:2] == ["P12", "P13"] and order[2] == "P01" and len(order) == len(set(order))
    own = page.index("Your working group&#39;s principles")
    assert own < page.index("P12") < page.index("Other principles")
    assert page.index("Other principles") < page.index('/P01"')
    assert "Working group: Recruitment" in page and "Working group: Ethics" in page


def test_someone_in_no_group_sees_the_questionnaire_order(client, login, make_user, campaign):
    hr = make_user("hr")
    services.create_group(campaign, GroupChange("Recruitment", [], ["P12"]), hr)
    login(make_user("reviewer"))
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert "Your working group&#39;s principles" not in page and "Other principles" not in page
    assert principle_order(page)[:2] == ["P01", "P02"]


def test_the_overview_filters_by_group(client, login, make_user, campaign):
    hr = login(make_user("hr"))
    group = services.create_group(campaign, GroupChange("Recruitment", [], ["P12", "P13"]), hr)
    page = client.get(f"/results/{campaign.slug}?group={group.id}").get_data(as_text=True)
    assert principle_order(page) == ["P12", "P13"] and "2 principles shown." in page
    rest = principle_order(client.get(f"/results/{campaign.slug}?group=none").get_data(as_text=True))
    assert "P12" not in rest and "P01" in rest
    assert (
        principle_order(client.get(f"/results/{campaign.slug}?group=nonsense").get_data(as_text=True)) == []
    )


def test_the_principle_and_rating_pages_name_the_group(client, login, make_user, campaign):
    hr = login(make_user("hr"))
    services.create_group(campaign, GroupChange("Recruitment", [], ["P12"]), hr)
    assert "Working group: Recruitment" in client.get(f"/results/{campaign.slug}/P12").get_data(as_text=True)
    rating_page = client.get(f"/gap/{campaign.slug}/principles/P12").get_data(as_text=True)
    assert "Working group: Recruitment" in rating_page
    assert "Working group:" not in client.get(f"/gap/{campaign.slug}/principles/P01").get_data(as_text=True)


def test_the_overview_in_french_names_the_reviewers_part_and_the_groups(client, login, make_user, campaign):
    hr, ada = make_user("hr"), make_user("reviewer")
    services.create_group(campaign, GroupChange("Recrutement", [str(ada.id)], ["P12"]), hr)
    login(ada)
    page = client.get(f"/results/{campaign.slug}?lang=fr").get_data(as_text=True)
    assert "Les principes de votre groupe de travail" in page and "Autres principes" in page
    assert "Groupe de travail : Recrutement" in page and "dans aucun groupe de travail" in page


def test_a_concurrent_save_is_refused_with_words_not_a_500(client, login, make_user, campaign, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    login(make_user("hr"))

    def clash(*args, **kwargs):
        raise IntegrityError("insert", {}, Exception("duplicate key"))

    monkeypatch.setattr(services, "create_group", clash)
    response = form_post(client, f"/groups/{campaign.slug}/new", name="Ethics")
    assert response.status_code == 400
    assert "Another change to the working groups was saved meanwhile: try again." in response.get_data(
        as_text=True
    )


def test_changes_need_the_forms_token(client, login, make_user, campaign):
    hr = login(make_user("hr"))
    group = services.create_group(campaign, GroupChange("Ethics", [], ["P01"]), hr)
    assert client.post(f"/groups/{campaign.slug}/new", data={"name": "Sneaky"}).status_code == 400
    assert client.post(f"/groups/{campaign.slug}/{group.id}/delete").status_code == 400
    assert client.post(f"/groups/{campaign.slug}/per-pillar").status_code == 400
    assert groups_named(campaign) == ["Ethics"]
