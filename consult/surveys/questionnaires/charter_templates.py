"""The charter's questionnaire templates: read from the charter data, parsed like any questionnaire file."""

from __future__ import annotations

from consult.charter.reference import template_names, template_text
from consult.surveys.questionnaires.spec import Questionnaire
from consult.surveys.questionnaires.yaml_format import parse_questionnaire

__all__ = ["load_template", "template_names"]


def load_template(name: str) -> Questionnaire:
    """The questionnaire template ``name`` (see ``template_names``), parsed and validated like any file."""
    return parse_questionnaire(template_text(name))
