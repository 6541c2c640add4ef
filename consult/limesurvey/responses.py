"""LimeSurvey's responses: a CSV export with code headings (``Q1[SQ001]``), or a ``.lsr`` file (SGQA names).

Pure module. A CSV export is UTF-8 with a byte-order mark, every value quoted, separated by commas or
semicolons; a ``.lsr`` is XML whose column tags are SGQA codes (``862611X58X382SQ1``) with a leading
underscore. Timestamps, IP addresses, tokens, referrer URLs, timings and participant details are never read
into a response: those columns are dropped and named in the report. Responses never completed (no
``submitdate``) are skipped. Every error names the row (the CSV header being row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np

from consult.limesurvey.plan import Plan
from consult.limesurvey.structure import LimeSurveyError, Survey, archive_member, parse_xml
from consult.textcheck import control_problem

MAX_COMMENT_CHARS = 5000
MAX_ERRORS = 50
PRIVATE = {
    "token": "tokens",
    "ipaddr": "IP addresses",
    "refurl": "referrer URLs",
    "submitdate": "timestamps",
    "startdate": "timestamps",
    "datestamp": "timestamps",
    "interviewtime": "timings",
    "firstname": "participant details",
    "lastname": "participant details",
    "email": "participant details",
}
OTHER_META = frozenset({"id", "lastpage", "startlanguage", "seed", "optout", "emailstatus", "completed"})
_TIMING = re.compile(r"(?i)^(.*time|grouptime\d+)$")
_ATTRIBUTE = re.compile(r"(?i)^attribute_\d+$")


@dataclass
class Table:
    """Rows of a responses file: column names, and (row number, {column: value}) pairs."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Decoded:
    answers: np.ndarray
    profiles: np.ndarray
    comments: list[tuple[str, str]]
    dropped: list[str] = field(default_factory=list)
    """What kinds of private columns the file had and the import dropped (timestamps, IP addresses...)."""
    incomplete: int = 0


def read_table(data: bytes, filename: str = "") -> Table:
    """The rows of a CSV export, a ``.lsr`` file, or the ``.lsr`` of a ``.lsa`` archive."""
    if data[:4] == b"PK\x03\x04":
        data = archive_member(data, ("_responses.lsr", ".lsr"), "responses")
    if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return lsr_table(data)
    return csv_table(data)


