"""HRS4R submission: action plan with bound indicators, OTM-R answers, organisational figures, pillar narratives

Revision ID: e96b5ce623be
Revises: 7c36a3544fc7
Create Date: 2026-12-04 14:34:27.258894

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e96b5ce623be"
down_revision = "7c36a3544fc7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("principles", sa.JSON(), nullable=False),
        sa.Column("source_section", sa.String(length=40), nullable=True),
        sa.Column("start_period", sa.String(length=7), nullable=False),
        sa.Column("end_period", sa.String(length=7), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("indicators_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("validated", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_action_campaign_id_campaign"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "organisation_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("validated_by_id", sa.Integer(), nullable=True),
        sa.Column("validated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_organisation_figures_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["validated_by_id"],
            ["user.id"],
            name=op.f("fk_organisation_figures_validated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_figures")),
        sa.UniqueConstraint("campaign_id", name=op.f("uq_organisation_figures_campaign_id")),
    )
    op.create_table(
        "otmr_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=4), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_otmr_answer_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otmr_answer")),
        sa.UniqueConstraint("campaign_id", "question", name=op.f("uq_otmr_answer_campaign_id")),
    )
    op.create_table(
        "pillar_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("pillar", sa.Integer(), nullable=False),
        sa.Column("strengths_html", sa.Text(), nullable=False),
        sa.Column("weaknesses_html", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_pillar_narrative_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pillar_narrative")),
        sa.UniqueConstraint("campaign_id", "pillar", name=op.f("uq_pillar_narrative_campaign_id")),
    )
    op.create_table(
        "action_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_revision_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_action_revision_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_revision")),
    )
    with op.batch_alter_table("action_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_revision_action_id"), ["action_id"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("principle", sa.Integer(), nullable=True),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=True),
        sa.Column("group", sa.String(length=40), nullable=True),
        sa.Column("comparator", sa.String(length=2), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("baseline", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_indicator_action_id_action"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_action_id"), ["action_id"], unique=False)


def downgrade():
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_action_id"))

    op.drop_table("indicator")
    with op.batch_alter_table("action_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_revision_action_id"))

    op.drop_table("action_revision")
    op.drop_table("pillar_narrative")
    op.drop_table("otmr_answer")
    op.drop_table("organisation_figures")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_campaign_id"))

    op.drop_table("action")
