"""The questionnaire file format (design.md, "Questionnaire file (YAML)"): parse and validate it into
``spec.Questionnaire``, and dump it back so that ``parse_questionnaire(dump_questionnaire(q)) == q``.

Pure module. Texts may be given once (the same for every language) or per language; ``career_stage`` and
``gender`` dimensions may be named by code alone; a section naming a charter principle gets its pillar,
and the title languages it leaves out, from the reference data.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import yaml

from consult.charter import reference
from consult.surveys.questionnaires.checks import (
    LANGUAGES,
    LoadError,
    Path,
    Problems,
    Reader,
    format_path,
    load_yaml,
)
from consult.surveys.questionnaires.spec import (
    MAX_OPTIONS,
    MAX_POINTS,
    MIN_GROUP_SIZE_FLOOR,
    MIN_POINTS,
    Dimension,
    Item,
    Option,
    Questionnaire,
    RatingRule,
    Scale,
    Section,
    Text,
)

RATING_KEYS = ("plus_plus", "plus_minus", "minus_plus", "equity_gap", "equity_alpha")

TOP_KEYS = (
    ("title", "languages", "scale", "sections"),
    ("charter", "min_group_size", "comment_min_responses", "dimensions", "rating"),
)
SCALE_KEYS = (("points", "labels", "favourable"), ("dont_know",))
DIMENSION_KEYS = (("code",), ("label", "question", "options"))
OPTION_KEYS = (("code", "label"), ())
SECTION_KEYS = (("code", "items"), ("title", "principle", "pillar", "comment"))
ITEM_KEYS = (("code", "text"), ("reverse",))
DEFAULTS = Questionnaire.__dataclass_fields__


class QuestionnaireReader(Reader):
    """The questionnaire schema of design.md ("Questionnaire file (YAML)") over the typed readers."""

    charter_invalid = False
    """Set when ``charter`` is wrong: the sections' principles are then left unchecked, not each reported."""

    def questionnaire(self, data: Any) -> Questionnaire | None:
        top = self.mapping(data, (), *TOP_KEYS)
        if top is None:
            return None
        self.read_languages(top)
        self.read_charter(top)
        parts = {
            "title": self.value_at(top, (), "title", self.text),
            "languages": self.languages,
            "scale": self.value_at(top, (), "scale", self.scale),
            "dimensions": self.value_or(top, (), "dimensions", (), self.dimensions),
            "sections": self.value_at(top, (), "sections", self.sections),
            "charter": self.charter,
            **self.group_sizes(top),
            "rating": self.value_or(top, (), "rating", RatingRule(), self.rating),
        }
        self.check_column_names()
        return None if self.problems.errors else Questionnaire(**parts)

    def read_languages(self, top: dict) -> None:
        listed = self.value_at(top, (), "languages", self.sequence, "language codes")
        valid: list[str] = []
        for index, language in enumerate(listed or []):
            if language not in LANGUAGES:
                self.problems.add(
                    ("languages", index),
                    f"unsupported language {language!r}: expected one of {', '.join(LANGUAGES)}",
                )
            elif language in valid:
                self.problems.add(("languages", index), f"language {language!r} is listed twice")
            else:
                valid.append(language)
        self.languages_known = bool(valid) and len(valid) == len(listed or [])
        self.languages = tuple(valid)

    def read_charter(self, top: dict) -> None:
        value = top.get("charter")
        if "charter" not in top:
            return
        if str(value) in reference.VERSIONS and isinstance(value, str | int) and not isinstance(value, bool):
            self.charter = str(value)
        else:
            self.charter_invalid = True
            self.problems.add(
                ("charter",), f"unknown charter {value!r}: expected one of {', '.join(reference.VERSIONS)}"
            )

    def group_sizes(self, top: dict) -> dict[str, int | None]:
        minimum = self.value_or(
            top, (), "min_group_size", DEFAULTS["min_group_size"].default, self.integer, MIN_GROUP_SIZE_FLOOR
        )
        comments = self.value_or(
            top, (), "comment_min_responses", DEFAULTS["comment_min_responses"].default, self.integer, 1
        )
        if minimum is not None and comments is not None and comments < minimum:
            self.problems.add(
                ("comment_min_responses",), f"must be at least min_group_size ({minimum}), found {comments}"
            )
        return {"min_group_size": minimum, "comment_min_responses": comments}

    def scale(self, value: Any, path: Path) -> Scale | None:
        entry = self.mapping(value, path, *SCALE_KEYS)
        if entry is None:
            return None
        points = self.value_at(entry, path, "points", self.integer, MIN_POINTS, MAX_POINTS)
        labels = self.value_at(
            entry, path, "labels", self.per_language, lambda one, at: self.labels(one, at, points)
        )
        favourable = self.value_at(entry, path, "favourable", self.favourable, points)
        dont_know = self.value_or(entry, path, "dont_know", True, self.boolean)
        if points is None or labels is None or favourable is None or dont_know is None:
            return None
        return Scale(points, labels, favourable, dont_know)

    def labels(self, value: Any, path: Path, points: int | None) -> tuple[str, ...] | None:
        listed = self.sequence(value, path, "labels")
        if listed is None:
            return None
        if points is not None and len(listed) != points:
            self.problems.add(path, f"expected {points} labels (one per scale point), found {len(listed)}")
        labels = [self.text_string(label, (*path, index)) for index, label in enumerate(listed)]
        return None if None in labels or len(labels) != points else tuple(labels)

    def favourable(self, value: Any, path: Path, points: int | None) -> tuple[int, ...] | None:
        listed = self.sequence(value, path, "favourable scale values")
        if listed is None:
            return None
        values = [self.integer(point, (*path, index), 1, points) for index, point in enumerate(listed)]
        valid = [value for value in values if value is not None]
        if len(set(valid)) != len(valid):
            self.problems.add(path, "lists a scale value twice")
        return None if None in values or not values else tuple(sorted(valid))

    def rating(self, value: Any, path: Path) -> RatingRule | None:
        entry = self.mapping(value, path, (), RATING_KEYS)
        if entry is None:
            return None
        values = {key: self.fraction(entry[key], (*path, key)) for key in RATING_KEYS if key in entry}
        if None in values.values():
            return None
        rule = RatingRule(**values)
        if not rule.plus_plus > rule.plus_minus > rule.minus_plus:
            found = f"{rule.plus_plus}, {rule.plus_minus}, {rule.minus_plus}"
            self.problems.add(
                path, f"thresholds must decrease strictly: plus_plus > plus_minus > minus_plus, found {found}"
            )
        return rule

    def dimensions(self, value: Any, path: Path) -> tuple[Dimension, ...] | None:
        listed = self.sequence(value, path, "dimensions", low=0)
        built = [self.dimension(entry, (*path, index)) for index, entry in enumerate(listed or [])]
        return None if listed is None or None in built else tuple(built)

    def dimension(self, value: Any, path: Path) -> Dimension | None:
        entry = self.mapping(value, path, *DIMENSION_KEYS)
        if entry is None:
            return None
        code = self.value_at(entry, path, "code", self.code, "dimension")
        standard = reference.standard_dimension(code) if code else None
        if standard is None and "label" not in entry:
            self.problems.add(path, "missing required key 'label'")
        label = self.value_or(entry, path, "label", standard and self.localise(standard.label), self.text)
        question = self.value_or(
            entry, path, "question", standard and self.localise(standard.question), self.text
        )
        options = self.dimension_options(entry, path, code, standard)
        if code is None or label is None or options is None or (question is None and "question" in entry):
            return None
        return Dimension(code, label, options, question or label)

    def dimension_options(
        self, entry: dict, path: Path, code: str | None, standard: Dimension | None
    ) -> tuple[Option, ...] | None:
        if "options" in entry:
            listed = self.sequence(entry["options"], (*path, "options"), "options", 2, MAX_OPTIONS)
            scope = format_path(path)
            built = [
                self.option(option, (*path, "options", index), scope)
                for index, option in enumerate(listed or [])
            ]
            return None if listed is None or None in built else tuple(built)
        if standard is not None:
            return tuple(Option(option.code, self.localise(option.label)) for option in standard.options)
        reason = (
            "the institution's own list of schools"
            if code == "school"
            else "the list of answers to choose from"
        )
        self.problems.add(path, f"missing required key 'options' ({reason})")
        return None

    def option(self, value: Any, path: Path, scope: str) -> Option | None:
        entry = self.mapping(value, path, *OPTION_KEYS)
        if entry is None:
            return None
        code = self.value_at(entry, path, "code", self.code, "option", scope)
        label = self.value_at(entry, path, "label", self.text)
        return None if code is None or label is None else Option(code, label)

    def sections(self, value: Any, path: Path) -> tuple[Section, ...] | None:
        listed = self.sequence(value, path, "sections")
        built = [self.section(entry, (*path, index)) for index, entry in enumerate(listed or [])]
        return None if listed is None or None in built else tuple(built)

    def section(self, value: Any, path: Path) -> Section | None:
        entry = self.mapping(value, path, *SECTION_KEYS)
        if entry is None:
            return None
        code = self.value_at(entry, path, "code", self.code, "section")
        principle = self.value_at(entry, path, "principle", self.principle)
        pillar = self.section_pillar(entry, path, principle)
        title = self.section_title(entry, path, principle)
        comment = self.value_or(entry, path, "comment", False, self.boolean)
        items = self.value_at(entry, path, "items", self.items)
        if code is None or title is None or comment is None or items is None:
            return None
        return Section(code, title, items, principle, pillar, comment)

    def principle(self, value: Any, path: Path) -> int | None:
        if self.charter_invalid:
            return None
        if self.charter is None:
            self.problems.add(
                path, "a section can name a principle only when the questionnaire sets 'charter'"
            )
            return None
        return self.integer(value, path, 1, len(reference.principles(self.charter)))

    def section_pillar(self, entry: dict, path: Path, principle: int | None) -> int | None:
        expected = reference.principle(self.charter, principle).pillar if self.charter and principle else None
        if "pillar" not in entry:
            return expected
        high = len(reference.pillars(self.charter)) if self.charter else None
        pillar = self.integer(entry["pillar"], (*path, "pillar"), 1, high)
        if pillar is not None and expected is not None and pillar != expected:
            message = (
                f"principle {principle} is in pillar {expected} of the {self.charter} charter, not {pillar}"
            )
            self.problems.add((*path, "pillar"), message)
        return pillar

    def section_title(self, entry: dict, path: Path, principle: int | None) -> Text | None:
        """The title, completed from the principle's name for the languages it leaves out (and left
        unchecked while the charter, hence the name, is unknown)."""
        if self.charter_invalid and "principle" in entry:
            return None
        name = (
            self.localise(reference.principle(self.charter, principle).name)
            if self.charter and principle
            else None
        )
        if "title" not in entry:
            if name is None:
                self.problems.add(
                    path, "missing required key 'title' (only a section naming a principle may omit it)"
                )
            return name
        title = entry["title"]
        return self.text({**name, **title} if name and isinstance(title, dict) else title, (*path, "title"))

    def items(self, value: Any, path: Path) -> tuple[Item, ...] | None:
        listed = self.sequence(value, path, "items")
        built = [self.item(entry, (*path, index)) for index, entry in enumerate(listed or [])]
        return None if listed is None or None in built else tuple(built)

    def item(self, value: Any, path: Path) -> Item | None:
        entry = self.mapping(value, path, *ITEM_KEYS)
        if entry is None:
            return None
        code = self.value_at(entry, path, "code", self.code, "item")
        text = self.value_at(entry, path, "text", self.text)
        reverse = self.value_or(entry, path, "reverse", False, self.boolean)
        return None if code is None or text is None or reverse is None else Item(code, text, reverse)

    def check_column_names(self) -> None:
        """Response files have one column per dimension and per item: their codes must differ."""
        items = self.seen_codes.get("item:", {})
        for code, path in self.seen_codes.get("dimension:", {}).items():
            if code in items:
                self.problems.add(
                    path,
                    f"{code!r} is also an item code (at {format_path(items[code])}): "
                    "response files need distinct column names",
                )


