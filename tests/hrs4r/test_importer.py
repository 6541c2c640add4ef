"""Importing an existing action plan: all or nothing, every error named by row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from consult.hrs4r import importer, services

HEADER = "title,principles,start,end,responsible_unit,status,indicators\n"


def parse(text: str, principles=frozenset({1, 14})):
    return importer.parse_plan(importer.read_table(text.encode(), "plan.csv"), set(principles))


def test_a_good_csv_is_read():
    rows = parse(HEADER + 'Ethics training,"P1, 14",2026-Q1,2026-S2,HR,in-progress,50 people trained\n')
    assert rows[0].principles == (1, 14) and rows[0].status == "in-progress" and rows[0].end == "2026-S2"


def test_every_error_is_named_by_row_and_column():
    text = HEADER + ",1,2026-Q1,,HR,planned,\nB,7,2026-Q9,,HR,finished,\nC,1,2027-Q1,2026-Q1,,,\n"
    with pytest.raises(importer.PlanFormatError) as caught:
        parse(text)
    assert caught.value.problems == [
        "row 2, column title: an action needs a title",
        "row 3, column principles: '7' is not a principle of the campaign's charter",
        "row 3, column status: 'finished' is not one of planned, in-progress, done, delayed, cancelled",
        "row 3, column start: '2026-Q9' is not a period: write a year and a quarter or semester, "
        "as 2026-Q3 or 2026-S1",
        "row 4, column end: the action ends (2026-Q1) before it starts (2027-Q1)",
    ]


def test_an_unknown_column_and_a_missing_title_column_are_refused():
    with pytest.raises(importer.PlanFormatError) as caught:
        parse("name,colour\nx,y\n")
    assert caught.value.problems[0] == "row 1, column 1: unknown column 'name'"
    assert "no 'title' column" in caught.value.problems[-1]


def test_xlsx_and_damaged_files():
    book = Workbook()
    book.active.append(["title", "principles", "status"])
    book.active.append(["Mentoring", 14, "done"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = importer.parse_plan(importer.read_table(buffer.getvalue(), "plan.xlsx"), {14})
    assert rows[0].title == "Mentoring" and rows[0].principles == (14,)
    with pytest.raises(importer.PlanFormatError, match="not a readable XLSX"):
        importer.read_table(b"PK\x03\x04 broken", "plan.xlsx")
    with pytest.raises(importer.PlanFormatError, match="not UTF-8"):
        importer.read_table("title\nÉthique".encode("latin-1"), "plan.csv")
    with pytest.raises(importer.PlanFormatError, match="empty"):
        importer.parse_plan(importer.read_table(b"", "plan.csv"), {1})


def test_the_import_appends_validated_actions(make_campaign):
    campaign = make_campaign()
    services.propose(campaign, services.ActionFields("Existing"), None)
    rows = parse(HEADER + "Ethics training,1,2026-Q1,2026-S2,HR,planned,\nStability,14,,,,done,\n")
    services.import_plan(campaign, rows, None)
    plan = services.plan(campaign.id)
    assert [(a.position, a.title, a.validated) for a in plan] == [
        (1, "Existing", False),
        (2, "Ethics training", True),
        (3, "Stability", True),
    ]
