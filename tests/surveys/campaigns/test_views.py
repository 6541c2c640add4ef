"""New campaigns (templates, questionnaire files), the campaign page, YAML export, preview, participation."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import limiter
from consult.surveys.campaigns.models import Campaign, CampaignMode
from consult.surveys.questionnaires.charter_templates import load_template, template_names
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.yaml_format import dump_questionnaire, parse_questionnaire
from consult.surveys.responses import storage
from tests.conftest import csrf_from, small_questionnaire

BROKEN_YAML = """\
title: Broken survey
languages: [en, de]
scale:
  points: 5
  labels: [a, b, c]
  favourable: [4, 9]
sections:
  - code: S1
    title: One
    items:
      - {code: S1.1, text: Fine}
      - {code: S1.1, text: Twice, reverse: maybe}
"""


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test signs in: the sign-in limit (per client address) must not carry over between tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture
def hr(client, make_user, login):
    return login(make_user("hr"))


def campaigns(db) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id)))


def token(client, path: str = "/campaigns/new") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def upload(client, path: str, text: str | bytes, name: str = "survey.yaml"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(path, data={"csrf_token": token(client), "file": (io.BytesIO(data), name)})


@pytest.mark.parametrize("name", template_names())
def test_a_campaign_is_built_from_each_template(db, client, hr, name):
    response = client.post(f"/campaigns/new/{name}", data={"csrf_token": token(client)})
    created = campaigns(db)[-1]
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/campaigns/{created.slug}")
    assert campaign_spec(created) == load_template(name)
    assert created.status.value == "draft" and created.created_by_id == hr.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target == created.slug))
    assert (event.actor_id, event.target) == (hr.id, created.slug)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "draft" in page and f"{len(load_template(name).items)} in {len(load_template(name).sections)}" in page
    )


def test_an_unknown_template_creates_nothing(db, client, hr):
    before = campaigns(db)
    response = client.post(
        "/campaigns/new/charter-1999", data={"csrf_token": token(client)}, follow_redirects=True
    )
    assert "Unknown template." in response.get_data(as_text=True) and campaigns(db) == before


def own_questionnaire():
    """The small test questionnaire as a file would give it (a dimension's question defaults to its label)."""
    q = small_questionnaire()
    return replace(q, dimensions=tuple(replace(d, question=d.label) for d in q.dimensions))


def test_a_campaign_is_built_from_a_questionnaire_file(db, client, hr):
    q = own_questionnaire()
    response = upload(client, "/campaigns/new/upload", dump_questionnaire(q))
    assert response.status_code == 302
    assert campaign_spec(campaigns(db)[-1]) == q


def test_a_broken_file_is_refused_with_every_error_and_where_it_is(db, client, hr):
    before = campaigns(db)
    response = upload(client, "/campaigns/new/upload", BROKEN_YAML)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and campaigns(db) == before
    for expected in (
        "languages[1] (line 2): unsupported language &#39;de&#39;",
        "scale.labels (line 5): expected 5 labels",
        "scale.favourable[1] (line 6): must be between 1 and 5, found 9",
        "sections[0].items[1].code (line 12): duplicate item code &#39;S1.1&#39;",
        "sections[0].items[1].reverse (line 12): expected true or false",
    ):
        assert expected in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"title: [unclosed\n", "malformed YAML"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"", "the file is empty"),
    ],
)
def test_a_file_that_is_not_yaml_is_refused(db, client, hr, data, message):
    before = campaigns(db)
    response = upload(client, "/campaigns/new/upload", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert campaigns(db) == before


def test_an_upload_needs_a_file(db, client, hr):
    before = campaigns(db)
    response = client.post("/campaigns/new/upload", data={"csrf_token": token(client)})
    assert response.status_code == 422 and campaigns(db) == before


def test_the_questionnaire_exports_to_yaml_and_back(db, client, hr, make_campaign):
    campaign = make_campaign(load_template("charter-2023"))
    response = client.get(f"/campaigns/{campaign.slug}/questionnaire.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert f'filename="{campaign.slug}.yaml"' in response.headers["Content-Disposition"]
    assert parse_questionnaire(response.data) == campaign_spec(campaign)
    created = upload(client, "/campaigns/new/upload", response.data)
    assert campaign_spec(campaigns(db)[-1]) == campaign_spec(campaign) and created.status_code == 302


def test_a_draft_questionnaire_is_replaced_by_a_file(db, client, hr, make_campaign):
    campaign = make_campaign()
    replacement = load_template("charter-2005")
    response = upload(
        client, f"/campaigns/{campaign.slug}/questionnaire/file", dump_questionnaire(replacement)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign_spec(campaign) == replacement


def test_a_broken_replacement_changes_nothing(db, client, hr, make_campaign):
    campaign = make_campaign()
    response = upload(client, f"/campaigns/{campaign.slug}/questionnaire/file", BROKEN_YAML)
    assert response.status_code == 422 and "unsupported language" in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign_spec(campaign) == small_questionnaire()


def test_an_open_questionnaire_cannot_be_replaced(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    response = upload(
        client,
        f"/campaigns/{campaign.slug}/questionnaire/file",
        dump_questionnaire(load_template("charter-2005")),
    )
    assert response.status_code == 409 and "frozen" in response.get_data(as_text=True)
    assert campaign_spec(campaign) == small_questionnaire()


def test_an_unknown_campaign_is_404(client, hr):
    assert client.get("/campaigns/no-such-campaign").status_code == 404


def test_the_open_link_and_its_weaker_guarantee_are_shown(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    campaign.mode = CampaignMode.OPEN_LINK
    db.session.flush()
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "the same person can answer again from another browser" in page
    assert f"http://localhost/r/open/{campaign.slug}" in page


def preview_steps(client, slug: str, language: str) -> list[str]:
    pages, step = [], 1
    while True:
        response = client.get(f"/campaigns/{slug}/preview?step={step}&language={language}")
        if response.status_code == 404:
            return pages
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        step += 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_preview_shows_every_page_in_each_language(db, client, hr, make_campaign, language):
    campaign = make_campaign()
    pages = preview_steps(client, campaign.slug, language)
    assert len(pages) >= 3
    joined = "".join(pages)
    q = small_questionnaire()
    for item in q.items:
        assert item.text[language].replace("'", "&#39;") in joined
    for label in q.scale.labels[language]:
        assert label in pages[0]
    assert f'<html lang="{language}">' in pages[0]
    assert "Next page" in pages[0] or "Page suivante" in pages[0]
    assert '<form method="post" action="/r/' not in joined


def test_participation_is_suppressed_below_the_minimum_group_size(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    storage.insert_responses(campaign.id, _answers(12), _profiles([1] * 9 + [2] * 3), on=date(2026, 3, 2))
    db.session.flush()
    page = client.get(f"/campaigns/{campaign.slug}/participation").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Refresh this page every minute" in page
    chosen = client.get(f"/campaigns/{campaign.slug}/participation?refresh=on").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="60">' in chosen and "Stop refreshing" in chosen
    assert "fewer than 5" in page and "not shown" in page
    assert ">12<" in page and "2026-03-02" in page
    assert ">9<" not in page and ">3<" not in page


def test_participation_does_not_refresh_once_closed(db, client, hr, make_campaign):
    campaign = make_campaign(status="closed")
    page = client.get(f"/campaigns/{campaign.slug}/participation").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "No response yet." in page


def _answers(n: int) -> np.ndarray:
    return np.full((n, 3), 4, dtype=np.uint8)


def _profiles(schools: list[int]) -> np.ndarray:
    return np.array([[school, 1] for school in schools], dtype=np.uint8)


def test_response_counts_read_the_school_from_each_profile(db, make_campaign):
    from consult.surveys.campaigns.services import participation_figures

    campaign = make_campaign(status="open", q=small_questionnaire(min_group_size=3))
    storage.insert_responses(campaign.id, _answers(10), _profiles([1] * 4 + [2] * 3 + [0] * 3))
    db.session.flush()
    figures = participation_figures(campaign, "fr", "Non précisé")
    assert [(g.label, g.responses) for g in figures.groups] == [("Nord", 4), ("Sud", 3), ("Non précisé", 3)]
    assert figures.responses == 10


@pytest.mark.parametrize(
    ("status", "action", "question"),
    [("draft", "open", "Open this campaign?"), ("closed", "archive", "Archive this campaign?")],
)
def test_opening_and_archiving_ask_for_confirmation_first(
    db, client, hr, make_campaign, status, action, question
):
    campaign = make_campaign(status=status)
    overview = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.slug}/status/{action}"' in overview
    assert f'action="/campaigns/{campaign.slug}/status/{action}"' not in overview
    page = client.get(f"/campaigns/{campaign.slug}/status/{action}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and question in text and "No, go back" in text
    assert campaign.status.value == status
    done = client.post(f"/campaigns/{campaign.slug}/status/{action}", data={"csrf_token": csrf_from(text)})
    assert (
        done.status_code == 302 and campaign.status.value == {"open": "open", "archive": "archived"}[action]
    )
    assert client.get(f"/campaigns/{campaign.slug}/status/close").status_code == 404


def test_participation_by_day_is_drawn_with_its_table(db, client, hr, make_campaign):
    campaign = make_campaign(status="open")
    storage.insert_responses(campaign.id, _answers(6), _profiles([1] * 6), on=date(2026, 3, 2))
    storage.insert_responses(campaign.id, _answers(5), _profiles([2] * 5), on=date(2026, 3, 4))
    db.session.flush()
    page = client.get(f"/campaigns/{campaign.slug}/participation?refresh=off").get_data(as_text=True)
    assert page.count('class="bar"') == 2 and "<title>2026-03-04: 5</title>" in page
    assert "Responses received each day (UTC)" in page and ">11<" in page


def test_the_campaign_list_says_where_each_campaign_stands(db, client, hr, make_campaign):
    draft = make_campaign(title="Draft one")
    small = make_campaign(status="open", title="Open one")
    storage.insert_responses(small.id, _answers(3), _profiles([1] * 3))
    db.session.flush()
    page = client.get("/dashboard").get_data(as_text=True)
    row = {title: line for line in page.split("<tr>") for title in ("Draft one", "Open one") if title in line}
    assert "Check the questionnaire, then open the campaign" in row["Draft one"]
    assert "no dates set" in row["Draft one"] and "not analysed yet" in row["Draft one"]
    assert "fewer than 5" in row["Open one"] and ">3<" not in row["Open one"]
    assert "Invite people" in row["Open one"] and f"/campaigns/{small.slug}/invitations" in row["Open one"]
    overview = client.get(f"/campaigns/{draft.slug}").get_data(as_text=True)
    assert "Next step:" in overview and "Check the questionnaire, then open the campaign" in overview


def test_hr_chooses_the_page_size_of_a_draft(db, client, hr, make_campaign):
    campaign = make_campaign()
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    url = f"/campaigns/{campaign.slug}/page-size"
    assert client.post(url, data={"csrf_token": csrf_from(page), "page_size": "huge"}).status_code == 422
    assert campaign.page_size == "pillar"
    assert client.post(url, data={"csrf_token": csrf_from(page), "page_size": "principle"}).status_code == 302
    assert campaign.page_size == "principle"
    preview = client.get(f"/campaigns/{campaign.slug}/preview?step=2").get_data(as_text=True)
    assert "Stability" in preview


def test_invitations_per_school_are_unknown_when_no_invitation_names_a_school(db, client, hr, make_campaign):
    from consult.surveys.campaigns import services
    from consult.surveys.invitations import links

    campaign = make_campaign(status="open")
    links.issue_tokens(campaign, 30)
    storage.insert_responses(campaign.id, _answers(12), _profiles([1] * 6 + [2] * 6), on=date(2026, 3, 2))
    db.session.flush()
    figures = services.participation_figures(campaign, "en", "not stated")
    assert figures.invited == 30 and [g.invited for g in figures.groups] == [None, None, None]
    assert [g.rate for g in figures.groups] == [None, None, None]
    page = client.get(f"/campaigns/{campaign.slug}/participation").get_data(as_text=True)
    assert "No invitation names a school, so response rates per school are not known" in page
    links.invite_emails(campaign, [("ann@univ.example.org", "north")])
    db.session.flush()
    figures = services.participation_figures(campaign, "en", "not stated")
    assert [g.invited for g in figures.groups] == [1, 0, None]


@pytest.mark.parametrize("status", ["draft", "open"])
def test_the_campaign_page_leads_to_its_working_groups(db, client, hr, make_campaign, status):
    campaign = make_campaign(status=status)
    page = client.get(f"/campaigns/{campaign.slug}").get_data(as_text=True)
    assert f'href="/groups/{campaign.slug}"' in page
    assert (f'href="/results/{campaign.slug}"' in page) == (status != "draft")
