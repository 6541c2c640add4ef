from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from consult.analysis.models import AnalysisRun, RunStatus
from consult.extensions import limiter
from consult.gap import services
from consult.gap.services import AssessmentChange
from consult.surveys.responses.models import Comment
from tests.conftest import csrf_from


def item(code: str, counts: list[int], dont_know: int = 0) -> dict[str, Any]:
    n = sum(counts)
    mean = sum((i + 1) * c for i, c in enumerate(counts)) / n
    return {
        "code": code,
        "n": n,
        "dont_know": dont_know,
        "counts": counts,
        "mean": mean,
        "sd": 1.0,
        "favourable": (counts[3] + counts[4]) / n,
        "favourable_ci": [0.5, 0.7],
    }


def group(code: str, n: int, mean: float, favourable: float) -> dict[str, Any]:
    return {"code": code, "n": n, "mean": mean, "favourable": favourable, "suppressed": False}


def breakdowns() -> dict[str, Any]:
    return {
        "school": {
            "groups": [group("north", 70, 3.3, 0.55), group("south", 80, 3.9, 0.78)],
            "test": {
                "name": "mann-whitney",
                "statistic": 1800.0,
                "p": 0.001,
                "p_adjusted": 0.003,
                "effect_size": -0.36,
            },
        },
        "career_stage": {
            "groups": [
                group("R1", 60, 3.5, 0.64),
                group("R2", 50, 3.7, 0.70),
                group("R3", 36, 3.6, 0.69),
                {"code": "R4", "suppressed": True},
            ],
            "test": {
                "name": "kruskal-wallis",
                "statistic": 1.2,
                "p": 0.55,
                "p_adjusted": 0.61,
                "effect_size": 0.001,
            },
        },
        "school:career_stage": {
            "groups": [
                group("north:R1", 30, 3.2, 0.5),
                group("south:R1", 30, 3.8, 0.77),
                {"code": "north:R4", "suppressed": True},
            ],
            "test": None,
        },
    }


def results(campaign) -> dict[str, Any]:
    ethics = {
        "code": "P01",
        "principle": 1,
        "title": "Ethics",
        "n": 150,
        "mean": 3.62,
        "favourable": 0.67,
        "favourable_ci": [0.62, 0.72],
        "alpha": 0.71,
        "rating": {
            "suggested": "+/-",
            "final": None,
            "uncertain": True,
            "reason": "67% of answers are favourable (60% to 75%).",
        },
        "items": [item("P01.1", [5, 15, 30, 60, 40]), item("P01.2", [10, 20, 20, 60, 40], dont_know=4)],
        "breakdowns": breakdowns(),
    }
    stability = {
        "code": "P14",
        "principle": 14,
        "title": "Stability",
        "n": 4,
        "suppressed": True,
        "rating": None,
        "items": [],
    }
    return {
        "campaign": {"slug": campaign.slug, "title": campaign.title, "responses": 150, "min_group_size": 5},
        "sections": [ethics, stability],
    }


@pytest.fixture(autouse=True)
def fresh_login_limits(app):
    """Each test signs in a few times; the sign-in rate limit must not carry over from earlier tests."""
    with app.app_context():
        limiter.reset()


@pytest.fixture
def campaign(make_campaign, db):
    campaign = make_campaign(status="closed")
    db.session.add(
        AnalysisRun(campaign_id=campaign.id, status=RunStatus.DONE, responses=150, results=results(campaign))
    )
    db.session.flush()
    return campaign


@pytest.fixture
def reviewer(login, make_user):
    return login(make_user("reviewer"))


def test_the_overview_is_shaped_like_the_gap_analysis(client, reviewer, campaign):
    services.save_assessment(campaign.id, "P01", AssessmentChange("+/-", "", "", "", None), None)
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert "Ethics, Integrity, Gender and Open Science" in page and "Working Conditions and Practices" in page
    assert page.count("<caption>") >= 2 and 'scope="row"' in page
    assert "67% of answers are favourable (60% to 75%)." in page and ">uncertain<" in page
    assert "fewer than 5" in page and "almost, but not fully implemented" in page
    assert "Run the analysis" not in page


