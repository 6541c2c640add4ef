"""The shared rule on control characters (pure)."""

from __future__ import annotations

import pytest

from consult.textcheck import (
    clean_multiline,
    clean_single_line,
    clean_text,
    control_name,
    control_problem,
    first_control,
)

EVERY_CONTROL = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))


def test_multi_line_text_keeps_tabs_and_line_breaks_only():
    assert clean_text("a" + EVERY_CONTROL + "b") == "a\t\n\rb"


def test_a_single_line_gets_a_space_for_each_run_of_breaks():
    assert clean_text("a\r\n\tb\x00c", multiline=False) == "a bc"


def test_other_characters_are_kept():
    text = "Égalité — ½ € \u00a0 \u2028 😀 <b>&amp;</b>"
    assert clean_text(text) == text and first_control(text) is None and control_problem(text) is None


@pytest.mark.parametrize("value", [None, 3, ["\x00"]])
def test_the_filters_leave_non_strings_alone(value):
    assert clean_multiline(value) == value and clean_single_line(value) == value


def test_the_filters_clean_strings():
    assert clean_multiline("x\x00\ny") == "x\ny" and clean_single_line("x\x00\ny") == "x y"


def test_a_problem_names_the_character_and_where_never_the_text():
    assert control_problem("secret\x00") == "contains the control character U+0000 (NUL) at character 7"
    assert control_problem("a\nb") is None
    assert control_problem("a\nb", multiline=False) == (
        "contains the control character U+000A (line break) at character 2"
    )
    assert control_name("\x9b") == "U+009B"
