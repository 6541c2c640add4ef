"""Where the LimeSurvey files of the tests are: the real exports (read in place, never copied) and ours."""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path("/work/shared/reference/limesurvey")
DATA = Path(__file__).parent / "data"

ARCHIVE = REFERENCE / "Delzye__lsa2odm__survey_archive_862611.lsa"
ARCHIVE_LSS = REFERENCE / "Delzye__lsa2odm__survey_archive_862611.lsa__survey_862611.lss"
ARCHIVE_LSR = REFERENCE / "Delzye__lsa2odm__survey_archive_862611.lsa__survey_862611_responses.lsr"
HESAV = REFERENCE / "amaltawfik__lssdoc__hesav_2026.lss"
HEALTHY = REFERENCE / "amaltawfik__lssdoc__limesurvey_survey_751689.lss"
DEMO = REFERENCE / "amaltawfik__lssdoc__demo_survey.lss"

OURS = DATA / "researchers_2022.lss"
"""Built for the tests from LimeSurvey's documented formats: en and fr (base en) plus de."""
OURS_CSV = DATA / "researchers_2022_responses.csv"
"""LimeSurvey's CSV export: UTF-8 with BOM, every value quoted, question-code headings, tokens, dates,
IP addresses, referrers and timings present; 24 rows, one never submitted."""
OURS_CSV_SEMICOLON = DATA / "researchers_2022_responses_semicolon.csv"
GERMAN_ONLY = DATA / "forscher_de_only.lss"
