"""Campaign messages, undo and page size

HR's own invitation and reminder texts per language; the undo of a deletion from a draft questionnaire; the
respondent's pages per pillar, per principle or about 8 statements.

Revision ID: 5d143559f54d
Revises: d952e4573ff1
Create Date: 2026-12-04 15:16:12.907258

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5d143559f54d"
down_revision = "d952e4573ff1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "undoable_delete",
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("previous", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
            name=op.f("fk_undoable_delete_questionnaire_id_questionnaire"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("questionnaire_id", name=op.f("pk_undoable_delete")),
    )
    op.create_table(
        "mail_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_mail_text_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_text")),
        sa.UniqueConstraint("campaign_id", "kind", "language", name=op.f("uq_mail_text_campaign_id")),
    )
    with op.batch_alter_table("mail_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_text_campaign_id"), ["campaign_id"], unique=False)

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("page_size", sa.String(length=16), server_default="pillar", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("page_size")

    with op.batch_alter_table("mail_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_text_campaign_id"))

    op.drop_table("mail_text")
    op.drop_table("undoable_delete")
