from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select, text

from consult.accounts.models import AuditEvent
from consult.analysis import tasks
from consult.analysis.models import RunStatus
from consult.extensions import db as database
from consult.limesurvey import mapping as m
from consult.limesurvey.services import Upload, import_survey
from consult.limesurvey.structure import LimeSurveyError, read_survey
from consult.privacy.audit import audit
from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.responses.models import Comment, Response
from consult.timeutil import today
from tests.conftest import small_questionnaire
from tests.limesurvey.files import ARCHIVE, OURS, OURS_CSV
from tests.limesurvey.test_responses import expected_from_csv


def upload(path) -> Upload:
    return Upload(path.read_bytes(), path.name)


def charter_mapping(**changes) -> Upload:
    """Our survey's automatic mapping, edited as HR would: ethics is principle 1, recruitment principle 14."""
    survey = read_survey(OURS.read_bytes())
    data = yaml.safe_load(m.dump_mapping(m.automatic_mapping(survey), survey))
    data["questions"]["ethics"] |= {"section": "P01", "principle": 1}
    data["questions"]["ethicsc"]["section"] = "P01"
    data["questions"]["recruit"] |= {"section": "P14", "principle": 14}
    data["questions"]["stage"]["dimension"] = "career_stage"
    data |= changes
    return Upload(yaml.safe_dump(data, allow_unicode=True).encode(), "researchers_2022.mapping.yaml")


def test_the_import_makes_a_closed_campaign_of_the_submitted_responses(db):
    report = import_survey(upload(OURS), upload(OURS_CSV))
    campaign = report.campaign
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    assert campaign.title == {"en": "Researchers' survey 2022", "fr": "Enquête chercheurs 2022"}
    assert (report.responses, report.incomplete) == (23, 1)
    days = db.session.scalars(select(Response.submitted_on).where(Response.campaign_id == campaign.id)).all()
    assert len(days) == 23 and set(days) == {today()}
    comments = db.session.scalars(select(Comment.text).where(Comment.campaign_id == campaign.id)).all()
    assert sorted(comments) == sorted(r["ethicsc"] for r in expected_from_csv() if r["ethicsc"])
    assert "tokens, timestamps, IP addresses, referrer URLs, timings (dropped)" in report.lines()[-1]


def test_nothing_of_limesurveys_private_columns_is_stored_anywhere(db):
    campaign = import_survey(upload(OURS), upload(OURS_CSV)).campaign
    dump = " ".join(
        str(row)
        for table in ("response", "comment", "campaign", "questionnaire", "audit_event")
        for row in db.session.execute(text(f"select * from {table}")).all()
    )
    for private in ("tok0001x", "192.0.2.", "intranet.example.org", "2022-03-", "10:20:00"):
        assert private not in dump
    assert campaign.slug in dump


def test_responses_are_stored_shuffled_not_in_limesurveys_order(db):
    campaign = import_survey(upload(OURS), upload(OURS_CSV)).campaign
    physical = db.session.execute(
        text("select answers from response where campaign_id = :c order by ctid"), {"c": campaign.id}
    ).scalars()
    decoded = [list(bytes(a)) for a in physical]
    points = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "DK": 255, "": 0}
    columns = ["ethics[SQ001]", "ethics[SQ002]", "recruit[SQ001]", "recruit[SQ002]"]
    in_file_order = [[points[row[c]] for c in columns] for row in expected_from_csv()]
    assert sorted(decoded) == sorted(in_file_order)
    assert decoded != in_file_order


def test_the_archive_imports_its_own_responses_and_never_its_token_list(db):
    survey = read_survey(ARCHIVE.read_bytes(), ARCHIVE.name)
    data = m.automatic_mapping(survey) | {"min_group_size": 3}
    mapping = Upload(yaml.safe_dump(data).encode())
    report = import_survey(upload(ARCHIVE), None, mapping)
    assert report.responses == 3
    assert report.dropped == ["tokens", "timestamps", "IP addresses"]


def test_fewer_responses_than_the_minimum_group_size_are_refused_and_nothing_is_stored(db):
    before = db.session.scalar(select(database.func.count()).select_from(Campaign))
    with pytest.raises(
        LimeSurveyError, match=r"3 complete responses, fewer than the minimum group size \(5\)"
    ):
        import_survey(upload(ARCHIVE))
    assert db.session.scalar(select(database.func.count()).select_from(Campaign)) == before


def test_a_bad_row_refuses_the_whole_import(db):
    bad = OURS_CSV.read_bytes().replace(b'"A5"', b'"A9"', 1)
    with pytest.raises(LimeSurveyError, match=r"row \d+, column \S+: unknown answer 'A9'"):
        import_survey(upload(OURS), Upload(bad, "bad.csv"))
    assert db.session.scalar(select(database.func.count()).select_from(Response)) == 0


def test_the_import_is_in_the_audit_log(db, make_user):
    hr = make_user()
    campaign = import_survey(upload(OURS), upload(OURS_CSV), actor=hr).campaign
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == campaign.slug)).all()
    assert "campaign.import_limesurvey" in actions


def test_the_imported_campaign_serves_as_the_previous_campaign_for_a_trend(db, make_campaign, add_responses):
    imported = import_survey(upload(OURS), upload(OURS_CSV), charter_mapping()).campaign
    before = tasks.start_analysis(imported)
    assert before.status == RunStatus.DONE, before.error
    previous = {s["code"]: s for s in before.results["sections"]}
    rows = expected_from_csv()
    answered = [
        row[c] for row in rows for c in ("ethics[SQ001]", "ethics[SQ002]") if row[c] not in ("", "DK")
    ]
    favourable = sum(a in ("A4", "A5") for a in answered) / len(answered)
    assert previous["P01"]["favourable"] == pytest.approx(favourable)
    failed = [(c.name, c.details) for c in audit(imported) if not c.passed]
    assert failed == []

    now = make_campaign(small_questionnaire(), status="open")
    add_responses(now, 200, seed=5)
    now.previous_campaign_id = imported.id
    run = tasks.start_analysis(now)
    assert run.status == RunStatus.DONE, run.error
    sections = {s["code"]: s for s in run.results["sections"]}
    assert sections["P01"]["change"]["previous_favourable"] == pytest.approx(favourable)
    recruited = previous["P14"]["favourable"]
    assert sections["P14"]["change"]["previous_favourable"] == pytest.approx(recruited)


def test_a_mapping_that_is_not_yaml_is_refused(db):
    with pytest.raises(LimeSurveyError, match=r"the mapping file: line 1, column \d+: malformed YAML"):
        import_survey(upload(OURS), None, Upload(b"questions: [unclosed", "m.yaml"))
