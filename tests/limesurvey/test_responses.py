from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from consult.limesurvey import mapping as m
from consult.limesurvey.plan import read_plan
from consult.limesurvey.responses import decode_responses, read_table
from consult.limesurvey.structure import LimeSurveyError, read_survey
from consult.surveys.questionnaires import spec
from tests.limesurvey.files import ARCHIVE, ARCHIVE_LSR, ARCHIVE_LSS, OURS, OURS_CSV, OURS_CSV_SEMICOLON


def plan_of(path):
    survey = read_survey(path.read_bytes(), path.name)
    return survey, read_plan(survey, m.automatic_mapping(survey))


def decoded(structure, responses):
    survey, plan = plan_of(structure)
    return decode_responses(survey, plan, read_table(responses.read_bytes(), responses.name))


def expected_from_csv() -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(OURS_CSV.read_text(encoding="utf-8-sig"))))
    return [row for row in rows if row["submitdate"]]


def test_a_csv_export_decodes_to_answers_profiles_and_comments():
    result = decoded(OURS, OURS_CSV)
    rows = expected_from_csv()
    points = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "DK": spec.DONT_KNOW, "": spec.NO_ANSWER}
    columns = ["ethics[SQ001]", "ethics[SQ002]", "recruit[SQ001]", "recruit[SQ002]"]
    assert result.answers.tolist() == [[points[row[c]] for c in columns] for row in rows]
    stage = {"": 0, "R1": 1, "R2": 2, "R3": 3, "R4": 4}
    assert result.profiles[:, 0].tolist() == [stage[row["stage"]] for row in rows]
    assert sorted(text for _, text in result.comments) == sorted(r["ethicsc"] for r in rows if r["ethicsc"])
    assert {section for section, _ in result.comments} == {"ethics"}


def test_private_columns_are_dropped_and_named_and_unsubmitted_rows_skipped():
    result = decoded(OURS, OURS_CSV)
    assert result.dropped == ["tokens", "timestamps", "IP addresses", "referrer URLs", "timings"]
    assert result.incomplete == 1 and len(result.answers) == 23


def test_semicolons_and_commas_give_the_same_responses():
    assert np.array_equal(decoded(OURS, OURS_CSV).answers, decoded(OURS, OURS_CSV_SEMICOLON).answers)


def test_the_real_lsr_file_and_the_archive_give_the_same_responses():
    survey, plan = plan_of(ARCHIVE_LSS)
    from_lsr = decode_responses(survey, plan, read_table(ARCHIVE_LSR.read_bytes(), ARCHIVE_LSR.name))
    from_archive = decode_responses(survey, plan, read_table(ARCHIVE.read_bytes(), ARCHIVE.name))
    assert np.array_equal(from_lsr.answers, from_archive.answers)
    assert from_lsr.dropped == ["tokens", "timestamps", "IP addresses"]
    # G01Q03 (5-point array, codes 1..5) of the three LimeSurvey responses, as the .lsr holds them.
    assert from_lsr.answers[:, :3].tolist() == [[1, 3, 5], [1, 2, 4], [0, 0, 0]]
    assert ("G01Q03", "Everything") in from_lsr.comments


def rewrite(replace: dict[str, str]) -> bytes:
    text = OURS_CSV.read_text(encoding="utf-8-sig")
    for old, new in replace.items():
        text = text.replace(old, new, 1)
    return ("\ufeff" + text).encode("utf-8")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (
            {'"ethics[SQ002]"': '"ethics[SQ009]"'},
            "question ethics: the responses file has no column ethics[SQ002]",
        ),
        ({'"age"': '"Your age?"'}, "columns not of survey 415263: Your age?"),
        ({'"R': '"R9'}, "row 3, column stage: unknown answer 'R9"),
        ({'"A': '"A7'}, "row 2, column ethics[SQ001]: unknown answer 'A7"),
    ],
)
def test_bad_files_are_refused_naming_row_column_and_question(replace, message):
    survey, plan = plan_of(OURS)
    with pytest.raises(LimeSurveyError) as error:
        decode_responses(survey, plan, read_table(rewrite(replace)))
    assert any(message in e for e in error.value.errors), error.value.errors


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(LimeSurveyError, match="not UTF-8"):
        read_table(b'"id","stage"\n"1","\xe9"\n')
