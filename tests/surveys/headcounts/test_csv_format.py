from __future__ import annotations

import pytest

from consult.surveys.headcounts.csv_format import HeadcountsFileError, parse_headcounts
from tests.conftest import small_questionnaire

Q = small_questionnaire()
CELLS = "school,career_stage,headcount\n" + "".join(
    f"{school},R{stage},{10 * stage}\n" for school in ("north", "south") for stage in range(1, 5)
)


def errors_of(text: str) -> list[str]:
    with pytest.raises(HeadcountsFileError) as refused:
        parse_headcounts(Q, text.encode())
    return refused.value.errors


def test_cells_are_read_in_file_order():
    parsed = parse_headcounts(Q, ("\ufeff" + CELLS).encode())
    assert parsed.method == "cells" and len(parsed.rows) == 8
    assert parsed.rows[1] == {"options": {"school": "north", "career_stage": "R2"}, "headcount": 20}


def test_margins_with_an_option_left_out_and_semicolons():
    parsed = parse_headcounts(Q, b"career_stage;school;headcount\n;north;30\n;south;50\nR1;;40\nR2;;40\n")
    assert parsed.method == "margins"
    assert [row["options"] for row in parsed.rows][2] == {"career_stage": "R1"}


def test_every_error_names_its_row_and_column():
    errors = errors_of(
        "school,career_stage,headcount\nnorth,R9,10\nwest,R1,3\nnorth,R2,-1\nnorth,,4\n,,5\nnorth,R2,1\n"
    )
    assert errors[0] == "row 2, column 2 (career_stage): unknown option 'R9'; expected one of R1, R2, R3, R4"
    assert errors[1].startswith("row 3, column 1 (school): unknown option 'west'")
    assert errors[2] == "row 4, column 3 (headcount): '-1' is not a whole number from 0 to 10000000"
    assert errors[3].startswith("row 6: 0 dimensions filled")
    assert any(e.startswith("the file mixes cells (row 7) and margins (row 5)") for e in errors)


def test_duplicates_and_missing_cells_refuse_the_file():
    assert "row 10: the same group as row 2" in errors_of(CELLS + "north,R1,3\n")
    without = CELLS.replace("south,R3,30\n", "")
    assert errors_of(without) == ["missing cell: school=south, career_stage=R3"]


def test_header_problems():
    errors = errors_of("school,school,gender,headcount\nnorth,north,x,1\n")
    assert errors == [
        "row 1, column 2: 'school' is named twice",
        "row 1, column 3: unknown column 'gender'",
        "row 1: missing columns 'career_stage'",
    ]
    assert errors_of("") == ["the file is empty"]
    assert errors_of("school,career_stage,headcount\n") == ["the file has a header but no headcounts"]
    assert errors_of("school,career_stage,headcount\nnorth,,0\n,R1,0\n") == [
        "column headcount: the headcounts add up to 0"
    ]
    assert errors_of("school,career_stage,headcount\nnorth,,5\n") == [
        "column career_stage: no margin row gives a headcount for this dimension"
    ]
    with pytest.raises(HeadcountsFileError, match="not UTF-8"):
        parse_headcounts(Q, b"school\xff")
