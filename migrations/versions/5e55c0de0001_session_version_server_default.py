"""user.session_version defaults to 0 in the database too

The column (``id:session_version`` in each session cookie, bumped on sign-out, password change and
disabling) came with the initial schema, with a default on the Python side only: a row written by anything
but the application (a SQL script, a restore) had to name it. The server default gives such rows 0.

Revision ID: 5e55c0de0001
Revises: 7c3fd895abd7
Create Date: 2026-12-03 20:21:30.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e55c0de0001"
down_revision = "7c3fd895abd7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "session_version",
            existing_type=sa.Integer(),
            existing_nullable=False,
            server_default=sa.text("0"),
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "session_version", existing_type=sa.Integer(), existing_nullable=False, server_default=None
        )
