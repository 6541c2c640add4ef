"""Writing responses in bulk (imports, the demo, benchmarks): packed rows, random ids, batched."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from consult.extensions import db
from consult.surveys.responses.models import Comment, Response, random_id
from consult.timeutil import today

if TYPE_CHECKING:
    import numpy as np

BATCH_ROWS = 5000


def insert_responses(
    campaign_id: int, answers: np.ndarray, profiles: np.ndarray, on: date | None = None
) -> int:
    """Insert one row per respondent; ids are random, so the insertion order is not kept anywhere."""
    day = on or today()
    import numpy as np

    answers, profiles = np.ascontiguousarray(answers, np.uint8), np.ascontiguousarray(profiles, np.uint8)
    for start in range(0, len(answers), BATCH_ROWS):
        rows = [
            {
                "id": random_id(),
                "campaign_id": campaign_id,
                "submitted_on": day,
                "answers": a.tobytes(),
                "profile": p.tobytes(),
            }
            for a, p in zip(
                answers[start : start + BATCH_ROWS], profiles[start : start + BATCH_ROWS], strict=True
            )
        ]
        db.session.execute(insert(Response), rows)
    return len(answers)


def insert_comments(campaign_id: int, comments: Iterable[tuple[str, str]]) -> int:
    """Comments are shuffled before insertion so that nothing pairs them with their responses."""
    rows = [
        {"id": random_id(), "campaign_id": campaign_id, "section_code": code, "text": text}
        for code, text in comments
    ]
    random.SystemRandom().shuffle(rows)
    if rows:
        db.session.execute(insert(Comment), rows)
    return len(rows)


def response_count(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign_id)
    )
