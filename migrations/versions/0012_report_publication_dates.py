"""practices loaded from the reports: published when their earliest report came out

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00

A practice loaded from the reports had no publication date, so feeds and sitemaps showed
the time it was loaded. The seed loader now gives it the date of the earliest report that
describes it (the first day of the month the report's date note names, else of its year;
none when the report gives no year); this fills in the practices loaded before. The
parsing is a frozen copy of ``app.loaders.seed.report_dates`` as it was written, so that a
later change there never changes what this migration does.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            *("january", "february", "march", "april", "may", "june"),
            *("july", "august", "september", "october", "november", "december"),
        ],
        start=1,
    )
}


def _moment(year: int | None, date_note: str | None) -> datetime | None:
    if year is None:
        return None
    found = re.fullmatch(r"\s*([A-Za-z]+)\s+(\d{4})\s*", date_note or "")
    month = MONTHS.get(found[1].lower(), 1) if found and int(found[2]) == year else 1
    return datetime(year, month, 1, tzinfo=UTC)


def upgrade() -> None:
    bind = op.get_bind()
    moments = {
        source_id: _moment(year, note)
        for source_id, year, note in bind.execute(sa.text("SELECT id, year, date_note FROM source"))
    }
    earliest: dict[int, datetime] = {}
    cited = bind.execute(
        sa.text(
            "SELECT ps.practice_id, ps.source_id FROM practice_source ps"
            " JOIN practice p ON p.id = ps.practice_id WHERE p.published_at IS NULL"
        )
    )
    for practice_id, source_id in cited:
        moment = moments.get(source_id)
        if moment is not None and (practice_id not in earliest or moment < earliest[practice_id]):
            earliest[practice_id] = moment
    practice = sa.table(
        "practice", sa.column("id"), sa.column("published_at", sa.DateTime(timezone=True))
    )
    for practice_id, moment in earliest.items():
        bind.execute(
            practice.update().where(practice.c.id == practice_id).values(published_at=moment)
        )


def downgrade() -> None:
    # Which dates this filled in is not recorded; they stay (they are true of the reports).
    pass
