"""The mapping of a LimeSurvey survey onto a Consult questionnaire: drafted automatically, edited by HR.

Pure module. The automatic mapping turns arrays (and five-point choices) into items, lists into dimensions
and free texts into comments, and leaves out the rest, saying why. It is written as YAML (``dump_mapping``)
with each question's text and answers in comments, for HR to edit: which principle a question's section
covers, which answer is which scale point, which question to leave out.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import yaml

from consult.limesurvey.structure import Question, Survey
from consult.surveys.questionnaires.spec import LANGUAGES, MAX_OPTIONS, MAX_POINTS, MIN_POINTS

ITEM_TYPES = frozenset("FAHB5")
"""Array (flexible labels), Array 5 point, Array by column, Array 10 point, Five point choice."""
DIMENSION_TYPES = frozenset("L!OGY")
"""List (radio), List (dropdown), List with comment, Gender, Yes/No."""
COMMENT_TYPES = frozenset("TSU")
"""Long, short and huge free text."""
FIXED_ANSWERS = {
    "A": [str(n) for n in range(1, 6)],
    "B": [str(n) for n in range(1, 11)],
    "5": [str(n) for n in range(1, 6)],
}
FIXED_OPTIONS = {
    "G": [("F", {"en": "Female", "fr": "Femme"}), ("M", {"en": "Male", "fr": "Homme"})],
    "Y": [("Y", {"en": "Yes", "fr": "Oui"}), ("N", {"en": "No", "fr": "Non"})],
}
OTHER_OPTION = ("other", {"en": "Other", "fr": "Autre"})
LIST_OTHER_VALUE = "-oth-"
DONT_KNOW, NO_ANSWER, LEAVE_OUT = "dont_know", "no_answer", "leave-out"
USES = ("items", "dimension", "comments", LEAVE_OUT)
MAX_DIMENSIONS = 4
MAX_CELLS = 1000
"""The analysis counts every combination of dimension options (not stated included): at most this many."""

_DONT_KNOW_TEXT = re.compile(
    r"\b(don'?t know|do not know|not applicable|n/?a\b|ne (sais|sait) pas|sans (avis|opinion)|"
    r"non applicable|ne s'applique pas|wei(ss|ß) nicht|nicht zutreffend|no (lo )?s[eé]|no aplica)",
    re.IGNORECASE,
)
_NO_ANSWER_TEXT = re.compile(
    r"(no answer|prefer not to (say|answer)|sans r[eé]ponse|ne (souhaite|veux) pas r[eé]pondre|"
    r"keine (angabe|antwort)|m[oö]chte nicht antworten|sin respuesta|prefiero no)",
    re.IGNORECASE,
)
_LOW_END_TEXT = re.compile(
    r"(strongly disagree|not at all|never\b|very (dissatisfied|poor|bad)|pas du tout|jamais|"
    r"tr[eè]s (insatisfait|mauvais)|gar nicht|überhaupt nicht|nie\b|nunca|muy en desacuerdo)",
    re.IGNORECASE,
)
"""Answer texts of the unfavourable end of a scale, whatever the language."""
_DONT_KNOW_CODES = frozenset({"DK", "NSP", "NA", "DKNA"})


def kept_languages(survey: Survey) -> tuple[str, ...]:
    """The survey's languages that Consult offers, the survey's base language first."""
    return tuple(language for language in survey.languages if language in LANGUAGES)


def answer_meaning(code: str, texts: dict[str, str]) -> str | None:
    """``dont_know`` or ``no_answer`` when an answer option says so (in any language), else None."""
    joined = " | ".join(texts.values()).replace("\u2019", "'")
    if code.upper() in _DONT_KNOW_CODES or _DONT_KNOW_TEXT.search(joined):
        return DONT_KNOW
    if _NO_ANSWER_TEXT.search(joined):
        return NO_ANSWER
    return None


def scale_answers(question: Question) -> list[tuple[str, dict[str, str]]]:
    """(code, texts) of the answer options of an items question, in the order LimeSurvey shows them."""
    if question.type in FIXED_ANSWERS:
        return [(code, {}) for code in FIXED_ANSWERS[question.type]]
    return [(a.code, a.texts) for a in question.answers if a.scale_id == 0]


def default_answers(question: Question) -> dict[str, int | str]:
    """Scale point 1 for the first answer LimeSurvey shows, and so on, don't know and no answer apart;
    unless the scale is shown from its favourable end ("strongly agree" ... "not at all"), which is then
    numbered from its last answer, so that the higher points stay the favourable ones."""
    answers = scale_answers(question)
    meanings = {code: answer_meaning(code, texts) for code, texts in answers}
    points = [(code, texts) for code, texts in answers if meanings[code] is None]
    if len(points) >= 2 and low_end(points[-1][1]) and not low_end(points[0][1]):
        points.reverse()
    numbered = {code: point for point, (code, _) in enumerate(points, start=1)}
    return {code: meanings[code] or numbered[code] for code, _ in answers}


def low_end(texts: dict[str, str]) -> bool:
    return bool(_LOW_END_TEXT.search(" | ".join(texts.values()).replace("\u2019", "'")))


def points_of(answers: dict[str, int | str]) -> int:
    return max((v for v in answers.values() if isinstance(v, int)), default=0)


def item_codes(question: Question) -> dict[str, str]:
    """LimeSurvey sub-question code -> Consult item code (a five-point choice is its own single item)."""
    if question.type == "5":
        return {question.code: question.code}
    return {s.code: f"{question.code}.{s.code}" for s in question.subquestions if s.scale_id == 0}


def option_codes(question: Question) -> dict[str, str]:
    """LimeSurvey answer code -> Consult option code of a dimension."""
    if question.type in FIXED_OPTIONS:
        codes = {code: code for code, _ in FIXED_OPTIONS[question.type]}
    else:
        codes = {a.code: a.code for a in question.answers if a.scale_id == 0}
    if question.other:
        codes[LIST_OTHER_VALUE] = OTHER_OPTION[0]
    return codes


def automatic_mapping(survey: Survey) -> dict[str, Any]:
    """The draft mapping: plain data, as the YAML file holds it."""
    items = {q.code: default_answers(q) for q in survey.questions if q.type in ITEM_TYPES and not q.encrypted}
    points = Counter(points_of(a) for a in items.values() if MIN_POINTS <= points_of(a) <= MAX_POINTS)
    scale_points = points.most_common(1)[0][0] if points else 5
    questions: dict[str, dict[str, Any]] = {}
    state = {"section": None, "cells": 1, "dimensions": 0}
    for question in survey.questions:
        questions[question.code] = automatic_entry(question, items, scale_points, state)
    attach_early_comments(questions)
    return {
        "survey": survey.sid,
        "title": {lang: t for lang, t in survey.titles.items() if lang in LANGUAGES},
        "languages": list(kept_languages(survey)),
        "min_group_size": 5,
        "comment_min_responses": 10,
        "scale": {"points": scale_points, "favourable": default_favourable(scale_points)},
        "questions": questions,
    }


def default_favourable(points: int) -> list[int]:
    return [points - 1, points] if points >= 4 else [points]


def automatic_entry(question: Question, items: dict, scale_points: int, state: dict) -> dict[str, Any]:
    if question.encrypted:
        return left_out("its answers are encrypted in LimeSurvey and cannot be read")
    if question.type in ITEM_TYPES:
        return items_entry(question, items[question.code], scale_points, state)
    if question.type in DIMENSION_TYPES:
        return dimension_entry(question, state)
    if question.type in COMMENT_TYPES:
        return {"use": "comments", "section": state["section"]}
    return left_out(f"question type {question.type!r} has no Consult counterpart")


def items_entry(question: Question, answers: dict, scale_points: int, state: dict) -> dict[str, Any]:
    if not item_codes(question):
        return left_out("it has no sub-question")
    if points_of(answers) != scale_points:
        return left_out(
            f"its {points_of(answers)} answers are not the {scale_points}-point scale of the other arrays "
            "(map its answers to scale points and set use: items to keep it)"
        ) | {"answers": answers}
    state["section"] = question.code
    return {"use": "items", "section": question.code, "principle": None, "answers": answers, "reverse": []}


def dimension_entry(question: Question, state: dict) -> dict[str, Any]:
    options = len(option_codes(question))
    if not options or options > MAX_OPTIONS:
        return left_out(f"it has {options} answer options")
    if state["dimensions"] >= MAX_DIMENSIONS or state["cells"] * (options + 1) > MAX_CELLS:
        return left_out(
            f"the dimensions before it already use the limit ({MAX_DIMENSIONS} dimensions, "
            f"{MAX_CELLS} combinations of their options)"
        )
    state["dimensions"] += 1
    state["cells"] *= options + 1
    return {"use": "dimension", "dimension": question.code}


def left_out(why: str) -> dict[str, Any]:
    return {"use": LEAVE_OUT, "why": why}


def attach_early_comments(questions: dict[str, dict[str, Any]]) -> None:
    """Free texts before any array go with the first section; with no section at all, they are left out."""
    first = next((e["section"] for e in questions.values() if e["use"] == "items"), None)
    for code, entry in questions.items():
        if entry["use"] == "comments" and entry["section"] is None:
            questions[code] = entry | {"section": first} if first else left_out("the survey has no array")


HEADER = """\
# How LimeSurvey survey {sid} becomes a Consult campaign. Edit, then import again with --mapping.
# Each question: use: items | dimension | comments | leave-out
#   items: an array; its sub-questions become items of the section named (questions naming the same
#     section are merged); principle: a charter principle number (charter: "2023" or "2005" above);
#     answers: LimeSurvey answer code -> scale point (1..points), dont_know or no_answer;
#     reverse: sub-question codes whose scale runs the other way;
#     items: sub-question -> item code, or leave-out.
#   dimension: a list question; its answers are the options of the dimension named (school, career_stage...).
#   comments: free text, shown as comments of the section named.
# At most {dimensions} dimensions and {cells} combinations of their options (not stated included).
# Languages kept: {kept}; the survey's others are dropped ({dropped}).
"""


def dump_mapping(mapping: dict[str, Any], survey: Survey) -> str:
    kept = mapping.get("languages") or []
    dropped = [lang for lang in survey.languages if lang not in kept]
    parts = [
        HEADER.format(
            sid=survey.sid,
            dimensions=MAX_DIMENSIONS,
            cells=MAX_CELLS,
            kept=", ".join(kept) or "none",
            dropped=", ".join(dropped) or "none",
        ),
        yaml.safe_dump(
            {k: v for k, v in mapping.items() if k != "questions"}, allow_unicode=True, sort_keys=False
        ),
        "questions:\n",
    ]
    for code, entry in mapping.get("questions", {}).items():
        parts.append(question_comment(survey.question(code), kept))
        block = yaml.safe_dump({code: entry}, allow_unicode=True, sort_keys=False, width=100)
        parts.append("".join(f"  {line}\n" for line in block.splitlines()))
    return "".join(parts)


def question_comment(question: Question | None, languages: list[str]) -> str:
    if question is None:
        return ""
    language = next((lang for lang in languages if lang in question.texts), next(iter(question.texts), ""))
    lines = [f"  # {question.code} (type {question.type}): {question.texts.get(language, '')[:90]}"]
    for code, texts in scale_answers(question) if question.type in ITEM_TYPES else []:
        lines.append(f"  #   {code}: {texts.get(language, '')[:70]}")
    subs = [f"{s.code} {s.texts.get(language, '')[:40]}" for s in question.subquestions if s.scale_id == 0]
    if subs and question.type in ITEM_TYPES:
        lines.append("  #   sub-questions: " + "; ".join(subs)[:300])
    return "\n".join(lines) + "\n"
