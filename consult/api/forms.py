from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult.api.tokens import MAX_DAYS


class ApiTokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)])
    read_only = BooleanField(_l("Read only (no changes, no exports)"))
    days = IntegerField(
        _l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)], default=90
    )
