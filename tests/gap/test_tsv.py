from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.gap.sanitize import clean_html
from consult.gap.tsv import (
    HEADER,
    RATINGS,
    GapFormatError,
    GapRow,
    dump_gap_tsv,
    format_rating,
    normalise_rating,
    parse_gap_tsv,
    principle_name,
    spelling_of,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_gap.tsv"
HEADER_LINE = "\t".join(HEADER)
PRINCIPLES_2023 = [
    "Ethics and Research Integrity",
    "Freedom of Scientific Research",
    "Open Science",
    "Gender Equality",
    "Embracing Diversity",
    "The Researcher",
    "Free Circulation of Researchers",
    "Sustainability of Research",
    "Researchers' Assessment",
    "Recruitment",
    "Selection",
    "Career Progression",
    "Working Conditions, Funding and Salaries",
    "Stability of Employment",
    "Contractual and Legal Obligations",
    "Dissemination and Exploitation of Results",
    "Valuing Diverse Research Careers",
    "Career Development and Advice",
    "Continuous Professional Development",
    "Supervision and Mentoring",
]


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def data_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip() and line.split("\t")[0] != "Principles"]


def errors_of(data: bytes | str) -> list[tuple[int, str]]:
    with pytest.raises(GapFormatError) as caught:
        parse_gap_tsv(data)
    return caught.value.errors


def test_sample_gives_the_twenty_principles_in_order():
    rows = parse_gap_tsv(sample_bytes())
    assert [row.name for row in rows] == PRINCIPLES_2023


def test_sample_ratings_are_normalised_and_their_spelling_kept():
    rows = parse_gap_tsv(sample_bytes())
    assert rows[1].rating == "++" and rows[1].rating_spelling == "+/+"
    assert [row.rating for row in rows] == [
        "+/-",
        "++",
        "+/-",
        "+/-",
        "+/-",
        "++",
        "+/-",
        "+/-",
        "+/-",
        "+/-",
        "+/-",
        "-/+",
        "+/-",
        "-/+",
        "+/-",
        "+/-",
        "-/+",
        "-/+",
        "+/-",
        "-/+",
    ]
    assert spelling_of(rows) == "plus-slash"


def test_sample_texts_are_kept_as_written():
    rows = parse_gap_tsv(sample_bytes())
    cells = [line.split("\t") for line in data_lines(sample_bytes().decode("utf-8"))]
    assert [(row.gap_html, row.initiatives_html) for row in rows] == [(cell[2], cell[3]) for cell in cells]
    assert '<ul style="list-style-type: none"> <li>•the assessment period' in rows[8].gap_html
    assert "Futur, Ruptures &amp; Impacts" in "".join(row.gap_html + row.initiatives_html for row in rows)


def test_sample_round_trips_byte_for_byte():
    exported = dump_gap_tsv(parse_gap_tsv(sample_bytes()), spelling="plus-slash")
    assert data_lines(exported) == data_lines(sample_bytes().decode("utf-8"))
    assert exported.startswith(HEADER_LINE + "\n") and exported.endswith("\n")


def test_export_is_read_back_identically():
    rows = parse_gap_tsv(sample_bytes())
    assert parse_gap_tsv(dump_gap_tsv(rows).encode("utf-8")) == rows


def test_compact_spelling_writes_double_signs():
    rows = [GapRow("Open Science", "++", "<p>a</p>", ""), GapRow("Recruitment", "--", "", "<p>b</p>")]
    assert data_lines(dump_gap_tsv(rows, spelling="compact")) == [
        "<b>Open Science</b>\t++\t<p>a</p>\t",
        "<b>Recruitment</b>\t--\t\t<p>b</p>",
    ]
    assert data_lines(dump_gap_tsv(rows))[1].split("\t")[1] == "-/-"


def test_bom_and_crlf_are_accepted():
    crlf = b"\xef\xbb\xbf" + sample_bytes().replace(b"\n", b"\r\n")
    assert parse_gap_tsv(crlf) == parse_gap_tsv(sample_bytes())


def test_text_input_is_accepted():
    assert parse_gap_tsv(sample_bytes().decode("utf-8")) == parse_gap_tsv(sample_bytes())


@pytest.mark.parametrize(
    ("written", "rating"),
    [
        ("++", "++"),
        ("+/+", "++"),
        ("+/-", "+/-"),
        ("-/+", "-/+"),
        ("--", "--"),
        ("-/-", "--"),
        ("", None),
        (" +/- ", "+/-"),
    ],
)
def test_every_rating_spelling_is_understood(written, rating):
    assert normalise_rating(written) == rating


@pytest.mark.parametrize("written", ["+", "+-", "++/", "yes", "0"])
def test_unknown_ratings_are_refused(written):
    with pytest.raises(ValueError, match="unknown rating"):
        normalise_rating(written)


