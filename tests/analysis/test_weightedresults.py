"""The weighted side of the results JSON against per-respondent weights on the raw answers."""

from __future__ import annotations

import numpy as np
import pytest

from consult.analysis.countplan import CountPlan
from consult.analysis.counts import build_counts
from consult.analysis.ratings import basis_sentence, reason_of
from consult.analysis.weightedresults import population_of
from consult.analysis.weighting import cell_weights
from tests.analysis.test_results import CAMPAIGN, questionnaire, results_of
from tests.analysis.test_weighting import full_population, raw_section, uneven


def headcounts_info(q, cells, method="cells", trim=(0.3, 3.0), basis="weighted"):
    rows = []
    if method == "cells":
        for options, n in cells.items():
            codes = {q.dimensions[d].code: q.dimensions[d].options[o - 1].code for d, o in enumerate(options)}
            rows.append({"options": codes, "headcount": n})
    else:
        for d, dimension in enumerate(q.dimensions):
            for o, option in enumerate(dimension.options, start=1):
                n = sum(count for options, count in cells.items() if options[d] == o)
                rows.append({"options": {dimension.code: option.code}, "headcount": n})
    return {"method": method, "rows": rows, "trim": list(trim), "rating_basis": basis}


def setup(seed, method="cells", n=900, basis="weighted"):
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, n, seed, missing_profile=0.05)
    info = headcounts_info(q, full_population((3, 2), seed), method, basis=basis)
    result = results_of(q, answers, profiles, CAMPAIGN | {"headcounts": info})
    tables = build_counts(q, answers, profiles)
    weights = cell_weights(population_of(q, info, tables.cell_shape), tables.n_respondents)
    w = weights.per_cell[CountPlan.of(q).cell_index(profiles)]
    return q, answers, profiles, result, w


def weighted_share(q, raw, w):
    rows, columns = np.nonzero(raw)
    liked = np.isin(raw[rows, columns], q.scale.favourable)
    return np.average(liked, weights=w[rows]), np.average(raw[rows, columns], weights=w[rows])


@pytest.mark.parametrize(("seed", "method"), [(11, "cells"), (12, "margins")])
def test_sections_items_and_groups_equal_numpy_average(seed, method):
    q, answers, profiles, result, w = setup(seed, method)
    for s, section in enumerate(result["sections"]):
        raw = raw_section(q, answers, s)
        share, mean = weighted_share(q, raw, w)
        assert section["weighted"]["favourable"] == pytest.approx(share, abs=1e-9)
        assert section["weighted"]["mean"] == pytest.approx(mean, abs=1e-9)
        for i, item in enumerate(section["items"]):
            item_share, _ = weighted_share(q, raw[:, [i]], w)
            assert item["weighted"]["favourable"] == pytest.approx(item_share, abs=1e-9)
        for o, group in enumerate(section["breakdowns"]["dim0"]["groups"], start=1):
            inside = profiles[:, 0] == o
            group_share, _ = weighted_share(q, raw[inside], w[inside])
            assert group["weighted"]["favourable"] == pytest.approx(group_share, abs=1e-9)
        for group in section["breakdowns"]["dim0:dim1"]["groups"]:
            a, b = (int(code[-1]) + 1 for code in group["code"].split(":"))
            inside = (profiles[:, 0] == a) & (profiles[:, 1] == b)
            assert group["weighted"]["favourable"] == pytest.approx(
                weighted_share(q, raw[inside], w[inside])[0], abs=1e-9
            )


def test_rates_fit_and_the_rating_basis():
    _q, _, profiles, result, _ = setup(13)
    cells = full_population((3, 2), 13)
    entry = result["campaign"]["weighting"]
    assert entry["method"] == "post-stratification" and entry["applied"]
    assert entry["overall_rate"] == pytest.approx(len(profiles) / sum(cells.values()))
    rates = result["sections"][0]["breakdowns"]["dim0"]["rates"]
    for o in (1, 2, 3):
        staff = sum(n for options, n in cells.items() if options[0] == o)
        assert rates[f"d0o{o - 1}"] == pytest.approx((profiles[:, 0] == o).sum() / staff)
    assert entry["dimensions"]["dim0"]["fit"]["over"] == 1
    section = result["sections"][0]
    assert "Weighted to the staff headcounts (post-stratification)" in section["rating"]["reason"]
    _, _, _, unweighted, _ = setup(13, basis="unweighted")
    assert "Unweighted figures; weighted to the staff" in unweighted["sections"][0]["rating"]["reason"]


def test_rates_of_hidden_groups_are_null():
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, 400, 14)
    profiles[:, 0][profiles[:, 0] == 3] = 1
    profiles[:3, 0] = 3
    info = headcounts_info(q, full_population((3, 2), 14))
    result = results_of(q, answers, profiles, CAMPAIGN | {"headcounts": info})
    hidden = result["campaign"]["hidden_groups"]["dim0"]
    assert "d0o2" in hidden
    entry = result["campaign"]["weighting"]["dimensions"]["dim0"]
    for code in hidden:
        assert entry["rates"][code] is None
        for section in result["sections"]:
            assert section["breakdowns"]["dim0"]["rates"][code] is None
    assert all(rate is not None for code, rate in entry["rates"].items() if code not in hidden)
    assert set(entry["flagged"]).isdisjoint(hidden)
    for pair in result["campaign"]["weighting"]["two_way"].values():
        for code, figure in pair.items():
            if code.split(":")[0] in hidden:
                assert figure is None


def test_no_weighted_figures_without_headcounts():
    q = questionnaire(options=(3, 2))
    answers, profiles = uneven(q, 300, 15)
    result = results_of(q, answers, profiles)
    assert "weighting" not in result["campaign"]
    assert (
        "weighted" not in result["sections"][0] and "rates" not in result["sections"][0]["breakdowns"]["dim0"]
    )


def test_the_rating_basis_is_worded_in_the_readers_language():
    _q, _, _, result, _ = setup(13)
    rating = result["sections"][0]["rating"]
    assert rating["facts"]["basis"]["weighted"] is True
    french = reason_of(rating, "fr")
    assert "Pondéré selon les effectifs (post-stratification)" in french
    assert "Weighted" not in french and "%" in french
    _, _, _, raked, _ = setup(13, basis="unweighted")
    assert "Chiffres non pondérés" in reason_of(raked["sections"][0]["rating"], "fr")


def test_a_basis_stored_as_a_sentence_by_an_older_analysis_is_kept():
    assert basis_sentence(" Weighted to the staff headcounts (raking).", "fr") == (
        " Weighted to the staff headcounts (raking)."
    )
    assert basis_sentence(None, "fr") == ""
