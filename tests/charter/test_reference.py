from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from consult.charter import reference
from consult.surveys.questionnaires import charter_templates

SAMPLE_GAP = Path(__file__).parent.parent / "data" / "sample_gap.tsv"


def sample_gap_names() -> list[str]:
    lines = SAMPLE_GAP.read_text(encoding="utf-8").splitlines()
    matches = (re.fullmatch(r"<b>(.*)</b>", line.split("\t")[0]) for line in lines)
    return [match.group(1) for match in matches if match]


def test_2023_charter_has_20_principles_in_pillars_of_8_4_4_4():
    principles = reference.principles("2023")
    assert [principle.number for principle in principles] == list(range(1, 21))
    assert Counter(principle.pillar for principle in principles) == {1: 8, 2: 4, 3: 4, 4: 4}
    assert [pillar.number for pillar in reference.pillars("2023")] == [1, 2, 3, 4]


def test_2005_charter_has_40_principles_in_groups_of_11_10_14_5():
    principles = reference.principles("2005")
    assert [principle.number for principle in principles] == list(range(1, 41))
    assert Counter(principle.pillar for principle in principles) == {1: 11, 2: 10, 3: 14, 4: 5}
    assert [pillar.number for pillar in reference.pillars("2005")] == [1, 2, 3, 4]


@pytest.mark.parametrize("version", reference.VERSIONS)
def test_every_name_is_given_in_english_and_french(version):
    names = [entry.name for entry in (*reference.principles(version), *reference.pillars(version))]
    names.append(reference.version_name(version))
    for name in names:
        assert set(name) == {"en", "fr"}
        assert all(text.strip() == text and text for text in name.values())


def test_names_follow_the_reference_list():
    assert reference.principle("2023", 9).name == {
        "en": "Researchers' Assessment",
        "fr": "Évaluation des chercheurs",
    }
    assert reference.principle("2023", 14).name["en"] == "Stability of Employment"
    assert reference.principle("2023", 1).name["fr"] == "Éthique et intégrité de la recherche"
    assert reference.principle("2005", 17).name["en"] == "Variations in the chronological order of CVs (Code)"
    assert reference.pillar("2023", 3).name["en"] == "Working Conditions and Practices"
    assert reference.pillar("2005", 4).name == {
        "en": "Training and development",
        "fr": "Formation et développement",
    }


def test_principle_and_pillar_refuse_unknown_numbers_and_versions():
    with pytest.raises(KeyError):
        reference.principle("2023", 21)
    with pytest.raises(KeyError):
        reference.pillar("2005", 5)
    with pytest.raises(KeyError):
        reference.principles("2010")


def test_crosswalk_maps_each_2023_principle_to_2005_principles():
    crosswalk = reference.crosswalk()
    assert sorted(crosswalk) == list(range(1, 21))
    assert crosswalk[8] == ()
    assert crosswalk[1] == (2, 3, 4, 6, 7)
    assert crosswalk[13] == (23, 24, 26, 34)
    assert all(1 <= old <= 40 for olds in crosswalk.values() for old in olds)
    assert {old for olds in crosswalk.values() for old in olds} == set(range(1, 41))


def test_crosswalk_is_a_fresh_copy():
    reference.crosswalk()[1] = ()
    assert reference.crosswalk()[1] == (2, 3, 4, 6, 7)


def test_principle_by_name_matches_every_principle_of_the_sample_gap_analysis():
    names = sample_gap_names()
    found = [reference.principle_by_name("2023", name) for name in names]
    assert [principle.number for principle in found if principle] == list(range(1, 21))


@pytest.mark.parametrize(
    "name",
    [
        "Researchers\u2019 Assessment",
        "<b>Researchers' Assessment</b>",
        "  researchers'   ASSESSMENT ",
        "Researchers&#39; Assessment",
        "Évaluation des chercheurs",
    ],
)
def test_principle_by_name_ignores_case_spacing_quotes_and_tags(name):
    assert reference.principle_by_name("2023", name) == reference.principle("2023", 9)


