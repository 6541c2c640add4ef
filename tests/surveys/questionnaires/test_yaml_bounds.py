"""Questionnaire files are bounded before the parsing work: size, nesting, number of values, control
characters; and every code is a safe name (pure)."""

from __future__ import annotations

import re
import time

import pytest

from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.charter_templates import load_template, template_names
from consult.surveys.questionnaires.checks import MAX_FILE_BYTES
from consult.surveys.questionnaires.yaml_format import (
    QuestionnaireError,
    dump_questionnaire,
    parse_questionnaire,
)
from tests.conftest import small_questionnaire


def errors_of(text: str | bytes) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    return caught.value.errors


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[" * 10_000, "line 1, column 51: the document is nested more than 50 levels deep"),
        ("{a: " * 10_000, "line 1, column 198: the document is nested more than 50 levels deep"),
        ("".join(" " * i + "- \n" for i in range(100)), "line 51, column 51: the document is nested more"),
        ("[" + "1," * 250_000 + "1]", "line 1, column 40000: the document has more than 20,000 values"),
        ("- 1\n" * 100_000, "line 20000, column 3: the document has more than 20,000 values"),
        ("title: " + "x" * MAX_FILE_BYTES, "the file is larger than the limit of 512 KB (524,288 bytes)"),
        ("title: a\x00b\n", "line 1, column 9: the file contains the control character U+0000 (NUL)"),
        ("a: 1\nb: \x1b[31m\n", "line 2, column 4: the file contains the control character U+001B"),
    ],
    ids=["brackets", "braces", "blocks", "flat-list", "block-list", "oversize", "nul", "escape"],
)
def test_a_hostile_file_is_one_error_found_quickly(text, error):
    started = time.process_time()
    errors = errors_of(text)
    assert time.process_time() - started < 2
    assert len(errors) == 1 and errors[0].startswith(error)


def test_a_nul_written_as_an_escape_is_refused_where_it_is():
    text = dump_questionnaire(small_questionnaire()).replace("en: Small survey", 'en: "Small\\0 survey"')
    assert "title.en (line 2): contains the control character U+0000 (NUL) at character 6" in errors_of(text)


@pytest.mark.parametrize("code", ["..", ".P01", "P01.", "P01..1", "-P01", "P/01", "P01\\1", "P 01"])
def test_an_unsafe_section_or_item_code_is_refused(code):
    q = small_questionnaire()
    text = dump_questionnaire(q).replace("code: P14.1\n", f"code: {code!r}\n".replace("'", '"'))
    assert any("sections[1].items[0].code" in e and "is not a valid item code" in e for e in errors_of(text))


@pytest.mark.parametrize("code", ["..", "-north", "no.rth", ".x"])
def test_an_unsafe_option_code_is_refused(code):
    text = dump_questionnaire(small_questionnaire()).replace("code: north\n", f"code: '{code}'\n")
    assert any("is not a valid option code" in error for error in errors_of(text))


@pytest.mark.parametrize("name", template_names())
def test_every_template_code_stays_valid(name):
    q = load_template(name)
    codes = [s.code for s in q.sections] + [i.code for i in q.items]
    assert all(re.match(spec.ITEM_CODE_PATTERN, code) for code in codes)
    options = [d.code for d in q.dimensions] + [o.code for d in q.dimensions for o in d.options]
    assert all(re.match(spec.OPTION_CODE_PATTERN, code) for code in options)
    assert parse_questionnaire(dump_questionnaire(q)) == q
