"""search: full-text index of practices (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:10:00
"""

from collections.abc import Sequence

from alembic import op
from sqlmodel import Session

from app.catalogue.search import create_index, index_practices

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The peer matcher checks max(updated_at) on every request to see whether its cached
    # features are stale; indexed, that is a lookup rather than a scan.
    op.create_index("ix_practice_updated_at", "practice", ["updated_at"])
    op.create_index("ix_place_updated_at", "place", ["updated_at"])
    connection = op.get_bind()
    create_index(connection)
    # Fill it from the practices already there. This reads only columns that 0001-0003
    # created; a later migration that moves them must keep this readable or inline it.
    index_practices(Session(bind=connection))


def downgrade() -> None:
    op.execute("DROP TABLE practice_search")
    op.drop_index("ix_place_updated_at", "place")
    op.drop_index("ix_practice_updated_at", "practice")
