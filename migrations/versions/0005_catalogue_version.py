"""catalogue version: a counter of catalogue changes, for in-memory caches

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:30:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    # A random start, so that a database dropped and created again at the same URL never
    # meets results a running server cached for its predecessor.
    op.bulk_insert(table, [{"id": 1, "version": secrets.randbelow(2**30)}])


def downgrade() -> None:
    op.drop_table("catalogue_version")
