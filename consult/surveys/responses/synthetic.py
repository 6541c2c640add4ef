"""Synthetic but realistic answers for the demo and the benchmarks (pure: numpy only).

Each respondent has a latent opinion per section: the section's base level, shifted by school, by career
stage (early-career researchers less satisfied with stability and progression), by gender (women less
satisfied on gender equality and pay), plus personal noise. Some answer "don't know", some skip items, some
stop part-way; a few do not state their school, stage or gender.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from consult.surveys.questionnaires import spec

EARLY_CAREER_SECTIONS = {12, 14, 17, 18}
GENDER_SECTIONS = {4, 5, 13}
COMMENT_BANK = (
    "Information about this is hard to find on the intranet.",
    "Things have improved since the last survey, but not in every school.",
    "Contracts for postdocs remain too short to plan a career.",
    "More training would help, especially for new supervisors.",
    "The procedures are clear, but not always followed in practice.",
    "I would like more transparency on how decisions are made. Contact me at jane.doe@example.org.",
    "Nobody told me about this when I arrived. Call me on +33 6 12 34 56 78 if useful.",
    "Workload makes it difficult to take part in these initiatives.",
)


@dataclass(frozen=True)
class SyntheticResponses:
    answers: np.ndarray
    profiles: np.ndarray
    comments: list[tuple[str, str]]


def option_weights(dimension: spec.Dimension) -> np.ndarray:
    count = len(dimension.options)
    presets = {"career_stage": [0.38, 0.27, 0.25, 0.10], "gender": [0.36, 0.54, 0.02, 0.08]}
    weights = np.array(presets.get(dimension.code, []), dtype=float)
    if len(weights) != count:
        weights = np.linspace(1.0, 0.06, count) ** 1.4
    return weights / weights.sum()


def draw_profiles(q: spec.Questionnaire, n: int, rng: np.random.Generator) -> np.ndarray:
    profiles = np.zeros((n, len(q.dimensions)), dtype=np.uint8)
    for d, dimension in enumerate(q.dimensions):
        profiles[:, d] = rng.choice(len(dimension.options), size=n, p=option_weights(dimension)) + 1
        profiles[rng.random(n) < 0.03, d] = spec.NOT_STATED
    return profiles


def latent_opinions(q: spec.Questionnaire, profiles: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n, dims = len(profiles), [d.code for d in q.dimensions]
    base = 3.85 + 0.45 * np.sin(np.arange(len(q.sections)) * 1.7)
    latent = (
        np.tile(base, (n, 1)) + rng.normal(0, 0.7, size=(n, 1)) + rng.normal(0, 0.45, (n, len(q.sections)))
    )
    if "school" in dims:
        school = profiles[:, dims.index("school")].astype(int)
        latent += (
            np.array([0.0, *np.linspace(0.35, -0.45, len(q.dimensions[dims.index("school")].options))])[
                school
            ]
        )[:, None]
    principles = np.array([s.principle or 0 for s in q.sections])
    if "career_stage" in dims:
        early = np.isin(profiles[:, dims.index("career_stage")], (1, 2))
        latent[np.ix_(early, np.isin(principles, list(EARLY_CAREER_SECTIONS)))] -= 0.9
    if "gender" in dims:
        women = profiles[:, dims.index("gender")] == 1
        latent[np.ix_(women, np.isin(principles, list(GENDER_SECTIONS)))] -= 0.8
    return latent


def draw_answers(q: spec.Questionnaire, latent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n, k = len(latent), q.scale.points
    columns = [latent[:, s] for s, section in enumerate(q.sections) for _ in section.items]
    raw = np.rint(np.column_stack(columns) * (k - 1) / 4 + rng.normal(0, 0.6, (n, len(columns))))
    values = np.clip(raw, 1, k).astype(np.uint8)
    reverse = np.array([item.reverse for item in q.items])
    values[:, reverse] = k + 1 - values[:, reverse]
    if q.scale.dont_know:
        values[rng.random(values.shape) < 0.05] = spec.DONT_KNOW
    values[rng.random(values.shape) < 0.03] = spec.NO_ANSWER
    stopped = rng.random(n) < 0.08
    stop_at = rng.integers(1, max(2, len(columns)), size=n)
    values[stopped[:, None] & (np.arange(len(columns))[None, :] >= stop_at[:, None])] = spec.NO_ANSWER
    return values


def draw_comments(q: spec.Questionnaire, n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    comments = []
    for section in q.sections:
        if section.comment:
            count = rng.binomial(n, 0.04)
            comments += [(section.code, COMMENT_BANK[i]) for i in rng.integers(0, len(COMMENT_BANK), count)]
    return comments


def generate(q: spec.Questionnaire, n: int, seed: int = 2026) -> SyntheticResponses:
    rng = np.random.default_rng(seed)
    profiles = draw_profiles(q, n, rng)
    answers = draw_answers(q, latent_opinions(q, profiles, rng), rng)
    return SyntheticResponses(answers=answers, profiles=profiles, comments=draw_comments(q, n, rng))
