"""Working groups: HR names a campaign's groups, their members and the principles each assesses

``working_group`` (a name unique in its campaign), ``working_group_member`` (the users in a group) and
``working_group_principle`` (the section codes a group assesses; one group per principle of a campaign).
Deleting a campaign, a group or a user deletes their rows here.

Revision ID: 9d1f480b3336
Revises: 5d143559f54d
Create Date: 2026-12-04 17:45:29.096122

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d1f480b3336"
down_revision = "5d143559f54d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "working_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_working_group_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group")),
        sa.UniqueConstraint("campaign_id", "name", name=op.f("uq_working_group_campaign_id")),
    )
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_working_group_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "working_group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_group.id"],
            name=op.f("fk_working_group_member_group_id_working_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_working_group_member_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_working_group_member")),
    )
    with op.batch_alter_table("working_group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_working_group_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "working_group_principle",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_working_group_principle_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["working_group.id"],
            name=op.f("fk_working_group_principle_group_id_working_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "section_code", name=op.f("pk_working_group_principle")),
        sa.UniqueConstraint(
            "campaign_id", "section_code", name=op.f("uq_working_group_principle_campaign_id")
        ),
    )


def downgrade():
    op.drop_table("working_group_principle")
    with op.batch_alter_table("working_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_group_member_user_id"))

    op.drop_table("working_group_member")
    with op.batch_alter_table("working_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_working_group_campaign_id"))

    op.drop_table("working_group")
