from __future__ import annotations

import pytest
import yaml

from consult.limesurvey import mapping as m
from consult.limesurvey.plan import read_plan
from consult.limesurvey.structure import LimeSurveyError, read_survey
from consult.surveys.questionnaires import spec
from tests.limesurvey.files import ARCHIVE_LSS, DEMO, GERMAN_ONLY, HEALTHY, HESAV, OURS


def survey(path):
    return read_survey(path.read_bytes(), path.name)


def automatic(path):
    found = survey(path)
    return found, yaml.safe_load(m.dump_mapping(m.automatic_mapping(found), found))


def test_the_automatic_mapping_of_our_bilingual_survey():
    found, data = automatic(OURS)
    q = read_plan(found, data).questionnaire
    assert q.languages == ("en", "fr")
    assert [s.code for s in q.sections] == ["ethics", "recruit"]
    assert q.sections[0].items[1].text == {"en": "Integrity is valued", "fr": "L'intégrité est valorisée"}
    assert q.sections[0].comment and not q.sections[1].comment
    assert q.scale.points == 5 and q.scale.dont_know and q.scale.favourable == (4, 5)
    assert q.scale.labels["fr"][4] == "Tout à fait d'accord"
    assert [d.code for d in q.dimensions] == ["stage", "gender"]
    assert data["questions"]["ethics"]["answers"]["DK"] == "dont_know"
    assert data["questions"]["age"]["use"] == "leave-out"


@pytest.mark.parametrize(
    ("path", "languages", "items", "dimensions"),
    [
        (ARCHIVE_LSS, ("en",), 4, 4),
        (HESAV, ("fr",), 20, 4),
        (HEALTHY, ("fr",), 13, 4),
        (DEMO, ("fr", "en"), 15, 4),
    ],
)
def test_the_automatic_mapping_of_the_real_surveys_makes_a_valid_questionnaire(
    path, languages, items, dimensions
):
    found, data = automatic(path)
    q = read_plan(found, data).questionnaire
    assert (q.languages, len(q.items), len(q.dimensions)) == (languages, items, dimensions)
    cells = 1
    for dimension in q.dimensions:
        cells *= len(dimension.options) + 1
    assert cells <= m.MAX_CELLS


def test_dont_know_and_no_answer_options_are_recognised_in_any_language():
    assert m.answer_meaning("A6", {"en": "Don't know"}) == m.DONT_KNOW
    assert m.answer_meaning("x", {"fr": "Je ne sais pas", "de": "Weiß nicht"}) == m.DONT_KNOW
    assert m.answer_meaning("6", {"fr": "Je ne souhaite pas répondre"}) == m.NO_ANSWER
    assert m.answer_meaning("4", {"fr": "Plutôt d\u2019accord"}) is None
    vecu = survey(HESAV).question("vecuetudes")
    assert m.default_answers(vecu) == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": m.NO_ANSWER}


def test_arrays_of_another_scale_are_left_out_saying_why():
    _, data = automatic(HEALTHY)
    assert data["scale"]["points"] == 5
    assert data["questions"]["EMAPS0"]["use"] == "leave-out"
    assert "7 answers are not the 5-point scale" in data["questions"]["EMAPS0"]["why"]
    assert "encrypted" in automatic(ARCHIVE_LSS)[1]["questions"]["G01Q15"]["why"]


def test_languages_consult_does_not_offer_are_dropped_and_said_so():
    found, data = automatic(HESAV)
    assert data["languages"] == ["fr"]
    assert "the survey's others are dropped (de)" in m.dump_mapping(m.automatic_mapping(found), found)


def test_a_survey_in_none_of_consults_languages_is_refused():
    found = survey(GERMAN_ONLY)
    with pytest.raises(LimeSurveyError, match=r"the survey is in de: Consult offers en and fr only"):
        read_plan(found, m.automatic_mapping(found))


