"""The API wired to the app: flask-smorest's Api (one per app), its blueprints, errors and security."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.api.auth import authenticate_request
from consult.extensions import csrf

API_PREFIX = "/api/v1"
API_SETTINGS = {
    "API_TITLE": "Consult",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}
DESCRIPTION = (
    "Campaigns, participation, analyses, results, the gap table and exports of Consult. Send a personal "
    "API token (account page, or `consult api-token create EMAIL`) as `Authorization: Bearer TOKEN`. A "
    "token acts with its owner's role, or reads only; it never sees more than its owner's pages show."
)


class ConsultApi(Api):
    """flask-smorest's Api without its application-wide error handlers: the pages keep theirs, and each API
    blueprint answers its own errors in JSON (``api_error``)."""

    def _register_error_handlers(self) -> None:
        return None


def init_api(app: Flask) -> None:
    from consult.api.views import BLUEPRINTS

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api = ConsultApi(spec_kwargs={"info": {"description": DESCRIPTION}})
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in BLUEPRINTS:
        prepare(blueprint)
        api.register_blueprint(blueprint)


def prepare(blueprint) -> None:
    """Once per blueprint: token authentication first, CSRF checked there (session callers only)."""
    if getattr(blueprint, "_consult_prepared", False):
        return
    csrf.exempt(blueprint)
    blueprint.before_request(authenticate_request)
    blueprint.register_error_handler(CSRFError, api_error)
    blueprint.register_error_handler(HTTPException, api_error)
    blueprint._consult_prepared = True


def api_error(error: HTTPException):
    """flask-smorest's error document: code, status, message and, for a refused request, its errors."""
    body = {"code": error.code, "status": error.name, "message": error.description}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        body["errors"] = messages
    headers = {"WWW-Authenticate": "Bearer"} if error.code == 401 else {}
    return body, error.code or 500, headers
