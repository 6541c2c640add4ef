"""The submission's pages: roles (reviewers propose, HR edits), both languages, bad input answered clearly."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from consult.accounts.models import AuditEvent
from consult.extensions import db as database
from consult.hrs4r import cycle, services
from tests.conftest import csrf_from


def pages(slug: str, action_id: int) -> list[str]:
    return [
        f"/hrs4r/{slug}/",
        f"/hrs4r/{slug}/actions/new?section=P01",
        f"/hrs4r/{slug}/actions/{action_id}",
        f"/hrs4r/{slug}/otm-r",
        f"/hrs4r/{slug}/figures",
        f"/hrs4r/{slug}/review",
        f"/hrs4r/{slug}/import",
    ]


@pytest.mark.parametrize(("language", "words"), [("en", "Action plan"), ("fr", "Plan d'action")])
def test_every_page_opens_in_both_languages(client, login, make_user, submission, language, words):
    before, after = submission
    login(make_user("hr"))
    action = services.plan(before.id)[0]
    for slug in (before.slug, after.slug):
        for url in pages(slug, action.id if slug == before.slug else services.plan(after.id)[0].id):
            page = client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
            assert page.status_code == 200, url
            assert words in page.get_data(as_text=True), url


def test_a_reviewer_proposes_from_a_principle_and_hr_validates(client, login, make_user, submission):
    before, _ = submission
    login(make_user("reviewer"))
    form = client.get(f"/hrs4r/{before.slug}/actions/new?section=P01").get_data(as_text=True)
    assert 'value="1" checked' in form or 'checked value="1"' in form or "checked" in form
    sent = client.post(
        f"/hrs4r/{before.slug}/actions/new?section=P01",
        data={
            "csrf_token": csrf_from(form),
            "title": "Integrity workshop",
            "principles": ["1"],
            "start_period": "2026-Q1",
            "end_period": "2026-Q2",
            "status": "planned",
        },
    )
    assert sent.status_code == 302
    action = services.plan(before.id)[-1]
    assert (action.title, action.source_section, action.validated) == ("Integrity workshop", "P01", False)
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Proposed from the gap of P01" in page and "Edit the action" not in page
    refused = client.post(sent.headers["Location"], data={"csrf_token": csrf_from(page), "title": "X"})
    assert refused.status_code == 403
    assert (
        client.post(
            f"/hrs4r/{before.slug}/actions/{action.id}/validate", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 403
    )


def test_hr_edits_binds_and_orders(client, login, make_user, submission):
    before, _ = submission
    hr = login(make_user("hr"))
    action = services.plan(before.id)[0]
    url = f"/hrs4r/{before.slug}/actions/{action.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    bad = client.post(
        url + "/indicators",
        data={
            "csrf_token": token,
            "figure": "section:P01",
            "metric": "gap",
            "group": "",
            "comparator": ">=",
            "target": "5",
        },
    )
    assert bad.status_code == 400 and "choose the group" in bad.get_data(as_text=True)
    good = client.post(
        url + "/indicators",
        data={
            "csrf_token": token,
            "figure": "section:P14",
            "metric": "favourable",
            "group": "",
            "comparator": ">=",
            "target": "60",
        },
    )
    assert good.status_code == 302
    assert action.indicators[-1].target == pytest.approx(0.6) and action.indicators[-1].code == "P14"
    stale = client.post(url, data={"csrf_token": token, "title": "Renamed", "status": "done", "version": "1"})
    assert stale.status_code == 400 and "meanwhile" in stale.get_data(as_text=True)
    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "title": "Renamed",
            "status": "done",
            "version": str(action.version),
            "principles": ["1"],
        },
    )
    assert saved.status_code == 302 and action.title == "Renamed" and action.status == "done"
    events = database.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == hr.id))
    assert {"hrs4r.action.edited", "hrs4r.action.indicator-bound"} <= set(events)


def test_bad_figures_and_otmr_answers_are_refused(client, login, make_user, submission):
    _, after = submission
    login(make_user("hr"))
    token = csrf_from(client.get(f"/hrs4r/{after.slug}/figures").get_data(as_text=True))
    bad = client.post(f"/hrs4r/{after.slug}/figures", data={"csrf_token": token, "students": "many"})
    assert bad.status_code == 400 and "Write a number." in bad.get_data(as_text=True)
    assert cycle.organisation_figures(after.id).values["researchers_fte"] == 1250.5
    otmr = client.post(f"/hrs4r/{after.slug}/otm-r", data={"csrf_token": token, "q1-rating": "+++"})
    assert otmr.status_code == 400
    assert cycle.otmr_answers(after.id)[1].rating == "++"


def test_an_import_with_errors_stores_nothing(client, login, make_user, submission):
    _, after = submission
    login(make_user("hr"))
    token = csrf_from(client.get(f"/hrs4r/{after.slug}/import").get_data(as_text=True))
    csv = b"title,principles\nGood,1\nBad,99\n"
    sent = client.post(
        f"/hrs4r/{after.slug}/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv), "plan.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 400
    assert "row 3, column principles" in sent.get_data(as_text=True)
    assert [a.title for a in services.plan(after.id)] == ["Stable contracts"]


def test_exports_download_and_refuse_unknown_formats(client, login, make_user, submission):
    _, after = submission
    login(make_user("reviewer"))
    got = client.get(f"/hrs4r/{after.slug}/export?document=otm-r&format=docx&language=fr")
    assert got.status_code == 200 and got.data.startswith(b"PK")
    assert "otm-r-fr.docx" in got.headers["Content-Disposition"]
    assert client.get(f"/hrs4r/{after.slug}/export?document=otm-r&format=odt").status_code == 400
