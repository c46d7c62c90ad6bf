"""whole-practice translations: a translation holds the body of a practice too

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00

A translation held a practice's title and summary only. It now holds its description,
design answers and lessons as well (each optional), and ``body_digest`` fingerprints the
original body it was made from (NULL: the body was not translated), as ``source_digest``
does for the title and summary. Existing translations keep their title and summary.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY = (
    ("description", 20000),
    ("aim", 2000),
    ("participants", 1000),
    ("audience", 1000),
    ("what_did_not_work", 10000),
    ("know_how", 10000),
)


def upgrade() -> None:
    # Plain nullable ADD COLUMNs: SQLite adds them in place, as PostgreSQL does.
    for name, length in BODY:
        op.add_column(
            "practice_translation",
            sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True),
        )
    op.add_column(
        "practice_translation",
        sa.Column("body_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    for name in ("body_digest", *(name for name, _length in reversed(BODY))):
        op.drop_column("practice_translation", name)  # SQLite 3.35+ drops in place
