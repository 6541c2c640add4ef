"""The headcounts page's forms: the file (or its text typed in), and the weighting settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import FloatField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional


class HeadcountsForm(FlaskForm):
    file = FileField(_l("Headcounts file (CSV)"))
    text = TextAreaField(_l("Or type the headcounts (the same CSV)"), [Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.file.data and not (self.text.data or "").strip():
            self.text.errors = [_l("Give a file or type the headcounts.")]
            return False
        return True


class WeightingForm(FlaskForm):
    trim_low = FloatField(
        _l("Smallest weight (times the mean)"), [InputRequired(), NumberRange(min=0.01, max=1)]
    )
    trim_high = FloatField(
        _l("Largest weight (times the mean)"), [InputRequired(), NumberRange(min=1, max=100)]
    )
    rating_basis = SelectField(
        _l("The suggested rating uses"),
        choices=[
            SelectChoice("weighted", _l("the figures weighted to the staff")),
            SelectChoice("unweighted", _l("the unweighted figures")),
        ],
    )
