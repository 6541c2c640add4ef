from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from consult.analysis.counts import build_counts
from consult.analysis.results import build_results
from consult.surveys.questionnaires.spec import (
    DONT_KNOW,
    Dimension,
    Item,
    Option,
    Questionnaire,
    Scale,
    Section,
)

CAMPAIGN = {"slug": "survey-2026", "title": {"en": "Survey", "fr": "Enquête"}, "min_group_size": 5}


def questionnaire(sizes=(3, 1, 4), points=5, options=(3, 2), charter=None) -> Questionnaire:
    sections, position = [], 0
    for s, size in enumerate(sizes):
        items = tuple(
            Item(f"P{s + 1}.{i}", {"en": "i"}, reverse=(position + i) % 4 == 2) for i in range(size)
        )
        position += size
        sections.append(
            Section(
                f"P{s + 1:02d}",
                {"en": f"Principle {s + 1}", "fr": f"Principe {s + 1}"},
                items,
                principle=s + 1,
            )
        )
    dimensions = tuple(
        Dimension(
            f"dim{d}",
            {"en": f"Dimension {d}"},
            tuple(Option(f"d{d}o{o}", {"en": f"Option {o}"}) for o in range(count)),
        )
        for d, count in enumerate(options)
    )
    scale = Scale(points, {}, (points - 1, points) if points > 2 else (2,))
    return Questionnaire({"en": "t"}, ("en",), scale, dimensions, tuple(sections), charter=charter)


def respondents(q: Questionnaire, n: int, seed: int, missing=0.08, dont_know=0.05):
    rng = np.random.default_rng(seed)
    mood = rng.integers(1, q.scale.points + 1, (n, 1))
    noise = rng.integers(-1, 2, (n, len(q.items)))
    answers = np.clip(mood + noise, 1, q.scale.points).astype(np.uint8)
    draw = rng.random(answers.shape)
    answers[draw < missing] = 0
    answers[(draw >= missing) & (draw < missing + dont_know)] = DONT_KNOW
    columns = [rng.integers(0, len(d.options) + 1, n) for d in q.dimensions]
    profiles = (np.stack(columns, axis=1) if columns else np.zeros((n, 0))).astype(np.uint8)
    return answers, profiles


def results_of(q, answers, profiles, campaign=CAMPAIGN, **options):
    result = build_results(campaign, q, build_counts(q, answers, profiles), **options)
    assert_plain_json(result)
    return json.loads(json.dumps(result, allow_nan=False))


def assert_plain_json(value) -> None:
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        for entry in value.values():
            assert_plain_json(entry)
    elif isinstance(value, list):
        for entry in value:
            assert_plain_json(entry)
    else:
        assert value is None or type(value) in (str, int, float, bool), type(value)


def close(actual, expected) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


class Raw:
    """Every figure computed straight from the respondents' answers."""

    def __init__(self, q: Questionnaire, answers: np.ndarray, profiles: np.ndarray) -> None:
        self.q, self.profiles = q, profiles
        k = q.scale.points
        values = answers.astype(float)
        valid = (answers >= 1) & (answers <= k)
        reverse = np.array([item.reverse for item in q.items])
        self.keyed = np.where(valid, np.where(reverse, k + 1 - values, values), np.nan)
        self.dont_know = answers == DONT_KNOW

    def rows(self, conditions: dict[int, int]) -> np.ndarray:
        mask = np.ones(len(self.profiles), bool)
        for d, option in conditions.items():
            mask &= self.profiles[:, d] == option
        return mask

    def scores(self, s: int, rows: np.ndarray) -> np.ndarray:
        block = self.keyed[rows][:, self.q.section_slices()[s]]
        answered = ~np.isnan(block).all(axis=1)
        return np.nanmean(block[answered], axis=1) if answered.any() else np.zeros(0)

    def block(self, s: int, rows: np.ndarray, released: np.ndarray | None = None) -> np.ndarray:
        block = self.keyed[rows][:, self.q.section_slices()[s]]
        return block if released is None else block[:, released]

    def pooled(self, s: int, rows: np.ndarray, released: np.ndarray | None = None) -> tuple[int, int]:
        block = self.block(s, rows, released)
        return int(np.isin(block, self.q.scale.favourable).sum()), int((~np.isnan(block)).sum())

    def pooled_mean(self, s: int, rows: np.ndarray, released: np.ndarray | None = None) -> float | None:
        """The mean of every answer to the section's (released) items: the section and group ``mean``."""
        values = self.block(s, rows, released)
        values = values[~np.isnan(values)]
        return float(values.mean()) if len(values) else None

    def alpha(self, s: int, k: int = 5) -> float | None:
        block = self.keyed[:, self.q.section_slices()[s]]
        complete = block[~np.isnan(block).any(axis=1)]
        if block.shape[1] < 2 or len(complete) < k or complete.sum(axis=1).var() == 0:
            return None
        m = block.shape[1]
        return m / (m - 1) * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def group_conditions(q: Questionnaire, key: str):
    dims = [next(d for d, dim in enumerate(q.dimensions) if dim.code == code) for code in key.split(":")]
    for combination in itertools.product(*(range(1, len(q.dimensions[d].options) + 1) for d in dims)):
        yield dict(zip(dims, combination, strict=True))


