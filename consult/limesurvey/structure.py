"""A LimeSurvey survey structure: the ``.lss`` XML, or the ``.lsa`` archive that holds it.

Pure module. The XML is parsed with defusedxml (no entity expansion, no external entity, no DTD), since the
file comes from outside. A ``.lss`` file is a ``<document>`` of tables, each ``<fields>`` then ``<rows>``;
LimeSurvey 4 and later (DBVersion 400 and up) keep texts per language in the ``*_l10ns`` tables, earlier
versions on the rows themselves: both are read. Texts are HTML in LimeSurvey: they are kept as plain text.
An archive's token list is never opened.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from xml.etree.ElementTree import Element  # nosec B405 (only the type; parsing goes through defusedxml)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_STRUCTURE_BYTES = 20 * 1024 * 1024
MAX_ARCHIVE_MEMBER_BYTES = 100 * 1024 * 1024
Texts = dict[str, str]


class LimeSurveyError(ValueError):
    """A LimeSurvey file or mapping refused, with every problem found (each naming question and row)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Answer:
    code: str
    texts: Texts
    scale_id: int = 0


@dataclass(frozen=True)
class SubQuestion:
    code: str
    texts: Texts
    scale_id: int = 0


@dataclass(frozen=True)
class Question:
    qid: int
    gid: int
    code: str
    type: str
    texts: Texts
    other: bool = False
    encrypted: bool = False
    subquestions: tuple[SubQuestion, ...] = ()
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class Survey:
    sid: int
    languages: tuple[str, ...]
    """The base language first."""
    titles: Texts
    questions: tuple[Question, ...]
    group_titles: dict[int, Texts] = field(default_factory=dict)

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str | None) -> str:
    """LimeSurvey's HTML as one line of plain text."""
    parser = _TextOnly()
    parser.feed(text or "")
    parser.close()
    return re.sub(r"\s+", " ", html.unescape("".join(parser.parts))).strip()


def parse_xml(data: bytes, what: str) -> Element:
    try:
        return fromstring(data)
    except DefusedXmlException as error:
        raise LimeSurveyError([f"{what}: refused XML construct ({type(error).__name__})"]) from error
    except ParseError as error:
        raise LimeSurveyError([f"{what} is not well-formed XML: {error}"]) from error


def table(root: Element, name: str) -> list[dict[str, str]]:
    """The rows of one table of a LimeSurvey document, as {column: text}."""
    rows = root.find(f"{name}/rows")
    if rows is None:
        return []
    return [{cell.tag: cell.text or "" for cell in row} for row in rows.findall("row")]


def integer(row: dict[str, str], key: str) -> int:
    try:
        return int(row.get(key) or 0)
    except ValueError:
        return 0


def localized(rows: list[dict[str, str]], key: str, text: str) -> dict[str, Texts]:
    """{row key: {language: plain text}} from a ``*_l10ns`` table (or a pre-4.0 table with a language)."""
    found: dict[str, Texts] = defaultdict(dict)
    for row in rows:
        if row.get("language"):
            found[row.get(key, "")][row["language"]] = plain(row.get(text))
    return found


def read_survey(data: bytes, filename: str = "") -> Survey:
    """The survey of a ``.lss`` file, or of the ``.lss`` inside a ``.lsa`` archive (a zip)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".lsa"):
        data = archive_member(data, (".lss",), "survey structure")
    if len(data) > MAX_STRUCTURE_BYTES:
        raise LimeSurveyError([f"the structure file is larger than {MAX_STRUCTURE_BYTES // 2**20} MB"])
    root = parse_xml(data, "the structure file")
    kind = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or kind != "Survey":
        raise LimeSurveyError(
            [
                "the structure file is not a LimeSurvey survey structure (.lss): its document type is "
                f"{kind or 'missing'!r}, expected 'Survey'"
            ]
        )
    return survey_of(root)


def archive_member(data: bytes, endings: tuple[str, ...], what: str) -> bytes:
    """The one member of a ``.lsa`` archive whose name ends with one of ``endings``; nothing else is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(endings)]
            if len(members) != 1:
                raise LimeSurveyError(
                    [f"the archive holds {len(members)} {what} files ({' or '.join(endings)}), expected one"]
                )
            if members[0].file_size > MAX_ARCHIVE_MEMBER_BYTES:
                raise LimeSurveyError([f"{members[0].filename} in the archive is too large"])
            return archive.read(members[0])
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise LimeSurveyError([f"the archive (.lsa) cannot be read: {error}"]) from error


