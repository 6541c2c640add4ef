"""The reports' words for the number of responses: a total below k is never printed."""

from __future__ import annotations

from consult.gap.summary import responses_said


def test_a_total_below_k_reads_fewer_than_k_in_both_languages():
    hidden = {"responses": None, "responses_suppressed": True, "min_group_size": 5}
    assert responses_said(hidden, "en") == "fewer than 5 responses"
    assert responses_said(hidden, "fr") == "moins de 5 réponses"


def test_a_released_total_is_printed():
    shown = {"responses": 591, "responses_suppressed": False, "min_group_size": 5}
    assert responses_said(shown, "en") == "591 responses"
    assert responses_said(shown, "fr") == "591 réponses"
