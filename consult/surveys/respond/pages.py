"""The respondent's pages as plain data: which sections go on which step, and what a posted page means.

Pure module: no Flask, no SQLAlchemy. A questionnaire becomes a ``Layout`` of steps (``PAGE_SIZES``: by
default one per charter pillar when the sections carry pillars, else one per section), then "About you"
when there are dimensions, then the review. ``read_page`` checks what a browser posted for one step
against the questionnaire and returns the valid part with every problem; ``pack_answers`` and
``pack_profile`` encode a finished draft as in ``spec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby

from consult.charter import reference
from consult.surveys.questionnaires import spec
from consult.textcheck import clean_text

COMMENT_LIMIT = 2000
DONT_KNOW_VALUE = "DK"
NOT_STATED_VALUE = ""
CONTROL_FIELDS = frozenset({"csrf_token", "action"})
PREFER_NOT_CODES = frozenset({"prefer-not", "prefer-not-to-say", "not-stated", "no-answer"})
ITEM_PREFIX, COMMENT_PREFIX, PROFILE_PREFIX = "item-", "comment-", "profile-"

Answer = int | str
"""1..points, or ``DONT_KNOW_VALUE``."""


@dataclass(frozen=True)
class Step:
    number: int
    kind: str
    """"questions", "about" or "review"."""
    title: spec.Text
    sections: tuple[spec.Section, ...] = ()
    pillar: int | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a posted page: ``kind`` picks the message, ``field`` is the form field."""

    kind: str
    field: str
    detail: Mapping[str, str | int] = field(default_factory=dict)


@dataclass
class PageInput:
    answers: dict[str, Answer] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    profile: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    questionnaire: spec.Questionnaire
    steps: tuple[Step, ...]
    field_ids: Mapping[str, str]
    """Form field name -> the HTML id of its first control (radio groups) or of the control itself."""

    @property
    def question_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.kind == "questions")

    def step(self, number: int) -> Step | None:
        return self.steps[number - 1] if 1 <= number <= len(self.steps) else None

    def step_of_kind(self, kind: str) -> Step | None:
        return next((step for step in self.steps if step.kind == kind), None)


def text_in(text: Mapping[str, str] | None, language: str) -> str:
    if not text:
        return ""
    return text.get(language) or text.get("en") or next(iter(text.values()))


def scale_labels(q: spec.Questionnaire, language: str) -> tuple[str, ...]:
    labels = (
        q.scale.labels.get(language) or q.scale.labels.get("en") or next(iter(q.scale.labels.values()), ())
    )
    return (
        tuple(labels)
        if len(labels) == q.scale.points
        else tuple(str(i) for i in range(1, q.scale.points + 1))
    )


def offers_prefer_not(dimension: spec.Dimension) -> bool:
    """Whether the dimension has its own "prefer not to say" option (else the page adds one, stored as 0)."""
    return any(option.code.lower() in PREFER_NOT_CODES for option in dimension.options)


PAGE_SIZES = ("pillar", "principle", "adaptive")
"""How statements are split into pages (a campaign setting): one page per charter pillar (per section when
the sections carry no pillar), one per principle (section), or about ``ADAPTIVE_STATEMENTS`` a page."""
ADAPTIVE_STATEMENTS = 8


def build_layout(q: spec.Questionnaire, page_size: str = "pillar") -> Layout:
    if page_size == "principle":
        steps = [Step(i, "questions", s.title, (s,), s.pillar) for i, s in enumerate(q.sections, start=1)]
    elif page_size == "adaptive":
        steps = adaptive_steps(q)
    else:
        steps = [*question_steps(q)]
    if q.dimensions:
        steps.append(Step(len(steps) + 1, "about", {}))
    steps.append(Step(len(steps) + 1, "review", {}))
    return Layout(q, tuple(steps), field_ids(q))


