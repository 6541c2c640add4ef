"""``consult campaign create|open|close|tokens|remind``, run through Click as the command line runs them."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from sqlalchemy import select

from consult.surveys.campaigns.models import Campaign, CampaignStatus
from consult.surveys.commands import campaign as campaign_group
from consult.surveys.invitations.models import Invitation
from consult.surveys.invitations.tokens import token_hash
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.questionnaires.yaml_format import dump_questionnaire
from tests.conftest import small_questionnaire
from tests.surveys.invitations.test_services import mailbox  # noqa: F401  (the SMTP server fixture)


@pytest.fixture
def run(app, db):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(campaign_group, list(args))

    return invoke


def campaigns(db) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id)))


def invitations_of(db, campaign) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign.id)))


def own_questionnaire():
    q = small_questionnaire()
    return replace(q, dimensions=tuple(replace(d, question=d.label) for d in q.dimensions))


def test_create_from_a_template_prints_the_slug(db, run):
    result = run("create", "--template", "charter-2023")
    assert result.exit_code == 0, result.output
    created = campaigns(db)[-1]
    assert result.stdout.strip() == created.slug
    assert campaign_spec(created) == load_template("charter-2023")


def test_create_from_a_file_with_a_title(db, run, tmp_path):
    path = tmp_path / "survey.yaml"
    path.write_text(dump_questionnaire(own_questionnaire()), encoding="utf-8")
    result = run("create", "--from", str(path), "--title", "Enquête 2026")
    assert result.exit_code == 0, result.output
    created = campaigns(db)[-1]
    assert created.title == {"en": "Enquête 2026", "fr": "Enquête 2026"}
    assert result.stdout.strip() == created.slug == "enquete-2026-" + created.slug.rsplit("-", 1)[-1]


def test_a_broken_file_is_refused_with_every_error(db, run, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("title: X\nlanguages: [en]\nscale: {points: 1}\nsections: []\n", encoding="utf-8")
    before = campaigns(db)
    result = run("create", "--from", str(path))
    assert result.exit_code == 1 and campaigns(db) == before
    assert "scale (line 3): missing required key 'labels'" in result.stderr
    assert "scale.points (line 3): must be between 2 and 11, found 1" in result.stderr
    assert "sections (line 4): expected a non-empty list of sections" in result.stderr


@pytest.mark.parametrize(
    "args", [(), ("--template", "charter-2023", "--from", "x.yaml"), ("--template", "x")]
)
def test_create_needs_one_known_source(db, run, tmp_path, args):
    (tmp_path / "x.yaml").write_text("title: x\n")
    before = campaigns(db)
    result = run("create", *[str(tmp_path / a) if a.endswith(".yaml") else a for a in args])
    assert result.exit_code == 2 and campaigns(db) == before


def test_open_and_close(db, run, make_campaign):
    campaign = make_campaign()
    assert run("open", campaign.slug).exit_code == 0
    assert campaign.status == CampaignStatus.OPEN
    result = run("close", campaign.slug)
    assert result.exit_code == 0 and "answers are no longer accepted" in result.stdout
    assert campaign.status == CampaignStatus.CLOSED


def test_lifecycle_guards_fail_with_a_message(db, run, make_campaign):
    campaign = make_campaign()
    result = run("close", campaign.slug)
    assert result.exit_code == 1 and "only an open campaign can close" in result.stderr
    result = run("open", "no-such-campaign")
    assert result.exit_code == 1 and "no campaign has the slug" in result.stderr


def test_tokens_are_written_as_token_and_url(db, run, make_campaign, tmp_path):
    campaign = make_campaign(status="open")
    out = tmp_path / "links.csv"
    result = run("tokens", campaign.slug, "--count", "4", "--out", str(out))
    assert result.exit_code == 0 and "4 tokens written" in result.stderr
    table = list(csv.reader(out.open(encoding="utf-8")))
    assert table[0] == ["token", "url"] and len(table) == 5
    assert {token_hash(t) for t, _ in table[1:]} == {i.token_hash for i in invitations_of(db, campaign)}
    assert all(url == f"http://localhost/r/{token}" for token, url in table[1:])


def test_tokens_go_to_standard_output_without_out(db, run, make_campaign):
    campaign = make_campaign()
    result = run("tokens", campaign.slug, "--count", "2")
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert result.exit_code == 0 and table[0] == ["token", "url"] and len(table) == 3


def test_tokens_for_a_list_of_people_carry_their_school(db, run, make_campaign, tmp_path):
    campaign = make_campaign()
    people = tmp_path / "people.csv"
    people.write_text(
        "email,school\nann@univ.example.org,north\nbob@univ.example.org,Sud\n", encoding="utf-8"
    )
    result = run("tokens", campaign.slug, "--emails", str(people))
    assert result.exit_code == 0 and len(list(csv.reader(io.StringIO(result.stdout)))) == 3
    assert sorted((i.email, i.school) for i in invitations_of(db, campaign)) == [
        ("ann@univ.example.org", "north"),
        ("bob@univ.example.org", "south"),
    ]


def test_send_mails_each_person_their_own_link(db, run, make_campaign, tmp_path, mailbox):  # noqa: F811
    campaign = make_campaign(status="open")
    people = tmp_path / "people.csv"
    people.write_text("email\nann@univ.example.org\nbob@univ.example.org\n", encoding="utf-8")
    result = run("tokens", campaign.slug, "--emails", str(people), "--send")
    assert result.exit_code == 0 and result.stdout.strip() == "2 invitations queued for sending."
    assert "/r/" not in result.stdout
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == [
        "ann@univ.example.org",
        "bob@univ.example.org",
    ]
    stored = {i.email: i.token_hash for i in invitations_of(db, campaign)}
    assert all(stored[a] == token_hash(mailbox.link_of(a)) for a in stored)


def test_reminders_from_the_command_line(db, run, make_campaign, tmp_path, mailbox):  # noqa: F811
    campaign = make_campaign(status="open")
    people = tmp_path / "people.csv"
    people.write_text("email\n" + "".join(f"p{i}@univ.example.org\n" for i in range(6)), encoding="utf-8")
    run("tokens", campaign.slug, "--emails", str(people), "--send")
    result = run("remind", campaign.slug)
    assert result.exit_code == 0 and result.stdout.strip() == "6 reminders queued for sending."
    assert len(mailbox.messages) == 12


def test_send_is_refused_before_anything_is_stored(db, run, make_campaign, tmp_path):
    campaign = make_campaign()
    people = tmp_path / "people.csv"
    people.write_text("email\nann@univ.example.org\n", encoding="utf-8")
    result = run("tokens", campaign.slug, "--emails", str(people), "--send")
    assert result.exit_code == 1 and "messages are sent only while it is open" in result.stderr
    assert invitations_of(db, campaign) == []
    result = run("tokens", campaign.slug, "--emails", str(people), "--send", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 2 and "never written" in result.stderr


def test_a_bad_address_file_stores_nothing(db, run, make_campaign, tmp_path):
    campaign = make_campaign()
    people = tmp_path / "people.csv"
    people.write_text(
        "email,school\nann@univ.example.org,north\nbob,north\ncat@x.org,east\n", encoding="utf-8"
    )
    result = run("tokens", campaign.slug, "--emails", str(people))
    assert result.exit_code == 1 and invitations_of(db, campaign) == []
    assert "line 3: 'bob' is not a valid e-mail address" in result.stderr
    assert "line 4: unknown school 'east'" in result.stderr
