"""Assessments can be validated by HR or an admin; the history says which versions were validated

A principle's status (not started, drafted, proposed, validated) needs to know whether the current state of
its row was validated, by whom and when: ``assessment.validated_by_id`` and ``validated_at``, cleared by the
next save. The history keeps each validation as a revision whose ``event`` is ``validated`` (``saved``
for the rows written before).

Revision ID: b7a1e5d0c417
Revises: e96b5ce623be
Create Date: 2026-12-04 15:10:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7a1e5d0c417"
down_revision = "e96b5ce623be"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("validated_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("validated_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assessment_validated_by_id_user"),
            "user",
            ["validated_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("assessment_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event", sa.String(length=16), server_default="saved", nullable=False))


def downgrade():
    with op.batch_alter_table("assessment_revision", schema=None) as batch_op:
        batch_op.drop_column("event")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assessment_validated_by_id_user"), type_="foreignkey")
        batch_op.drop_column("validated_at")
        batch_op.drop_column("validated_by_id")
