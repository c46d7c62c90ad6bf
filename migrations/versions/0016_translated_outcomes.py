"""translated outcomes: a translation holds what each outcome found

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:00:00

``practice_translation.outcome_texts`` is a JSON object: what each of the practice's
outcomes found, in the translation's language, under a fingerprint of the original text
it translates (NULL when no outcome was translated).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("practice_translation", sa.Column("outcome_texts", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("practice_translation", "outcome_texts")  # SQLite 3.35+ drops in place
