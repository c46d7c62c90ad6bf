"""Export the public practices of an Interlocal SQLite database as one flat table for
Datasette, with a full-text index configured like ours.

    python bench/export_datasette.py interlocal.db practices.db

One row per published, public practice: id, slug, title, summary, description, country
(of the practice's place), lifecycle (term code) and activity_type (a JSON array of term
codes, each with its broader terms, so that Datasette's array facet counts what our
facet counts: a term's count includes its sub-types). ``practices_fts`` is an external-
content FTS5 table over title, summary and description with the tokenizer of our index
(``porter unicode61 remove_diacritics 2``); Datasette finds it by its ``content=``
declaration, and ``metadata()`` names it explicitly as well.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

TABLE = "practices"
FTS_TABLE = "practices_fts"
TOKENIZE = "porter unicode61 remove_diacritics 2"  # as app/catalogue/search.py

ROWS = """
SELECT p.id, p.slug, p.title, p.summary, p.description, pl.country,
    (SELECT t.code FROM src.practice_term pt
        JOIN src.vocabulary_term t ON t.id = pt.term_id
        JOIN src.vocabulary_scheme s ON s.id = t.scheme_id
        WHERE pt.practice_id = p.id AND s.code = 'lifecycle'
        ORDER BY t.position, t.id LIMIT 1),
    (SELECT json_group_array(code) FROM (
        SELECT DISTINCT a.code FROM src.practice_term pt
            JOIN src.vocabulary_term_ancestor x ON x.term_id = pt.term_id
            JOIN src.vocabulary_term a ON a.id = x.ancestor_id
            JOIN src.vocabulary_scheme s ON s.id = a.scheme_id
            WHERE pt.practice_id = p.id AND s.code = 'activity-type'
            ORDER BY a.code))
FROM src.practice p JOIN src.place pl ON pl.id = p.place_id
WHERE p.status = 'published' AND p.visibility = 'public'
ORDER BY p.id
"""


def export(source: Path, target: Path) -> int:
    """Write ``target`` from the Interlocal database ``source``; returns the row count."""
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    try:
        db.execute("ATTACH DATABASE ? AS src", (f"file:{source}?mode=ro",))
        db.executescript(
            f"""
            CREATE TABLE {TABLE} (
                id INTEGER PRIMARY KEY,
                slug TEXT NOT NULL,
                title TEXT NOT NULL,
                summary TEXT NOT NULL,
                description TEXT,
                country TEXT NOT NULL,
                lifecycle TEXT,
                activity_type TEXT NOT NULL
            );
            CREATE INDEX ix_{TABLE}_country ON {TABLE} (country);
            CREATE INDEX ix_{TABLE}_lifecycle ON {TABLE} (lifecycle);
            CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
                title, summary, description,
                content="{TABLE}", content_rowid="id", tokenize='{TOKENIZE}'
            );
            """
        )
        db.execute(f"INSERT INTO {TABLE} {ROWS}")
        db.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
        db.commit()
        count = int(db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])
        db.execute("DETACH DATABASE src")
        db.execute("VACUUM")
        db.commit()
    finally:
        db.close()
    return count


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata that points ``_search`` at the FTS5 table."""
    return {
        "databases": {
            database: {"tables": {TABLE: {"fts_table": FTS_TABLE, "fts_pk": "id"}}},
        }
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = export(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"exported {rows} practices to {sys.argv[2]}")