def test_format_rating_refuses_what_is_not_a_rating():
    assert format_rating(None) == ""
    with pytest.raises(ValueError, match="unknown rating"):
        format_rating("+/+")
    with pytest.raises(ValueError, match="spelling"):
        format_rating("++", "plus")


def test_bare_and_bold_names_are_read_as_plain_text():
    assert principle_name("<b>Researchers' Assessment</b>") == "Researchers' Assessment"
    assert principle_name("  Open   Science ") == "Open Science"
    assert principle_name("<b>Futur &amp; Impacts</b>") == "Futur & Impacts"
    row = GapRow("Futur & Impacts", None, "", "")
    assert data_lines(dump_gap_tsv([row]))[0] == "<b>Futur &amp; Impacts</b>\t\t\t"


def test_every_problem_is_reported_with_its_line():
    text = "\n".join(
        [
            "<b>Open Science</b>\t+/-\t<p>a</p>\t<p>b</p>",
            HEADER_LINE,
            "<b>Recruitment</b>\tmaybe\t<p>a</p>\t<p>b</p>",
            "<b>Selection</b>\t+/-\t<p>only three columns</p>",
            "",
            "<b>open science</b>\t--\t\t",
            "\t+/-\t<p>x</p>\t",
        ]
    )
    assert errors_of(text) == [
        (1, "principle row before the header row (Principles, Implementation, ...)"),
        (3, "unknown rating 'maybe' (expected one of ++ +/+ +/- -/+ -- -/- or empty)"),
        (4, "expected 4 tab-separated columns, found 3"),
        (6, "duplicate principle 'open science' (first on line 1)"),
        (7, "missing principle name"),
    ]


def test_bytes_that_are_not_utf8_are_reported_per_line():
    data = "\n".join([HEADER_LINE, "<b>Sélection</b>\t+/-\t\t", "<b>Recrutement</b>\t+/-\t\t"]).encode(
        "latin-1"
    )
    assert errors_of(data) == [(2, "not UTF-8 text (byte 0xe9 at byte 5)")]


@pytest.mark.parametrize("data", [b"", b"\n\n", "\ufeff".encode(), (HEADER_LINE + "\n").encode()])
def test_a_file_without_principles_is_refused(data):
    assert errors_of(data) == [(1, "empty file: no principle rows")]


def test_header_with_wrong_column_count_is_reported():
    assert errors_of("Principles\tImplementation\n<b>A</b>\t+/-\t\t") == [
        (1, "expected 4 tab-separated columns, found 2")
    ]


def test_error_message_names_lines():
    error = GapFormatError([(3, "unknown rating 'x'"), (9, "missing principle name")])
    assert str(error) == "line 3: unknown rating 'x'; line 9: missing principle name"
    assert isinstance(error, ValueError)


def test_hostile_markup_is_sanitised_on_import():
    text = (
        HEADER_LINE + '\n<b>Open Science</b>\t+/-\t<p onclick="x()">a</p><script>alert(1)</script>\t<p>b</p>'
    )
    assert parse_gap_tsv(text)[0].gap_html == "<p>a</p>"


def test_line_breaks_and_tabs_in_texts_cannot_break_rows():
    row = GapRow("Open Science", "+/-", "<p>one\r\ntwo</p>\t<p>three</p>", "<p>four\nfive</p>")
    assert parse_gap_tsv(dump_gap_tsv([row]))[0].gap_html == "<p>one two</p> <p>three</p>"


def test_rows_convert_to_and_from_plain_dicts():
    rows = parse_gap_tsv(sample_bytes())
    assert [GapRow.from_dict(row.as_dict()) for row in rows] == rows
    assert GapRow.from_dict({"name": "Open Science", "rating": None}) == GapRow("Open Science", None, "", "")


NAME_TEXT = st.text(st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=30)
NAMES = NAME_TEXT.map(lambda text: " ".join(text.split())).filter(
    lambda name: name and name.casefold() not in {"principles", "principes"}
)
HTML_PIECES = ["<p>", "</p>", "<b>x</b>", "<ul><li>a</li></ul>", "&amp;", "é", '"q"', "<br>", "text ", "<i>"]
HTML_TEXT = st.lists(st.sampled_from(HTML_PIECES), max_size=8).map(lambda parts: clean_html("".join(parts)))
ROWS = st.lists(
    st.builds(GapRow, NAMES, st.sampled_from([None, *RATINGS]), HTML_TEXT, HTML_TEXT),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row.name.casefold(),
)


@settings(max_examples=150, deadline=None)
@given(ROWS, st.sampled_from(["plus-slash", "compact"]))
def test_any_table_survives_export_and_import(rows, spelling):
    back = parse_gap_tsv(dump_gap_tsv(rows, spelling).encode("utf-8"))
    assert [(r.name, r.rating, r.gap_html, r.initiatives_html) for r in back] == [
        (r.name, r.rating, r.gap_html, r.initiatives_html) for r in rows
    ]
    assert spelling_of(back) == spelling or all(r.rating in (None, "+/-", "-/+") for r in rows)
