"""The builder's pages: settings, scale, principles, sections, items, dimensions; frozen once open."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.charter import reference
from consult.extensions import limiter
from consult.surveys.campaigns.models import CampaignMode
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.yaml_format import parse_questionnaire
from tests.conftest import csrf_from, small_questionnaire


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture
def hr(client, make_user, login):
    return login(make_user("hr"))


@pytest.fixture
def draft(make_campaign, hr):
    q = small_questionnaire()
    return make_campaign(replace(q, dimensions=tuple(replace(d, question=d.label) for d in q.dimensions)))


def post(client, path: str, **fields):
    page = client.get("/dashboard").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(page), **fields})


def spec_of(db, campaign):
    db.session.expire_all()
    return campaign_spec(campaign)


def actions(db, campaign) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.target == campaign.slug).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


SETTINGS = {
    "title_en": "Staff survey 2026",
    "title_fr": "Enquête 2026",
    "mode": "token",
    "min_group_size": "7",
    "comment_min_responses": "12",
    "plus_plus": "0.8",
    "plus_minus": "0.6",
    "minus_plus": "0.45",
    "equity_gap": "0.1",
    "equity_alpha": "0.01",
}


def test_settings_are_saved(db, client, draft):
    page = client.get(f"/campaigns/{draft.slug}/settings").get_data(as_text=True)
    assert 'value="Small survey"' in page and 'value="Petite enquête"' in page
    response = post(client, f"/campaigns/{draft.slug}/settings", **{**SETTINGS, "mode": "open-link"})
    assert response.status_code == 302
    q = spec_of(db, draft)
    assert q.title == {"en": "Staff survey 2026", "fr": "Enquête 2026"}
    assert (q.min_group_size, q.comment_min_responses) == (7, 12)
    assert (q.rating.plus_plus, q.rating.minus_plus, q.rating.equity_alpha) == (0.8, 0.45, 0.01)
    assert draft.mode == CampaignMode.OPEN_LINK
    assert {"questionnaire.settings", "campaign.mode"} <= set(actions(db, draft))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_group_size": "2"}, "Number must be between 3 and 1000."),
        ({"comment_min_responses": "4"}, "cannot be below the minimum group size"),
        ({"plus_minus": "0.85"}, "thresholds must decrease strictly"),
        ({"title_fr": " "}, "Give the text in this language."),
        ({"mode": "anyone"}, "Not a valid choice"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(db, client, draft, change, message):
    response = post(client, f"/campaigns/{draft.slug}/settings", **{**SETTINGS, **change})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    q = spec_of(db, draft)
    assert (q.title["en"], q.min_group_size, q.rating.plus_minus) == ("Small survey", 5, 0.6)


def test_the_answer_scale_is_saved(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/scale",
        points="4",
        labels_en="No\nRather no\nRather yes\nYes",
        labels_fr="Non\nPlutôt non\nPlutôt oui\nOui",
        favourable="3, 4",
    )
    assert response.status_code == 302
    scale = spec_of(db, draft).scale
    assert (scale.points, scale.favourable, scale.dont_know) == (4, (3, 4), False)
    assert scale.labels["fr"] == ("Non", "Plutôt non", "Plutôt oui", "Oui")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"labels_fr": "Non\nOui"}, "expected 4 labels (one per scale point), found 2"),
        ({"favourable": "4, 5"}, "must be between 1 and 4, found 5"),
        ({"favourable": "four"}, "List point numbers separated by commas"),
        ({"points": "12"}, "Number must be between 2 and 11."),
    ],
)
def test_a_bad_scale_is_refused(db, client, draft, fields, message):
    base = {
        "points": "4",
        "labels_en": "a\nb\nc\nd",
        "labels_fr": "e\nf\ng\nh",
        "favourable": "3, 4",
        "dont_know": "y",
    }
    response = post(client, f"/campaigns/{draft.slug}/scale", **{**base, **fields})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert spec_of(db, draft).scale.points == 5


def test_principles_are_chosen_and_come_back_from_the_template(db, client, make_campaign, hr):
    campaign = make_campaign(load_template("charter-2023"))
    response = post(client, f"/campaigns/{campaign.slug}/principles", principles=["1", "2", "3", "9"])
    assert response.status_code == 302
    assert [s.principle for s in spec_of(db, campaign).sections] == [1, 2, 3, 9]
    post(client, f"/campaigns/{campaign.slug}/principles", principles=["1", "2", "3", "7", "9"])
    sections = spec_of(db, campaign).sections
    assert [s.principle for s in sections] == [1, 2, 3, 7, 9]
    assert sections[3] == next(s for s in load_template("charter-2023").sections if s.principle == 7)


def test_no_principle_is_refused(db, client, make_campaign, hr):
    campaign = make_campaign(load_template("charter-2023"))
    response = post(client, f"/campaigns/{campaign.slug}/principles")
    assert response.status_code == 422 and "sections" in response.get_data(as_text=True)
    assert len(spec_of(db, campaign).sections) == 20


def test_a_section_is_added_with_its_first_item(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/questionnaire",
        code="P21",
        title_en="Telework",
        title_fr="Télétravail",
        principle="0",
        comment="y",
        item_code="P21.1",
        item_text_en="I can work from home.",
        item_text_fr="Je peux télétravailler.",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/sections/P21")
    added = spec_of(db, draft).sections[-1]
    assert (added.code, added.title["fr"], added.comment, added.principle) == (
        "P21",
        "Télétravail",
        True,
        None,
    )
    assert [(i.code, i.text["en"]) for i in added.items] == [("P21.1", "I can work from home.")]


def test_a_section_naming_a_principle_gets_its_title_from_the_charter(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/questionnaire",
        code="P05",
        title_en="",
        title_fr="",
        principle="5",
        item_code="P05.1",
        item_text_en="Statement",
        item_text_fr="Énoncé",
    )
    assert response.status_code == 302
    section, principle = spec_of(db, draft).sections[-1], reference.principle("2023", 5)
    assert (section.title, section.pillar) == (principle.name, principle.pillar)


def test_a_duplicate_code_is_refused_with_where_it_is(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/questionnaire",
        code="P14",
        title_en="A",
        title_fr="B",
        principle="0",
        item_code="P99.1",
        item_text_en="x",
        item_text_fr="y",
    )
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 422
        and "duplicate section code &#39;P14&#39; (first used at sections[1].code)" in page
    )
    assert len(spec_of(db, draft).sections) == 2


def test_a_section_is_edited_and_keeps_its_items(db, client, draft):
    page = client.get(f"/campaigns/{draft.slug}/sections/P01").get_data(as_text=True)
    assert 'value="Ethics"' in page and "Je connais les règles." in page
    response = post(
        client,
        f"/campaigns/{draft.slug}/sections/P01",
        **{
            "section-code": "ETH",
            "section-title_en": "Ethics and integrity",
            "section-title_fr": "Éthique",
            "section-principle": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/sections/ETH")
    section = spec_of(db, draft).sections[0]
    assert (section.code, section.title["en"], section.comment, section.pillar) == (
        "ETH",
        "Ethics and integrity",
        False,
        1,
    )
    assert [i.code for i in section.items] == ["P01.1", "P01.2"]


def test_items_are_added_edited_moved_and_deleted(db, client, draft):
    base = f"/campaigns/{draft.slug}"
    response = post(
        client,
        f"{base}/sections/P01/items",
        **{
            "item-code": "P01.3",
            "item-text_en": "I was trained.",
            "item-text_fr": "J'ai été formé.",
            "item-reverse": "y",
        },
    )
    assert response.status_code == 302
    assert [(i.code, i.reverse) for i in spec_of(db, draft).sections[0].items][-1] == ("P01.3", True)
    post(client, f"{base}/items/P01.1", code="P01.1", text_en="I know whom to ask.", text_fr="Je sais qui.")
    assert spec_of(db, draft).items[0].text == {"en": "I know whom to ask.", "fr": "Je sais qui."}
    assert spec_of(db, draft).items[0].reverse is False
    response = post(client, f"{base}/items/P01.3/move/up")
    assert response.headers["Location"].endswith("/sections/P01")
    assert [i.code for i in spec_of(db, draft).sections[0].items] == ["P01.1", "P01.3", "P01.2"]
    post(client, f"{base}/items/P01.2/delete")
    assert [i.code for i in spec_of(db, draft).sections[0].items] == ["P01.1", "P01.3"]


def test_an_item_without_every_language_is_refused(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/sections/P01/items",
        **{
            "item-code": "P01.3",
            "item-text_en": "Only English",
            "item-text_fr": "",
        },
    )
    assert response.status_code == 422 and "Give the text in this language." in response.get_data(
        as_text=True
    )
    assert len(spec_of(db, draft).items) == 3


def test_the_last_item_of_a_section_cannot_be_deleted(db, client, draft):
    response = post(client, f"/campaigns/{draft.slug}/items/P14.1/delete")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed" in page and "expected a non-empty list of items" in page
    assert [i.code for i in spec_of(db, draft).items] == ["P01.1", "P01.2", "P14.1"]


def test_sections_are_moved_and_deleted(db, client, draft):
    post(client, f"/campaigns/{draft.slug}/sections/P14/move/up")
    assert [s.code for s in spec_of(db, draft).sections] == ["P14", "P01"]
    post(client, f"/campaigns/{draft.slug}/sections/P01/delete")
    assert [s.code for s in spec_of(db, draft).sections] == ["P14"]
    assert "questionnaire.section.delete" in actions(db, draft)


@pytest.mark.parametrize("path", ["sections/P99", "items/P99.1", "dimensions/region", "sections/P99/delete"])
def test_an_unknown_code_is_404(client, draft, path):
    response = (
        client.get(f"/campaigns/{draft.slug}/{path}")
        if "delete" not in path
        else post(client, f"/campaigns/{draft.slug}/{path}")
    )
    assert response.status_code == 404


def test_standard_and_own_dimensions_are_added(db, client, draft):
    base = f"/campaigns/{draft.slug}/dimensions"
    assert post(client, f"{base}/standard", code="gender").status_code == 302
    response = post(
        client,
        base,
        code="contract_type",
        label_en="Contract",
        label_fr="Contrat",
        question_en="Your contract?",
        question_fr="Votre contrat ?",
        options="permanent | Permanent | Titulaire\nfixed-term | Fixed-term | CDD",
    )
    assert response.status_code == 302
    dimensions = spec_of(db, draft).dimensions
    assert [d.code for d in dimensions] == ["school", "career_stage", "gender", "contract_type"]
    assert [o.code for o in dimensions[2].options] == ["woman", "man", "other", "prefer-not"]
    assert dimensions[3].options[1].label == {"en": "Fixed-term", "fr": "CDD"}


def test_the_schools_are_the_institutions_own_list(db, client, draft):
    page = client.get(f"/campaigns/{draft.slug}/dimensions/school").get_data(as_text=True)
    assert "north | North | Nord" in page
    response = post(
        client,
        f"/campaigns/{draft.slug}/dimensions/school",
        code="school",
        label_en="School",
        label_fr="École",
        question_en="Your school?",
        question_fr="Votre école ?",
        options="IMT Atlantique\nTélécom Paris\nmines-ales | IMT Mines Alès",
    )
    assert response.status_code == 302
    school = spec_of(db, draft).dimensions[0]
    assert [(o.code, o.label["fr"]) for o in school.options] == [
        ("imt-atlantique", "IMT Atlantique"),
        ("telecom-paris", "Télécom Paris"),
        ("mines-ales", "IMT Mines Alès"),
    ]


def test_bad_options_are_refused_line_by_line(db, client, draft):
    response = post(
        client,
        f"/campaigns/{draft.slug}/dimensions/school",
        code="school",
        label_en="School",
        label_fr="École",
        question_en="?",
        question_fr="?",
        options="a | b | c | d\nonly",
    )
    assert response.status_code == 422 and "line 1: expected" in response.get_data(as_text=True)
    response = post(
        client,
        f"/campaigns/{draft.slug}/dimensions/school",
        code="school",
        label_en="School",
        label_fr="École",
        question_en="?",
        question_fr="?",
        options="only one",
    )
    assert response.status_code == 422 and "expected between 2 and 254 options" in response.get_data(
        as_text=True
    )
    assert [o.code for o in spec_of(db, draft).dimensions[0].options] == ["north", "south"]


def test_dimensions_are_moved_and_deleted(db, client, draft):
    post(client, f"/campaigns/{draft.slug}/dimensions/career_stage/move/up")
    assert [d.code for d in spec_of(db, draft).dimensions] == ["career_stage", "school"]
    post(client, f"/campaigns/{draft.slug}/dimensions/school/delete")
    assert [d.code for d in spec_of(db, draft).dimensions] == ["career_stage"]


def test_every_edit_keeps_a_questionnaire_that_exports_and_imports(db, client, draft):
    post(client, f"/campaigns/{draft.slug}/dimensions/standard", code="gender")
    post(client, f"/campaigns/{draft.slug}/sections/P14/move/up")
    exported = client.get(f"/campaigns/{draft.slug}/questionnaire.yaml").data
    assert parse_questionnaire(exported) == spec_of(db, draft)


def test_settings_write_the_top_rating_as_the_campaign_does(db, client, draft):
    page = client.get(f"/campaigns/{draft.slug}/settings").get_data(as_text=True)
    assert "'+/+' from a favourable share of" in page and "'++'" not in page
    draft.rating_spelling = "compact"
    db.session.flush()
    page = client.get(f"/campaigns/{draft.slug}/settings").get_data(as_text=True)
    assert "'++' from a favourable share of" in page
