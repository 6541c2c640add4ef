"""The reports print the committee's decision as such: the final rating with its justification, and the
suggested rating with its own reason, labelled; a rating nobody decided is marked proposed."""

from __future__ import annotations

import copy

import pymupdf
import pytest

from consult.gap.documents import gap_report_html, gap_report_pdf
from consult.gap.summary import principle_entries
from tests.gap.test_documents import results_fixture

JUSTIFICATION = "The committee weighed the survey against the tenure-track reform."


@pytest.fixture
def results():
    data = copy.deepcopy(results_fixture())
    decided = data["sections"][1]["rating"]
    decided["justification"] = JUSTIFICATION
    decided["facts"] = {
        "kind": "share", "favourable": 0.38, "ci": [0.33, 0.43], "n": 118,
        "band": "--", "low": None, "high": 0.40, "spanned": [0.4],
    }  # fmt: skip
    return data


def pdf_pages(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return [page.get_text() for page in document]


def test_entries_carry_the_justification_and_the_reason_in_the_readers_language(results):
    entries = {entry.code: entry for entry in principle_entries(results, [], "fr")}
    decided, proposed = entries["P14"], entries["P01"]
    assert (decided.rating, decided.suggested, decided.justification) == ("--", "-/+", JUSTIFICATION)
    assert decided.differs and not decided.proposed
    assert decided.reason.startswith("38\xa0% des 118 répondants")
    assert "sous le seuil de 40\xa0%" in decided.reason
    assert proposed.proposed and proposed.justification == "" and proposed.reason == "68% favourable."


def test_html_report_labels_the_final_rating_its_justification_and_the_suggestion(results):
    page = gap_report_html(results, [], "en")
    decided = page[page.index('id="principle-P14"') :]
    decided = decided[: decided.index("</article>")]
    assert "Final rating" in decided and JUSTIFICATION in decided
    assert "Suggested rating</dt>\n      <dd>-/+" in decided and "Why this rating was suggested" in decided
    assert decided.index("Final rating") < decided.index(JUSTIFICATION) < decided.index("Suggested rating")
    proposed = page[page.index('id="principle-P01"') :]
    proposed = proposed[: proposed.index("</article>")]
    assert "Proposed rating (not yet decided by the committee)" in proposed and "(proposed)" in proposed
    assert "Final rating" not in proposed and "Committee" not in proposed


def test_french_html_report_words_the_reason_in_french(results):
    page = gap_report_html(results, [], "fr")
    assert "Justification du comité" in page and "Appréciation finale" in page
    assert "des 118 répondants ont répondu favorablement" in page and "answered favourably" not in page


def test_pdf_prints_the_justification_under_the_final_rating_and_the_suggested_reason(results):
    pages = pdf_pages(gap_report_pdf(results, [], "en"))
    decided = next(text for text in pages if "Stability of Employment" in text and "Key figures" in text)
    flat = " ".join(decided.split())
    assert "Final rating" in flat and "Committee's justification" in flat and "tenure-track reform" in flat
    assert "Suggested rating: -/+" in flat and "Why this rating was suggested: 38% of 118" in flat