def test_principles_merge_questions_into_one_charter_section():
    found, data = automatic(OURS)
    for code in ("ethics", "recruit"):
        data["questions"][code] |= {"section": "P01", "principle": 1}
    data["questions"]["recruit"]["reverse"] = ["SQ002"]
    data["questions"]["ethicsc"]["section"] = "P01"
    q = read_plan(found, data).questionnaire
    assert q.charter == "2023" and [s.code for s in q.sections] == ["P01"]
    assert q.sections[0].principle == 1 and q.sections[0].title["fr"]
    assert [i.reverse for i in q.sections[0].items] == [False, False, False, True]


def test_every_mapping_error_names_its_question():
    found, data = automatic(OURS)
    data["questions"]["ethics"]["answers"] = {"A1": 1, "A2": 9, "ZZ": 3}
    data["questions"]["ethicsc"]["section"] = "nowhere"
    data["questions"]["age"] = {"use": "items"}
    data["questions"]["nope"] = {"use": "items"}
    with pytest.raises(LimeSurveyError) as error:
        read_plan(found, data)
    text = "\n".join(error.value.errors)
    for expected in (
        "question ethics: answers: A2 -> 9 is not a scale point 1..5",
        "question ethics: answers: the question has no answer code 'ZZ'",
        "question ethics: answers: answer code 'A3' is not mapped",
        "question ethicsc: comments go to section 'nowhere'",
        "question age: type 'N' cannot become items",
        "question nope: the survey has no question with this code",
    ):
        assert expected in text


def test_dimension_combinations_are_bounded():
    found, data = automatic(HESAV)
    for code in ("semestreetudes", "genre", "edu"):
        data["questions"][code] = {"use": "dimension"}
    with pytest.raises(LimeSurveyError, match=r"at most 4 dimensions and 1,000 combinations"):
        read_plan(found, data)


def test_items_can_be_renamed_or_left_out_one_by_one():
    found, data = automatic(OURS)
    data["questions"]["ethics"]["items"] = {"SQ001": "E.know", "SQ002": "leave-out"}
    plan = read_plan(found, data)
    assert [i.code for i in plan.questionnaire.items] == ["E.know", "recruit.SQ001", "recruit.SQ002"]
    assert (plan.items[0].question, plan.items[0].sub) == ("ethics", "SQ001")
    assert plan.items[0].codes["DK"] == spec.DONT_KNOW and plan.items[0].codes[""] == spec.NO_ANSWER


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": [1, 2]}, "question ethics: answers: expected a mapping of answer codes to scale points"),
        ({"reverse": "SQ001"}, "question ethics: reverse: expected a list of sub-question codes"),
        ({"principle": "x"}, "question ethics: principle must be a number, found 'x'"),
        ({"items": {"SQ001": "bad code!"}}, "'bad code!' is not a valid item code"),
        (
            {"answers": {"A1": True, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "DK": "dont_know"}},
            "question ethics: answers: A1 -> True is not a scale point 1..5",
        ),
    ],
)
def test_a_badly_edited_question_is_refused_with_a_clear_message(change, message):
    found, data = automatic(OURS)
    data["questions"]["ethics"] |= change
    with pytest.raises(LimeSurveyError) as error:
        read_plan(found, data)
    assert any(message in e for e in error.value.errors), error.value.errors


@pytest.mark.parametrize("data", [[], "text", None, {"questions": None}])
def test_a_mapping_that_is_not_one_is_refused(data):
    with pytest.raises(LimeSurveyError, match="no 'questions' mapping"):
        read_plan(survey(OURS), data)


def test_a_scale_shown_from_its_favourable_end_is_numbered_from_its_last_answer():
    daily = survey(DEMO).question("dailyresources")
    assert m.default_answers(daily) == {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1}
    who5 = survey(HEALTHY).question("WHO5")
    assert m.default_answers(who5) == {"AO01": 6, "AO05": 5, "AO04": 4, "AO03": 3, "AO02": 2, "AO06": 1}
    pss = survey(HEALTHY).question("PSS0")
    assert m.default_answers(pss) == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
