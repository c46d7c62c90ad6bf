"""search: full-text index of practices (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:10:00

The DDL and the first fill are frozen copies of what ``app.catalogue.search`` did when
this migration was written, so changing search later never changes what this migration
does. It reads only tables and columns that 0001-0003 created, in plain SQL.
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE practice_search USING fts5("
    "title, summary, body, context, tokenize = 'porter unicode61 remove_diacritics 2')"
)

POSTGRESQL_DDL = (
    """CREATE TABLE practice_search (
        practice_id integer PRIMARY KEY REFERENCES practice (id) ON DELETE CASCADE,
        title text NOT NULL DEFAULT '',
        summary text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        context text NOT NULL DEFAULT '',
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', summary), 'B')
            || setweight(to_tsvector('english', body), 'C')
            || setweight(to_tsvector('english', context), 'D')
        ) STORED
    )""",
    "CREATE INDEX ix_practice_search_document ON practice_search USING gin (document)",
)

PRACTICES = """
    SELECT p.id, p.title, p.summary, p.description, p.aim, p.participants, p.audience,
           p.what_did_not_work, p.know_how, place.name, parent.name, lead_org.name
    FROM practice p
    JOIN place ON place.id = p.place_id
    LEFT JOIN place parent ON parent.id = place.parent_id
    LEFT JOIN organisation lead_org ON lead_org.id = p.lead_organisation_id
    ORDER BY p.id
"""

TRANSLATIONS = "SELECT practice_id, title, summary FROM practice_translation ORDER BY id"

START, END = "\ue000", "\ue001"  # search's highlight markers, kept out of documents


def _join(*parts: str | None) -> str:
    return "\n".join(p.replace(START, "").replace(END, "") for p in parts if p)


def upgrade() -> None:
    # Indexed for the peer matcher of the time, which checked max(updated_at); the listing
    # still sorts practices by it.
    op.create_index("ix_practice_updated_at", "practice", ["updated_at"])
    op.create_index("ix_place_updated_at", "place", ["updated_at"])
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql(SQLITE_DDL)
    else:
        for statement in POSTGRESQL_DDL:
            connection.exec_driver_sql(statement)
    # Fill the index from the practices already there.
    translations: dict[int, list[str]] = defaultdict(list)
    for practice_id, title, summary in connection.exec_driver_sql(TRANSLATIONS):
        translations[practice_id] += [title, summary]
    key = "rowid" if sqlite else "practice_id"
    rows = [
        {
            "id": practice_id,
            "title": _join(title),
            "summary": _join(summary),
            "body": _join(*body),
            "context": _join(place, parent, lead, *translations[practice_id]),
        }
        for practice_id, title, summary, *body, place, parent, lead in connection.exec_driver_sql(
            PRACTICES
        )
    ]
    if rows:
        connection.execute(
            sa.text(
                f"INSERT INTO practice_search ({key}, title, summary, body, context) "
                "VALUES (:id, :title, :summary, :body, :context)"
            ),
            rows,
        )


def downgrade() -> None:
    op.execute("DROP TABLE practice_search")
    op.drop_index("ix_place_updated_at", "place")
    op.drop_index("ix_practice_updated_at", "practice")
