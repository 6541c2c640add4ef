"""The submission's forms: they validate, they never store."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from consult.gap.forms import rating_choices
from consult.hrs4r.labels import FIGURE_LABELS, METRIC_LABELS, STATUS_LABELS
from consult.hrs4r.reference import ORGANISATION_FIGURES, otmr_questions
from consult.textcheck import clean_multiline

LINES = [clean_multiline]
PERIOD = Regexp(
    r"^\s*$|^\s*20\d\d-[QqSs]\d\s*$",
    message=_l("Write a year and a quarter or semester, as 2026-Q3 or 2026-S1."),
)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    title = StringField(_l("Proposed action"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)], filters=LINES)
    principles = CheckboxesField(_l("Principle(s) concerned"), coerce=int)
    start_period = StringField(_l("Starts (year and quarter or semester)"), validators=[PERIOD])
    end_period = StringField(_l("Ends (year and quarter or semester)"), validators=[PERIOD])
    responsible_unit = StringField(_l("Responsible unit"), validators=[Length(max=200)])
    indicators_text = TextAreaField(
        _l("Indicator(s) / target(s), in words"), validators=[Length(max=20_000)], filters=LINES
    )
    status = SelectField(
        _l("Current status"),
        choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()],
        default="planned",
    )
    remarks = TextAreaField(_l("Remarks"), validators=[Length(max=20_000)], filters=LINES)
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class IndicatorForm(FlaskForm):
    figure = SelectField(_l("Survey figure"), validators=[DataRequired()])
    metric = SelectField(_l("Measure"), choices=[SelectChoice(k, v) for k, v in METRIC_LABELS.items()])
    group = SelectField(_l("Group (optional)"), default="")
    comparator = SelectField(
        _l("Target"), choices=[SelectChoice(">=", _l("at least")), SelectChoice("<=", _l("at most"))]
    )
    target = DecimalField(
        _l("Target value (a percentage for shares and gaps, as 45; a mean on the scale, as 3.5)"),
        validators=[DataRequired(message=_l("Give the target as a number."))],
        places=None,
    )


class CommitForm(FlaskForm):
    """A button that changes something: it only needs its CSRF token."""


class OtmrAnswerForm(Form):
    rating = SelectField(_l("Answer"), choices=rating_choices(), default="")
    comment = TextAreaField(_l("Comment"), validators=[Length(max=20_000)], filters=LINES)
    evidence = TextAreaField(
        _l("Evidence (links, one a line)"), validators=[Length(max=5_000)], filters=LINES
    )
    indicators = TextAreaField(
        _l("Suggested indicators (or form of measurement)"), validators=[Length(max=5_000)], filters=LINES
    )


def otmr_form_class() -> type[FlaskForm]:
    fields = {f"q{q.number}": FormField(OtmrAnswerForm, label=str(q.number)) for q in otmr_questions()}
    return type("OtmrForm", (FlaskForm,), fields)


def figures_form_class() -> type[FlaskForm]:
    fields = {
        name: StringField(
            FIGURE_LABELS[name],
            validators=[Length(max=40), Regexp(r"^[\d\s.,\u202f]*$", message=_l("Write a number."))],
        )
        for name, _kind in ORGANISATION_FIGURES
    }
    fields["profile"] = TextAreaField(
        _l("Organisational profile (about 100 words)"), validators=[Length(max=2_000)], filters=LINES
    )
    fields["validated"] = BooleanField(_l("I have checked these figures: mark them validated"))
    return type("FiguresForm", (FlaskForm,), fields)


class NarrativeForm(FlaskForm):
    strengths = TextAreaField(_l("Strengths"), validators=[Length(max=200_000)], filters=LINES)
    weaknesses = TextAreaField(_l("Weaknesses"), validators=[Length(max=200_000)], filters=LINES)


class ImportForm(FlaskForm):
    file = FileField(_l("Action plan (CSV or XLSX)"), validators=[FileRequired()])
