"""The responses file (design.md, "Responses file"): one CSV row per respondent, read all or nothing.

Pure module. Columns: one per dimension code (option codes; empty = not stated), one per item code
(1..points; empty = no answer; ``DK`` = don't know), optional ``comment:SECTION_CODE``. Every dimension and
item column must be there, in any order. Values are read raw, as written (surrounding spaces aside):
reverse-keying belongs to the analysis. Rows are numbered as a spreadsheet shows them, the header being row 1;
rows whose every cell is empty are skipped. A file with any error is refused whole, with the errors found (up
to ``MAX_ERRORS``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

from consult.surveys.questionnaires import spec
from consult.textcheck import control_problem

MAX_ERRORS = 50
MAX_COMMENT_CHARS = 5000
DONT_KNOW_TEXT = "DK"
COMMENT_PREFIX = "comment:"
CHUNK_ROWS = 10_000
_INVALID = -1
_NO_TEXT = "<no text>"


class ResponsesFileError(ValueError):
    """A responses file refused, with every error found (each naming its row and column)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("the responses file was refused:\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class ParsedResponses:
    answers: np.ndarray
    """(respondents, items) uint8, as spec.py encodes them."""
    profiles: np.ndarray
    """(respondents, dimensions) uint8."""
    comments: list[tuple[str, str]]
    """(section code, text), in no particular link to the rows."""


@dataclass(frozen=True)
class Column:
    """How one column of the file decodes: into answers, profiles or comments, at ``target``."""

    name: str
    kind: str
    target: int
    codes: dict[str, int]
    allowed: str


class Errors:
    """The errors of one file, keeping the first MAX_ERRORS and counting the rest."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(message)

    def raise_if_any(self) -> None:
        if self.count > len(self.kept):
            self.kept.append(f"and {self.count - len(self.kept)} more errors")
        if self.count:
            raise ResponsesFileError(self.kept)


def item_codes(q: spec.Questionnaire) -> dict[str, int]:
    codes = {"": spec.NO_ANSWER} | {str(value): value for value in range(1, q.scale.points + 1)}
    if q.scale.dont_know:
        codes |= {DONT_KNOW_TEXT: spec.DONT_KNOW, DONT_KNOW_TEXT.lower(): spec.DONT_KNOW}
    return codes


def expected_columns(q: spec.Questionnaire) -> dict[str, Column]:
    points = (
        f"1..{q.scale.points}, {DONT_KNOW_TEXT} or empty"
        if q.scale.dont_know
        else f"1..{q.scale.points} or empty"
    )
    columns = {
        d.code: Column(
            d.code,
            "dimension",
            i,
            {"": spec.NOT_STATED} | {o.code: j + 1 for j, o in enumerate(d.options)},
            ", ".join(o.code for o in d.options) + " or empty",
        )
        for i, d in enumerate(q.dimensions)
    }
    codes = item_codes(q)
    columns |= {item.code: Column(item.code, "item", i, codes, points) for i, item in enumerate(q.items)}
    return columns


def comment_column(q: spec.Questionnaire, name: str) -> Column | str:
    """The comment column ``name``, or why it is refused."""
    code = name[len(COMMENT_PREFIX) :]
    section = next((s for s in q.sections if s.code == code), None)
    if section is None:
        return f"unknown column {name!r}: the questionnaire has no section {code!r}"
    if not section.comment:
        return f"column {name!r}: section {code} takes no comment"
    return Column(name, "comment", 0, {}, "")


def read_header(q: spec.Questionnaire, header: list[str], errors: Errors) -> list[Column]:
    expected, columns = expected_columns(q), []
    for position, raw in enumerate(header, start=1):
        name = raw.strip()
        column = comment_column(q, name) if name.startswith(COMMENT_PREFIX) else expected.get(name)
        if name in (c.name for c in columns):
            errors.add(f"row 1, column {position}: {name!r} is named twice")
        elif isinstance(column, Column):
            columns.append(column)
            continue
        else:
            errors.add(f"row 1, column {position}: " + (column or unknown_column(name)))
        columns.append(Column(name, "ignored", 0, {}, ""))
    missing = [name for name in expected if name not in {c.name for c in columns}]
    if missing:
        errors.add("row 1: missing columns " + ", ".join(repr(name) for name in missing))
    return columns


def unknown_column(name: str) -> str:
    return f"unknown column {name!r}" if name else "a column has no name"


def decode_text(data: bytes, errors: Errors) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        errors.add(f"the file is not UTF-8: invalid byte at line {line} (byte {error.start + 1})")
        return None


def delimiter_of(first_line: str) -> str:
    """Comma, or semicolon as spreadsheets write CSV where the comma is the decimal mark."""
    return ";" if ";" in first_line and "," not in first_line else ","


def numbered_rows(reader: Iterator[list[str]], errors: Errors) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.add(f"row {number}: unreadable ({error})")
            return
        if any(cell.strip() for cell in row):
            yield number, row


class Collected:
    """The decoded chunks of one file."""

    def __init__(self, q: spec.Questionnaire) -> None:
        self.shape = (len(q.items), len(q.dimensions))
        self.answers: list[np.ndarray] = []
        self.profiles: list[np.ndarray] = []
        self.comments: list[tuple[str, str]] = []

    def result(self) -> ParsedResponses:
        if not sum(len(chunk) for chunk in self.answers):
            raise ResponsesFileError(["the file has a header but no responses"])
        return ParsedResponses(np.concatenate(self.answers), np.concatenate(self.profiles), self.comments)


def decode_chunk(
    chunk: list[tuple[int, list[str]]], columns: list[Column], parsed: Collected, errors: Errors
) -> None:
    """Decode one chunk column by column; its errors are reported in row order."""
    width, found, good = len(columns), [], []
    for number, row in chunk:
        if len(row) == width:
            good.append((number, row))
        else:
            found.append(
                (number, 0, f"row {number}: {len(row)} values, but the header names {width} columns")
            )
    answers = np.zeros((len(good), parsed.shape[0]), np.uint8)
    profiles = np.zeros((len(good), parsed.shape[1]), np.uint8)
    for position, column in enumerate(columns, start=1):
        if column.kind == "comment":
            parsed.comments += read_comments(good, position - 1, column, found)
        elif column.kind != "ignored":
            target = answers if column.kind == "item" else profiles
            target[:, column.target] = decode_column(good, position - 1, column, found)
    for *_, message in sorted(found):
        errors.add(message)
    parsed.answers.append(answers)
    parsed.profiles.append(profiles)


def decode_column(
    rows: list[tuple[int, list[str]]], position: int, column: Column, found: list
) -> np.ndarray:
    codes = column.codes
    values = np.fromiter((codes.get(row[position].strip(), _INVALID) for _, row in rows), np.int16, len(rows))
    for index in np.flatnonzero(values == _INVALID):
        number, row = rows[index]
        problem = cell_problem(row[position].strip(), column)
        found.append((number, position + 1, f"row {number}, column {column.name}: {problem}"))
    return values.astype(np.uint8)


def cell_problem(value: str, column: Column) -> str:
    if column.kind == "item" and value.upper() == DONT_KNOW_TEXT:
        return "DK (don't know) is not an answer of this questionnaire"
    return f"{value!r} is not one of {column.allowed}"


def read_comments(
    rows: list[tuple[int, list[str]]], position: int, column: Column, found: list
) -> list[tuple[str, str]]:
    section, comments = column.name[len(COMMENT_PREFIX) :], []
    for number, row in rows:
        text = row[position].strip()
        problem = comment_problem(text)
        if problem:
            found.append((number, position + 1, f"row {number}, column {column.name}: the comment {problem}"))
        elif text:
            comments.append((section, text))
    return comments


def comment_problem(text: str) -> str | None:
    """Why a comment is refused, never quoting it: it is too long or holds a control character."""
    if len(text) > MAX_COMMENT_CHARS:
        return f"is over {MAX_COMMENT_CHARS} characters"
    return control_problem(text)


def chunks(rows: Iterable[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk


def parse_responses_csv(q: spec.Questionnaire, data: bytes) -> ParsedResponses:
    """The respondents of the responses file ``data``; ResponsesFileError listing whatever is wrong."""
    errors = Errors()
    text = decode_text(data, errors)
    errors.raise_if_any()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text.split("\n", 1)[0]))
    header = read_first_row(reader)
    if not header or not any(cell.strip() for cell in header):
        raise ResponsesFileError(["row 1: the file is empty; its first row must name the columns"])
    columns = read_header(q, header, errors)
    errors.raise_if_any()
    parsed = Collected(q)
    for chunk in chunks(numbered_rows(reader, errors)):
        decode_chunk(chunk, columns, parsed, errors)
    errors.raise_if_any()
    return parsed.result()


def read_first_row(reader: Iterator[list[str]]) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as error:
        raise ResponsesFileError([f"row 1: unreadable ({error})"]) from error


def value_texts(codes: dict[str, int]) -> np.ndarray:
    """Text of each byte value of a column; values that have none map to a marker checked by the writer."""
    texts = np.full(256, _NO_TEXT, dtype=object)
    for text, value in reversed(codes.items()):
        texts[value] = text
    return texts


def responses_csv(q: spec.Questionnaire, answers: np.ndarray, profiles: np.ndarray) -> str:
    """The responses file of ``answers`` and ``profiles`` (encoded as spec.py says), without comments."""
    columns = list(expected_columns(q).values())
    texts = [value_texts(column.codes) for column in columns]
    lines = [",".join(c.name for c in columns)]
    for start in range(0, len(answers), CHUNK_ROWS):
        chunk = {
            "item": np.asarray(answers[start : start + CHUNK_ROWS], np.uint8),
            "dimension": np.asarray(profiles[start : start + CHUNK_ROWS], np.uint8),
        }
        matrix = np.column_stack([t[chunk[c.kind][:, c.target]] for c, t in zip(columns, texts, strict=True)])
        if (matrix == _NO_TEXT).any():
            row, position = np.argwhere(matrix == _NO_TEXT)[0]
            raise ValueError(
                f"respondent {start + row + 1} has a value with no meaning in column {columns[position].name}"
            )
        lines += [",".join(row) for row in matrix.tolist()]
    return "\n".join(lines) + "\n"