def test_hr_sees_the_run_button_and_the_response_rate(client, login, make_user, make_campaign, add_responses):
    from consult.surveys.invitations.links import issue_tokens

    campaign = make_campaign(status="open")
    issue_tokens(campaign, 40)
    add_responses(campaign, 10)
    login(make_user("hr"))
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert "Run the analysis" in page and "No analysis has run yet" in page
    assert re.search(r"<dd>\s*25%\s*<span class=\"hint\">of 40 invitations</span>", page)


def test_fewer_responses_than_the_minimum_are_not_counted_on_any_page(
    client, login, make_user, make_campaign, add_responses, db
):
    from consult.surveys.invitations.links import issue_tokens

    campaign = make_campaign(status="open")
    issue_tokens(campaign, 40)
    add_responses(campaign, 3)
    run = AnalysisRun(campaign_id=campaign.id, status=RunStatus.DONE, responses=3, results=None)
    db.session.add(run)
    db.session.flush()
    login(make_user("hr"))
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert re.search(r"<dt>Responses</dt><dd><span class=\"suppressed\">fewer than 5</span></dd>", page)
    assert "not shown while fewer than 5 people have answered" in page and "of 40 invitations" not in page
    run_page = client.get(f"/results/{campaign.slug}/runs/{run.id}").get_data(as_text=True)
    assert "Done: fewer than 5 responses analysed." in run_page and "3 responses" not in run_page


def test_the_principle_page_has_charts_with_alt_text_and_data_tables(client, reviewer, campaign):
    page = client.get(f"/results/{campaign.slug}/P01").get_data(as_text=True)
    images = re.findall(r'<img class="chart" src="([^"]+)" alt="([^"]+)"', page)
    # the distribution, the heat map's panels (school, career stage, their crossing), the group chart
    assert len(images) == 5 and all(len(alt) > 60 for _src, alt in images)
    assert "Number of answers per statement and scale point" in page and "I know the rules." in page
    assert "Favourable answers by group: School \u00d7 Career stage" in page
    assert page.count("fewer than 5") >= 2
    assert (
        "Respondents in “North” answered less favourably than those in “South” "
        "(medium difference, p = 0.003 after adjustment)"
    ) in page
    assert "No clear difference by career stage" in page
    for src, _alt in images:
        response = client.get(src)
        assert response.mimetype == "image/png" and Image.open(io.BytesIO(response.data)).size[0] > 800
        assert client.get(src).data == response.data


def test_the_principle_page_words_its_differences_in_french(client, reviewer, campaign):
    page = client.get(f"/results/{campaign.slug}/P01?lang=fr").get_data(as_text=True)
    assert (
        "Les répondants «\u00a0Nord\u00a0» ont répondu moins favorablement que ceux de «\u00a0Sud\u00a0» "
        "(différence moyenne, p = 0,003 après ajustement)"
    ) in page
    assert "Pas de différence nette selon étape de carrière" in page
    assert "after adjustment" not in page


