"""The working groups' migration goes down and up again on PostgreSQL, on a database of its own."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from consult.database import dispose_engines
from consult.extensions import db
from tests.conftest import TEST_DATABASE, make_app, recreate_database

REVISION, DOWN_REVISION = "9d1f480b3336", "5d143559f54d"
TABLES = {"working_group", "working_group_member", "working_group_principle"}


def tables(app) -> set[str]:
    with app.app_context():
        db.engine.dispose()
        return set(inspect(db.engine).get_table_names())


def test_the_working_groups_migration_downgrades_and_upgrades():
    app = make_app(recreate_database(f"{TEST_DATABASE}_groups_migration"))
    try:
        with app.app_context():
            upgrade(revision=REVISION)
        assert tables(app) >= TABLES
        with app.app_context():
            downgrade(revision=DOWN_REVISION)
        assert not TABLES & tables(app)
        assert "campaign" in tables(app)
        with app.app_context():
            upgrade()
        assert tables(app) >= TABLES
    finally:
        with app.app_context():
            dispose_engines()
