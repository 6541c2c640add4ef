"""HR's headcounts page: upload or typed entry, refusal with row and column, settings, rates and weighted
figures after the analysis it starts."""

from __future__ import annotations

import io

import pytest

from consult.analysis.services import latest_results
from consult.extensions import db as _db
from consult.extensions import limiter
from consult.surveys.headcounts.models import Headcounts
from tests.conftest import csrf_from
from tests.surveys.headcounts.test_csv_format import CELLS


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def hr(client, make_user, login):
    return login(make_user("hr"))


def page_token(client, slug):
    return csrf_from(client.get(f"/campaigns/{slug}/headcounts").get_data(as_text=True))


def test_a_refused_file_names_row_and_column_and_stores_nothing(db, client, hr, make_campaign):
    campaign = make_campaign(status="closed")
    data = {
        "csrf_token": page_token(client, campaign.slug),
        "file": (io.BytesIO(b"school,career_stage,headcount\nwest,R1,3\n"), "s.csv"),
    }
    response = client.post(f"/campaigns/{campaign.slug}/headcounts", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 2, column 1 (school): unknown option &#39;west&#39;" in text
    assert _db.session.get(Headcounts, campaign.id) is None
    empty = client.post(
        f"/campaigns/{campaign.slug}/headcounts", data={"csrf_token": page_token(client, campaign.slug)}
    )
    assert empty.status_code == 422 and "Give a file or type the headcounts." in empty.get_data(as_text=True)


def test_typed_headcounts_give_rates_and_weighted_figures(db, client, hr, make_campaign, add_responses):
    campaign = make_campaign(status="closed")
    add_responses(campaign, 120)
    token = page_token(client, campaign.slug)
    response = client.post(
        f"/campaigns/{campaign.slug}/headcounts", data={"csrf_token": token, "text": CELLS}
    )
    assert response.status_code == 302
    results = latest_results(campaign)
    assert results["campaign"]["weighting"]["method"] == "post-stratification"
    assert results["sections"][0]["weighted"]["favourable"] is not None
    text = client.get(f"/campaigns/{campaign.slug}/headcounts").get_data(as_text=True)
    assert "Response rate by School" in text and "8 rows stored (cells)" in text
    principle = client.get(f"/results/{campaign.slug}/P01").get_data(as_text=True)
    assert "Weighted to the staff headcounts, beside the unweighted figures" in principle
    overview = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert "weighted" in overview

    settings = {"csrf_token": token, "trim_low": "0.5", "trim_high": "2", "rating_basis": "unweighted"}
    assert client.post(f"/campaigns/{campaign.slug}/headcounts/settings", data=settings).status_code == 302
    stored = _db.session.get(Headcounts, campaign.id)
    assert (stored.trim_low, stored.trim_high, stored.rating_basis) == (0.5, 2.0, "unweighted")
    reason = latest_results(campaign)["sections"][0]["rating"]["reason"]
    assert "Unweighted figures; weighted to the staff headcounts" in reason
    bad = settings | {"trim_low": "3"}
    client.post(f"/campaigns/{campaign.slug}/headcounts/settings", data=bad)
    assert _db.session.get(Headcounts, campaign.id).trim_low == 0.5