class QuestionnaireError(ValueError):
    """A questionnaire refused, with every problem found, each naming where it is and what is wrong."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        count = f"{len(self.errors)} problems" if len(self.errors) > 1 else "1 problem"
        super().__init__(
            f"invalid questionnaire, {count}:\n" + "\n".join(f"- {error}" for error in self.errors)
        )


def parse_questionnaire(text: str | bytes) -> Questionnaire:
    """The questionnaire in YAML ``text``; QuestionnaireError with every problem if it breaks the schema."""
    try:
        data, problems = load_yaml(text)
    except LoadError as error:
        raise QuestionnaireError([str(error)]) from error
    return _validated(data, problems)


def questionnaire_from_dict(data: dict) -> Questionnaire:
    """The questionnaire described by plain data (as YAML would give), validated as a file is."""
    return _validated(data, Problems())


def _validated(data: Any, problems: Problems) -> Questionnaire:
    questionnaire = QuestionnaireReader(problems).questionnaire(data)
    if questionnaire is None or problems.errors:
        raise QuestionnaireError(problems.errors)
    return questionnaire


def questionnaire_to_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """Plain data, defaults written out, that ``questionnaire_from_dict`` turns back into the same value."""
    data: dict[str, Any] = {"title": dict(questionnaire.title), "languages": list(questionnaire.languages)}
    if questionnaire.charter is not None:
        data["charter"] = questionnaire.charter
    data["scale"] = _scale_to_dict(questionnaire.scale)
    data["min_group_size"] = questionnaire.min_group_size
    data["comment_min_responses"] = questionnaire.comment_min_responses
    data["rating"] = asdict(questionnaire.rating)
    data["dimensions"] = [_dimension_to_dict(dimension) for dimension in questionnaire.dimensions]
    data["sections"] = [_section_to_dict(section) for section in questionnaire.sections]
    return data


def dump_questionnaire(questionnaire: Questionnaire) -> str:
    data = questionnaire_to_dict(questionnaire)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)


def _scale_to_dict(scale: Scale) -> dict[str, Any]:
    return {
        "points": scale.points,
        "labels": {language: list(labels) for language, labels in scale.labels.items()},
        "favourable": list(scale.favourable),
        "dont_know": scale.dont_know,
    }


def _dimension_to_dict(dimension: Dimension) -> dict[str, Any]:
    return {
        "code": dimension.code,
        "label": dict(dimension.label),
        "question": dict(dimension.question),
        "options": [{"code": option.code, "label": dict(option.label)} for option in dimension.options],
    }


def _section_to_dict(section: Section) -> dict[str, Any]:
    data: dict[str, Any] = {"code": section.code, "title": dict(section.title)}
    if section.principle is not None:
        data["principle"] = section.principle
    if section.pillar is not None:
        data["pillar"] = section.pillar
    data["comment"] = section.comment
    data["items"] = [
        {"code": item.code, "text": dict(item.text), "reverse": item.reverse} for item in section.items
    ]
    return data
