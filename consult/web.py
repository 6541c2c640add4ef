"""What every page shares: security headers, error pages, template helpers."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.i18n import LANGUAGE_NAMES, status_label, supported_languages, translated
from consult.logs import install_log_filters

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def init_web(app: Flask) -> None:
    install_log_filters()
    app.after_request(security_headers)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        translated=translated,
        status_label=status_label,
        current_language=lambda: str(get_locale()),
        languages=supported_languages,
        language_names=LANGUAGE_NAMES,
    )


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
    if request.endpoint and not request.endpoint.startswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def csrf_error(error: CSRFError):
    message = _(
        "The form expired or was sent from elsewhere (%(reason)s). Nothing was saved: please go back, "
        "reload the page and send it again.",
        reason=error.description,
    )
    return render_template("error.html", code=400, title=_("Form not accepted"), message=message), 400


def http_error(error: HTTPException):
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": error.name, "message": error.description}, error.code
    return render_template(
        "error.html", code=error.code, title=error.name, message=error.description
    ), error.code