def test_charts_come_as_svg_and_pdf_too(client, reviewer, campaign):
    svg = client.get(f"/results/{campaign.slug}/P01/heatmap-1.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    pdf = client.get(f"/results/{campaign.slug}/P01/by_group.pdf")
    assert pdf.data.startswith(b"%PDF-") and "attachment" in pdf.headers["Content-Disposition"]
    assert client.get(f"/results/{campaign.slug}/P01/pie.png").status_code == 404
    assert client.get(f"/results/{campaign.slug}/P01/heatmap-9.png").status_code == 404
    suppressed = client.get(f"/results/{campaign.slug}/P14/distribution.png")
    assert suppressed.status_code == 404, "a suppressed principle has no chart"


def add_comments(db, campaign, texts: list[str], section: str = "P01") -> None:
    db.session.add_all(Comment(campaign_id=campaign.id, section_code=section, text=text) for text in texts)
    db.session.flush()


def test_comments_are_redacted_sorted_and_shown_only_above_the_threshold(client, reviewer, campaign, db):
    add_comments(
        db,
        campaign,
        ["zebra crossing needed", "Write to jane.doe@example.org or +33 6 12 34 56 78", "another remark"],
    )
    add_comments(db, campaign, ["hidden: too few answered"], section="P14")
    page = client.get(f"/results/{campaign.slug}/P01").get_data(as_text=True)
    assert "jane.doe@example.org" not in page and "12 34 56 78" not in page
    shown = re.findall(r"<li>([^<]*)</li>", page.split('class="comments"')[1].split("</ul>")[0])
    assert shown == sorted(shown, key=str.casefold) and len(shown) == 3
    hidden = client.get(f"/results/{campaign.slug}/P14").get_data(as_text=True)
    assert "too few answered" not in hidden and "Comments are shown only when at least 10 people" in hidden


def test_the_json_api_gives_the_results_with_the_final_ratings(client, reviewer, campaign, make_campaign):
    services.save_assessment(
        campaign.id, "P01", AssessmentChange("--", "Group decision.", "", "", None), None
    )
    data = client.get(f"/results/{campaign.slug}.json").get_json()
    rating = data["sections"][0]["rating"]
    assert {key: rating[key] for key in ("suggested", "final", "uncertain", "reason")} == {
        "suggested": "+/-",
        "final": "--",
        "uncertain": True,
        "reason": "67% of answers are favourable (60% to 75%).",
    }
    empty = make_campaign(status="open")
    response = client.get(f"/results/{empty.slug}.json")
    assert response.status_code == 404 and "no analysis yet" in response.get_json()["message"]
    assert client.get("/results/nothing-here.json").status_code == 404


def test_only_hr_runs_the_analysis_and_its_progress_is_shown(
    client, login, make_user, make_campaign, add_responses
):
    campaign = make_campaign(status="open")
    add_responses(campaign, 40)
    login(make_user("reviewer"))
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    assert (
        client.post(f"/results/{campaign.slug}/analyse", data={"csrf_token": csrf_from(page)}).status_code
        == 403
    )
    login(make_user("hr"))
    page = client.get(f"/results/{campaign.slug}").get_data(as_text=True)
    response = client.post(f"/results/{campaign.slug}/analyse", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/runs/" in response.headers["Location"]
    run_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done: 40 responses analysed." in run_page and 'http-equiv="refresh"' not in run_page


def test_a_failed_or_running_analysis_says_so(client, reviewer, campaign, db):
    failed = AnalysisRun(campaign_id=campaign.id, status=RunStatus.FAILED, error="ValueError: bad table")
    running = AnalysisRun(
        campaign_id=campaign.id, status=RunStatus.RUNNING, partitions_total=4, partitions_done=2
    )
    db.session.add_all([failed, running])
    db.session.flush()
    assert "ValueError: bad table" in client.get(f"/results/{campaign.slug}/runs/{failed.id}").get_data(
        as_text=True
    )
    page = client.get(f"/results/{campaign.slug}/runs/{running.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "2 of 4 parts counted" in page
    assert client.get(f"/results/{campaign.slug}/runs/999999").status_code == 404


def test_the_principle_page_compares_with_a_2005_analysis_through_the_crosswalk(client, reviewer, campaign):
    table = (
        "Principles\tImplementation\tGAP\tInitiatives\n"
        "<b>Research freedom</b>\t++\t<p>Free.</p>\t\n"
        "<b>Ethical principles</b>\t-/+\t<p>Ethics committee missing.</p>\t\n"
        "<b>Accountability</b>\t+/-\t<p>Reports late.</p>\t\n"
    )
    services.import_gap(campaign.id, table.encode(), "gap-2019.tsv", "previous", None)
    page = client.get(f"/results/{campaign.slug}/P01").get_data(as_text=True)
    assert "Ethics committee missing." in page and "Reports late." in page and "Free." not in page
    assert "gap-2019.tsv" in page and "2. Ethical principles" in page


def test_related_principles_follow_the_crosswalk_both_ways():
    from consult.analysis.pages import related_principles

    assert related_principles(1, "2023", "2005") == [2, 3, 4, 6, 7]
    assert related_principles(28, "2005", "2023") == [12, 17, 18]
    assert related_principles(5, "2023", "2023") == [5] and related_principles(None, "2023", "2005") == []


def test_the_rating_page_shows_each_chart_part_beside_the_form(client, reviewer, campaign):
    page = client.get(f"/gap/{campaign.slug}/principles/P01").get_data(as_text=True)
    sources = re.findall(r'<img class="chart" src="([^"]+)"', page)
    assert sources == [
        f"/results/{campaign.slug}/P01/distribution.svg",
        f"/results/{campaign.slug}/P01/by_group.svg",
    ]
    for src in sources:
        assert client.get(src).mimetype == "image/svg+xml"
