from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.surveys.questionnaires import spec
from consult.surveys.responses import synthetic
from consult.surveys.responses.csv_format import (
    MAX_COMMENT_CHARS,
    MAX_ERRORS,
    ResponsesFileError,
    parse_responses_csv,
    responses_csv,
)
from tests.conftest import small_questionnaire

HEADER = "school,career_stage,P01.1,P01.2,P14.1,comment:P01"


def parse(text: str, q: spec.Questionnaire | None = None, encoding: str = "utf-8"):
    return parse_responses_csv(q or small_questionnaire(), text.encode(encoding))


def refused(text: str, q: spec.Questionnaire | None = None) -> list[str]:
    with pytest.raises(ResponsesFileError) as caught:
        parse(text, q)
    return caught.value.errors


def test_reads_answers_profiles_and_comments():
    parsed = parse(f"{HEADER}\nnorth,R2,4,DK,,Fine.\n,R4,1,5,3,\nsouth,,dk,2,5,  \n")
    assert parsed.answers.tolist() == [[4, 255, 0], [1, 5, 3], [255, 2, 5]]
    assert parsed.profiles.tolist() == [[1, 2], [0, 4], [2, 0]]
    assert parsed.comments == [("P01", "Fine.")]
    assert parsed.answers.dtype == np.uint8 and parsed.profiles.dtype == np.uint8


def test_columns_in_any_order_with_bom_spaces_and_crlf():
    text = "\ufeffP14.1, P01.2 ,career_stage,P01.1,school\r\n 2 ,3,R1,4 ,south\r\n"
    parsed = parse(text)
    assert parsed.answers.tolist() == [[4, 3, 2]]
    assert parsed.profiles.tolist() == [[2, 1]]
    assert parsed.comments == []


def test_semicolon_separated_file_from_a_spreadsheet():
    parsed = parse("school;career_stage;P01.1;P01.2;P14.1\nnorth;R3;5;4;1\n")
    assert parsed.answers.tolist() == [[5, 4, 1]]


def test_quoted_comment_with_newline_and_comma_keeps_row_numbers():
    text = f'{HEADER}\nnorth,R1,4,4,4,"Two lines,\nand a comma"\nsouth,R1,9,4,4,\n'
    assert refused(text) == ["row 3, column P01.1: '9' is not one of 1..5, DK or empty"]
    good = parse(text.replace(",9,", ",3,"))
    assert good.comments == [("P01", "Two lines,\nand a comma")]


def test_blank_rows_are_skipped():
    parsed = parse(f"{HEADER}\n\nnorth,R1,1,1,1,\n,,,,,\n\n")
    assert len(parsed.answers) == 1


def test_every_error_names_row_and_column():
    text = f"{HEADER}\nwest,R1,4,4,4,\nnorth,R9,0,6,x,\nnorth,R1,4\nsouth,R2,3,3,3,ok\n"
    assert refused(text) == [
        "row 2, column school: 'west' is not one of north, south or empty",
        "row 3, column career_stage: 'R9' is not one of R1, R2, R3, R4 or empty",
        "row 3, column P01.1: '0' is not one of 1..5, DK or empty",
        "row 3, column P01.2: '6' is not one of 1..5, DK or empty",
        "row 3, column P14.1: 'x' is not one of 1..5, DK or empty",
        "row 4: 3 values, but the header names 6 columns",
    ]


def test_dont_know_refused_when_the_scale_has_none():
    q = small_questionnaire(dont_know=False)
    errors = refused("school,career_stage,P01.1,P01.2,P14.1\nnorth,R1,DK,3,3\n", q)
    assert errors == ["row 2, column P01.1: DK (don't know) is not an answer of this questionnaire"]


def test_header_errors_refuse_before_reading_rows():
    errors = refused("school,school,career_stage,P01.1,P01.3,comment:P14,comment:P99,,P14.1\nnorth\n")
    assert errors == [
        "row 1, column 2: 'school' is named twice",
        "row 1, column 5: unknown column 'P01.3'",
        "row 1, column 6: column 'comment:P14': section P14 takes no comment",
        "row 1, column 7: unknown column 'comment:P99': the questionnaire has no section 'P99'",
        "row 1, column 8: a column has no name",
        "row 1: missing columns 'P01.2'",
    ]


def test_empty_file_header_only_and_not_utf8():
    assert refused("") == ["row 1: the file is empty; its first row must name the columns"]
    assert refused(f"{HEADER}\n\n") == ["the file has a header but no responses"]
    with pytest.raises(ResponsesFileError) as caught:
        parse_responses_csv(small_questionnaire(), f"{HEADER}\nnorth,R1,1,1,1,é\n".encode("latin-1"))
    position = len(HEADER) + len("\nnorth,R1,1,1,1,") + 1
    assert caught.value.errors == [f"the file is not UTF-8: invalid byte at line 2 (byte {position})"]


def test_oversized_comment_refused():
    errors = refused(f"{HEADER}\nnorth,R1,1,1,1,{'x' * (MAX_COMMENT_CHARS + 1)}\n")
    assert errors == [f"row 2, column comment:P01: the comment is over {MAX_COMMENT_CHARS} characters"]


def test_errors_are_capped_with_a_count_of_the_rest():
    rows = "".join("north,R1,7,1,1,\n" for _ in range(MAX_ERRORS + 12))
    errors = refused(f"{HEADER}\n{rows}")
    assert len(errors) == MAX_ERRORS + 1
    assert errors[0] == "row 2, column P01.1: '7' is not one of 1..5, DK or empty"
    assert errors[-1] == "and 12 more errors"
    assert "row 2, column P01.1" in str(ResponsesFileError(errors))


def test_round_trip_of_synthetic_answers():
    q = small_questionnaire()
    data = synthetic.generate(q, 2500, seed=3)
    text = responses_csv(q, data.answers, data.profiles)
    assert text.splitlines()[0] == "school,career_stage,P01.1,P01.2,P14.1"
    parsed = parse_responses_csv(q, text.encode())
    assert np.array_equal(parsed.answers, data.answers)
    assert np.array_equal(parsed.profiles, data.profiles)


def test_writer_refuses_values_that_mean_nothing():
    q = small_questionnaire(dont_know=False)
    with pytest.raises(ValueError, match=r"respondent 2 has a value with no meaning in column P01\.2"):
        responses_csv(q, np.array([[1, 2, 3], [1, 255, 3]], np.uint8), np.array([[1, 1], [2, 2]], np.uint8))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 11),
    st.booleans(),
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 5)), max_size=30
    ),
)
def test_any_encodable_matrix_round_trips(points, dont_know, rows):
    q = small_questionnaire(points=points, dont_know=dont_know)
    allowed = [0, *range(1, points + 1)] + ([255] if dont_know else [])
    answers = np.array(
        [[allowed[v % len(allowed)] for v in row[:3]] for row in rows] or np.zeros((0, 3)), np.uint8
    )
    profiles = np.array([[row[3] % 3, row[3] % 5] for row in rows] or np.zeros((0, 2)), np.uint8)
    text = responses_csv(q, answers, profiles)
    kept = [i for i in range(len(rows)) if answers[i].any() or profiles[i].any()]
    if not kept:
        with pytest.raises(ResponsesFileError):
            parse_responses_csv(q, text.encode())
        return
    parsed = parse_responses_csv(q, text.encode("utf-8-sig"))
    assert np.array_equal(parsed.answers, answers[kept])
    assert np.array_equal(parsed.profiles, profiles[kept])
