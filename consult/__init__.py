"""Consult: anonymous staff consultations for HRS4R, from questionnaire to gap analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from consult.config import load_config
from consult.flaskapp import ConsultFlask


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints. No side effect but the secret key."""
    app = ConsultFlask(__name__, instance_relative_config=True)
    overrides = (
        config if isinstance(config, dict) else {k: getattr(config, k) for k in dir(config) if k.isupper()}
    )
    app.config.update(load_config(Path(app.instance_path), overrides))
    app.config.update(overrides)
    init_extensions(app)
    register_blueprints(app)
    return app


def init_extensions(app: Flask) -> None:
    import consult.models  # noqa: F401  (every table, for migrations)
    from consult import web
    from consult.accounts.auth import init_login
    from consult.celery_app import celery_init_app
    from consult.database import init_database
    from consult.extensions import babel, csrf, db, migrate
    from consult.i18n import select_locale
    from consult.sso.client import init_sso

    init_database(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    init_limiter(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)
    celery_init_app(app)
    web.init_web(app)
    init_sso(app)


def init_limiter(app: Flask) -> None:
    """Consult sets no default or application-wide limit: every limit is a decorator, which checks its own
    requests. Flask-Limiter's before-request pass, which only looks for limits of other kinds, is removed so
    that the pages nobody limits (the respondents' first) do not pay for it."""
    from consult.extensions import limiter

    limiter.init_app(app)
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def register_blueprints(app: Flask) -> None:
    from consult.accounts.views import bp as accounts
    from consult.analysis.views import bp as analysis
    from consult.api.pages import bp as api_pages
    from consult.api.setup import init_api
    from consult.gap.groups.views import bp as groups
    from consult.gap.views import bp as gap
    from consult.home.views import bp as home
    from consult.hrs4r.views import bp as hrs4r
    from consult.limesurvey.views import bp as limesurvey
    from consult.sso.views import bp as sso
    from consult.surveys.campaigns.views import bp as surveys
    from consult.surveys.respond.views import bp as respond

    blueprints = (home, accounts, surveys, respond, analysis, gap, groups, hrs4r, limesurvey, api_pages, sso)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    init_api(app)
