"""The invitation pages' forms: the address file, sending, printed links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
)


class InvitationFileForm(FlaskForm):
    file = FileField(_l("Address file (CSV)"), validators=[FileRequired()])


class SendForm(FlaskForm):
    language = SelectField(_l("Language of the e-mail"))


class TokensForm(FlaskForm):
    count = IntegerField(_l("Number of links"), [InputRequired(), NumberRange(1, 10000)])
    output = RadioField(
        _l("Output"),
        default="csv",
        choices=[
            SelectChoice("csv", _l("A CSV file (token, url), for a mail merge")),
            SelectChoice("print", _l("A page to print, one link per card")),
        ],
    )
