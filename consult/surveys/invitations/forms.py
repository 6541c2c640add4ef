"""The invitation pages' forms: the address file, sending, printed links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
)

from consult.i18n import LANGUAGE_NAMES


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


class TestMailForm(FlaskForm):
    email = EmailField(_l("Send a test e-mail to"), [InputRequired(), Email(), Length(max=254)])


class MailTextForm(FlaskForm):
    """One subject and one body per language of the campaign (fields ``subject_<code>``, ``body_<code>``)."""

    @classmethod
    def for_languages(cls, languages: list[str]) -> type[MailTextForm]:
        fields = {}
        for code in languages:
            name = LANGUAGE_NAMES.get(code, code.upper())
            fields[f"subject_{code}"] = StringField(
                _l("Subject (%(language)s)", language=name), render_kw={"lang": code}
            )
            fields[f"body_{code}"] = TextAreaField(
                _l("Message (%(language)s)", language=name), render_kw={"rows": 16, "lang": code}
            )
        return type("LanguagesMailTextForm", (cls,), fields)


class RevokeForm(FlaskForm):
    """Which link to revoke: the address it was sent to, the link itself, or its token."""

    link = StringField(
        _l("E-mail address or personal link"),
        [InputRequired(), Length(max=500)],
        description=_l(
            "The address the invitation was sent to, or the whole link (…/r/…) from a printed card."
        ),
    )
