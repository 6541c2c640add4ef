"""What every page shares: security headers, error pages, template helpers."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.database import UNAVAILABLE, abandon_request_work
from consult.i18n import LANGUAGE_NAMES, status_label, supported_languages, translated
from consult.logs import install_log_filters

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


SESSIONLESS_ENDPOINTS = frozenset({"static", "home.health"})


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key instead of on every
    request (building it was a tenth of a respondent page's cost, cookie or not)."""

    def __init__(self) -> None:
        self.serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self.serializers:
            self.serializers[key] = super().get_signing_serializer(app)
        return self.serializers[key]

    def save_session(self, app: Flask, session, response: Response) -> None:
        """Static files and the health check neither start nor renew a session, nor vary by its cookie: with
        ``Vary: Cookie``, a browser would fetch the style sheet again each time a signed-in session's
        cookie is renewed, and each health check would sign a new cookie for nobody."""
        if request.endpoint not in SESSIONLESS_ENDPOINTS and not g.get("sessionless"):
            super().save_session(app, session, response)


def init_web(app: Flask) -> None:
    install_log_filters()
    app.session_interface = CookieSessions()
    app.url_defaults(version_static_urls)
    app.after_request(security_headers)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable_page)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        translated=translated,
        status_label=status_label,
        current_language=lambda: str(get_locale()),
        languages=supported_languages,
        language_names=LANGUAGE_NAMES,
    )


DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "document-domain",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
"""Browser features no page of Consult uses, refused to the pages and anything they might embed."""
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def security_headers(response: Response) -> Response:
    """Add each header the view did not set itself (one pass over the headers: this runs on every request).
    HSTS only when the site is served over HTTPS (``CONSULT_BASE_URL``): over plain HTTP browsers ignore it,
    and a development server must not pin ``localhost`` to HTTPS."""
    present = {name.lower() for name, _ in response.headers}
    wanted = (*SECURITY_HEADERS, HSTS) if serves_https() else SECURITY_HEADERS
    missing = [(name, value) for name, value in wanted if name.lower() not in present]
    if request.endpoint == "static":
        cache_if_versioned(response)
    elif "cache-control" not in present and request.endpoint:
        missing.append(("Cache-Control", "no-store"))
    for name, value in missing:
        response.headers.add(name, value)
    return response


def serves_https() -> bool:
    return str(current_app.config.get("CONSULT_BASE_URL", "")).lower().startswith("https://")


STATIC_MAX_AGE = 365 * 24 * 3600


@lru_cache(maxsize=64)
def file_version(path: Path, modified_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static_version(filename: str) -> str | None:
    """A digest of the static file's content (a new digest whenever the file changes, even in development)."""
    path = Path(current_app.static_folder or "", filename)
    try:
        return file_version(path, path.stat().st_mtime_ns)
    except OSError:
        return None


def version_static_urls(endpoint: str, values: dict) -> None:
    """``url_for('static', ...)`` carries the file's version (``?v=``), so that browsers may keep it."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def cache_if_versioned(response: Response) -> None:
    """A static file asked for by its current version is kept for a year without asking again: a phone
    loads the style sheet once, not once per page. Any other request for it revalidates, as before."""
    filename = (request.view_args or {}).get("filename", "")
    if response.status_code in (200, 304) and request.args.get("v") == static_version(filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True


def csrf_error(error: CSRFError):
    message = _(
        "The form expired or was sent from elsewhere (%(reason)s). Nothing was saved: please go back, "
        "reload the page and send it again.",
        reason=error.description,
    )
    return render_template("error.html", code=400, title=_("Form not accepted"), message=message), 400


ERROR_PAGES = {
    400: (
        _l("Request not understood"),
        _l(
            "The page received something it cannot use. Nothing was saved: go back, check the form and "
            "send it again."
        ),
    ),
    403: (
        _l("Not allowed"),
        _l(
            "Your account may not open this page. Sign in with another account, or ask an administrator "
            "for access."
        ),
    ),
    404: (
        _l("Page not found"),
        _l("Nothing is at this address. Check the link, or start again from the home page."),
    ),
    405: (
        _l("Not possible this way"),
        _l("This address does not accept this kind of request. Go back and use the page's own buttons."),
    ),
    413: (
        _l("File or form too large"),
        _l("Nothing was saved. Send a smaller file, or split the text, and try again."),
    ),
    429: (
        _l("Too many attempts"),
        _l("Please wait a minute before trying again. Nothing was lost."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l(
            "Nothing was saved by this request. Try again in a moment; if it happens again, tell an "
            "administrator what you were doing."
        ),
    ),
}


OWN_WORDS = frozenset({400, 403, 404, 409, 413})
"""Codes whose views give their own translated description (the rate limiter's and a crash's are not)."""


def http_error(error: HTTPException):
    """An HTTP error in the interface's language, saying what to do; a view's own description (already
    translated) is kept and followed by the advice."""
    title, advice = ERROR_PAGES.get(error.code or 500, (error.name, ""))
    own = (
        error.description if error.description != type(error).description and error.code in OWN_WORDS else ""
    )
    message = " ".join(str(part) for part in (own, advice) if part) or str(error.description)
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": error.name, "message": error.description}, error.code
    return render_template("error.html", code=error.code, title=str(title), message=message), error.code


RETRY_AFTER_SECONDS = 10


def database_unavailable_page(error: Exception):
    """The database cannot be reached (down, restarting, connections cut, pool exhausted): a 503 that says
    to try again, not a 500 that says something is broken. The page is drawn without the context
    processors, and its header without the staff menu: both would ask the database for the signed-in user
    once more (Flask-Login's processor does, for every template)."""
    abandon_request_work()
    current_app.logger.warning("database unavailable (%s)", type(error).__name__)
    title = _("Service temporarily unavailable")
    message = _(
        "The database cannot be reached just now. Nothing saved before was lost. Please try again in a "
        "few moments."
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": title, "message": message}, 503, headers
    page = current_app.jinja_env.get_template("error.html").render(
        code=503, title=title, message=message, database_down=True
    )
    return page, 503, headers
