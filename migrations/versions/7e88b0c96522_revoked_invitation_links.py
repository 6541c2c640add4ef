"""Revoked invitation links

HR can revoke a single-use link on its own (a wrong address, someone who left: no longer counted as an
invitation) or every link not used yet (still counted); a revoked link opens nothing.

Revision ID: 7e88b0c96522
Revises: 9d1f480b3336
Create Date: 2026-12-04 17:40:43.241898

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7e88b0c96522"
down_revision = "9d1f480b3336"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("revoked")