def question_steps(q: spec.Questionnaire) -> list[Step]:
    by_pillar = q.charter is not None and all(section.pillar is not None for section in q.sections)
    if not by_pillar:
        return [Step(i, "questions", s.title, (s,)) for i, s in enumerate(q.sections, start=1)]
    groups = groupby(q.sections, key=lambda section: section.pillar)
    return [
        Step(i, "questions", pillar_title(q.charter, number), tuple(sections), number)
        for i, (number, sections) in enumerate(groups, start=1)
    ]


def adaptive_steps(q: spec.Questionnaire) -> list[Step]:
    """Consecutive sections together while they hold at most ``ADAPTIVE_STATEMENTS`` statements; a longer
    section has a page of its own (a section is never split: its comment box closes it)."""
    pages: list[list[spec.Section]] = []
    for section in q.sections:
        if pages and sum(len(s.items) for s in pages[-1]) + len(section.items) <= ADAPTIVE_STATEMENTS:
            pages[-1].append(section)
        else:
            pages.append([section])
    return [Step(i, "questions", span_title(page), tuple(page)) for i, page in enumerate(pages, start=1)]


def span_title(sections: list[spec.Section]) -> spec.Text:
    first, last = sections[0].title, sections[-1].title
    if len(sections) == 1:
        return first
    return {language: f"{text} \u2013 {last.get(language, text)}" for language, text in first.items()}


def pillar_title(charter: str | None, number: int) -> spec.Text:
    try:
        return dict(reference.pillar(charter or "", number).name)
    except KeyError:
        return {}


def field_ids(q: spec.Questionnaire) -> dict[str, str]:
    ids = {ITEM_PREFIX + item.code: f"q{i}" for i, item in enumerate(q.items)}
    ids |= {COMMENT_PREFIX + s.code: f"c{i}" for i, s in enumerate(q.sections) if s.comment}
    ids |= {PROFILE_PREFIX + d.code: f"d{i}" for i, d in enumerate(q.dimensions)}
    return ids


def step_fields(q: spec.Questionnaire, step: Step) -> set[str]:
    if step.kind == "about":
        return {PROFILE_PREFIX + d.code for d in q.dimensions}
    names = {ITEM_PREFIX + item.code for section in step.sections for item in section.items}
    return names | {COMMENT_PREFIX + s.code for s in step.sections if s.comment}


def read_page(q: spec.Questionnaire, step: Step, form: Mapping[str, list[str]]) -> PageInput:
    """The valid part of a posted step, and a ``Problem`` for every field that is not what the page offers."""
    page = PageInput()
    expected = step_fields(q, step)
    for name, values in form.items():
        if name in CONTROL_FIELDS:
            continue
        if name not in expected:
            page.problems.append(Problem("unknown_field", name, {"name": name[:60]}))
        elif len(set(values)) > 1:
            page.problems.append(Problem("repeated", name))
        else:
            read_field(q, name, values[0] if values else "", page)
    return page


def read_field(q: spec.Questionnaire, name: str, value: str, page: PageInput) -> None:
    if name.startswith(ITEM_PREFIX):
        read_answer(q, name, value, page)
    elif name.startswith(COMMENT_PREFIX):
        read_comment(name, value, page)
    else:
        read_profile(q, name, value, page)


def read_answer(q: spec.Questionnaire, name: str, value: str, page: PageInput) -> None:
    code = name.removeprefix(ITEM_PREFIX)
    if value == DONT_KNOW_VALUE and q.scale.dont_know:
        page.answers[code] = DONT_KNOW_VALUE
    elif value.isascii() and value.isdigit() and 1 <= int(value) <= q.scale.points:
        page.answers[code] = int(value)
    elif value:
        kind = "dont_know_off" if value == DONT_KNOW_VALUE else "out_of_scale"
        page.problems.append(Problem(kind, name, {"points": q.scale.points}))


def comment_text(value: str) -> str:
    """A comment as stored: one kind of line break, no control character (a respondent cannot see them, so
    they are dropped rather than refused), no surrounding space."""
    return clean_text(value.replace("\r\n", "\n")).strip()


def read_comment(name: str, value: str, page: PageInput) -> None:
    text = comment_text(value)
    if len(text) > COMMENT_LIMIT:
        page.problems.append(Problem("too_long", name, {"length": len(text), "limit": COMMENT_LIMIT}))
    elif text:
        page.comments[name.removeprefix(COMMENT_PREFIX)] = text


