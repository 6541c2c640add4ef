from __future__ import annotations

import pytest

from consult.analysis.tasks import start_analysis
from consult.hrs4r import cycle, services
from consult.hrs4r.indicators import Binding


@pytest.fixture
def submission(make_campaign, add_responses):
    """Two analysed campaigns: the first with a plan (a bound indicator), OTM-R answers and figures; the
    second reviews it."""
    before = make_campaign(status="open", title="Survey 2024")
    add_responses(before, 120, seed=3)
    start_analysis(before)
    after = make_campaign(status="open", title="Survey 2026")
    after.previous_campaign_id = before.id
    add_responses(after, 130, seed=4)
    start_analysis(after)
    action = services.propose(
        before,
        services.ActionFields(
            "Ethics training",
            "Half a day for every new researcher.",
            (1,),
            "2024-Q3",
            "2025-S2",
            "Research office",
            "Trainings held",
            "in-progress",
            "Two sessions so far.",
            "P01",
        ),
        None,
    )
    services.bind_indicator(
        action, Binding("section", "P01", "favourable", dimension="school", group="north"), ">=", 0.45, None
    )
    services.bind_indicator(action, Binding("section", "P01", "favourable"), ">=", 0.3, None)
    services.propose(after, services.ActionFields("Stable contracts", principles=(14,)), None)
    cycle.save_otmr(before.id, {1: {"rating": "+/-", "comment": "Policy online in French only."}}, None)
    cycle.save_otmr(
        after.id,
        {1: {"rating": "++", "comment": "Now in English too.", "evidence": "https://example.org/otmr"}},
        None,
    )
    cycle.save_figures(
        after.id,
        {"researchers_fte": "1 250,5", "budget_total": "98000000"},
        "A school of engineering.",
        True,
        None,
    )
    cycle.save_narrative(after.id, 1, "Ethics is <b>well known</b>.", "Few trainings.", None)
    return before, after
