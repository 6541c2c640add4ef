"""Redaction of e-mail addresses and phone numbers in free-text comments (design.md, principle 3).

Contact details are looked for in a normalised copy of the text (NFKC, which turns full-width and other
compatibility characters into plain ones, with zero-width characters and soft hyphens dropped), then each one
found is replaced with "[redacted]" in the text as written, which is otherwise left exactly as it was.

* e-mail addresses: ``@``, ``(at)``, ``[at]``, ``{at}``, ``(a)``, `` at ``, `` arobase ``, with or without
  spaces around them, and ``.``, `` dot ``, ``(dot)``, ``[dot]``, `` point ``... for the dots;
* phone numbers in any national or international format of the regions in :data:`REGIONS`, and any ``+``
  number, found with libphonenumber (:mod:`phonenumbers`): a valid number, or a possible one of 9 digits or
  more (fictitious and unassigned numbers are still somebody's way of writing theirs);
* any run of 8 or more digits with spaces, dots or dashes between them;

except what is written as a date (12.03.2024, 2024-03-12) or a range of years (2020-2023).

Pure: no Flask or SQLAlchemy import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import phonenumbers

REDACTED = "[redacted]"
REGIONS = ("FR", "GB", "US", "DE", "BE", "CH")
"""Regions whose national formats are recognised; a ``+`` or ``00`` number is recognised in any of them."""

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

_LABEL = r"[\w+\-\u0300-\u036f]+"
_WORD_DOT = r"(?:\s*[(\[{]\s*(?:dot|point|\.)\s*[)\]}]\s*|\s+(?:dot|point)\s+)"
_ANY_TLD = r"[^\W\d_]{2,}"
_TLD = (
    r"(?:com|org|net|edu|gov|int|eu|fr|uk|de|be|ch|lu|es|pt|nl|ca|au|io|info|biz|ac|cz|pl|se|dk|fi|at|us|ie)"
)
"""Last parts of domains recognised after a spelled-out "at": not "it", "in", "is", "to"... which prose has
("look at the point it makes")."""
_NOT_A_DOMAIN = (
    r"(?!(?:the|an?|this|that|these|those|my|our|your|le|la|les|l|un|une|de|des|du|ce|cet|cette)\b)"
)


def _address(at: str, dot: str, tld: str = _ANY_TLD, domain_start: str = "") -> re.Pattern[str]:
    """``local AT domain DOT tld``: the local part may have dots, the domain has at least one."""
    local = rf"{_LABEL}(?:{dot}{_LABEL}){{0,4}}"
    domain = rf"{domain_start}{_LABEL}(?:{dot}{_LABEL}){{0,4}}{dot}{tld}(?![\w\-])"
    return re.compile(rf"(?<![\w.+\-]){local}{at}{domain}", re.IGNORECASE)


_EMAILS = (
    # jean.dupont@univ.fr, jean @ univ . fr, jean@univ (the @ sign alone says enough)
    _address(r"\s*@\s*", rf"(?:\.|\s+\.\s+|{_WORD_DOT})"),
    re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?![\w\-])"),
    # jean(at)univ(dot)fr, jean [at] univ.fr, jean {arobase} univ [point] fr
    _address(r"\s*[(\[{]\s*(?:at|arobase|@)\s*[)\]}]\s*", rf"(?:\.|{_WORD_DOT})"),
    # jean(a)univ.fr, jean dot dupont at univ dot fr, jean arobase univ point fr: a plain dot only without
    # spaces, and a domain that prose does not have ("look at the point of view", "option (a) then. Next")
    _address(
        r"(?:\s*[(\[{]\s*a\s*[)\]}]\s*|\s+(?:at|arobase)\s+)",
        rf"(?:\.|{_WORD_DOT})",
        _TLD,
        _NOT_A_DOMAIN,
    ),
)
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[^\S\n]?\d|[.\-\u2010-\u2015]\d){7,}(?!\d)")
_ORDINARY_RUN = re.compile(
    r"""(?:19|20)\d\d\s?[\-\u2010-\u2015]\s?(?:19|20)\d\d        # 2020-2023
      | (?:0?[1-9]|[12]\d|3[01])[.\-](?:0?[1-9]|1[0-2])[.\-](?:19|20)\d\d    # 12.03.2024
      | (?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])            # 2024-03-12
    """,
    re.VERBOSE,
)
_POSSIBLE_DIGITS = 9
_FEWEST_DIGITS = 5
"""No valid number of the regions has fewer digits (the shortest are 5-digit German local numbers)."""


def redact(text: str) -> str:
    """``text`` with every e-mail address and phone number replaced with "[redacted]"."""
    normal, origin = normalise(text)
    spans = _merged([*_email_spans(normal), *_phone_spans(normal), *_digit_runs(normal)])
    out, position = [], 0
    for start, end in spans:
        first, last = origin[start], origin[end - 1] + 1
        out += [text[position:first], REDACTED]
        position = last
    return "".join(out) + text[position:]


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC of ``text`` character by character, invisible characters dropped, and for each character of the
    result the position in ``text`` of the character it comes from."""
    pieces, origin = [], []
    for position, character in enumerate(text):
        if character in _INVISIBLE:
            continue
        normal = unicodedata.normalize("NFKC", character)
        pieces.append(normal)
        origin += [position] * len(normal)
    return "".join(pieces), origin


def _email_spans(text: str) -> Iterator[tuple[int, int]]:
    for pattern in _EMAILS:
        yield from (match.span() for match in pattern.finditer(text))


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """Valid numbers, and possible ones of at least 9 digits; none in a text of fewer than 5 digits."""
    if sum(character.isdigit() for character in text) < _FEWEST_DIGITS:
        return
    for region in REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            digits = sum(character.isdigit() for character in match.raw_string)
            if _ORDINARY_RUN.fullmatch(match.raw_string):
                continue
            if digits >= _POSSIBLE_DIGITS or phonenumbers.is_valid_number(match.number):
                yield _without_open_bracket(match)


def _without_open_bracket(match: phonenumbers.PhoneNumberMatch) -> tuple[int, int]:
    """The match's span, less a leading "(" that it does not close: "(+44 20 7946 0958)" keeps both."""
    raw = match.raw_string
    unclosed = raw.startswith("(") and raw.count("(") > raw.count(")")
    return match.start + unclosed, match.end


def _digit_runs(text: str) -> Iterator[tuple[int, int]]:
    for match in _DIGIT_RUN.finditer(text):
        if not _ORDINARY_RUN.fullmatch(match.group()):
            yield match.span()


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
