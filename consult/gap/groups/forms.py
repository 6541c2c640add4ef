from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from consult.textcheck import clean_single_line

CHECKBOXES = {"widget": ListWidget(prefix_label=False), "option_widget": CheckboxInput()}


class GroupForm(FlaskForm):
    """A working group as typed; the service checks it (every error at once, tied to its field)."""

    name = StringField(_l("Name"), filters=[clean_single_line])
    members = SelectMultipleField(_l("Members"), choices=[], validate_choice=False, **CHECKBOXES)
    principles = SelectMultipleField(_l("Principles"), choices=[], validate_choice=False, **CHECKBOXES)


class ButtonForm(FlaskForm):
    """A button that changes something: it only needs its CSRF token."""
