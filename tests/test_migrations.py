"""The migrations build exactly the models' schema on PostgreSQL (``flask db check`` is clean)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import check
from sqlalchemy import inspect

from consult.extensions import db


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_flask_db_check_is_clean(app):
    """``check`` raises (and the test fails) when the models hold a change that no migration makes."""
    with app.app_context():
        check()


def test_every_table_exists(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_every_revision_has_a_message(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    with app.app_context():
        scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
        revisions = list(scripts.walk_revisions())
    assert revisions and all(r.doc and r.doc.strip() for r in revisions)
    assert len(scripts.get_heads()) == 1
