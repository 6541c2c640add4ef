"""The gap-analysis table as tab-separated text, in exactly the format working groups exchange (design.md).

A file is blocks of one header row and principle rows, separated by blank lines; cells are raw text split on
tabs (no quoting: the texts hold double quotes as they are). Importing a file and exporting it again gives
back its principle rows byte for byte.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from consult.gap.sanitize import clean_html
from consult.textcheck import control_problem

HEADER = (
    "Principles",
    "Implementation",
    "GAP / Implementation impediments",
    "Initiatives undertaken / new proposals",
)
HEADER_NAMES = frozenset({"principles", "principes"})
RATINGS = ("++", "+/-", "-/+", "--")
RATING_SPELLINGS = {"++": "++", "+/+": "++", "+/-": "+/-", "-/+": "-/+", "--": "--", "-/-": "--"}
PLUS_SLASH = {"++": "+/+", "--": "-/-"}
Spelling = Literal["plus-slash", "compact"]
SPELLINGS = ("plus-slash", "compact")

_NAME_IN_BOLD = re.compile(r"\A\s*<b>(.*)</b>\s*\Z", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


@dataclass(frozen=True)
class GapRow:
    """One principle of the table; ``rating`` is normalised, ``rating_spelling`` is what the file wrote."""

    name: str
    rating: str | None
    gap_html: str
    initiatives_html: str
    rating_spelling: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GapRow:
        return cls(
            **{key: data.get(key) for key in ("name", "rating", "rating_spelling")},
            gap_html=data.get("gap_html", ""),
            initiatives_html=data.get("initiatives_html", ""),
        )


class GapFormatError(ValueError):
    """A file that is not a gap-analysis table; ``errors`` lists every problem as (line number, reason)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in errors))


def normalise_rating(text: str) -> str | None:
    """The rating a cell means (``+/+`` is ``++``, empty is none); ``ValueError`` for anything else."""
    spelled = text.strip()
    if not spelled:
        return None
    if spelled not in RATING_SPELLINGS:
        raise ValueError(f"unknown rating {spelled!r} (expected one of ++ +/+ +/- -/+ -- -/- or empty)")
    return RATING_SPELLINGS[spelled]


def format_rating(rating: str | None, spelling: Spelling = "plus-slash") -> str:
    if rating is None:
        return ""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    if spelling not in SPELLINGS:
        raise ValueError(f"unknown rating spelling {spelling!r} (expected plus-slash or compact)")
    return PLUS_SLASH.get(rating, rating) if spelling == "plus-slash" else rating


def spelling_of(rows: Iterable[GapRow]) -> Spelling:
    """The spelling a file used: compact when it wrote ``++`` or ``--``, plus-slash otherwise."""
    written = {row.rating_spelling for row in rows}
    return "compact" if written & {"++", "--"} else "plus-slash"


def parse_gap_tsv(data: bytes | str) -> list[GapRow]:
    """Read a gap-analysis table; every cell's HTML is sanitised (safe markup comes back unchanged)."""
    lines, errors = _decoded_lines(data)
    reader = _TableReader(errors)
    for number, line in lines:
        if line.strip():
            reader.read(number, line.split("\t"))
    if not reader.rows and not errors:
        errors.append((1, "empty file: no principle rows"))
    if errors:
        raise GapFormatError(sorted(errors))
    return reader.rows


def dump_gap_tsv(rows: Iterable[GapRow], spelling: Spelling = "plus-slash") -> str:
    """One header row, then one row per principle; tabs and line breaks in texts become spaces."""
    lines = ["\t".join(HEADER)]
    lines += ["\t".join(_row_cells(row, spelling)) for row in rows]
    return "\n".join(lines) + "\n"


def _row_cells(row: GapRow, spelling: Spelling) -> list[str]:
    name = f"<b>{html.escape(row.name, quote=False)}</b>"
    texts = [_LINE_BREAKS.sub(" ", text) for text in (row.gap_html, row.initiatives_html)]
    return [name, format_rating(row.rating, spelling), *texts]


def _decoded_lines(data: bytes | str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Lines numbered from 1, each decoded on its own so that every undecodable line is reported."""
    if isinstance(data, str):
        return [
            (n, line.removesuffix("\r")) for n, line in enumerate(data.removeprefix("\ufeff").split("\n"), 1)
        ], []
    lines: list[tuple[int, str]] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        try:
            lines.append((number, raw.decode("utf-8").removesuffix("\r")))
        except UnicodeDecodeError as error:
            errors.append(
                (number, f"not UTF-8 text (byte {raw[error.start]:#04x} at byte {error.start + 1})")
            )
    return lines, errors


class _TableReader:
    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        self.rows: list[GapRow] = []
        self.first_line_of: dict[str, int] = {}
        self.seen_header = False

    def read(self, number: int, cells: list[str]) -> None:
        if self._has_controls(number, cells):
            return
        is_header = cells[0].strip().casefold() in HEADER_NAMES
        if len(cells) != len(HEADER):
            self.errors.append((number, f"expected {len(HEADER)} tab-separated columns, found {len(cells)}"))
        if not (is_header or self.seen_header):
            self.errors.append(
                (number, "principle row before the header row (Principles, Implementation, ...)")
            )
        self.seen_header = True
        if not is_header and len(cells) == len(HEADER):
            self._read_row(number, cells)

    def _has_controls(self, number: int, cells: list[str]) -> bool:
        """Record every cell holding a control character (refused: nobody can see them to fix them)."""
        found = [(position, control_problem(cell)) for position, cell in enumerate(cells, start=1)]
        problems = [(position, problem) for position, problem in found if problem]
        self.errors.extend((number, f"{column_name(position)} {problem}") for position, problem in problems)
        return bool(problems)

    def _read_row(self, number: int, cells: list[str]) -> None:
        name = principle_name(cells[0])
        try:
            rating = normalise_rating(cells[1])
        except ValueError as error:
            self.errors.append((number, str(error)))
            rating = None
        if not name:
            self.errors.append((number, "missing principle name"))
        elif self._is_new(number, name):
            spelled = cells[1].strip() or None
            self.rows.append(GapRow(name, rating, clean_html(cells[2]), clean_html(cells[3]), spelled))

    def _is_new(self, number: int, name: str) -> bool:
        key = name.casefold()
        if key in self.first_line_of:
            self.errors.append(
                (number, f"duplicate principle {name!r} (first on line {self.first_line_of[key]})")
            )
            return False
        self.first_line_of[key] = number
        return True


def column_name(position: int) -> str:
    """``column 3 (GAP / Implementation impediments)``: a column by its number and, when known, its name."""
    return f"column {position} ({HEADER[position - 1]})" if position <= len(HEADER) else f"column {position}"


def principle_name(cell: str) -> str:
    """The plain-text name of a principle cell: ``<b>Name</b>`` or a bare name."""
    match = _NAME_IN_BOLD.match(cell)
    inner = match.group(1) if match else cell
    return " ".join(html.unescape(_TAG.sub("", inner)).split())
