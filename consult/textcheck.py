"""Control characters in typed or imported text: one rule shared by every form and every file reader.

Pure module. Text may hold tabs and line breaks (``\\t``, ``\\n``, ``\\r``) where it spans lines; no other
C0 control (NUL included), no DEL and no C1 control: PostgreSQL refuses NUL in text, and the others are
invisible, so nobody could find and fix them. Forms drop them (``clean_multiline``, ``clean_single_line``);
file readers refuse the file, naming where (``first_control``, ``control_problem``).
"""

from __future__ import annotations

import re

_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_MULTILINE_FORBIDDEN = re.compile(f"[{_CONTROLS}]")
_SINGLE_LINE_FORBIDDEN = re.compile(f"[{_CONTROLS}\t\n\r]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def clean_text(text: str, multiline: bool = True) -> str:
    """``text`` without its forbidden control characters; on a single line, each run of breaks is a space."""
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text)
    return _MULTILINE_FORBIDDEN.sub("", text)


def clean_multiline(value: object) -> object:
    """A WTForms filter for multi-line fields: strings are cleaned, anything else is left as it is."""
    return clean_text(value) if isinstance(value, str) else value


def clean_single_line(value: object) -> object:
    """A WTForms filter for single-line fields."""
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def first_control(text: str, multiline: bool = True) -> int | None:
    """The index of the first forbidden control character of ``text``, or None when it has none."""
    pattern = _MULTILINE_FORBIDDEN if multiline else _SINGLE_LINE_FORBIDDEN
    found = pattern.search(text)
    return None if found is None else found.start()


def control_name(character: str) -> str:
    """``"\\x00"`` -> ``U+0000 (NUL)``; the character itself is never echoed."""
    names = {"\x00": " (NUL)", "\t": " (tab)", "\n": " (line break)", "\r": " (carriage return)"}
    return f"U+{ord(character):04X}{names.get(character, '')}"


def control_problem(text: str, multiline: bool = True) -> str | None:
    """Why ``text`` is refused ("contains the control character U+0000 (NUL) at character 4"), or None."""
    index = first_control(text, multiline)
    if index is None:
        return None
    return f"contains the control character {control_name(text[index])} at character {index + 1}"
