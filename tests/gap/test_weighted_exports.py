"""Exports show the weighted figures beside the unweighted ones when the results carry them."""

from __future__ import annotations

from consult.gap.exports import RESULTS_CSV_COLUMNS, results_csv_rows
from consult.gap.summary import key_figures

WEIGHTED = {
    "mean": 3.5,
    "favourable": 0.61,
    "favourable_ci": [0.55, 0.67],
    "se": 0.03,
    "deff": 1.2,
    "n_effective": 100.0,
    "mean_se": 0.05,
}
SECTION = {
    "code": "P01",
    "principle": 1,
    "title": "Ethics",
    "n": 120,
    "mean": 3.7,
    "favourable": 0.7,
    "favourable_ci": [0.64, 0.75],
    "weighted": WEIGHTED,
    "items": [{"code": "P01.1", "n": 118, "favourable": 0.7, "weighted": WEIGHTED}],
    "breakdowns": {
        "school": {
            "groups": [
                {"code": "north", "n": 60, "favourable": 0.8, "weighted": WEIGHTED},
                {"code": "south", "suppressed": True},
            ],
            "test": None,
            "rates": {"north": 0.4, "south": None},
        }
    },
}


def test_key_figures_put_the_weighted_share_beside_the_unweighted():
    assert key_figures(SECTION, "en").endswith("Favourable (weighted to the staff) 61% [55%\u201367%]")
    assert "pondéré selon les effectifs" in key_figures(SECTION, "fr")
    assert "weighted" not in key_figures({k: v for k, v in SECTION.items() if k != "weighted"}, "en")


def test_the_results_csv_has_weighted_columns_and_rates():
    rows = list(results_csv_rows({"sections": [SECTION]}))
    assert set(rows[0]) <= set(RESULTS_CSV_COLUMNS) | {"count_1"}
    assert rows[0]["weighted_favourable"] == 0.61 and rows[0]["deff"] == 1.2
    assert rows[1]["weighted_ci_low"] == 0.55
    groups = [row for row in rows if row["level"] == "group"]
    assert groups[0]["response_rate"] == 0.4 and groups[0]["weighted_mean"] == 3.5
    assert groups[1]["response_rate"] is None and groups[1]["weighted_favourable"] is None
