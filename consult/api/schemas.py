"""The API's documents as marshmallow schemas: flask-smorest checks requests and writes OpenAPI from them."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from consult.surveys.questionnaires.checks import MAX_FILE_BYTES


class UtcDateTime(fields.DateTime):
    """Consult stores times in UTC without a zone: written with their ``+00:00``, as RFC 3339 wants."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class CampaignSchema(Schema):
    slug = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(["draft", "open", "closed", "archived"]))
    mode = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    min_group_size = fields.Integer(required=True)
    comment_min_responses = fields.Integer(required=True)
    interim_results = fields.Boolean(required=True)
    opens_at = UtcDateTime(allow_none=True)
    closes_at = UtcDateTime(allow_none=True)
    opened_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime(required=True)


class CampaignCreateSchema(Schema):
    questionnaire = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_FILE_BYTES),
        metadata={
            "description": "The questionnaire file (YAML, the format of `consult campaign create --from`)."
        },
    )
    title = fields.String(
        validate=validate.Length(min=1, max=200), metadata={"description": "Every language."}
    )
    interim_results = fields.Boolean(load_default=False)


class GroupSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Empty for those who did not state it."})
    label = fields.String(required=True)
    invited = fields.Integer(allow_none=True)
    responses = fields.Integer(allow_none=True, metadata={"description": "Null when suppressed."})
    rate = fields.Float(allow_none=True)
    hidden = fields.String(allow_none=True, validate=validate.OneOf(["small", "complementary", "elsewhere"]))


class DaySchema(Schema):
    day = fields.Date(required=True)
    responses = fields.Integer(required=True)
    cumulative = fields.Integer(required=True)


class ParticipationSchema(Schema):
    min_group_size = fields.Integer(required=True)
    invited = fields.Integer(required=True)
    responses = fields.Integer(allow_none=True, metadata={"description": "Null when under the minimum."})
    rate = fields.Float(allow_none=True)
    groups = fields.List(fields.Nested(GroupSchema), required=True)
    by_day = fields.List(fields.Nested(DaySchema), required=True)


class AnalysisRunSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["queued", "running", "done", "failed"]))
    progress = fields.Integer(required=True)
    trigger = fields.String(required=True)
    responses = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(allow_none=True)


class ResultsSchema(Schema):
    """The results JSON of design.md ("Results"), exactly as `consult campaign export --format json`."""

    campaign = fields.Dict(required=True)
    sections = fields.List(fields.Dict(), required=True)


class GapRowSchema(Schema):
    section = fields.String(required=True)
    principle = fields.Integer(allow_none=True)
    name = fields.String(required=True)
    implementation = fields.String(allow_none=True, metadata={"description": "++, +/-, -/+ or --"})
    gap = fields.String(required=True, metadata={"description": "Limited HTML"})
    initiatives = fields.String(required=True, metadata={"description": "Limited HTML"})


class ExportRequestSchema(Schema):
    format = fields.String(
        required=True, validate=validate.OneOf(["json", "csv", "tsv", "xlsx", "html", "pdf", "charts"])
    )
    language = fields.String(load_default="en", validate=validate.OneOf(["en", "fr"]))


class ExportJobSchema(Schema):
    id = fields.String(required=True, attribute="token", metadata={"description": "The job's secret id."})
    format = fields.String(required=True)
    language = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["queued", "running", "done", "failed"]))
    progress = fields.Integer(required=True)
    error = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)


class LanguageQuerySchema(Schema):
    language = fields.String(load_default="en", validate=validate.OneOf(["en", "fr"]))


class HrDocumentSchema(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    blocks = fields.List(fields.Dict(), required=True, metadata={"description": "Paragraphs and tables."})


class ActionPlanSchema(Schema):
    """The action plan as `consult hrs4r export SLUG --document action-plan --format json` writes it."""

    language = fields.String(required=True)
    documents = fields.List(fields.Nested(HrDocumentSchema), required=True)
