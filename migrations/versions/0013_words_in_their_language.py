"""words in their language: each practice's words stemmed in the language they are written in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:30:00

Until now every word was stemmed as English. A practice's title, summary, body and names
are now stemmed in its original language and each translation in its own, each stem
tagged with its language ("de:gerucht"), and the stop words dropped are those of that
language. This fills ``practice_search_words`` again that way.

Like 0011, it is a frozen copy of ``app.catalogue.search.stored_words`` and
``app.catalogue.stemming`` when it was written, in plain SQL; the stop-word lists are
frozen too, in ``migrations/data/0013-stop-words``.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import snowballstemmer
import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN = re.compile(r"[^\W_]+")
WEIGHTS = {"title": 10, "summary": 4, "body": 1, "context": 2}
SNOWBALL = {
    "en": "english",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "hu": "hungarian",
}
STOP_WORDS_DIRECTORY = Path(__file__).parents[1] / "data" / "0013-stop-words"


def upgrade() -> None:
    _fill(in_their_language=True)


def downgrade() -> None:
    # As 0011 stored them: every word stemmed as English, untagged.
    _fill(in_their_language=False)


def _fill(*, in_their_language: bool) -> None:
    stemmers = {code: snowballstemmer.stemmer(name) for code, name in SNOWBALL.items()}
    stop_words = {
        code: frozenset((STOP_WORDS_DIRECTORY / f"{code}.txt").read_text("utf-8").split())
        for code in SNOWBALL
    }
    stems: dict[tuple[str, str], str] = {}

    def stem(word: str, language: str) -> str:
        if language not in stemmers or not in_their_language:
            language = "en"
        if (word, language) not in stems:
            stemmed = ""
            if len(word) > 1 and word not in stop_words[language]:
                bare = unicodedata.normalize("NFKD", word)
                bare = "".join(c for c in bare if not unicodedata.combining(c))
                stemmed = str(stemmers[language].stemWord(bare))
                if in_their_language:
                    stemmed = f"{language}:{stemmed}"
            stems[word, language] = stemmed
        return stems[word, language]

    connection = op.get_bind()
    key = "rowid" if connection.dialect.name == "sqlite" else "practice_id"
    translations: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for practice_id, language, title, summary in connection.exec_driver_sql(
        "SELECT practice_id, language, title, summary FROM practice_translation"
    ):
        translations[practice_id] += [("context", title, language), ("context", summary, language)]
    names: dict[int, list[str]] = {}
    for practice_id, *found in connection.exec_driver_sql(
        "SELECT practice.id, place.name, parent.name, organisation.name FROM practice "
        "JOIN place ON place.id = practice.place_id "
        "LEFT JOIN place AS parent ON parent.id = place.parent_id "
        "LEFT JOIN organisation ON organisation.id = practice.lead_organisation_id"
    ):
        names[practice_id] = [name for name in found if name]
    documents = connection.exec_driver_sql(
        f"SELECT s.{key}, p.original_language, s.title, s.summary, s.body "
        f"FROM practice_search AS s JOIN practice AS p ON p.id = s.{key} ORDER BY s.{key}"
    )
    connection.exec_driver_sql("DELETE FROM practice_search_words")
    insert = sa.text(
        "INSERT INTO practice_search_words (practice_id, words, length) "
        "VALUES (:practice_id, :words, :length)"
    )
    while batch := documents.fetchmany(2000):
        rows = []
        for practice_id, language, title, summary, body in batch:
            parts = [("title", title, language), ("summary", summary, language)]
            parts += [("body", body, language)]
            parts += [("context", name, language) for name in names.get(practice_id, [])]
            parts += translations[practice_id]
            counts: dict[str, int] = {}
            length = 0
            for column, text, written_in in parts:
                found = TOKEN.findall(str(text or "").lower())
                length += len(found)
                for word in found:
                    if stemmed := stem(word, written_in):
                        counts[stemmed] = counts.get(stemmed, 0) + WEIGHTS[column]
            weights = "".join(f"{min(count, 0xFFFF):04x}" for count in counts.values())
            words = " ".join(counts) + "|" + weights
            rows.append({"practice_id": practice_id, "words": words, "length": length})
        connection.execute(insert, rows)

