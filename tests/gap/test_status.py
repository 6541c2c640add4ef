"""A principle's status (not started, drafted, proposed, validated), its validation by HR or an admin, and
the overview's counts and filters."""

from __future__ import annotations

import re

import pytest

from consult.gap import services
from consult.gap.models import Assessment
from consult.gap.status import status_counts, status_of
from tests.conftest import csrf_from
from tests.gap.test_views import campaign, edit_url, fresh_login_limits, post_edit  # noqa: F401


@pytest.mark.parametrize(
    ("fields", "validated", "expected"),
    [
        ({}, False, "not_started"),
        ({"gap_html": "<p>Seen.</p>"}, False, "drafted"),
        ({"final_rating": "+/-"}, False, "proposed"),
        ({"final_rating": "+/-"}, True, "validated"),
    ],
)
def test_status_of_a_row(fields, validated, expected):
    row = Assessment(final_rating=None, gap_html="", initiatives_html="", validated_at=None, **{})
    for name, value in fields.items():
        setattr(row, name, value)
    row.validated_at = "2026-12-04" if validated else None
    assert status_of(row) == expected
    assert status_of(None) == "not_started"


def test_counts_name_every_status():
    assert status_counts(["drafted", "drafted", "validated"]) == {
        "not_started": 0,
        "drafted": 2,
        "proposed": 0,
        "validated": 1,
    }


def validate(client, campaign, code="P01"):  # noqa: F811
    page = client.get(edit_url(campaign, code)).get_data(as_text=True)
    version = services.get_assessment(campaign.id, code).version
    url = f"/gap/{campaign.slug}/principles/{code}/validate"
    return client.post(url, data={"csrf_token": csrf_from(page), "version": version})


def test_hr_validates_and_the_history_says_so(client, login, make_user, campaign):  # noqa: F811
    login(make_user("reviewer"))
    post_edit(client, campaign, final_rating="+/-", gap_html="<p>Agreed.</p>")
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert "Validate for the steering committee" not in page
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    hr = login(make_user("hr"))
    assert validate(client, campaign).status_code == 302
    assessment = services.get_assessment(campaign.id, "P01")
    assert status_of(assessment) == "validated" and assessment.validated_by_id == hr.id
    events = [revision.event for revision in services.revisions(assessment.id)]
    assert events == ["validated", "saved"]
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert f"validated by {hr.email}" in page and "<td>validated</td>" in page


def test_a_reviewer_cannot_validate(client, login, make_user, campaign):  # noqa: F811
    login(make_user("reviewer"))
    post_edit(client, campaign, final_rating="+/-")
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    response = client.post(
        f"/gap/{campaign.slug}/principles/P01/validate", data={"csrf_token": csrf_from(page), "version": "1"}
    )
    assert response.status_code == 403
    assert services.get_assessment(campaign.id, "P01").validated_at is None


def test_a_new_save_undoes_the_validation_and_drafts_cannot_be_validated(client, login, make_user, campaign):  # noqa: F811
    login(make_user("hr"))
    post_edit(client, campaign, gap_html="<p>Draft.</p>")
    assert validate(client, campaign).status_code == 302
    assert status_of(services.get_assessment(campaign.id, "P01")) == "drafted"
    page = client.get(edit_url(campaign)).get_data(as_text=True)
    assert "Only a principle with a final rating can be validated." in page
    post_edit(client, campaign, final_rating="+/-")
    validate(client, campaign)
    post_edit(client, campaign, final_rating="+/-", gap_html="<p>Changed.</p>")
    assert status_of(services.get_assessment(campaign.id, "P01")) == "proposed"


def test_the_overview_counts_and_filters_by_status(client, login, make_user, campaign):  # noqa: F811
    login(make_user("hr"))
    post_edit(client, campaign, "P01", final_rating="+/-")
    post_edit(client, campaign, "P02", final_rating="--", justification="The focus groups disagree.")
    post_edit(client, campaign, "P03", gap_html="<p>Started.</p>")
    validate(client, campaign, "P01")
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    counts = re.findall(r'class="status status-(\w+)">[^<]+</span>: (\d+)', page)
    total = len(campaign.questionnaire.sections)
    assert counts == [
        ("not_started", str(total - 3)),
        ("drafted", "1"),
        ("proposed", "1"),
        ("validated", "1"),
    ]
    proposed = client.get(f"/results/{campaign.slug}?status=proposed").get_data(as_text=True)
    assert "1 principle shown." in proposed and "P02 ·" in proposed and "P01 ·" not in proposed
    differs = client.get(f"/results/{campaign.slug}?only=differs").get_data(as_text=True)
    assert "P02 ·" in differs and "P01 ·" not in differs and "P03 ·" not in differs
