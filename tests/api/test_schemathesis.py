"""Every operation of the OpenAPI document fuzzed by schemathesis against the app served on a local port:
no answer is a server error, and every answer matches its documented status, type and schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consult.accounts.models import Role
from consult.accounts.services import create_user
from consult.analysis.tasks import start_analysis
from consult.api.tokens import create_token
from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.questionnaires.convert import campaign_spec
from consult.surveys.responses import storage, synthetic
from tests.conftest import (
    TEST_DATABASE,
    make_app,
    recreate_database,
    serving,
    small_questionnaire,
    upgrade_schema,
)

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def seed(app) -> tuple[str, str]:
    """An administrator's token and an analysed, closed campaign, committed."""
    with app.app_context():
        admin = create_user("api-admin@example.org", Role.ADMIN, "correct horse battery staple")
        campaign = services.create_campaign(small_questionnaire())
        services.open_campaign(campaign)
        data = synthetic.generate(campaign_spec(campaign), 40, 3)
        storage.insert_responses(campaign.id, data.answers, data.profiles)
        services.close_campaign(campaign)
        _row, secret = create_token(admin, "schemathesis")
        db.session.commit()
        start_analysis(campaign)
        return secret, campaign.slug


@pytest.fixture(scope="module")
def served():
    app = make_app(recreate_database(f"{TEST_DATABASE}_api"), CONSULT_API_RATE_LIMIT="1000000 per minute")
    upgrade_schema(app)
    secret, slug = seed(app)
    with serving(app) as base_url:
        yield base_url, secret, slug


@pytest.fixture(scope="module")
def api_schema(served):
    base_url, _secret, _slug = served
    return schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")


def test_every_operation_is_fuzzed_without_a_server_error_or_a_wrong_answer(api_schema, served):
    _base_url, secret, slug = served
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case):
            if case.method == "GET" and "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = slug
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
