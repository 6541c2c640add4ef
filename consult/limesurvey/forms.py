"""The LimeSurvey import form: the structure, and optionally the responses and an edited mapping."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ImportForm(FlaskForm):
    structure = FileField(_l("Survey structure (.lss) or survey archive (.lsa)"), validators=[FileRequired()])
    responses = FileField(_l("Responses (CSV export with question-code headings, or .lsr)"))
    mapping = FileField(_l("Mapping (YAML), as edited after downloading the automatic one"))
    import_survey = SubmitField(_l("Import as a closed campaign"))
    download_mapping = SubmitField(_l("Download the automatic mapping"))
