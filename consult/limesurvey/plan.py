"""A mapping checked against its survey: the Consult questionnaire, and how each LimeSurvey answer decodes.

Pure module. Every problem names the mapping's question code; all of them are reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.limesurvey import mapping as m
from consult.limesurvey.structure import LimeSurveyError, Question, Survey
from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.yaml_format import QuestionnaireError, questionnaire_from_dict

TOP_KEYS = {
    "survey",
    "title",
    "languages",
    "min_group_size",
    "comment_min_responses",
    "scale",
    "charter",
    "questions",
}
ENTRY_KEYS = {"use", "why", "section", "principle", "answers", "reverse", "items", "dimension"}


@dataclass(frozen=True)
class ItemColumn:
    question: str
    sub: str | None
    """The sub-question code (None for a five-point choice, whose column is the question's own)."""
    codes: dict[str, int]
    """LimeSurvey answer code -> the byte stored (spec: scale point, NO_ANSWER or DONT_KNOW)."""


@dataclass(frozen=True)
class DimensionColumn:
    question: str
    codes: dict[str, int]


@dataclass(frozen=True)
class Plan:
    questionnaire: spec.Questionnaire
    items: tuple[ItemColumn, ...]
    dimensions: tuple[DimensionColumn, ...]
    comments: tuple[tuple[str, str], ...]
    """(question code, section code) of the free texts kept."""
    left_out: tuple[str, ...] = field(default_factory=tuple)


class Checker:
    def __init__(self, survey: Survey, data: Any) -> None:
        self.survey, self.errors = survey, []
        self.data = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.errors.append("the mapping is not a YAML mapping (expected survey, scale, questions...)")
        self.languages = [lang for lang in self.data.get("languages") or [] if isinstance(lang, str)]

    def fail(self, code: str, message: str) -> None:
        self.errors.append(f"question {code}: {message}" if code else message)

    def entries(self) -> dict[str, dict]:
        for key in set(self.data) - TOP_KEYS:
            self.fail("", f"unknown key {key!r} at the top of the mapping")
        questions = self.data.get("questions")
        if not isinstance(questions, dict):
            self.fail("", "the mapping has no 'questions' mapping")
            return {}
        found = {}
        for code, entry in questions.items():
            if self.survey.question(str(code)) is None:
                self.fail(str(code), "the survey has no question with this code")
            elif not isinstance(entry, dict) or entry.get("use") not in m.USES:
                self.fail(str(code), f"expected 'use:' one of {', '.join(m.USES)}")
            elif extra := set(entry) - ENTRY_KEYS:
                self.fail(str(code), f"unknown key {sorted(extra)[0]!r}")
            else:
                found[str(code)] = entry
        return found

    def points(self) -> int:
        scale = self.data.get("scale") if isinstance(self.data.get("scale"), dict) else {}
        points = scale.get("points")
        if not isinstance(points, int) or not spec.MIN_POINTS <= points <= spec.MAX_POINTS:
            self.fail("", f"scale: points must be a whole number from {spec.MIN_POINTS} to {spec.MAX_POINTS}")
            return 0
        return points


def read_plan(survey: Survey, data: Any) -> Plan:
    """The plan of a mapping; LimeSurveyError with every problem, each naming its question."""
    checker = Checker(survey, data)
    if not m.kept_languages(survey):
        raise LimeSurveyError([no_language_message(survey)])
    entries, points = checker.entries(), checker.points()
    builder = Builder(checker, points)
    for code, entry in entries.items():
        builder.add(survey.question(code), entry)
    builder.check_comment_sections()
    builder.check_cells()
    if checker.errors:
        raise LimeSurveyError(checker.errors)
    return builder.plan()


def no_language_message(survey: Survey) -> str:
    return (
        f"the survey is in {', '.join(survey.languages) or 'no language'}: Consult offers "
        f"{' and '.join(spec.LANGUAGES)} only, so there is no text to keep (nothing imported)"
    )


class Builder:
    def __init__(self, checker: Checker, points: int) -> None:
        self.checker, self.points = checker, points
        self.languages = [lang for lang in checker.languages if lang in m.kept_languages(checker.survey)]
        if not self.languages:
            checker.fail("", f"languages: list one or more of {', '.join(m.kept_languages(checker.survey))}")
        self.sections: dict[str, dict] = {}
        self.items: list[ItemColumn] = []
        self.dimensions: list[tuple[dict, DimensionColumn]] = []
        self.comments: list[tuple[str, str]] = []
        self.left_out: list[str] = []

    def text(self, texts: Any, fallback: str) -> dict[str, str]:
        """A text in every kept language: a missing translation takes another kept language's text."""
        if not isinstance(texts, dict):
            texts = {lang: str(texts) for lang in self.languages} if texts else {}
        known = [texts[lang] for lang in self.languages if texts.get(lang)]
        first = known[0] if known else next((t for t in texts.values() if t), fallback)
        return {lang: texts.get(lang) or first for lang in self.languages}

    def add(self, question: Question, entry: dict) -> None:
        use = entry["use"]
        if use == "items":
            self.add_items(question, entry)
        elif use == "dimension":
            self.add_dimension(question, entry)
        elif use == "comments":
            self.comments.append((question.code, str(entry.get("section"))))
        else:
            self.left_out.append(question.code)

    def add_items(self, question: Question, entry: dict) -> None:
        fail = lambda message: self.checker.fail(question.code, message)  # noqa: E731
        if question.type not in m.ITEM_TYPES:
            return fail(f"type {question.type!r} cannot become items (arrays and five-point choices can)")
        codes = self.answer_codes(question, entry.get("answers"), fail)
        section = self.section(question, entry, fail)
        renamed = entry.get("items") or {}
        reverse = entry.get("reverse") or []
        if not isinstance(reverse, list):
            fail("reverse: expected a list of sub-question codes")
            reverse = []
        reverse = {str(code) for code in reverse}
        for sub, default_code in m.item_codes(question).items():
            item_code = renamed.get(sub, default_code) if isinstance(renamed, dict) else default_code
            if item_code == m.LEAVE_OUT or section is None:
                continue
            texts = next((s.texts for s in question.subquestions if s.code == sub), question.texts)
            section["items"].append(
                {"code": str(item_code), "text": self.text(texts, sub), "reverse": sub in reverse}
            )
            self.items.append(ItemColumn(question.code, None if question.type == "5" else sub, codes))
        for sub in reverse - set(m.item_codes(question)):
            fail(f"reverse: no sub-question {sub!r}")

    def answer_codes(self, question: Question, answers: Any, fail) -> dict[str, int]:
        if answers is None:
            answers = m.default_answers(question)
        if not isinstance(answers, dict):
            fail("answers: expected a mapping of answer codes to scale points")
            return {}
        known = {code for code, _ in m.scale_answers(question)}
        codes = {"": spec.NO_ANSWER}
        for code, value in answers.items():
            if str(code) not in known:
                fail(f"answers: the question has no answer code {code!r}")
            elif (stored := self.stored_value(value)) is None:
                fail(
                    f"answers: {code} -> {value!r} is not a scale point 1..{self.points}, "
                    "dont_know or no_answer"
                )
            else:
                codes[str(code)] = stored
        for code in sorted(known - set(map(str, answers))):
            fail(f"answers: answer code {code!r} is not mapped")
        return codes

    def stored_value(self, value: Any) -> int | None:
        """The byte an answer is stored as (``spec``), or None when the mapping's value is not one."""
        if value in (m.DONT_KNOW, m.NO_ANSWER):
            return spec.DONT_KNOW if value == m.DONT_KNOW else spec.NO_ANSWER
        return value if type(value) is int and 1 <= value <= self.points else None

    def section(self, question: Question, entry: dict, fail) -> dict | None:
        code, principle = str(entry.get("section") or question.code), entry.get("principle")
        if principle is not None and not isinstance(principle, int):
            fail(f"principle must be a number, found {principle!r}")
            return None
        section = self.sections.get(code)
        if section is None:
            section = {"code": code, "items": []}
            if principle is None:
                section["title"] = self.text(question.texts, question.code)
            else:
                section["principle"] = principle
            self.sections[code] = section
        elif section.get("principle") != principle and principle is not None:
            fail(f"section {code} already covers principle {section.get('principle')}, not {principle}")
        return section

    def add_dimension(self, question: Question, entry: dict) -> None:
        if question.type not in m.DIMENSION_TYPES:
            return self.checker.fail(question.code, f"type {question.type!r} cannot become a dimension")
        options = m.option_codes(question)
        labels = dict(m.FIXED_OPTIONS.get(question.type, [])) | dict([m.OTHER_OPTION])
        labels |= {a.code: a.texts for a in question.answers if a.scale_id == 0}
        data = {
            "code": str(entry.get("dimension") or question.code),
            "label": self.text(question.texts, question.code),
            "options": [{"code": c, "label": self.text(labels.get(a, {}), c)} for a, c in options.items()],
        }
        codes = {"": spec.NOT_STATED} | {a: i for i, a in enumerate(options, start=1)}
        self.dimensions.append((data, DimensionColumn(question.code, codes)))

    def check_comment_sections(self) -> None:
        for code, section in self.comments:
            if section not in self.sections:
                self.checker.fail(code, f"comments go to section {section!r}, which no items question fills")
            else:
                self.sections[section]["comment"] = True

    def check_cells(self) -> None:
        cells = 1
        for data, _ in self.dimensions:
            cells *= len(data["options"]) + 1
        if len(self.dimensions) > m.MAX_DIMENSIONS or cells > m.MAX_CELLS:
            self.checker.fail(
                "",
                (
                    f"{len(self.dimensions)} dimensions make {cells:,} combinations of options: the analysis "
                    f"counts every one, so at most {m.MAX_DIMENSIONS} dimensions and {m.MAX_CELLS:,} "
                    "combinations are allowed (leave some list questions out)"
                ),
            )
        if not self.sections:
            self.checker.fail("", "no question is mapped to items: a campaign needs at least one section")

    def plan(self) -> Plan:
        return Plan(
            questionnaire=self.questionnaire(),
            items=tuple(self.items),
            dimensions=tuple(column for _, column in self.dimensions),
            comments=tuple(self.comments),
            left_out=tuple(self.left_out),
        )

    def questionnaire(self) -> spec.Questionnaire:
        data = self.checker.data
        points = self.points
        scale = data.get("scale") or {}
        document = {
            "title": self.text(data.get("title") or {}, f"LimeSurvey {data.get('survey', '')}".strip()),
            "languages": self.languages,
            "scale": {
                "points": points,
                "labels": {lang: self.scale_labels(lang) for lang in self.languages},
                "favourable": scale.get("favourable", m.default_favourable(points)),
                "dont_know": any(spec.DONT_KNOW in c.codes.values() for c in self.items),
            },
            "min_group_size": data.get("min_group_size", 5),
            "comment_min_responses": data.get("comment_min_responses", 10),
            "dimensions": [d for d, _ in self.dimensions],
            "sections": list(self.sections.values()),
        }
        if any("principle" in s for s in self.sections.values()):
            document["charter"] = str(data.get("charter") or "2023")
        try:
            return questionnaire_from_dict(document)
        except QuestionnaireError as error:
            raise LimeSurveyError(
                [f"the questionnaire made from the mapping: {e}" for e in error.errors]
            ) from error

    def scale_labels(self, language: str) -> list[str]:
        """Each point's label from the first items question whose answers give every point."""
        for question_code in dict.fromkeys(item.question for item in self.items):
            question = self.checker.survey.question(question_code)
            texts = dict(m.scale_answers(question))
            by_point = {}
            for code, value in next(i for i in self.items if i.question == question_code).codes.items():
                if 1 <= value <= self.points and code in texts:
                    by_point.setdefault(value, self.text(texts[code], code)[language])
            if len(by_point) == self.points and all(by_point.values()):
                return [by_point[p] for p in range(1, self.points + 1)]
        return [str(p) for p in range(1, self.points + 1)]