def has_member(data: bytes, endings: tuple[str, ...]) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(m.filename.lower().endswith(endings) for m in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return False


def survey_of(root: Element) -> Survey:
    surveys = table(root, "surveys")
    settings = table(root, "surveys_languagesettings")
    base = surveys[0].get("language", "") if surveys else ""
    listed = [lang.text or "" for lang in root.findall("languages/language")]
    languages = tuple(dict.fromkeys(lang.strip() for lang in [base, *listed] if lang and lang.strip()))
    titles = {
        s["surveyls_language"]: plain(s.get("surveyls_title")) for s in settings if s.get("surveyls_language")
    }
    return Survey(
        sid=integer(surveys[0], "sid") if surveys else 0,
        languages=languages,
        titles=titles,
        questions=questions_of(root),
        group_titles={
            int(k or 0): v
            for k, v in localized(
                table(root, "group_l10ns") or table(root, "groups"), "gid", "group_name"
            ).items()
        },
    )


def questions_of(root: Element) -> tuple[Question, ...]:
    rows = table(root, "questions")
    subrows = table(root, "subquestions")
    texts = localized(table(root, "question_l10ns") or rows + subrows, "qid", "question")
    answers = answers_of(root)
    groups = {integer(g, "gid"): integer(g, "group_order") for g in table(root, "groups")}
    children: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in subrows + [r for r in rows if integer(r, "parent_qid")]:
        children[integer(row, "parent_qid")].append(row)
    tops = {integer(r, "qid"): r for r in rows if not integer(r, "parent_qid")}
    ordered = sorted(
        tops.values(), key=lambda r: (groups.get(integer(r, "gid"), 0), integer(r, "question_order"))
    )
    return tuple(question_of(r, texts, children, answers) for r in ordered)


def answers_of(root: Element) -> dict[int, list[Answer]]:
    rows = table(root, "answers")
    l10n = localized(table(root, "answer_l10ns"), "aid", "answer")
    found: dict[int, list[Answer]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (integer(r, "scale_id"), integer(r, "sortorder"))):
        texts = l10n.get(row.get("aid", "")) or (
            {row["language"]: plain(row.get("answer"))} if row.get("language") else {}
        )
        found[integer(row, "qid")].append(Answer(row.get("code", ""), texts, integer(row, "scale_id")))
    return _merged_languages(found)


def _merged_languages(found: dict[int, list[Answer]]) -> dict[int, list[Answer]]:
    """Before LimeSurvey 4, an answer had one row per language: merge them into one answer."""
    merged: dict[int, list[Answer]] = {}
    for qid, answers in found.items():
        by_code: dict[tuple[int, str], Answer] = {}
        for a in answers:
            key = (a.scale_id, a.code)
            old = by_code.get(key)
            by_code[key] = a if old is None else Answer(a.code, {**old.texts, **a.texts}, a.scale_id)
        merged[qid] = list(by_code.values())
    return merged


def question_of(row: dict[str, str], texts: dict[str, Texts], children: dict, answers: dict) -> Question:
    qid = integer(row, "qid")
    subs = sorted(children.get(qid, []), key=lambda r: (integer(r, "scale_id"), integer(r, "question_order")))
    unique = {(integer(s, "scale_id"), s.get("title", "")): s for s in subs}
    return Question(
        qid=qid,
        gid=integer(row, "gid"),
        code=row.get("title", ""),
        type=row.get("type", ""),
        texts=texts.get(str(qid), {}),
        other=row.get("other") == "Y",
        encrypted=row.get("encrypted") == "Y",
        subquestions=tuple(
            SubQuestion(code, texts.get(s.get("qid", ""), {}), scale) for (scale, code), s in unique.items()
        ),
        answers=tuple(answers.get(qid, [])),
    )
