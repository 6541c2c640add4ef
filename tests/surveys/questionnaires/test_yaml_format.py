from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from consult.charter import reference
from consult.surveys.questionnaires import charter_templates
from consult.surveys.questionnaires.spec import RatingRule
from consult.surveys.questionnaires.yaml_format import (
    QuestionnaireError,
    dump_questionnaire,
    parse_questionnaire,
    questionnaire_from_dict,
    questionnaire_to_dict,
)

SMALL = """\
title: Staff survey
languages: [en, fr]
charter: "2023"
scale:
  points: 4
  labels:
    en: [Disagree, Rather disagree, Rather agree, Agree]
    fr: [Pas d'accord, Plutôt pas d'accord, Plutôt d'accord, D'accord]
  favourable: [4, 3]
  dont_know: false
min_group_size: 4
comment_min_responses: 8
rating: {plus_plus: 0.8, plus_minus: 0.65, minus_plus: 0.45, equity_gap: 0.1, equity_alpha: 0.01}
dimensions:
  - code: unit
    label: {en: Unit, fr: Unité}
    options:
      - {code: lab-a, label: Laboratory A}
      - {code: lab-b, label: {en: Laboratory B, fr: Laboratoire B}}
  - code: gender
sections:
  - code: integrity
    principle: 1
    title: {en: Integrity}
    comment: true
    items:
      - {code: integrity.1, text: {en: I know whom to ask., fr: Je sais à qui demander.}}
      - {code: integrity.2, text: "  The same text in both languages. ", reverse: true}
  - code: extra
    title: {en: Other questions, fr: Autres questions}
    items:
      - code: extra.1
        text:
          en: The canteen is good.
          fr: La cantine est bonne.
"""

BROKEN = """\
title: {en: Survey}
languages: [en, fr]
charter: "2023"
scale:
  points: 12
  labels: {en: [a, b], fr: [c, d]}
  favourable: []
min_group_size: 2
dimensions:
  - code: school
    label: School
sections:
  - code: P01
    principle: 21
    itmes: []
  - code: P01
    title: Second
    items:
      - {code: X.1, text: {en: Hello}}
      - {code: X.1, text: {en: Hi, fr: Salut}, reverse: maybe}
"""

ERROR = re.compile(r"^(?P<path>.+?)(?: \(line (?P<line>\d+)\))?: (?P<message>.*)$")


def errors_of(text: str | bytes) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    return caught.value.errors


def located(errors: list[str]) -> list[tuple[str, int | None, str]]:
    found = []
    for error in errors:
        match = ERROR.match(error)
        assert match, error
        line = int(match["line"]) if match["line"] else None
        found.append((match["path"], line, match["message"]))
    return found


def has_error(errors: list[str], path: str, fragment: str) -> bool:
    return any(where == path and fragment in message for where, _, message in located(errors))


def small_data() -> dict[str, Any]:
    return yaml.safe_load(SMALL)


def test_parse_small_file():
    questionnaire = parse_questionnaire(SMALL)
    assert questionnaire.title == {"en": "Staff survey", "fr": "Staff survey"}
    assert questionnaire.scale.favourable == (3, 4)
    assert questionnaire.scale.dont_know is False
    assert (questionnaire.min_group_size, questionnaire.comment_min_responses) == (4, 8)
    assert questionnaire.rating == RatingRule(0.8, 0.65, 0.45, 0.1, 0.01)
    unit, gender = questionnaire.dimensions
    assert unit.question == unit.label == {"en": "Unit", "fr": "Unité"}
    assert unit.options[0].label == {"en": "Laboratory A", "fr": "Laboratory A"}
    assert [option.code for option in gender.options] == ["woman", "man", "other", "prefer-not"]
    assert gender.question == reference.standard_dimension("gender").question


def test_parse_small_file_sections():
    integrity, extra = parse_questionnaire(SMALL).sections
    assert integrity.title == {"en": "Integrity", "fr": "Éthique et intégrité de la recherche"}
    assert (integrity.principle, integrity.pillar, integrity.comment) == (1, 1, True)
    assert integrity.items[1].text == dict.fromkeys(("en", "fr"), "The same text in both languages.")
    assert integrity.items[1].reverse and not integrity.items[0].reverse
    assert (extra.principle, extra.pillar, extra.comment) == (None, None, False)


