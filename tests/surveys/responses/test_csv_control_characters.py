"""Responses files with control characters or unreadable CSV: refused with row and column, never quoting a
comment (pure)."""

from __future__ import annotations

import pytest

from consult.surveys.responses.csv_format import ResponsesFileError, parse_responses_csv
from tests.conftest import small_questionnaire

HEADER = "school,career_stage,P01.1,P01.2,P14.1,comment:P01\n"


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(ResponsesFileError) as caught:
        parse_responses_csv(small_questionnaire(), data)
    return caught.value.errors


def test_a_comment_with_a_control_character_is_refused_without_its_text():
    data = (HEADER + "north,R1,1,2,3,fine\nsouth,R2,4,5,1,my secret\x00 text\n").encode()
    assert errors_of(data) == [
        "row 3, column comment:P01: the comment contains the control character U+0000 (NUL) at character 10"
    ]


def test_line_breaks_and_tabs_in_a_comment_are_kept():
    data = (HEADER + 'north,R1,1,2,3,"two\r\nlines\tand a tab"\n').encode()
    assert parse_responses_csv(small_questionnaire(), data).comments == [("P01", "two\r\nlines\tand a tab")]


def test_a_control_character_elsewhere_is_an_unknown_value():
    data = (HEADER + "north,R1,\x00,2,3,\n").encode()
    assert errors_of(data) == ["row 2, column P01.1: '\\x00' is not one of 1..5, DK or empty"]


def test_an_unreadable_header_is_one_error():
    assert errors_of(b'"' + b"x" * 200_000) == ["row 1: unreadable (field larger than field limit (131072))"]
