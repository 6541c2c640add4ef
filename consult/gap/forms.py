from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from consult.gap.services import MAX_JUSTIFICATION, MAX_TEXT
from consult.gap.tsv import format_rating
from consult.textcheck import clean_multiline

LINES = [clean_multiline]
"""Filters of the texts: control characters but tabs and line breaks are dropped (nobody can see them)."""

RATING_MEANINGS = {
    "++": _l("fully implemented"),
    "+/-": _l("almost, but not fully implemented"),
    "-/+": _l("partially implemented"),
    "--": _l("insufficiently implemented"),
}


def rating_choices(spelling: str = "plus-slash") -> list[SelectChoice]:
    """The ratings spelled as the campaign spells them (``+/+`` or ``++``) with their meanings, then none."""
    written = "compact" if spelling == "compact" else "plus-slash"
    choices = [
        SelectChoice(rating, f"{format_rating(rating, written)} {meaning}")
        for rating, meaning in RATING_MEANINGS.items()
    ]
    return [*choices, SelectChoice("", _l("Not decided yet"))]


JOB_FORMATS = ("tsv", "xlsx", "html", "pdf", "charts", "csv", "json")


class AssessmentForm(FlaskForm):
    final_rating = RadioField(_l("Final rating"), choices=rating_choices(), default="", validate_choice=True)
    justification = TextAreaField(
        _l("Justification"), validators=[Length(max=MAX_JUSTIFICATION)], filters=LINES
    )
    gap_html = TextAreaField(
        _l("GAP / Implementation impediments"), validators=[Length(max=MAX_TEXT)], filters=LINES
    )
    initiatives_html = TextAreaField(
        _l("Initiatives undertaken / new proposals"), validators=[Length(max=MAX_TEXT)], filters=LINES
    )
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])

    def version_number(self) -> int | None:
        return int(self.version.data) if self.version.data else None


class ImportForm(FlaskForm):
    file = FileField(_l("Gap-analysis table (tab-separated text, .tsv or .txt)"), validators=[FileRequired()])
    purpose = RadioField(
        _l("Use the file to"),
        choices=[
            SelectChoice(
                "assessments", _l("fill this campaign's gap analysis (ratings and texts are replaced)")
            ),
            SelectChoice("previous", _l("keep it as the previous gap analysis, to compare with")),
        ],
        default="assessments",
    )


class ExportJobForm(FlaskForm):
    format = SelectField(_l("Format"), choices=[SelectChoice(fmt) for fmt in JOB_FORMATS])


class ActionForm(FlaskForm):
    """A button that changes something: it only needs its CSRF token."""