def test_defaults_when_optional_keys_are_left_out():
    data = small_data()
    for key in ("charter", "min_group_size", "comment_min_responses", "rating", "dimensions"):
        del data[key]
    del data["scale"]["dont_know"]
    del data["sections"][0]["principle"]
    data["sections"][0]["title"] = "Integrity"
    questionnaire = questionnaire_from_dict(data)
    assert (questionnaire.charter, questionnaire.dimensions, questionnaire.rating) == (None, (), RatingRule())
    assert (questionnaire.min_group_size, questionnaire.comment_min_responses) == (5, 10)
    assert questionnaire.scale.dont_know is True


@pytest.mark.parametrize("name", ["charter-2023", "charter-2005"])
def test_templates_round_trip(name):
    questionnaire = charter_templates.load_template(name)
    dumped = dump_questionnaire(questionnaire)
    assert parse_questionnaire(dumped) == questionnaire
    assert dump_questionnaire(parse_questionnaire(dumped)) == dumped
    assert questionnaire_from_dict(questionnaire_to_dict(questionnaire)) == questionnaire


def test_small_file_round_trips():
    questionnaire = parse_questionnaire(SMALL)
    assert parse_questionnaire(dump_questionnaire(questionnaire)) == questionnaire
    assert parse_questionnaire(dump_questionnaire(questionnaire).encode("utf-8")) == questionnaire


def test_to_dict_writes_defaults_out():
    data = questionnaire_to_dict(parse_questionnaire(SMALL))
    assert data["sections"][1] == {
        "code": "extra",
        "title": {"en": "Other questions", "fr": "Autres questions"},
        "comment": False,
        "items": [
            {
                "code": "extra.1",
                "text": {"en": "The canteen is good.", "fr": "La cantine est bonne."},
                "reverse": False,
            }
        ],
    }
    assert data["dimensions"][1]["options"][3]["code"] == "prefer-not"


def test_broken_file_reports_every_problem_with_path_and_line():
    found = {(path, line) for path, line, _ in located(errors_of(BROKEN))}
    assert found >= {
        ("title.fr", 1),
        ("scale.points", 5),
        ("scale.favourable", 7),
        ("min_group_size", 8),
        ("dimensions[0]", 10),
        ("sections[0].principle", 14),
        ("sections[0].itmes", 15),
        ("sections[0]", 13),
        ("sections[1].code", 16),
        ("sections[1].items[0].text.fr", 19),
        ("sections[1].items[1].code", 20),
        ("sections[1].items[1].reverse", 20),
    }


def test_broken_file_messages_say_what_is_wrong():
    errors = errors_of(BROKEN)
    assert has_error(errors, "sections[0].itmes", "did you mean 'items'")
    assert has_error(errors, "sections[0]", "missing required key 'items'")
    assert has_error(errors, "dimensions[0]", "the institution's own list of schools")
    assert has_error(errors, "sections[1].items[1].code", "duplicate item code 'X.1'")
    assert has_error(errors, "sections[0].principle", "between 1 and 20, found 21")
    lines = [line for _, line, _ in located(errors)]
    assert lines == sorted(lines)


def test_errors_are_listed_in_the_exception_message():
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(BROKEN)
    assert isinstance(caught.value, ValueError)
    assert all(error in str(caught.value) for error in caught.value.errors)


def test_malformed_yaml_is_one_error_with_line_and_column():
    errors = errors_of("title: Survey\nlanguages: [en, fr\nscale: {points: 5}\n")
    assert len(errors) == 1
    assert re.match(r"line \d+, column \d+: malformed YAML", errors[0])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("just a string", "expected a mapping, found a string"),
        ("- a\n- b\n", "expected a mapping, found a list"),
        (b"title: \xff\n", "not UTF-8"),
        ("a: 1\n---\nb: 2\n", "malformed YAML"),
        ("title: " + "x" * (512 * 1024), "larger than the limit of 512 KB"),
    ],
)
def test_unreadable_files(text, fragment):
    errors = errors_of(text)
    assert len(errors) == 1
    assert fragment in errors[0]


def test_byte_order_mark_is_accepted():
    assert parse_questionnaire(b"\xef\xbb\xbf" + SMALL.encode("utf-8")) == parse_questionnaire(SMALL)


def test_duplicate_yaml_key_is_reported_at_its_line():
    errors = errors_of(SMALL + "title: Again\n")
    last_line = SMALL.count("\n") + 1
    assert ("title", last_line, "duplicate key 'title'") in located(errors)


def test_unsafe_tags_are_refused():
    errors = errors_of(SMALL.replace("title: Staff survey", "title: !!python/object/apply:os.system [ls]"))
    assert has_error(errors, "title", "unsupported YAML tag")
    errors = errors_of(SMALL.replace("title: Staff survey", "title: !!python/name:os.system x"))
    assert has_error(errors, "title", "unreadable value")


