"""An existing action plan read from CSV or XLSX: every row checked before anything is stored, errors named by
row and column. Pure parsing here; ``import_plan`` stores the rows through the plan's services."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import load_workbook

from consult.hrs4r.reference import STATUSES, check_timing, normalise_period

COLUMNS = (
    "title",
    "description",
    "principles",
    "start",
    "end",
    "responsible_unit",
    "indicators",
    "status",
    "remarks",
)
MAX_ROWS = 2_000
MAX_BYTES = 5_000_000
MAX_CELL = 20_000


class PlanFormatError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class PlanRow:
    title: str
    description: str
    principles: tuple[int, ...]
    start: str
    end: str
    responsible_unit: str
    indicators: str
    status: str
    remarks: str


def read_table(data: bytes, filename: str) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise PlanFormatError([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFormatError(["the file is not UTF-8 text: save it as CSV UTF-8 or as XLSX"]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise PlanFormatError(
            [f"the file is not a readable XLSX workbook ({type(error).__name__})"]
        ) from None
    return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]


def parse_plan(rows: list[list[str]], principles: set[int]) -> list[PlanRow]:
    """Rows of the table (a header of COLUMNS, in any order, then one action a row); every problem found."""
    if not rows:
        raise PlanFormatError(["the file is empty"])
    header = [cell.strip().lower() for cell in rows[0]]
    problems = [
        f"row 1, column {i + 1}: unknown column {name!r}"
        for i, name in enumerate(header)
        if name and name not in COLUMNS
    ]
    if "title" not in header:
        problems.append("row 1: the header has no 'title' column (expected " + ", ".join(COLUMNS) + ")")
    if len(rows) - 1 > MAX_ROWS:
        problems.append(f"the file has {len(rows) - 1} rows; at most {MAX_ROWS}")
    if problems:
        raise PlanFormatError(problems)
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            parsed.append(_row(number, dict(zip(header, row, strict=False)), principles, problems))
    if problems:
        raise PlanFormatError(problems)
    if not parsed:
        raise PlanFormatError(["the file has no action"])
    return parsed


def _row(number: int, cells: dict[str, str], principles: set[int], problems: list[str]) -> PlanRow | None:
    def where(column: str) -> str:
        return f"row {number}, column {column}"

    value = {name: (cells.get(name) or "").strip() for name in COLUMNS}
    for name, text in value.items():
        if len(text) > MAX_CELL:
            problems.append(f"{where(name)}: longer than {MAX_CELL:,} characters")
    if not value["title"]:
        problems.append(f"{where('title')}: an action needs a title")
    numbers = _principles(value["principles"], principles, where("principles"), problems)
    status = value["status"].lower() or "planned"
    if status not in STATUSES:
        problems.append(f"{where('status')}: {value['status']!r} is not one of {', '.join(STATUSES)}")
    start, end = _timing(value, where, problems)
    fields = {k: value[k] for k in ("title", "description", "responsible_unit", "indicators", "remarks")}
    return PlanRow(principles=numbers, start=start, end=end, status=status, **fields)


def _principles(text: str, known: set[int], where: str, problems: list[str]) -> tuple[int, ...]:
    numbers = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().upper().removeprefix("P")
        if not part:
            continue
        if not part.isdigit() or int(part) not in known:
            problems.append(f"{where}: {part!r} is not a principle of the campaign's charter")
        else:
            numbers.append(int(part))
    return tuple(sorted(set(numbers)))


def _timing(value: dict[str, str], where, problems: list[str]) -> tuple[str, str]:
    periods = []
    for column in ("start", "end"):
        try:
            periods.append(normalise_period(value[column]))
        except ValueError as error:
            problems.append(f"{where(column)}: {error}")
            periods.append("")
    try:
        check_timing(*periods)
    except ValueError as error:
        problems.append(f"{where('end')}: {error}")
    return periods[0], periods[1]
