"""search words: each practice's document cut into stemmed, weighted words

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:00:00

Each worker keeps every published practice's words in memory (``app/catalogue/
word_index.py``). Cutting the documents into words and stemming them took most of a
worker's start-up at 500,000 practices; stored once per practice when its document is
written, they are only read at start-up.

A row holds the document's distinct stems, then the weighted count of each (title 10,
summary 4, body 1, context 2) as four hexadecimal digits, "stem stem|000a0005", and how
many words the document has, stop words included. The first fill is a frozen copy of ``app.catalogue.search``'s
``stored_words`` when this migration was written, in plain SQL over ``practice_search``,
so that changing search later never changes what this migration does (a change to how
words are cut needs a migration that fills the table again).
"""

import re
import unicodedata
from collections.abc import Sequence

import snowballstemmer
import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN = re.compile(r"[^\W_]+")
WEIGHTS = (10, 4, 1, 2)
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()
)


def upgrade() -> None:
    op.create_table(
        "practice_search_words",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("practice_id"),
    )
    connection = op.get_bind()
    key = "rowid" if connection.dialect.name == "sqlite" else "practice_id"
    english = snowballstemmer.stemmer("english")
    stems: dict[str, str] = {}

    def stem(word: str) -> str:
        if word not in stems:
            bare = unicodedata.normalize("NFKD", word)
            bare = "".join(c for c in bare if not unicodedata.combining(c))
            skip = len(word) < 2 or word in STOP_WORDS
            stems[word] = "" if skip else str(english.stemWord(bare))
        return stems[word]

    documents = connection.exec_driver_sql(
        f"SELECT {key}, title, summary, body, context FROM practice_search ORDER BY {key}"
    )
    insert = sa.text(
        "INSERT INTO practice_search_words (practice_id, words, length) "
        "VALUES (:practice_id, :words, :length)"
    )
    while batch := documents.fetchmany(2000):
        rows = []
        for practice_id, *columns in batch:
            counts: dict[str, int] = {}
            length = 0
            for text, weight in zip(columns, WEIGHTS, strict=True):
                found = TOKEN.findall(str(text or "").lower())
                length += len(found)
                for word in found:
                    if stemmed := stem(word):
                        counts[stemmed] = counts.get(stemmed, 0) + weight
            weights = "".join(f"{min(count, 0xFFFF):04x}" for count in counts.values())
            words = " ".join(counts) + "|" + weights
            rows.append({"practice_id": practice_id, "words": words, "length": length})
        connection.execute(insert, rows)


def downgrade() -> None:
    op.drop_table("practice_search_words")