def test_unquoted_yes_no_labels_are_booleans_and_refused():
    errors = errors_of(
        SMALL.replace("en: [Disagree, Rather disagree, Rather agree, Agree]", "en: [No, N, Y, Yes]")
    )
    assert has_error(errors, "scale.labels.en[0]", "found a boolean (False)")


def test_deeply_nested_aliases_are_refused():
    layers = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    layers += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)]
    errors = errors_of("\n".join(layers) + "\n")
    assert any("too many values" in error for error in errors)


DELETE = object()
RULES = [
    # (where to change SMALL, new value or DELETE, fragment of the error, error path when not `where`)
    ("dimension", [], "did you mean 'dimensions'"),
    ("title", DELETE, "missing required key 'title'", "(top level)"),
    ("scale", DELETE, "missing required key 'scale'", "(top level)"),
    ("sections[0].items[0].text", DELETE, "missing required key 'text'", "sections[0].items[0]"),
    ("dimensions[0].options[0].label", DELETE, "missing required key 'label'", "dimensions[0].options[0]"),
    ("dimensions[0].label", DELETE, "missing required key 'label'", "dimensions[0]"),
    ("dimensions[0].options", DELETE, "missing required key 'options'", "dimensions[0]"),
    ("sections[1].title", DELETE, "missing required key 'title'", "sections[1]"),
    ("scale.points", "five", "expected an integer, found a string"),
    ("scale.points", True, "expected an integer, found a boolean"),
    ("scale.points", 1, "between 2 and 11, found 1"),
    ("scale.points", 12, "between 2 and 11, found 12"),
    ("scale.dont_know", 1, "expected true or false"),
    ("sections[0].comment", "yes please", "expected true or false"),
    ("sections[0].items[0].reverse", "sometimes", "expected true or false"),
    ("sections", {"a": 1}, "expected a list of sections, found a mapping"),
    ("sections", [], "expected a non-empty list of sections"),
    ("sections[1].items", [], "expected a non-empty list of items"),
    ("sections[0].items[0].text", ["a"], "expected a text"),
    ("sections[0].items[0].text.fr", "  ", "is empty"),
    ("sections[0].items[0].text.fr", DELETE, "missing the French version", "sections[0].items[0].text.fr"),
    ("sections[0].items[0].text.de", "Hallo", "unsupported language 'de'"),
    ("languages", ["en", "de"], "unsupported language 'de'", "languages[1]"),
    ("languages", ["en", "en"], "listed twice", "languages[1]"),
    ("languages", [], "expected a non-empty list"),
    ("sections[1].items[0].code", "integrity.1", "duplicate item code 'integrity.1'"),
    ("sections[1].code", "integrity", "duplicate section code 'integrity'"),
    ("dimensions[1].code", "unit", "duplicate dimension code 'unit'"),
    ("dimensions[0].options[1].code", "lab-a", "duplicate option code 'lab-a'"),
    ("sections[0].items[0].code", "P 1", "not a valid item code"),
    ("sections[0].items[0].code", "P:1", "not a valid item code"),
    ("sections[0].items[0].code", 11, "expected a string, found an integer"),
    ("sections[0].code", "a/b", "not a valid section code"),
    ("dimensions[0].code", "unit.x", "not a valid dimension code"),
    ("dimensions[0].options[0].code", "a:b", "not a valid option code"),
    ("dimensions[0].options", [{"code": "a", "label": "A"}], "between 2 and 254 options, found 1"),
    ("scale.labels.fr", ["a", "b", "c"], "expected 4 labels (one per scale point), found 3"),
    ("scale.labels.fr", DELETE, "missing the French version", "scale.labels.fr"),
    ("scale.favourable", [4, 5], "between 1 and 4, found 5", "scale.favourable[1]"),
    ("scale.favourable", [0], "between 1 and 4, found 0", "scale.favourable[0]"),
    ("scale.favourable", [], "expected a non-empty list"),
    ("scale.favourable", [4, 4], "lists a scale value twice"),
    ("min_group_size", 2, "at least 3, found 2"),
    ("comment_min_responses", 3, "at least min_group_size (4), found 3"),
    ("sections[0].principle", 21, "between 1 and 20, found 21"),
    ("sections[0].principle", 0, "between 1 and 20, found 0"),
    ("charter", DELETE, "only when the questionnaire sets 'charter'", "sections[0].principle"),
    ("charter", "2010", "unknown charter '2010'"),
    ("sections[0].pillar", 2, "principle 1 is in pillar 1 of the 2023 charter, not 2"),
    ("sections[1].pillar", 5, "between 1 and 4, found 5"),
    ("rating.plus_minus", 0.8, "thresholds must decrease strictly", "rating"),
    ("rating.minus_plus", 0.7, "thresholds must decrease strictly", "rating"),
    ("rating.plus_plus", 1, "strictly between 0 and 1, found 1"),
    ("rating.equity_alpha", 0, "strictly between 0 and 1, found 0"),
    ("rating.equity_gap", "ten", "expected a number"),
    ("rating.plusplus", 0.9, "did you mean 'plus_plus'"),
]


