"""What the headcounts page shows, from the latest results' ``weighting`` entry (already suppressed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from consult.analysis.representation import p_text
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.convert import campaign_spec


@dataclass
class RateRow:
    label: str
    rate: float | None
    flagged: bool


@dataclass
class RateTable:
    title: str
    rows: list[RateRow] = field(default_factory=list)
    fit: str | None = None


@dataclass
class Representation:
    method: str | None = None
    applied: bool = False
    converged: bool | None = None
    overall_rate: float | None = None
    tables: list[RateTable] = field(default_factory=list)


def representation(campaign: Campaign, results: dict | None, language: str) -> Representation | None:
    entry = ((results or {}).get("campaign") or {}).get("weighting")
    if not entry:
        return None
    q = campaign_spec(campaign)
    labels = {
        d.code: (translated(d.label, language), {o.code: translated(o.label, language) for o in d.options})
        for d in q.dimensions
    }
    view = Representation(entry["method"], entry["applied"], entry["converged"], entry["overall_rate"])
    for code, figures in entry["dimensions"].items():
        title, options = labels[code]
        table = RateTable(title, fit=_fit_sentence(title, figures.get("fit"), list(options.values())))
        for option, rate in figures["rates"].items():
            table.rows.append(RateRow(options[option], rate, option in figures["flagged"]))
        view.tables.append(table)
    for key, cells in entry.get("two_way", {}).items():
        first, second = (labels[code] for code in key.split(":"))
        table = RateTable(f"{first[0]} / {second[0]}")
        for code, figure in cells.items():
            a, b = code.split(":")
            name = f"{first[1][a]} · {second[1][b]}"
            table.rows.append(RateRow(name, figure and figure["rate"], bool(figure and figure["flagged"])))
        view.tables.append(table)
    return view


def _fit_sentence(dimension: str, fit: dict | None, names: list[str]) -> str | None:
    if fit is None:
        return None
    if fit["over"] is None:
        return _(
            "%(dimension)s: respondents do not differ clearly from the staff, %(p)s.",
            dimension=dimension,
            p=p_text(fit["p"]),
        )
    return _(
        "%(dimension)s: respondents differ from the staff, %(p)s: %(over)s over-represented, %(under)s "
        "under-represented.",
        dimension=dimension,
        p=p_text(fit["p"]),
        over=names[fit["over"] - 1],
        under=names[fit["under"] - 1],
    )