def test_principle_by_name_returns_none_for_an_unknown_name():
    assert reference.principle_by_name("2023", "Researchers Assessment") is None
    assert reference.principle_by_name("2005", "Non discrimination") == reference.principle("2005", 10)


def test_standard_dimensions_career_stage_and_gender():
    career = reference.standard_dimension("career_stage")
    assert [option.code for option in career.options] == ["R1", "R2", "R3", "R4"]
    assert career.options[0].label == {"en": "First Stage Researcher (R1)", "fr": "Chercheur débutant (R1)"}
    gender = reference.standard_dimension("gender")
    assert [option.code for option in gender.options] == ["woman", "man", "other", "prefer-not"]
    assert gender.options[-1].label == {"en": "Prefer not to say", "fr": "Je préfère ne pas répondre"}
    assert reference.standard_dimension("school") is None


def test_template_names_and_unknown_template():
    assert reference.template_names() == ("charter-2005", "charter-2023")
    with pytest.raises(KeyError):
        charter_templates.load_template("charter-2010")


def check_template_texts(questionnaire):
    texts = [questionnaire.title, *(section.title for section in questionnaire.sections)]
    texts += [item.text for item in questionnaire.items]
    for dimension in questionnaire.dimensions:
        texts += [dimension.label, dimension.question, *(option.label for option in dimension.options)]
    for text in texts:
        assert set(text) == {"en", "fr"}
        assert all(value.strip() for value in text.values())
    for item in questionnaire.items:
        assert item.text["en"] != item.text["fr"]
        assert item.text["en"].endswith(".") and item.text["fr"].endswith(".")


def check_template_settings(questionnaire):
    scale = questionnaire.scale
    assert (scale.points, scale.favourable, scale.dont_know) == (5, (4, 5), True)
    assert scale.labels["en"][0] == "Strongly disagree" and scale.labels["fr"][-1] == "Tout à fait d'accord"
    assert (questionnaire.min_group_size, questionnaire.comment_min_responses) == (5, 10)
    assert [dimension.code for dimension in questionnaire.dimensions] == ["school", "career_stage", "gender"]
    schools = {option.code: option.label["fr"] for option in questionnaire.dimensions[0].options}
    assert len(schools) == 8
    assert schools["imt-mines-ales"] == "IMT Mines Alès"
    assert schools["mines-saint-etienne"] == "Mines Saint-Étienne"
    assert schools["telecom-sudparis"] == "Télécom SudParis"
    assert 1 <= sum(item.reverse for item in questionnaire.items) <= 2


def test_charter_2023_template():
    questionnaire = charter_templates.load_template("charter-2023")
    assert questionnaire.charter == "2023"
    assert questionnaire.title == {
        "en": "HRS4R researchers' survey",
        "fr": "Enquête HRS4R auprès des chercheurs",
    }
    assert [section.code for section in questionnaire.sections] == [f"P{n:02d}" for n in range(1, 21)]
    for number, section in enumerate(questionnaire.sections, start=1):
        principle = reference.principle("2023", number)
        assert (section.principle, section.pillar, section.comment) == (number, principle.pillar, True)
        assert section.title == principle.name
        assert 2 <= len(section.items) <= 4
        assert [item.code for item in section.items] == [
            f"P{number:02d}.{i}" for i in range(1, len(section.items) + 1)
        ]
    check_template_texts(questionnaire)
    check_template_settings(questionnaire)


def test_charter_2005_template():
    questionnaire = charter_templates.load_template("charter-2005")
    assert questionnaire.charter == "2005"
    assert [section.principle for section in questionnaire.sections] == list(range(1, 41))
    for number, section in enumerate(questionnaire.sections, start=1):
        assert section.code == f"C{number:02d}"
        assert section.pillar == reference.principle("2005", number).pillar
        assert 1 <= len(section.items) <= 2
        assert all(item.code.startswith(f"C{number:02d}.") for item in section.items)
    check_template_texts(questionnaire)
    check_template_settings(questionnaire)
