"""The submission's documents as blocks (headings, paragraphs, tables) in the order and with the fields of
the e-tool's forms, in one language; every export format is drawn from these blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _

from consult.charter.reference import pillar
from consult.gap.sanitize import html_to_paragraphs
from consult.gap.tsv import format_rating
from consult.hrs4r import cycle, review
from consult.hrs4r.labels import FIGURE_LABELS, METRIC_LABELS, OUTCOME_LABELS, STATUS_LABELS
from consult.hrs4r.models import Action, Indicator
from consult.hrs4r.reference import ORGANISATION_FIGURES, otmr_groups
from consult.hrs4r.services import plan
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign

DASH = "\u2013"
DOCUMENTS = ("action-plan", "otm-r", "internal-review")


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Document:
    key: str
    title: str
    blocks: list = field(default_factory=list)
    """Each block is ("heading", text), ("paragraph", text) or ("table", Table)."""

    def heading(self, text: str) -> None:
        self.blocks.append(("heading", text))

    def paragraphs(self, texts: list[str]) -> None:
        self.blocks.extend(("paragraph", text) for text in texts)

    def table(self, table: Table) -> None:
        self.blocks.append(("table", table))


def build(campaign: Campaign, document: str, language: str) -> list[Document]:
    """``document``: one of DOCUMENTS, or ``package`` for all of them (the review only after a previous
    campaign)."""
    with force_locale(language):
        if document == "package":
            keys = [key for key in DOCUMENTS if key != "internal-review" or campaign.previous_campaign]
            return [BUILDERS[key](campaign, language) for key in keys]
        return [BUILDERS[document](campaign, language)]


def percent(value: float | None, language: str, signed: bool = False) -> str:
    if value is None:
        return "\u2013"
    text = f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}"
    return f"{text.replace('.', ',')}\u202f%" if language == "fr" else f"{text}%"


def decimal(value: float, digits: str, language: str) -> str:
    text = format(value, digits)
    return text.replace(".", ",") if language == "fr" else text


def figure_text(value: float | None, metric: str, language: str) -> str:
    """A share as a percentage, a gap (or a change of share) in percentage points, a mean as it is."""
    if value is None:
        return DASH
    if metric == "mean":
        return decimal(value, ".2f", language)
    if metric == "gap":
        return _("%(value)s points", value=decimal(value * 100, "+.1f", language))
    return percent(value, language)


def campaign_title(campaign: Campaign, language: str) -> str:
    return translated(campaign.title, language)


def organisation_blocks(doc: Document, campaign: Campaign, language: str) -> None:
    doc.heading(_("Organisational information"))
    figures = cycle.organisation_figures(campaign.id)
    values = figures.values if figures else {}
    rows = [
        [str(FIGURE_LABELS[name]), number_text(values.get(name), language)]
        for name, _kind in ORGANISATION_FIGURES
    ]
    doc.table(Table(_("Organisational figures"), [_("Figure"), _("Value")], rows))
    doc.heading(_("Organisational profile"))
    doc.paragraphs([figures.profile] if figures and figures.profile else [_("Not written yet.")])


def number_text(value: float | None, language: str) -> str:
    if value is None:
        return "\u2013"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "fr" else text


def narrative_blocks(doc: Document, campaign: Campaign, language: str) -> None:
    doc.heading(_("Strengths and weaknesses"))
    saved = cycle.narratives(campaign.id)
    charter = campaign.questionnaire.charter_version or "2023"
    for number in sorted({s.pillar for s in campaign.questionnaire.sections if s.pillar}):
        doc.heading(translated(pillar(charter, number).name, language))
        row = saved.get(number)
        for label, html in (
            (_("Strengths"), row and row.strengths_html),
            (_("Weaknesses"), row and row.weaknesses_html),
        ):
            texts = html_to_paragraphs(html or "") or [_("Not written yet.")]
            doc.paragraphs([_("%(label)s: %(text)s", label=label, text=texts[0]), *texts[1:]])


def describe(indicator: Indicator, campaign: Campaign, language: str) -> str:
    """The indicator as a sentence: "P04 · favourable share · Gender: Women · target ≥ 45.0%"."""
    parts = [indicator.code, str(METRIC_LABELS[indicator.metric])]
    for dimension in campaign.questionnaire.dimensions:
        if dimension.code == indicator.dimension:
            option = next((o for o in dimension.options if o.code == indicator.group), None)
            group = translated(option.label, language) if option else indicator.group
            parts.append(
                _("%(dimension)s: %(group)s", dimension=translated(dimension.label, language), group=group)
            )
    target = figure_text(indicator.target, indicator.metric, language)
    parts.append(
        _(
            "target %(comparator)s %(target)s",
            comparator=indicator.comparator.replace(">=", "≥").replace("<=", "≤"),
            target=target,
        )
    )
    return " · ".join(parts)


def indicators_cell(action: Action, campaign: Campaign, language: str) -> str:
    lines = [action.indicators_text] if action.indicators_text else []
    lines += [
        describe(i, campaign, language)
        + " · "
        + _("baseline %(value)s", value=figure_text(i.baseline, i.metric, language))
        for i in action.indicators
    ]
    return "\n".join(lines)


def principles_cell(action: Action) -> str:
    return ", ".join(str(number) for number in action.principles)


def timing(action: Action) -> str:
    return " \u2013 ".join(period for period in (action.start_period, action.end_period) if period)


def action_rows(campaign: Campaign, language: str) -> list[list[str]]:
    return [
        [
            str(action.position),
            action.title,
            action.description,
            principles_cell(action),
            timing(action),
            action.responsible_unit,
            indicators_cell(action, campaign, language),
            str(STATUS_LABELS[action.status]),
            action.remarks,
        ]
        for action in plan(campaign.id)
    ]


def action_columns() -> list[str]:
    return [
        _("No."),
        _("Proposed action"),
        _("Description"),
        _("Principle(s)"),
        _("Timing"),
        _("Responsible unit"),
        _("Indicator(s) / target(s)"),
        _("Current status"),
        _("Remarks"),
    ]


def action_plan(campaign: Campaign, language: str) -> Document:
    doc = Document("action-plan", _("Action plan"))
    doc.paragraphs([campaign_title(campaign, language)])
    organisation_blocks(doc, campaign, language)
    narrative_blocks(doc, campaign, language)
    doc.heading(_("Actions"))
    doc.table(Table(_("Actions"), action_columns(), action_rows(campaign, language)))
    return doc


def spelled(rating: str | None, spelling: str) -> str:
    """A rating as the campaign writes them (``++`` or ``+/+``), a dash for none."""
    if not rating or rating == DASH:
        return DASH
    return format_rating(rating, "compact" if spelling == "compact" else "plus-slash")


def otmr_rating(answer, spelling: str) -> str:
    return spelled(answer.rating if answer else None, spelling)


def otmr(campaign: Campaign, language: str) -> Document:
    doc = Document("otm-r", _("OTM-R checklist"))
    doc.paragraphs([campaign_title(campaign, language)])
    answers = cycle.otmr_answers(campaign.id)
    earlier = cycle.otmr_answers(campaign.previous_campaign_id)
    columns = [
        _("No."),
        _("Question"),
        _("Open"),
        _("Transparent"),
        _("Merit-based"),
        _("Answer"),
        _("Comment"),
        _("Evidence"),
        _("Suggested indicators (or form of measurement)"),
        _("Previous cycle's answer"),
    ]
    yes = _("yes")
    for group in otmr_groups():
        rows = []
        for q in group.questions:
            a = answers.get(q.number)
            rows.append(
                [
                    str(q.number),
                    q.text[language if language in q.text else "en"],
                    yes if q.open else "",
                    yes if q.transparent else "",
                    yes if q.merit else "",
                    otmr_rating(a, campaign.rating_spelling),
                    a.comment if a else "",
                    a.evidence if a else "",
                    a.indicators if a else "",
                    otmr_rating(earlier.get(q.number), campaign.rating_spelling),
                ]
            )
        name = translated(group.name, language)
        doc.heading(name)
        doc.table(Table(name, columns, rows))
    return doc


def internal_review(campaign: Campaign, language: str) -> Document:
    doc = Document("internal-review", _("Internal review"))
    previous = campaign.previous_campaign
    doc.paragraphs(
        [
            _(
                "%(now)s compared with %(before)s",
                now=campaign_title(campaign, language),
                before=campaign_title(previous, language) if previous else "\u2013",
            )
        ]
    )
    organisation_blocks(doc, campaign, language)
    narrative_blocks(doc, campaign, language)
    if previous is not None:
        evaluated = review.evaluated_plan(previous, campaign)
        doc.heading(_("Progress of the actions"))
        doc.table(
            Table(
                _("Progress of the actions"),
                [
                    _("No."),
                    _("Proposed action"),
                    _("Principle(s)"),
                    _("Timing"),
                    _("Responsible unit"),
                    _("Current status"),
                    _("Remarks"),
                ],
                [
                    [
                        str(a.position),
                        a.title,
                        principles_cell(a),
                        timing(a),
                        a.responsible_unit,
                        str(STATUS_LABELS[a.status]),
                        a.remarks,
                    ]
                    for a, _r in evaluated
                ],
            )
        )
        doc.heading(_("Indicators evaluated"))
        doc.table(
            Table(
                _("Indicators evaluated"), indicator_columns(), indicator_rows(evaluated, previous, language)
            )
        )
    doc.heading(_("Change of each principle"))
    doc.table(Table(_("Change of each principle"), change_columns(), change_rows(campaign, language)))
    doc.heading(_("New actions"))
    doc.table(Table(_("New actions"), action_columns(), action_rows(campaign, language)))
    return doc


def indicator_columns() -> list[str]:
    return [
        _("No."),
        _("Indicator"),
        _("Baseline"),
        _("Figure now"),
        _("%(level)s%% interval", level=95),
        _("Outcome"),
    ]


def indicator_rows(evaluated, plan_campaign: Campaign, language: str) -> list[list[str]]:
    rows = []
    for action, results in evaluated:
        for result in results:
            i, evaluation = result.indicator, result.evaluation
            figure = evaluation.figure if evaluation else None
            interval = interval_text(figure, i.metric, language)
            outcome = str(OUTCOME_LABELS[evaluation.outcome]) if evaluation else _("Not analysed yet")
            rows.append(
                [
                    str(action.position),
                    describe(i, plan_campaign, language),
                    figure_text(result.baseline, i.metric, language),
                    figure_text(figure.value if figure else None, i.metric, language),
                    interval,
                    outcome,
                ]
            )
    return rows


def interval_text(figure, metric: str, language: str) -> str:
    if figure is None or figure.low is None:
        return DASH
    return f"{figure_text(figure.low, metric, language)} {DASH} {figure_text(figure.high, metric, language)}"


def title_text(title, language: str) -> str:
    return translated(title, language) if isinstance(title, dict) else title or ""


def change_columns() -> list[str]:
    return [
        _("Principle"),
        _("Previous rating"),
        _("Rating now"),
        _("Previous favourable share"),
        _("Favourable share now"),
        _("Change since then"),
    ]


def change_rows(campaign: Campaign, language: str) -> list[list[str]]:
    rows = []
    for change in review.principle_changes(campaign):
        name = f"{change.principle or change.code}. {title_text(change.title, language)}"
        rows.append(
            [
                name,
                ", ".join(spelled(r, campaign.rating_spelling) for r in change.previous_ratings) or "\u2013",
                spelled(change.rating, campaign.rating_spelling),
                percent(change.previous_favourable, language),
                percent(change.favourable, language),
                figure_text(change.difference, "gap", language),
            ]
        )
    return rows


BUILDERS = {"action-plan": action_plan, "otm-r": otmr, "internal-review": internal_review}