def read_profile(q: spec.Questionnaire, name: str, value: str, page: PageInput) -> None:
    code = name.removeprefix(PROFILE_PREFIX)
    dimension = next(d for d in q.dimensions if d.code == code)
    if value == NOT_STATED_VALUE or any(option.code == value for option in dimension.options):
        page.profile[code] = value
    else:
        page.problems.append(Problem("unknown_option", name))


def merge_page(q: spec.Questionnaire, step: Step, draft: Mapping, page: PageInput) -> dict:
    """The draft with this step's fields replaced by what was posted (a field left empty is removed)."""
    mine = step_fields(q, step)
    merged = {}
    for part, prefix, posted in (
        ("answers", ITEM_PREFIX, page.answers),
        ("comments", COMMENT_PREFIX, page.comments),
        ("profile", PROFILE_PREFIX, page.profile),
    ):
        kept = {k: v for k, v in dict(draft.get(part) or {}).items() if prefix + k not in mine}
        merged[part] = kept | posted
    return {**draft, **merged, "step": step.number}


def pack_answers(q: spec.Questionnaire, answers: Mapping[str, Answer]) -> bytes:
    return bytes(answer_byte(q, answers.get(item.code)) for item in q.items)


def answer_byte(q: spec.Questionnaire, value: Answer | None) -> int:
    if value == DONT_KNOW_VALUE and q.scale.dont_know:
        return spec.DONT_KNOW
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= q.scale.points:
        return value
    return spec.NO_ANSWER


def pack_profile(q: spec.Questionnaire, profile: Mapping[str, str]) -> bytes:
    codes = [{option.code: i for i, option in enumerate(d.options, start=1)} for d in q.dimensions]
    return bytes(
        options.get(profile.get(d.code) or "", spec.NOT_STATED)
        for d, options in zip(q.dimensions, codes, strict=True)
    )


def submitted_comments(q: spec.Questionnaire, comments: Mapping[str, str]) -> list[tuple[str, str]]:
    """(section code, text) for the sections that take a comment, each text cleaned (a draft saved before
    control characters were dropped may hold some) and within the limit."""
    texts = {
        s.code: comment_text(comments[s.code])
        for s in q.sections
        if s.comment and isinstance(comments.get(s.code), str)
    }
    return [(code, text) for code, text in texts.items() if 0 < len(text) <= COMMENT_LIMIT]


def first_open_step(layout: Layout, draft: Mapping) -> Step:
    """Where a returning respondent continues: the step after the last one they saved."""
    last = draft.get("step")
    number = last + 1 if isinstance(last, int) else 1
    return layout.step(min(max(number, 1), len(layout.steps))) or layout.steps[0]


@dataclass(frozen=True)
class Span:
    """Where a question page sits among the statements: ``first``..``last`` (1-based) of ``total``."""

    first: int
    last: int
    total: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def statement_span(layout: Layout, step: Step) -> Span:
    """The statements ``step`` holds, numbered through the questionnaire (drawn once per cached page)."""
    before = 0
    for shown in layout.question_steps:
        if shown.number == step.number:
            break
        before += step_items_count(shown)
    return Span(before + 1, before + step_items_count(step), len(layout.questionnaire.items))


def step_items_count(step: Step) -> int:
    return sum(len(section.items) for section in step.sections)


def answered_on_step(step: Step, answers: Mapping[str, Answer]) -> int:
    """How many of the step's statements have an answer (don't know included): O(statements of the page)."""
    return sum(answers.get(item.code) is not None for section in step.sections for item in section.items)


def unanswered_by_step(layout: Layout, answers: Mapping[str, Answer]) -> list[tuple[Step, list[spec.Item]]]:
    """The statements without an answer, grouped by the question page that holds them, in order."""
    found = []
    for step in layout.question_steps:
        items = [item for s in step.sections for item in s.items if answers.get(item.code) is None]
        if items:
            found.append((step, items))
    return found
