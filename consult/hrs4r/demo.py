"""The demo's previous cycle: an earlier campaign, answered and analysed, with an action plan whose bound
indicators the demo campaign evaluates, its OTM-R answers and organisational figures."""

from __future__ import annotations

from consult.extensions import db
from consult.gap.services import AssessmentChange, save_assessment
from consult.hrs4r import cycle, services
from consult.hrs4r.indicators import Binding
from consult.surveys.campaigns import services as campaigns
from consult.surveys.questionnaires.charter_templates import load_template
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic

DEMO_ACTIONS = (
    (
        "An integrity adviser in every school",
        (1,),
        "2024-Q3",
        "2025-S2",
        "Research integrity office",
        "done",
        "section:P01:favourable",
        0.55,
    ),
    (
        "Gender-balanced selection committees",
        (4,),
        "2024-S2",
        "2026-S1",
        "HR department",
        "in-progress",
        "section:P04:gap:gender:woman",
        -0.05,
    ),
    (
        "Career development interviews for R1 and R2 researchers",
        (12,),
        "2025-Q1",
        "2026-Q4",
        "Doctoral school",
        "delayed",
        "section:P12:mean",
        3.6,
    ),
)


def previous_cycle(current, respondents: int, analyse) -> None:
    """Create and analyse the campaign before ``current``, give it a plan, and link ``current`` to it;
    ``analyse`` runs an analysis to its end (the demo's own runner)."""
    previous = campaigns.create_campaign(
        load_template("charter-2023"), title="HRS4R researchers' survey 2024 (demo)"
    )
    campaigns.open_campaign(previous)
    data = synthetic.generate(campaign_spec(previous), respondents, seed=2024)
    storage.insert_responses(previous.id, data.answers, data.profiles)
    campaigns.close_campaign(previous)
    db.session.commit()
    analyse(previous)
    save_assessment(
        previous.id,
        "P01",
        AssessmentChange(
            None, "", "<p>Few researchers know whom to ask about research integrity.</p>", "", None
        ),
        None,
    )
    for row in DEMO_ACTIONS:
        _action(previous, *row)
    cycle.save_otmr(
        previous.id, {1: {"rating": "-/+", "comment": "The policy is online in French only."}}, None
    )
    cycle.save_otmr(
        current.id, {1: {"rating": "+/-", "comment": "The policy is online in French and English."}}, None
    )
    cycle.save_figures(
        current.id,
        {"researchers_fte": "850", "researchers_women": "310", "students": "6200"},
        "",
        False,
        None,
    )
    current.previous_campaign_id = previous.id
    db.session.commit()


def _action(campaign, title, principles, start, end, unit, status, figure, target) -> None:
    action = services.propose(
        campaign,
        services.ActionFields(
            title,
            principles=principles,
            start_period=start,
            end_period=end,
            responsible_unit=unit,
            status=status,
        ),
        None,
        validated=True,
    )
    scope, code, metric, *group = figure.split(":")
    binding = Binding(
        scope, code, metric, dimension=group[0] if group else None, group=group[1] if group else None
    )
    services.bind_indicator(action, binding, ">=", target, None)
