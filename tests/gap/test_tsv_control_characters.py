"""Gap tables with control characters: refused with line and column; the sanitiser drops them (pure)."""

from __future__ import annotations

import pytest

from consult.gap.sanitize import clean_html
from consult.gap.tsv import GapFormatError, parse_gap_tsv

HEADER = b"Principles\tImplementation\tGAP\tInitiatives\n"


def test_every_cell_with_a_control_character_is_reported():
    data = HEADER + b"<b>Ethics</b>\t++\tgap\x00\tok\x0b\n<b>Ethics</b>\t\xff\t\t\n"
    with pytest.raises(GapFormatError) as caught:
        parse_gap_tsv(data)
    assert caught.value.errors == [
        (
            2,
            "column 3 (GAP / Implementation impediments) contains the control character U+0000 (NUL) "
            "at character 4",
        ),
        (
            2,
            "column 4 (Initiatives undertaken / new proposals) contains the control character U+000B "
            "at character 3",
        ),
        (3, "not UTF-8 text (byte 0xff at byte 15)"),
    ]


def test_a_carriage_return_ending_a_line_is_not_a_control_character():
    rows = parse_gap_tsv(HEADER.replace(b"\n", b"\r\n") + b"<b>Ethics</b>\t++\t<p>a</p>\t\r\n")
    assert [(row.name, row.gap_html) for row in rows] == [("Ethics", "<p>a</p>")]


def test_the_sanitiser_drops_control_characters():
    assert clean_html("<p>a\x00b\x1b</p>\n<p>c\td</p>") == "<p>ab</p>\n<p>c\td</p>"
