from __future__ import annotations

import io
import zipfile

import pytest

from consult.limesurvey.structure import LimeSurveyError, plain, read_survey
from tests.limesurvey.files import ARCHIVE, ARCHIVE_LSS, DEMO, HEALTHY, HESAV, OURS


def survey(path):
    return read_survey(path.read_bytes(), path.name)


@pytest.mark.parametrize(
    ("path", "sid", "languages", "questions"),
    [
        (ARCHIVE_LSS, 862611, ("en",), 27),
        (HESAV, 971193, ("fr", "de"), 31),
        (HEALTHY, 751689, ("fr",), 56),
        (DEMO, 354814, ("fr", "en", "de", "es"), 47),
    ],
)
def test_the_real_limesurvey_exports_are_read_whole(path, sid, languages, questions):
    found = survey(path)
    assert (found.sid, found.languages, len(found.questions)) == (sid, languages, questions)


def test_the_archive_gives_the_structure_it_holds():
    assert survey(ARCHIVE) == survey(ARCHIVE_LSS)


def test_questions_keep_their_sub_questions_answers_and_every_language():
    hesav = survey(HESAV)
    vecu = hesav.question("vecuetudes")
    assert vecu.type == "F" and len(vecu.subquestions) == 6 and len(vecu.answers) == 6
    assert vecu.answers[5].texts["fr"] == "Je ne souhaite pas répondre"
    assert set(vecu.texts) == {"fr", "de"}
    assert hesav.titles["fr"].startswith("Enquête sur la charge de travail")


def test_encrypted_and_other_flags_are_read():
    found = survey(ARCHIVE_LSS)
    assert found.question("G01Q15").encrypted and found.question("G01Q12").other


def test_html_texts_become_plain_text():
    assert survey(OURS).question("ethics").texts["fr"] == "Éthique de la recherche"
    assert plain("<p>A&nbsp;<b>b</b>\n c &amp; d</p>") == "A b c & d"


def test_an_entity_bomb_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<document>&b;</document>"
    )
    with pytest.raises(LimeSurveyError, match="refused XML construct"):
        read_survey(bomb)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType></document>", "document type"),
        (b"<document><unclosed></document>", "not well-formed XML"),
        (b"PK\x03\x04garbage", "archive"),
    ],
)
def test_files_that_are_not_a_survey_structure_are_refused_clearly(data, message):
    with pytest.raises(LimeSurveyError, match=message):
        read_survey(data)


def test_an_archive_without_a_structure_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("survey_1_tokens.lst", "<document/>")
    with pytest.raises(LimeSurveyError, match=r"0 survey structure files"):
        read_survey(buffer.getvalue(), "x.lsa")
