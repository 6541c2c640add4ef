"""What people read of the submission's codes: statuses, outcomes, figures, organisational figures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in-progress": _l("In progress"),
    "done": _l("Done"),
    "delayed": _l("Delayed"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "met": _l("Met"),
    "not-met": _l("Not met"),
    "suppressed": _l("Not measurable: fewer respondents than the campaign's minimum group size"),
    "missing": _l("Not measurable: the figure is not in this campaign"),
}
METRIC_LABELS = {
    "favourable": _l("favourable share"),
    "mean": _l("mean"),
    "gap": _l("gap to all respondents (favourable share)"),
}
FIGURE_LABELS = {
    "researchers_fte": _l("Researchers (FTE)"),
    "researchers_international": _l("of whom international (FTE)"),
    "researchers_external_funding": _l("of whom externally funded (FTE)"),
    "researchers_women": _l("of whom women (FTE)"),
    "researchers_r3_r4": _l("of whom R3 or R4 (FTE)"),
    "researchers_r2": _l("of whom R2 (FTE)"),
    "researchers_r1": _l("of whom R1 (FTE)"),
    "students": _l("Students"),
    "total_staff": _l("Total staff (including management, administrative, teaching and research staff)"),
    "budget_total": _l("Total annual budget (euros)"),
    "budget_block_funding": _l("Annual organisational direct government funding, block funding (euros)"),
    "budget_competitive": _l("Annual competitive public funding (euros)"),
    "budget_private": _l("Annual funding from private, non-government sources (euros)"),
}
CHANGE_LABELS = {
    "proposed": _l("proposed"),
    "edited": _l("edited"),
    "status": _l("status changed"),
    "validated": _l("validated"),
    "moved": _l("moved in the plan"),
    "indicator-bound": _l("indicator bound"),
    "indicator-removed": _l("indicator removed"),
}
