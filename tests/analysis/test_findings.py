from __future__ import annotations

import re

import pytest

from consult.analysis.findings import (
    DIFFERENCES,
    MANY_GROUPS,
    NO_DIFFERENCE,
    TWO_GROUPS,
    describe_test,
    effect_band,
    in_sentence,
    p_words,
)
from consult.wording import catalogue

GENDERS = {"woman": "Woman", "man": "Man", "other": "Other"}
STAGES = {"R1": "R1", "R2": "R2", "R3": "R3", "R4": "R4"}


def group(code: str, mean: float, favourable: float, n: int = 40) -> dict:
    return {"code": code, "n": n, "mean": mean, "favourable": favourable, "suppressed": False}


def mann_whitney(p_adjusted: float, effect: float) -> dict:
    return {
        "name": "mann-whitney",
        "statistic": 1200.0,
        "p": p_adjusted / 2,
        "p_adjusted": p_adjusted,
        "effect_size": effect,
    }


@pytest.mark.parametrize(
    ("name", "effect", "band"),
    [
        ("mann-whitney", 0.05, "negligible"),
        ("mann-whitney", -0.2, "small"),
        ("mann-whitney", 0.35, "medium"),
        ("mann-whitney", -0.6, "large"),
        ("kruskal-wallis", 0.005, "negligible"),
        ("kruskal-wallis", 0.03, "small"),
        ("kruskal-wallis", 0.1, "medium"),
        ("kruskal-wallis", 0.2, "large"),
        ("chi-square", 0.2, None),
        ("mann-whitney", None, None),
    ],
)
def test_effect_sizes_fall_in_conventional_bands(name, effect, band):
    assert effect_band(name, effect) == band


def test_two_groups_say_who_answered_less_favourably():
    groups = [group("woman", 3.2, 0.58), group("man", 3.7, 0.74), {"code": "other", "suppressed": True}]
    finding = describe_test("Gender", groups, mann_whitney(0.003, -0.34), GENDERS)
    assert finding.significant and finding.size == "medium"
    assert finding.sentence == (
        "Respondents in “Woman” answered less favourably than those in “Man” "
        "(medium difference, p = 0.003 after adjustment)"
    )


def test_three_groups_name_the_lowest_and_the_highest():
    groups = [group("R1", 3.1, 0.55), group("R2", 3.4, 0.63), group("R4", 4.0, 0.84)]
    test = {
        "name": "kruskal-wallis",
        "statistic": 14.0,
        "p": 0.0004,
        "p_adjusted": 0.0009,
        "effect_size": 0.02,
    }
    finding = describe_test("Career stage", groups, test, STAGES)
    assert finding.sentence == (
        "Answers differ by career stage (small difference, p < 0.001 after adjustment): "
        "least favourable “R1” (55% favourable), most favourable “R4” (84%)"
    )


def test_a_difference_not_significant_after_adjustment_is_not_flagged():
    groups = [group("woman", 3.5, 0.66), group("man", 3.6, 0.69)]
    finding = describe_test("Gender", groups, mann_whitney(0.21, 0.05), GENDERS)
    assert not finding.significant
    assert finding.sentence == "No clear difference by gender (p = 0.21 after adjustment)"


def test_french_sentences_use_french_typography():
    groups = [group("woman", 3.2, 0.58), group("man", 3.7, 0.74)]
    finding = describe_test(
        "Genre", groups, mann_whitney(0.04, 0.6), {"woman": "Femme", "man": "Homme"}, "fr"
    )
    assert finding.sentence == (
        "Les répondants «\u00a0Femme\u00a0» ont répondu moins favorablement que ceux de «\u00a0Homme\u00a0» "
        "(différence forte, p = 0,040 après ajustement)"
    )


def test_french_many_groups_name_the_extremes_with_french_numbers():
    groups = [group("R1", 3.1, 0.55), group("R2", 3.4, 0.63), group("R4", 4.0, 0.84)]
    test = {
        "name": "kruskal-wallis",
        "statistic": 14.0,
        "p": 0.0004,
        "p_adjusted": 0.0009,
        "effect_size": 0.02,
    }
    finding = describe_test("Étape de carrière", groups, test, STAGES, "fr")
    assert finding.sentence == (
        "Les réponses diffèrent selon étape de carrière (différence faible, p < 0,001 après ajustement)"
        "\u202f: les moins favorables «\u00a0R1\u00a0» (55\u00a0% favorables), les plus favorables "
        "«\u00a0R4\u00a0» (84\u00a0%)"
    )


def test_french_says_when_there_is_no_clear_difference():
    groups = [group("woman", 3.5, 0.66), group("man", 3.6, 0.69)]
    finding = describe_test("Genre", groups, mann_whitney(0.21, 0.05), GENDERS, "fr")
    assert finding.sentence == "Pas de différence nette selon genre (p = 0,21 après ajustement)"


def test_every_generated_sentence_has_a_french_translation_with_the_same_placeholders():
    french = catalogue("fr")
    for message in (*DIFFERENCES.values(), TWO_GROUPS, MANY_GROUPS, NO_DIFFERENCE):
        translated = french.gettext(message)
        assert translated != message
        assert sorted(re.findall(r"%\((\w+)\)s", translated)) == sorted(re.findall(r"%\((\w+)\)s", message))


def test_a_language_without_a_catalogue_gets_english_words():
    groups = [group("woman", 3.5, 0.66), group("man", 3.6, 0.69)]
    finding = describe_test("Gender", groups, mann_whitney(0.21, 0.05), GENDERS, "de")
    assert finding.sentence.startswith("No clear difference by gender (p = ")


def test_nothing_to_say_without_a_test_or_with_one_group_shown():
    groups = [group("woman", 3.2, 0.58), {"code": "man", "suppressed": True}]
    assert describe_test("Gender", groups, None, GENDERS) is None
    assert describe_test("Gender", groups, mann_whitney(0.01, 0.4), GENDERS) is None


def test_p_values_and_labels_read_naturally():
    assert p_words(0.0004, "en") == "p < 0.001 after adjustment"
    assert p_words(0.0123, "en") == "p = 0.012 after adjustment"
    assert p_words(0.0123, "fr") == "p = 0,012 après ajustement"
    assert p_words(0.0004, "fr") == "p < 0,001 après ajustement"
    assert in_sentence("School") == "school" and in_sentence("IMT school") == "IMT school"


def test_the_groups_named_are_those_with_the_lowest_and_highest_favourable_share():
    groups = [group("woman", 3.2, 0.58), group("man", 3.5, 0.74), group("other", 3.9, 0.60, n=6)]
    test = {"name": "kruskal-wallis", "statistic": 9.0, "p": 0.01, "p_adjusted": 0.02, "effect_size": 0.03}
    finding = describe_test("Gender", groups, test, GENDERS)
    assert "least favourable “Woman” (58% favourable), most favourable “Man” (74%)" in finding.sentence
