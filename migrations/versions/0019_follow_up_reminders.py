"""follow-up reminders: a member's choice to get them, and the reminders sent

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:10:00

Every existing member gets the monthly reminders until they unsubscribe.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("reminders", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "follow_up_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name="fk_follow_up_reminder_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up_reminder"),
        sa.UniqueConstraint("user_id", "month", name="uq_follow_up_reminder_month"),
    )
    with op.batch_alter_table("follow_up_reminder") as batch:
        batch.create_index("ix_follow_up_reminder_user_id", ["user_id"], unique=False)
        batch.create_index("ix_follow_up_reminder_token_hash", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("follow_up_reminder")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("reminders")
