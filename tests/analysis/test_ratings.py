from __future__ import annotations

import pytest

from consult.analysis.ratings import (
    RATINGS,
    EquityFinding,
    band,
    reason_of,
    reason_text,
    suggest_rating,
    suppressed_rating,
)
from consult.surveys.questionnaires.spec import RatingRule

RULE = RatingRule()


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.0, "--"),
        (0.3999, "--"),
        (0.40, "-/+"),
        (0.5999, "-/+"),
        (0.60, "+/-"),
        (0.7499, "+/-"),
        (0.75, "++"),
        (1.0, "++"),
    ],
)
def test_bands(share, expected):
    assert band(share, RULE) == expected


def test_reason_of_the_design_example():
    women = EquityFinding("Gender", "Women", 0.60, 0.78, 0.003)
    rating = suggest_rating(0.71, (0.66, 0.75), 412, [women], RULE)
    assert rating.suggested == "-/+" and rating.uncertain
    assert rating.reason == (
        "71% of 412 respondents answered favourably (95% CI 66%\u201375%), between the 60% and 75% "
        'thresholds: +/- (uncertain: the interval spans 75%). The group "Women" (Gender) is 18 points below '
        "the other respondents (p = 0.003 after adjustment): one step down."
    )


def test_certain_rating_without_equity_finding():
    rating = suggest_rating(0.82, (0.78, 0.86), 200, [], RULE)
    assert (rating.suggested, rating.uncertain) == ("++", False)
    assert rating.reason == (
        "82% of 200 respondents answered favourably (95% CI 78%\u201386%), at or above the 75% threshold: ++."
    )


@pytest.mark.parametrize(
    ("share", "code", "written"), [(0.82, "++", "+/+"), (0.20, "--", "-/-"), (0.65, "+/-", "+/-")]
)
def test_the_reason_writes_the_rating_as_the_campaign_spells_it(share, code, written):
    rating = suggest_rating(share, (share - 0.02, share + 0.02), 200, [], RULE, spelling="plus-slash")
    assert rating.suggested == code
    assert rating.reason.endswith(f": {written}.")


@pytest.mark.parametrize(
    ("gap", "p", "drops"),
    [
        (0.15, 0.049, True),
        (0.20, 0.0001, True),
        (0.14, 0.001, False),
        (0.30, 0.05, False),
        (0.30, None, False),
    ],
)
def test_equity_needs_gap_and_adjusted_significance(gap, p, drops):
    finding = EquityFinding("Career stage", "R1", 0.5, 0.5 + gap, p)
    rating = suggest_rating(0.65, (0.62, 0.68), 900, [finding], RULE)
    assert rating.suggested == ("-/+" if drops else "+/-")
    assert ('"R1"' in rating.reason) == drops


def test_the_largest_gap_is_named_and_the_floor_holds():
    findings = [
        EquityFinding("School", "A", 0.10, 0.30, 0.01),
        EquityFinding("Gender", "Other", 0.05, 0.35, 0.02),
    ]
    rating = suggest_rating(0.25, (0.2, 0.3), 300, findings, RULE)
    assert rating.suggested == "--"
    assert '"Other" (Gender) is 30 points below' in rating.reason
    assert rating.reason.endswith("the rating is already the lowest.")


def test_uncertain_lists_every_threshold_spanned():
    rating = suggest_rating(0.6, (0.35, 0.8), 12, [], RULE)
    assert rating.uncertain and "spans 40% and 60% and 75%" in rating.reason


def test_thresholds_come_from_the_rule():
    rule = RatingRule(plus_plus=0.9, plus_minus=0.7, minus_plus=0.5, equity_gap=0.1, equity_alpha=0.01)
    assert suggest_rating(0.8, (0.79, 0.81), 50, [], rule).suggested == "+/-"
    finding = EquityFinding("Gender", "Men", 0.7, 0.81, 0.005)
    assert suggest_rating(0.8, (0.79, 0.81), 50, [finding], rule).suggested == "-/+"


def test_no_respondents_no_rating():
    rating = suggest_rating(None, None, 0, [], RULE)
    assert rating.suggested is None and not rating.uncertain and "no rating" in rating.reason
    assert suggest_rating(None, None, 8, [], RULE).suggested is None


def test_french_reason():
    finding = EquityFinding("Genre", "Femmes", 0.55, 0.75, 0.0004)
    rating = suggest_rating(0.66, (0.61, 0.71), 300, [finding], RULE, language="fr")
    assert rating.reason == (
        "66\xa0% des 300 répondants ont répondu favorablement (IC à 95 % : 61\xa0%\u201371\xa0%), entre les "
        "seuils de 60\xa0% et 75\xa0% : +/-. Le groupe « Femmes » (Genre) est 20 points en dessous des "
        "autres répondants (p < 0,001 après ajustement) : un cran plus bas."
    )
    assert rating.suggested == "-/+"


def test_the_facts_write_the_reason_again_in_the_readers_language():
    women = EquityFinding({"en": "Gender", "fr": "Genre"}, {"en": "Women", "fr": "Femmes"}, 0.6, 0.78, 0.003)
    english = suggest_rating(0.71, (0.66, 0.75), 412, [women], RULE, spelling="plus-slash")
    stored = {"suggested": english.suggested, "reason": english.reason, "facts": english.facts}
    french = reason_of(stored, "fr", "plus-slash")
    assert "Women" in english.reason and "answered" in english.reason
    assert french.startswith("71\xa0% des 412 répondants") and "« Femmes » (Genre)" in french
    assert "p = 0,003" in french and "+/-" in french and "answered" not in french
    assert reason_of(stored, "en", "plus-slash") == english.reason


def test_results_made_before_the_facts_keep_their_stored_reason():
    assert reason_of({"suggested": "++", "reason": "80% favourable."}, "fr") == "80% favourable."
    assert reason_of(None, "fr") == ""


def test_the_suppressed_reason_in_french():
    facts = suppressed_rating(5, "en").facts
    assert reason_text(facts, "fr").startswith("Moins de 5 répondants")


def test_ratings_are_ordered():
    assert RATINGS == ("--", "-/+", "+/-", "++")