def reference_test(raw_groups: list[np.ndarray]):
    present = [g for g in raw_groups if len(g)]
    if len(present) < 2:
        return None
    if len(present) == 2:
        result = scipy_stats.mannwhitneyu(present[0], present[1], method="asymptotic")
        n1, n2 = len(present[0]), len(present[1])
        if np.ptp(np.concatenate(present)) == 0:
            return (None, None, None)
        return result.statistic, result.pvalue, 1 - 2 * result.statistic / (n1 * n2)
    if np.ptp(np.concatenate(present)) == 0:
        return (None, None, None)
    result = scipy_stats.kruskal(*present)
    n = sum(len(g) for g in present)
    return (
        (result.statistic, result.pvalue, result.statistic / (n - 1))
        if not np.isnan(result.pvalue)
        else (None, None, None)
    )


def check_everything(q, answers, profiles, result) -> None:
    raw = Raw(q, answers, profiles)
    everyone = np.ones(len(answers), bool)
    family: list[tuple[float | None, dict | None]] = []
    assert result["campaign"]["responses"] == len(answers)
    for s, section in enumerate(result["sections"]):
        check_items(q, raw, s, section)
        released = np.array([not item["suppressed"] for item in section["items"]], bool)
        scores = raw.scores(s, everyone)
        liked, answered = raw.pooled(s, everyone, released)
        assert section["n"] == len(scores) and close(section["mean"], raw.pooled_mean(s, everyone, released))
        assert (section["favourable_count"], section["answers"]) == (liked, answered)
        assert close(section["favourable"], liked / answered if answered else None)
        assert close(section["alpha"], raw.alpha(s))
        for key, breakdown in section["breakdowns"].items():
            family += check_breakdown(q, raw, s, key, breakdown, (liked, answered), released)
    present = [(p, test) for p, test in family if p is not None and not math.isnan(p)]
    adjusted = multipletests([p for p, _ in present], method="fdr_bh")[1] if present else []
    for (_, test), expected in zip(present, adjusted, strict=True):
        if test is not None:
            assert close(test["p_adjusted"], expected)


def check_items(q, raw, s, section) -> None:
    for j, item in zip(range(*section_span(q, s)), section["items"], strict=True):
        values = raw.keyed[:, j][~np.isnan(raw.keyed[:, j])]
        assert item["n"] == len(values) and item["dont_know"] == int(raw.dont_know[:, j].sum())
        assert item["counts"] == [int((values == v).sum()) for v in range(1, q.scale.points + 1)]
        assert close(item["mean"], values.mean() if len(values) else None)
        assert close(item["sd"], values.std(ddof=1) if len(values) > 1 else None)
        liked = int(np.isin(values, q.scale.favourable).sum())
        assert close(item["favourable"], liked / len(values) if len(values) else None)
        if len(values):
            low, high = proportion_confint(liked, len(values), method="wilson")
            assert math.isclose(item["favourable_ci"][0], low, abs_tol=1e-12)
            assert math.isclose(item["favourable_ci"][1], high, abs_tol=1e-12)


def section_span(q, s):
    part = q.section_slices()[s]
    return part.start, part.stop


def check_breakdown(q, raw, s, key, breakdown, total, released) -> list:
    """Checks the groups and the tests; returns what the breakdown adds to the family of adjusted tests: (p,
    test entry) for its rank test, (p, None) for each group's test against the rest."""
    raw_groups, pooled, family = [], [], []
    for conditions, group in zip(group_conditions(q, key), breakdown["groups"], strict=True):
        if group["suppressed"]:
            assert set(group) == {"code", "suppressed"}
            continue
        rows = raw.rows(conditions)
        scores = raw.scores(s, rows)
        liked, answered = raw.pooled(s, rows, released)
        assert group["n"] == len(scores) and close(group["mean"], raw.pooled_mean(s, rows, released))
        assert close(group["favourable"], liked / answered if answered else None)
        if len(scores):
            raw_groups.append(scores)
            pooled.append((liked, answered))
        if ":" not in key and answered and total[1] - answered:
            counts, sizes = [liked, total[0] - liked], [answered, total[1] - answered]
            family.append(
                (proportions_ztest(counts, sizes)[1] if 0 < sum(counts) < sum(sizes) else None, None)
            )
    expected = reference_test(raw_groups)
    if expected is None:
        assert breakdown["test"] is None
    else:
        test = breakdown["test"]
        assert close(test["statistic"], expected[0]) and close(test["p"], expected[1])
        assert close(test["effect_size"], expected[2])
        family.append((expected[1], test))
    check_chi2(breakdown["chi2"], [entry for entry in pooled if entry[1]])
    return family


