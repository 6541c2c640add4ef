"""Raw recomputation of survey figures from the stored answers, to check the bound indicators against."""

from __future__ import annotations

import numpy as np

from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.convert import campaign_spec


def keyed_answers(q: spec.Questionnaire, answers: np.ndarray) -> np.ndarray:
    """Answers after reverse-keying, NaN for no answer and don't know."""
    values = answers.astype(float)
    valid = (answers != spec.NO_ANSWER) & (answers != spec.DONT_KNOW)
    reverse = np.array([item.reverse for item in q.items])
    return np.where(valid, np.where(reverse, q.scale.points + 1 - values, values), np.nan)


def item_columns(q: spec.Questionnaire, codes: set[str]) -> list[int]:
    return [i for i, item in enumerate(q.items) if item.code in codes]


def section_items(q: spec.Questionnaire, section_codes: set[str]) -> set[str]:
    return {item.code for section in q.sections if section.code in section_codes for item in section.items}


def raw_figures(campaign, data, item_codes: set[str], rows: np.ndarray | None = None) -> tuple[float, float]:
    """(favourable share, mean) pooling every answer to the items, over ``rows`` (all respondents if None)."""
    q = campaign_spec(campaign)
    keyed = keyed_answers(q, np.asarray(data.answers))
    if rows is not None:
        keyed = keyed[rows]
    values = keyed[:, item_columns(q, item_codes)].ravel()
    values = values[~np.isnan(values)]
    return float(np.isin(values, q.scale.favourable).mean()), float(values.mean())


def group_rows(campaign, data, dimension: str, option: str) -> np.ndarray:
    q = campaign_spec(campaign)
    d = next(i for i, dim in enumerate(q.dimensions) if dim.code == dimension)
    o = next(i for i, opt in enumerate(q.dimensions[d].options, start=1) if opt.code == option)
    return np.asarray(data.profiles)[:, d] == o
