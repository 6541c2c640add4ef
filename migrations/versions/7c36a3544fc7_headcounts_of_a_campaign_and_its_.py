"""Headcounts of a campaign and its weighting settings

Aggregate staff numbers per cell or per margin (no personal data), the weight trimming bounds and which
favourable share the suggested rating uses.

Revision ID: 7c36a3544fc7
Revises: 1174c3d5ea3f
Create Date: 2026-12-04 14:37:42.711744

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c36a3544fc7"
down_revision = "1174c3d5ea3f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "headcounts",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("trim_low", sa.Double(), nullable=False),
        sa.Column("trim_high", sa.Double(), nullable=False),
        sa.Column("rating_basis", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_headcounts_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_headcounts")),
    )


def downgrade():
    op.drop_table("headcounts")
