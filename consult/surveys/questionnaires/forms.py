"""The questionnaire builder's forms: they validate what was typed, never store anything.

Texts are typed once per language of the questionnaire: a form gets its ``languages`` and drops the
fields of the others, and requires the ones it keeps.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from consult.surveys.questionnaires import spec
from consult.surveys.questionnaires.builder import BuilderError, parse_options
from consult.textcheck import clean_multiline, clean_single_line

TEXT = [Optional(), Length(max=2000)]
LINE = [clean_single_line]
"""Filters of every single-line text field: control characters are dropped (nobody can see them)."""
LINES = [clean_multiline]
"""Filters of every multi-line text field: control characters but tabs and line breaks are dropped."""


def code_field(label, pattern: str = spec.ITEM_CODE_PATTERN) -> StringField:
    message = _l(
        "Use letters, digits, '-' and '_' (and '.' in section and item codes, between two other "
        "characters), starting with a letter, a digit or '_'."
    )
    return StringField(
        label, [DataRequired(), Length(max=40), Regexp(pattern, message=message)], filters=LINE
    )


class TranslatedForm(FlaskForm):
    """A form with texts per language: ``text_names`` lists them; only the questionnaire's languages stay."""

    text_names: tuple[str, ...] = ()

    def __init__(self, *args, languages: Sequence[str] = spec.LANGUAGES, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.languages = tuple(languages)
        for name in self.text_names:
            for language in spec.LANGUAGES:
                if language not in self.languages:
                    del self[f"{name}_{language}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in filter(self.text_required, self.text_names):
            for language in self.languages:
                field = self[f"{name}_{language}"]
                if not (field.data or "").strip():
                    field.errors = [*field.errors, _l("Give the text in this language.")]
                    valid = False
        return valid

    def text_required(self, name: str) -> bool:
        return True

    def text(self, name: str) -> dict[str, str]:
        """The texts typed, by language; a language left empty (where allowed) is left out."""
        texts = {language: (self[f"{name}_{language}"].data or "").strip() for language in self.languages}
        return {language: text for language, text in texts.items() if text}

    def fill_text(self, name: str, text: dict[str, str]) -> None:
        for language in self.languages:
            self[f"{name}_{language}"].data = text.get(language, "")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(TranslatedForm):
    text_names = ("title",)
    title_en = StringField(_l("Title (English)"), TEXT, filters=LINE)
    title_fr = StringField(_l("Title (French)"), TEXT, filters=LINE)
    mode = RadioField(
        _l("How respondents reach the questionnaire"),
        choices=[
            SelectChoice("token", _l("Personal links: one single-use link per invited person")),
            SelectChoice("open-link", _l("Open link: anyone with the link, one answer per browser")),
        ],
    )
    min_group_size = IntegerField(
        _l("Minimum group size"), [InputRequired(), NumberRange(min=spec.MIN_GROUP_SIZE_FLOOR, max=1000)]
    )
    comment_min_responses = IntegerField(
        _l("Comment threshold"), [InputRequired(), NumberRange(min=1, max=10000)]
    )
    plus_plus = FloatField(_l("'+/+' from a favourable share of"), [InputRequired(), NumberRange(0.01, 0.99)])
    plus_minus = FloatField(_l("'+/-' from"), [InputRequired(), NumberRange(0.01, 0.99)])
    minus_plus = FloatField(_l("'-/+' from"), [InputRequired(), NumberRange(0.01, 0.99)])
    equity_gap = FloatField(
        _l("Equity: a group this far below the rest"), [InputRequired(), NumberRange(0.01, 0.99)]
    )
    equity_alpha = FloatField(_l("Equity: significance level"), [InputRequired(), NumberRange(0.001, 0.5)])
    interim_results = BooleanField(_l("Show results while the campaign is open (interim results)"))

    def spell_ratings(self, spelling: str) -> None:
        """The thresholds' labels write the top rating as the campaign does (``++`` or ``+/+``)."""
        if spelling == "compact":
            self.plus_plus.label.text = _l("'++' from a favourable share of")

    def validate_comment_min_responses(self, field) -> None:
        if self.min_group_size.data and field.data is not None and field.data < self.min_group_size.data:
            raise ValidationError(_l("The comment threshold cannot be below the minimum group size."))


class ScaleForm(TranslatedForm):
    text_names = ("labels",)
    labels_en = TextAreaField(_l("Answer labels in English, one a line, lowest first"), TEXT, filters=LINES)
    labels_fr = TextAreaField(_l("Answer labels in French, one a line, lowest first"), TEXT, filters=LINES)
    points = IntegerField(
        _l("Number of points"), [InputRequired(), NumberRange(spec.MIN_POINTS, spec.MAX_POINTS)]
    )
    favourable = StringField(
        _l("Favourable points"),
        [
            DataRequired(),
            Regexp(
                r"^\s*\d+(\s*,\s*\d+)*\s*$", message=_l("List point numbers separated by commas, e.g. 4, 5.")
            ),
        ],
        filters=LINE,
    )
    dont_know = BooleanField(_l("Offer “don't know / not applicable”"))

    def labels(self) -> dict[str, tuple[str, ...]]:
        return {
            lang: tuple(line.strip() for line in text.splitlines() if line.strip())
            for lang, text in self.text("labels").items()
        }

    def favourable_points(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.favourable.data.split(","))


class SectionForm(TranslatedForm):
    text_names = ("title",)
    code = code_field(_l("Section code"))
    title_en = StringField(_l("Title (English)"), TEXT, filters=LINE)
    title_fr = StringField(_l("Title (French)"), TEXT, filters=LINE)
    principle = SelectField(_l("Charter principle"), coerce=int, default=0)
    comment = BooleanField(_l("Offer a comment box at the end of the section"))

    def text_required(self, name: str) -> bool:
        """A section naming a principle takes the principle's name for the titles left empty."""
        return name != "title" or not self.principle.data

    def section(self, items: tuple[spec.Item, ...] = ()) -> spec.Section:
        principle = self.principle.data or None
        return spec.Section(
            self.code.data.strip(), self.text("title"), items, principle, None, self.comment.data
        )


class ItemForm(TranslatedForm):
    text_names = ("text",)
    code = code_field(_l("Item code"))
    text_en = TextAreaField(_l("Statement (English)"), TEXT, filters=LINES)
    text_fr = TextAreaField(_l("Statement (French)"), TEXT, filters=LINES)
    reverse = BooleanField(_l("Reverse-keyed (agreeing is unfavourable)"))

    def item(self) -> spec.Item:
        return spec.Item(self.code.data.strip(), self.text("text"), self.reverse.data)


class NewSectionForm(SectionForm):
    """A section starts with its first item: a questionnaire has no empty section."""

    text_names = ("title", "item_text")
    item_code = code_field(_l("First item's code"))
    item_text_en = TextAreaField(_l("First statement (English)"), TEXT, filters=LINES)
    item_text_fr = TextAreaField(_l("First statement (French)"), TEXT, filters=LINES)
    item_reverse = BooleanField(_l("Reverse-keyed (agreeing is unfavourable)"))

    def new_section(self) -> spec.Section:
        item = spec.Item(self.item_code.data.strip(), self.text("item_text"), self.item_reverse.data)
        return self.section((item,))


class DimensionForm(TranslatedForm):
    text_names = ("label", "question")
    code = code_field(_l("Dimension code"), spec.OPTION_CODE_PATTERN)
    label_en = StringField(_l("Label in results (English)"), TEXT, filters=LINE)
    label_fr = StringField(_l("Label in results (French)"), TEXT, filters=LINE)
    question_en = StringField(_l("Question asked (English)"), TEXT, filters=LINE)
    question_fr = StringField(_l("Question asked (French)"), TEXT, filters=LINE)
    options = TextAreaField(_l("Options, one a line"), [DataRequired(), Length(max=20000)], filters=LINES)

    def validate_options(self, field) -> None:
        try:
            parse_options(field.data, self.languages)
        except BuilderError as error:
            raise ValidationError("; ".join(error.errors)) from error

    def dimension(self) -> spec.Dimension:
        options = parse_options(self.options.data, self.languages)
        return spec.Dimension(self.code.data.strip(), self.text("label"), options, self.text("question"))


class StandardDimensionForm(FlaskForm):
    code = SelectField(_l("Dimension"))


class PrinciplesForm(FlaskForm):
    principles = MultiCheckboxField(_l("Principles covered"), coerce=int)