def changed(where: str, value: Any) -> dict[str, Any]:
    data = small_data()
    *parents, last = [int(key) if key.isdigit() else key for key in re.findall(r"[^.\[\]]+", where)]
    target = data
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


def rule_id(rule: tuple) -> str:
    return f"{rule[0]} deleted" if rule[1] is DELETE else f"{rule[0]}={rule[1]!r}"[:60]


@pytest.mark.parametrize("rule", RULES, ids=[rule_id(rule) for rule in RULES])
def test_validation_rule(rule):
    where, value, fragment, *error_path = rule
    text = yaml.safe_dump(changed(where, value), allow_unicode=True, sort_keys=False)
    errors = errors_of(text)
    assert has_error(errors, error_path[0] if error_path else where, fragment), errors


def test_dimension_code_equal_to_an_item_code_is_refused():
    data = small_data()
    data["sections"][1]["items"][0]["code"] = "unit"
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_from_dict(data)
    assert has_error(caught.value.errors, "dimensions[0].code", "also an item code")


def test_text_in_a_language_not_listed_is_refused():
    data = small_data()
    data["languages"] = ["en"]
    data["scale"]["labels"] = data["scale"]["labels"]["en"]
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_from_dict(data)
    assert has_error(caught.value.errors, "dimensions[0].label.fr", "not listed in languages")
    assert has_error(caught.value.errors, "sections[0].items[0].text.fr", "not listed in languages")


def test_english_only_questionnaire_keeps_only_english_reference_texts():
    data = small_data()
    data.update(languages=["en"], title="Survey")
    data["scale"]["labels"] = data["scale"]["labels"]["en"]
    data["dimensions"] = [{"code": "career_stage"}]
    data["sections"] = [
        {"code": "s", "principle": 14, "items": [{"code": "s.1", "text": "My job is secure."}]}
    ]
    questionnaire = questionnaire_from_dict(data)
    assert questionnaire.sections[0].title == {"en": "Stability of Employment"}
    assert questionnaire.sections[0].pillar == 3
    assert all(set(option.label) == {"en"} for option in questionnaire.dimensions[0].options)


def test_wrong_charter_does_not_repeat_an_error_per_section():
    errors = errors_of(yaml.safe_dump(changed("charter", "2010"), allow_unicode=True))
    assert len(errors) == 1


def test_charter_2005_accepts_principle_40_and_refuses_41():
    data = small_data()
    data["charter"] = 2005
    data["sections"][0]["principle"] = 40
    questionnaire = questionnaire_from_dict(data)
    assert questionnaire.charter == "2005"
    assert (questionnaire.sections[0].pillar, questionnaire.sections[0].title["fr"]) == (4, "Encadrement")
    data["sections"][0]["principle"] = 41
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_from_dict(data)
    assert has_error(caught.value.errors, "sections[0].principle", "between 1 and 40, found 41")


@pytest.mark.parametrize("points", [2, 11])
def test_scale_of_2_and_11_points_is_accepted(points):
    data = small_data()
    data["scale"] = {"points": points, "labels": [f"p{n}" for n in range(points)], "favourable": [points]}
    assert questionnaire_from_dict(data).scale.labels["fr"] == tuple(f"p{n}" for n in range(points))


def test_custom_question_and_custom_options_for_a_standard_dimension():
    data = small_data()
    data["dimensions"][1] = {
        "code": "gender",
        "question": {"en": "Gender?", "fr": "Genre ?"},
        "options": [{"code": "f", "label": "F"}, {"code": "m", "label": "M"}],
    }
    gender = questionnaire_from_dict(data).dimensions[1]
    assert gender.question == {"en": "Gender?", "fr": "Genre ?"}
    assert gender.label == {"en": "Gender", "fr": "Genre"}
    assert [option.code for option in gender.options] == ["f", "m"]


def test_questionnaire_from_dict_reports_paths_without_lines():
    data = small_data()
    data["scale"]["points"] = 20
    with pytest.raises(QuestionnaireError) as caught:
        questionnaire_from_dict(data)
    assert caught.value.errors == ["scale.points: must be between 2 and 11, found 20"]
