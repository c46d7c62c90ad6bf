"""dilemma log: dilemmas an organisation faced, how it handled them and what happened

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "dilemma",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("practice_id", sa.Integer(), nullable=True),
        _text("cluster", 80, nullable=False),
        _text("response", 80),
        _text("title", 300, nullable=False),
        _text("situation", 5000, nullable=False),
        _text("handling", 5000),
        _text("result", 5000),
        _text("language", 10, nullable=False),
        _text("visibility", 20, nullable=False),
        _text("state", 20, nullable=False),
        _text("review_comment", 2000),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_dilemma_organisation_id_organisation"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name="fk_dilemma_author_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practice.id"],
            name="fk_dilemma_practice_id_practice",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user_account.id"], name="fk_dilemma_reviewer_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dilemma"),
    )
    with op.batch_alter_table("dilemma") as batch:
        for column in ("organisation_id", "practice_id", "cluster", "visibility", "state"):
            batch.create_index(f"ix_dilemma_{column}", [column], unique=False)


def downgrade() -> None:
    op.drop_table("dilemma")