def check_chi2(chi2, pooled) -> None:
    table = np.array([[liked for liked, _ in pooled], [n - liked for liked, n in pooled]])
    if len(pooled) < 2 or (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        assert chi2 is None
        return
    expected = scipy_stats.chi2_contingency(table, correction=False)
    assert close(chi2["statistic"], expected.statistic) and close(chi2["p"], expected.pvalue)


@pytest.mark.parametrize("seed", range(4))
def test_every_figure_equals_the_raw_computation(seed):
    q = questionnaire()
    answers, profiles = respondents(q, 900, seed)
    check_everything(q, answers, profiles, results_of(q, answers, profiles))


@pytest.mark.parametrize(
    ("sizes", "points", "options"),
    [((2, 2), 2, (2,)), ((3, 1), 7, (3, 2)), ((1,), 5, (1, 3)), ((4,), 4, ())],
)
def test_scales_and_shapes(sizes, points, options):
    q = questionnaire(sizes, points, options)
    answers, profiles = respondents(q, 700, seed=points)
    check_everything(q, answers, profiles, results_of(q, answers, profiles))


def test_adversarial_answers():
    q = questionnaire((3, 2, 1), 5, (2, 3))
    answers, profiles = respondents(q, 400, seed=11)
    answers[:, :3] = 4
    answers[:, 3:5] = DONT_KNOW
    answers[:50] = 0
    profiles[:, 1] = np.where(profiles[:, 1] == 3, 1, profiles[:, 1])
    result = results_of(q, answers, profiles)
    check_everything(q, answers, profiles, result)
    first, second = result["sections"][0], result["sections"][1]
    tied = first["breakdowns"]["dim0"]["test"]
    assert (tied["statistic"], tied["p"], tied["p_adjusted"]) == (None, None, None)
    assert first["items"][0]["sd"] == 0.0
    assert first["alpha"] is None and math.isclose(first["favourable"], 2 / 3)
    assert second["n"] == 0 and second["rating"]["suggested"] is None and second["items"][0]["n"] == 0
    empty = first["breakdowns"]["dim1"]["groups"][2]
    assert (empty["n"], empty["mean"], empty["suppressed"]) == (0, None, False)


def test_structure_codes_and_ratings():
    q = questionnaire()
    answers, profiles = respondents(q, 600, seed=2)
    finals = {"P01": "+/-", "2": "--"}
    result = results_of(q, answers, profiles, {**CAMPAIGN, "final_ratings": finals}, language="fr")
    assert result["campaign"] == {
        "slug": "survey-2026",
        "title": "Enquête",
        "responses": 600,
        "responses_suppressed": False,
        "min_group_size": 5,
        "charter": None,
        "hidden_groups": {"dim0": [], "dim1": []},
    }
    first = result["sections"][0]
    assert first["title"] == "Principe 1" and first["rating"]["final"] == "+/-"
    assert (
        result["sections"][1]["rating"]["final"] == "--" and result["sections"][2]["rating"]["final"] is None
    )
    assert set(first["rating"]) == {"suggested", "final", "reason", "uncertain", "facts"}
    assert "répondants" in first["rating"]["reason"]
    assert list(first["breakdowns"]) == ["dim0", "dim1", "dim0:dim1"]
    codes = [g["code"] for g in first["breakdowns"]["dim0:dim1"]["groups"]]
    assert codes == [f"d0o{a}:d1o{b}" for a in range(3) for b in range(2)]
    assert set(first["breakdowns"]["dim0"]["test"]) == {"name", "statistic", "p", "p_adjusted", "effect_size"}


def test_reasons_follow_the_campaign_spelling_and_suggestions_keep_the_code():
    q = questionnaire((3, 3, 3), 5, (2,))
    answers, profiles = respondents(q, 300, seed=8, missing=0, dont_know=0)
    for index, item in enumerate(q.items):
        favourable = not 3 <= index < 6
        answers[:, index] = 5 if favourable != item.reverse else 1
    compact = results_of(q, answers, profiles)
    spelled = results_of(q, answers, profiles, {**CAMPAIGN, "rating_spelling": "plus-slash"})
    for result in (compact, spelled):
        assert [s["rating"]["suggested"] for s in result["sections"]] == ["++", "--", "++"]
    for result, endings in ((compact, (": ++.", ": --.")), (spelled, (": +/+.", ": -/-."))):
        reasons = [s["rating"]["reason"] for s in result["sections"]]
        assert [reason.endswith(endings[0]) for reason in reasons] == [True, False, True]
        assert reasons[1].endswith(endings[1])


def test_small_groups_are_suppressed_with_their_complement():
    q = questionnaire((3,), 5, (3,))
    answers, profiles = respondents(q, 60, seed=3)
    profiles[:, 0] = np.repeat([1, 2, 3, 0], [41, 3, 15, 1])
    result = results_of(q, answers, profiles)
    groups = result["sections"][0]["breakdowns"]["dim0"]["groups"]
    assert groups[1] == {"code": "d0o1", "suppressed": True} and groups[2] == {
        "code": "d0o2",
        "suppressed": True,
    }
    assert not groups[0]["suppressed"] and result["sections"][0]["breakdowns"]["dim0"]["test"] is None


def test_fewer_respondents_than_the_minimum_suppresses_every_section():
    q = questionnaire((2, 1), 5, (2,))
    answers, profiles = respondents(q, 4, seed=4, missing=0, dont_know=0)
    result = results_of(q, answers, profiles)
    assert result["campaign"]["responses"] is None and result["campaign"]["responses_suppressed"] is True
    for section in result["sections"]:
        assert section["suppressed"] and section["n"] is None and section["mean"] is None
        assert section["rating"]["suggested"] is None and "Fewer than 5" in section["rating"]["reason"]
        assert all(item == {"code": item["code"], "suppressed": True} for item in section["items"])
        assert all(g["suppressed"] for g in section["breakdowns"]["dim0"]["groups"])


def test_rarely_answered_item_is_suppressed_and_left_out_of_the_pooled_share():
    q = questionnaire((3,), 5, (2,))
    answers, profiles = respondents(q, 200, seed=5)
    answers[3:, 2] = 0
    answers[:3, 2] = 5
    section = results_of(q, answers, profiles)["sections"][0]
    assert section["items"][2] == {"code": "P1.2", "suppressed": True}
    kept = Raw(q, answers, profiles).keyed[:, :2]
    assert section["favourable_count"] == int(np.isin(kept, (4, 5)).sum())
    assert section["answers"] == int((~np.isnan(kept)).sum())


def test_change_since_a_previous_campaign_of_the_same_charter():
    q = questionnaire((3, 2), 5, (2,), charter="2023")
    before = results_of(q, *respondents(q, 500, seed=6))
    answers, profiles = respondents(q, 450, seed=7)
    now = results_of(q, answers, profiles, previous=before)
    for section, old in zip(now["sections"], before["sections"], strict=True):
        change = section["change"]
        assert close(change["previous_favourable"], old["favourable"])
        assert close(change["difference"], section["favourable"] - old["favourable"])
        expected = proportions_ztest(
            [section["favourable_count"], old["favourable_count"]], [section["answers"], old["answers"]]
        )[1]
        assert close(change["p"], expected)


def test_change_across_charters_pools_the_crosswalked_principles():
    old_q = questionnaire((2, 1, 2), 5, (2,), charter="2005")
    before = results_of(old_q, *respondents(old_q, 300, seed=8))
    q = questionnaire((3, 2), 5, (2,), charter="2023")
    now = results_of(q, *respondents(q, 300, seed=9), previous=before, crosswalk={1: (1, 3), 2: ()})
    pooled = [before["sections"][0], before["sections"][2]]
    liked, answered = sum(p["favourable_count"] for p in pooled), sum(p["answers"] for p in pooled)
    assert close(now["sections"][0]["change"]["previous_favourable"], liked / answered)
    assert now["sections"][1]["change"] is None


def test_results_do_not_depend_on_how_respondents_were_chunked():
    q = questionnaire()
    answers, profiles = respondents(q, 500, seed=10)
    whole = build_results(CAMPAIGN, q, build_counts(q, answers, profiles))
    parts = build_counts(q, answers[:123], profiles[:123]) + build_counts(q, answers[123:], profiles[123:])
    assert json.dumps(build_results(CAMPAIGN, q, parts)) == json.dumps(whole)
