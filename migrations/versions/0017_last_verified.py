"""last verified: when a practice was last confirmed accurate, and by whom

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00

Every published practice starts as verified when it was published: that is when its
authors (or the report it comes from) last vouched for it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("practice") as batch:
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_practice_verified_by_id_user_account", "user_account", ["verified_by_id"], ["id"]
        )
    op.execute("UPDATE practice SET verified_at = published_at")


def downgrade() -> None:
    with op.batch_alter_table("practice") as batch:
        batch.drop_constraint("fk_practice_verified_by_id_user_account", type_="foreignkey")
        batch.drop_column("verified_by_id")
        batch.drop_column("verified_at")
