"""returned edits: a revision keeps the edit as a moderator returned it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:30:00

When a moderator returns an edit, ``practice_revision.returned_data`` keeps a copy of it,
so that the review of the resubmission can show what the authors changed since. Edits
returned before this migration have none (NULL): their review shows every field.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("practice_revision", sa.Column("returned_data", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("practice_revision", "returned_data")  # SQLite 3.35+ drops in place
