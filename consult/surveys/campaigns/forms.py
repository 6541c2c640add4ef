"""The campaign pages' forms: creation from a file, the schedule, confirmations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
)
from wtforms.validators import (
    DataRequired,
    Optional,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class UploadForm(FlaskForm):
    file = FileField(_l("Questionnaire file (YAML)"), validators=[FileRequired()])


class ScheduleForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opening (UTC)"), [Optional()], format=DATETIME_FORMATS)
    closes_at = DateTimeLocalField(_l("Closing (UTC)"), [Optional()], format=DATETIME_FORMATS)


class ConfirmForm(FlaskForm):
    """Buttons that change state: the CSRF token and nothing else."""


class CloseForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "I understand that closing is final: no more answers will be accepted, and the "
            "invitations' e-mail addresses will be deleted."
        ),
        [DataRequired()],
    )


class PageSizeForm(FlaskForm):
    page_size = RadioField(
        _l("Statements per page"),
        choices=[
            SelectChoice("pillar", _l("One page per pillar of the Charter (up to about 24 statements)")),
            SelectChoice("principle", _l("One page per principle: short pages, best on a phone")),
            SelectChoice("adaptive", _l("About 8 statements a page")),
        ],
    )
