"""chart files: each analysis run's charts, drawn once, stored per language

Revision ID: df7973cb0895
Revises: b7a1e5d0c417
Create Date: 2026-12-04 14:40:10.338269

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "df7973cb0895"
down_revision = "b7a1e5d0c417"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chart_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fmt", sa.String(length=16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_run.id"],
            name=op.f("fk_chart_file_run_id_analysis_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_file")),
        sa.UniqueConstraint(
            "run_id", "language", "section_code", "kind", "fmt", name=op.f("uq_chart_file_run_id")
        ),
    )


def downgrade():
    op.drop_table("chart_file")