def csv_table(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LimeSurveyError([f"the responses file is not UTF-8 text (byte {error.start})"]) from error
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise LimeSurveyError([f"the responses file is not valid CSV: {error}"]) from error
    if not records or not any(records[0]):
        raise LimeSurveyError(["the responses file is empty: expected a header row of question codes"])
    columns = [name.strip() for name in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(columns):
            raise LimeSurveyError([f"row {number}: {len(record)} values for {len(columns)} columns"])
        rows.append((number, dict(zip(columns, record, strict=True))))
    return Table(columns, rows)


def lsr_table(data: bytes) -> Table:
    root = parse_xml(data, "the responses file")
    if (root.findtext("LimeSurveyDocType") or "").strip() != "Responses":
        raise LimeSurveyError(["the responses file is not a LimeSurvey responses file (.lsr)"])
    columns = [lsr_name(f.text or "") for f in root.findall("responses/fields/fieldname")]
    rows = []
    for number, row in enumerate(root.findall("responses/rows/row"), start=1):
        rows.append((number, {lsr_name(cell.tag): cell.text or "" for cell in row}))
    return Table(columns, rows)


def lsr_name(name: str) -> str:
    """A column name as LimeSurvey writes it in the field list (``#`` of dual scales), not as an XML tag."""
    return re.sub(r"^_(\d)", r"\1", name).replace("-", "#")


def headings(survey: Survey, code: str, sub: str | None = None, suffix: str = "") -> tuple[str, str]:
    """A column's CSV code heading and its SGQA name."""
    question = survey.question(code)
    sgqa = f"{survey.sid}X{question.gid}X{question.qid}{sub or ''}{suffix}"
    return (f"{code}[{sub}]" if sub else code) + (f"[{suffix}]" if suffix else ""), sgqa


def private_kind(column: str, survey_codes: set[str]) -> str | None:
    """What kind of private column this is (timestamps, tokens...), None for a question's or another."""
    lowered = column.lower()
    if lowered in PRIVATE:
        return PRIVATE[lowered]
    if column.split("[")[0] in survey_codes:
        return None
    if _ATTRIBUTE.match(column):
        return "participant details"
    return "timings" if _TIMING.match(column) else None


class Decoder:
    def __init__(self, survey: Survey, plan: Plan, table: Table) -> None:
        self.survey, self.plan, self.table = survey, plan, table
        self.errors: list[str] = []
        self.items = [self.find(c.question, c.sub) for c in plan.items]
        self.dimensions = [self.find(c.question) for c in plan.dimensions]
        self.comments = [self.find(code) for code, _ in plan.comments]

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def find(self, code: str, sub: str | None = None) -> str | None:
        names = headings(self.survey, code, sub)
        found = next((name for name in names if name in self.table.columns), None)
        if found is None:
            self.fail(f"question {code}: the responses file has no column {names[0]} (nor {names[1]})")
        return found

    def check_columns(self) -> list[str]:
        """The private kinds found; unknown columns are errors (the file is not this survey's)."""
        survey_codes = {q.code for q in self.survey.questions}
        sgqa = re.compile(rf"^{self.survey.sid}X\d+X(\d+)")
        qids = {str(q.qid) for q in self.survey.questions}
        kinds, unknown = [], []
        for column in self.table.columns:
            kind = private_kind(column, survey_codes)
            match = sgqa.match(column)
            if kind:
                kinds.append(kind)
            elif column.split("[")[0] in survey_codes or column.lower() in OTHER_META:
                continue
            elif not (match and any(column[match.start(1) :].startswith(q) for q in qids)):
                unknown.append(column)
        if unknown:
            self.fail(
                f"columns not of survey {self.survey.sid}: {', '.join(unknown[:5])}"
                + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
                + " (export the responses with the headings 'Question code' and the answers as codes)"
            )
        return list(dict.fromkeys(kinds))

    def decode(self) -> Decoded:
        dropped = self.check_columns()
        if self.errors:
            raise LimeSurveyError(self.errors)
        complete = [(n, row) for n, row in self.table.rows if not self.incomplete(row)]
        answers = np.zeros((len(complete), len(self.items)), np.uint8)
        profiles = np.zeros((len(complete), len(self.dimensions)), np.uint8)
        comments: list[tuple[str, str]] = []
        for index, (number, row) in enumerate(complete):
            self.decode_row(number, row, answers[index], profiles[index], comments)
            if len(self.errors) >= MAX_ERRORS:
                break
        if self.errors:
            raise LimeSurveyError(self.errors[:MAX_ERRORS])
        return Decoded(answers, profiles, comments, dropped, len(self.table.rows) - len(complete))

    def incomplete(self, row: dict[str, str]) -> bool:
        return "submitdate" in self.table.columns and not (row.get("submitdate") or "").strip()

    def decode_row(
        self, number: int, row: dict, answers: np.ndarray, profile: np.ndarray, comments: list
    ) -> None:
        for j, (column, spec_column) in enumerate(zip(self.items, self.plan.items, strict=True)):
            answers[j] = self.code(number, column, row, spec_column.codes)
        for j, (column, spec_column) in enumerate(zip(self.dimensions, self.plan.dimensions, strict=True)):
            profile[j] = self.code(number, column, row, spec_column.codes)
        for column, (_, section) in zip(self.comments, self.plan.comments, strict=True):
            text = (row.get(column) or "").strip()
            if text and self.comment_ok(number, column, text):
                comments.append((section, text))

    def code(self, number: int, column: str, row: dict, codes: dict[str, int]) -> int:
        value = (row.get(column) or "").strip()
        if value in codes:
            return codes[value]
        expected = ", ".join(repr(c) for c in codes if c)
        self.fail(
            f"row {number}, column {column}: unknown answer {value[:40]!r} (expected {expected} or empty)"
        )
        return 0

    def comment_ok(self, number: int, column: str, text: str) -> bool:
        problem = control_problem(text)
        if len(text) > MAX_COMMENT_CHARS:
            problem = f"is longer than {MAX_COMMENT_CHARS:,} characters"
        if problem:
            self.fail(f"row {number}, column {column}: the text {problem}")
        return problem is None


def decode_responses(survey: Survey, plan: Plan, table: Table) -> Decoded:
    """Answers, profiles and comments of the complete responses, all or nothing."""
    return Decoder(survey, plan, table).decode()
