"""The headcounts file (design.md, "Headcounts file"), read all or nothing. Pure module.

One column per dimension code (option codes) and a ``headcount`` column (a non-negative integer). A row with
every dimension filled is a cell; a row with exactly one filled is a margin. A file holds cells or margins,
not both. Rows are numbered as a spreadsheet shows them (the header is row 1). "Not stated" has no headcount:
an option left out of the file (like "prefer not to say") has none either, and its respondents are not
weighted. In a file of cells, every combination of the options it names must be there.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass

from consult.surveys.questionnaires import spec

HEADCOUNT = "headcount"
MAX_BYTES = 1_000_000
MAX_ERRORS = 30
MAX_HEADCOUNT = 10_000_000


class HeadcountsFileError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors[:MAX_ERRORS]
        super().__init__("the headcounts file was refused:\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class ParsedHeadcounts:
    method: str
    """``cells`` or ``margins``."""
    rows: list[dict]
    """``{"options": {dimension code: option code}, "headcount": n}`` per row, in file order."""


def parse_headcounts(q: spec.Questionnaire, data: bytes) -> ParsedHeadcounts:
    errors: list[str] = []
    if len(data) > MAX_BYTES:
        raise HeadcountsFileError([f"the file is larger than {MAX_BYTES // 1000} kB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HeadcountsFileError([f"the file is not UTF-8 (byte {error.start + 1})"]) from error
    lines = list(csv.reader(io.StringIO(text), delimiter=";" if _semicolons(text) else ","))
    if not lines:
        raise HeadcountsFileError(["the file is empty"])
    header = [name.strip() for name in lines[0]]
    _check_header(q, header, errors)
    if errors:
        raise HeadcountsFileError(errors)
    rows = _rows(q, header, lines[1:], errors)
    method = _method(rows, len(q.dimensions), errors)
    if not errors:
        _check_complete(q, rows, method, errors)
    if errors:
        raise HeadcountsFileError(errors)
    return ParsedHeadcounts(method, [{"options": options, "headcount": n} for _, options, n in rows])


def _semicolons(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return ";" in first and "," not in first


def _check_header(q: spec.Questionnaire, header: list[str], errors: list[str]) -> None:
    expected = [d.code for d in q.dimensions] + [HEADCOUNT]
    for position, name in enumerate(header, start=1):
        if name not in expected:
            errors.append(f"row 1, column {position}: unknown column {name!r}")
        elif header.index(name) != position - 1:
            errors.append(f"row 1, column {position}: {name!r} is named twice")
    missing = [name for name in expected if name not in header]
    if missing:
        errors.append("row 1: missing columns " + ", ".join(repr(name) for name in missing))


def _rows(q, header, lines, errors) -> list[tuple[int, dict[str, str], int]]:
    dimensions = {d.code: d for d in q.dimensions}
    found, seen = [], {}
    for number, line in enumerate(lines, start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(line) != len(header):
            errors.append(f"row {number}: {len(line)} values, but the header names {len(header)} columns")
            continue
        values = dict(zip(header, (cell.strip() for cell in line), strict=True))
        options = _options(number, header, values, dimensions, errors)
        headcount = _headcount(number, header.index(HEADCOUNT) + 1, values[HEADCOUNT], errors)
        if options is None or headcount is None:
            continue
        key = tuple(sorted(options.items()))
        if key in seen:
            errors.append(f"row {number}: the same group as row {seen[key]}")
            continue
        seen[key] = number
        found.append((number, options, headcount))
    return found


def _options(number, header, values, dimensions, errors) -> dict[str, str] | None:
    options, good = {}, True
    for code, dimension in dimensions.items():
        value = values[code]
        if not value:
            continue
        known = [o.code for o in dimension.options]
        if value not in known:
            column = header.index(code) + 1
            errors.append(
                f"row {number}, column {column} ({code}): unknown option {value!r}; "
                f"expected one of {', '.join(known)}"
            )
            good = False
        options[code] = value
    filled = len(options)
    if good and filled not in (1, len(dimensions)):
        errors.append(
            f"row {number}: {filled} dimensions filled; fill every dimension (a cell) or exactly one "
            "(a margin)"
        )
        good = False
    return options if good else None


def _headcount(number: int, column: int, value: str, errors: list[str]) -> int | None:
    if not value.isdigit() or int(value) > MAX_HEADCOUNT:
        errors.append(
            f"row {number}, column {column} ({HEADCOUNT}): {value!r} is not a whole number "
            f"from 0 to {MAX_HEADCOUNT}"
        )
        return None
    return int(value)


def _method(rows, dimensions: int, errors) -> str:
    kinds = {len(options) < dimensions for _, options, _ in rows}
    if not rows and not errors:
        errors.append("the file has a header but no headcounts")
    if len(kinds) > 1:
        first = {kind: next(n for n, o, _ in rows if (len(o) == 1) == kind) for kind in kinds}
        errors.append(
            f"the file mixes cells (row {first[False]}) and margins (row {first[True]}): "
            "give one or the other"
        )
    return "margins" if kinds == {True} else "cells"


def _check_complete(q: spec.Questionnaire, rows, method: str, errors: list[str]) -> None:
    if sum(n for _, _, n in rows) <= 0:
        errors.append(f"column {HEADCOUNT}: the headcounts add up to 0")
    named = {
        d.code: [o.code for o in d.options if any(r[1].get(d.code) == o.code for r in rows)]
        for d in q.dimensions
    }
    if method == "margins":
        for d in q.dimensions:
            if not named[d.code]:
                errors.append(f"column {d.code}: no margin row gives a headcount for this dimension")
        return
    present = {tuple(options[d.code] for d in q.dimensions) for _, options, _ in rows}
    for combination in itertools.product(*named.values()):
        if combination not in present:
            cell = ", ".join(f"{code}={value}" for code, value in zip(named, combination, strict=True))
            errors.append(f"missing cell: {cell}")
