"""Full-text search over practices, on both databases alike.

Each practice has one stored document (table ``practice_search``) in four columns:
``title``; ``summary``; ``body`` (description, the design answers, what did not work,
know-how); ``context`` (place and parent place names, lead organisation, and the titles
and summaries of translations). Its words (``practice_search_words``) are the document's,
each stemmed in the language it is written in (``app/catalogue/stemming.py``) and
weighted by the column it stands in. ``index_practices`` rewrites both for the practices
whose text, place or translations changed; every write path that changes them calls it
in the same transaction. The labels of a practice's classification match too, in the
reader's language and in English, where the practice has no full text in that language:
the index looks them up by its terms (``app/catalogue/label_words.py``).

Matching and ranking happen in memory (``app/catalogue/word_index.py``), not in SQL: a
word's matches are an array kept up to date with each publication, so a search costs
vector arithmetic instead of a full-text query per word and per page. This module holds
what both sides share: how text is cut into words, what a query means (its words, each
looked for in every language, and their synonyms), and how the words are stored.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, column, delete, insert, table
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.catalogue.stemming import is_stop_word, keys, stem
from app.db import IDS, plain_batches
from app.i18n import DEFAULT_LANGUAGE, get_language
from app.models.places import Organisation, Place
from app.models.practices import Practice, PracticeStatus, PracticeTranslation
from app.practices.fields import BODY_FIELDS

# Framing terms the reports treat as alternatives: councils that doubt the language of
# "integration" speak of "community cohesion" or "social inclusion" instead (AMICALL UK
# report; the transnational report adds municipalities "moving away from the integration
# paradigm" towards cohesion and inclusion). A word starting with one of these stems
# searches for all three words.
SYNONYM_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("integrat", "cohes", "inclus"), ("integration", "cohesion", "inclusion")),
)


# A word: a run of letters and digits (as SQLite's unicode61 tokenizer cuts text).
TOKEN = re.compile(r"[^\W_]+")


COLUMNS = ("title", "summary", "body", "context")  # of a stored document
# How much a word counts in each column, and in a label of the practice's classification.
WEIGHTS = {"title": 10, "summary": 4, "body": 1, "context": 2, "terms": 2}


Part = tuple[str, str | None, str]  # a column, its text, the text's language


def stored_words(parts: Iterable[Part]) -> tuple[str, int]:
    """A practice's words as ``practice_search_words`` keeps them: its distinct stems (each
    stemmed in its text's language), then the weighted count of each as four hexadecimal
    digits ("en:stem de:stem|000a0005", read in one step at start-up), and how many words
    its document has, stop words included (as BM25 counts a document's length)."""
    counts: dict[str, int] = {}
    length = 0
    for part, text, language in parts:
        found = TOKEN.findall((text or "").lower())
        length += len(found)
        for word in found:
            if stemmed := stem(word, language):
                counts[stemmed] = counts.get(stemmed, 0) + WEIGHTS[part]
    weights = "".join(f"{min(count, 0xFFFF):04x}" for count in counts.values())
    return " ".join(counts) + "|" + weights, length


MAX_WORDS = 12


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


def create_index(connection: Connection) -> None:
    """Create the (empty) index table for the connection's database."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(SQLITE_DDL)
    else:
        for statement in POSTGRESQL_DDL:
            connection.exec_driver_sql(statement)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _key(session: Session) -> str:
    return "rowid" if _is_sqlite(session) else "practice_id"


def _table(session: Session) -> Any:
    return _documents_table(_key(session))


@lru_cache
def _documents_table(key: str) -> Any:
    return table("practice_search", column(key, Integer), *(column(name) for name in COLUMNS))


def page_documents(session: Session) -> Any:
    """A statement for the stored documents (id and ``COLUMNS``) of the practices ``IDS``."""
    return _page_documents(_key(session))


@lru_cache
def _page_documents(key: str) -> Any:
    """The documents of a page of hits, built once: building and compiling the statement
    costs as much as running it."""
    search = _documents_table(key)
    chosen = search.c[key].in_(IDS)
    return sa_select(search.c[key], *(search.c[name] for name in COLUMNS)).where(chosen)


@dataclass(frozen=True)
class SearchQuery:
    """The words of a search, each with the alternatives that may stand in for it."""

    groups: tuple[tuple[str, ...], ...]
    any_word: bool = False  # match practices with any of the words, not all
    # The languages the words are taken to be in (the reader's and English): a practice
    # not written in one of them is matched by the labels of its classification in it too.
    labels_in: tuple[str, ...] = ()

    @property
    def expansions(self) -> list[str]:
        """Words searched for besides the ones typed (shown to the reader)."""
        typed = {group[0] for group in self.groups}
        return [w for group in self.groups for w in group[1:] if w not in typed]

    def stems(self) -> frozenset[str]:
        """Every stem that matches (``stemming.keys`` of every word)."""
        return frozenset(key for group in self.groups for key in group_keys(group))


@lru_cache(maxsize=20_000)
def group_keys(group: tuple[str, ...]) -> tuple[str, ...]:
    """The stems any word of ``group`` matches, in every language, without repeats."""
    return tuple(dict.fromkeys(key for word in group for key in keys(word)))


def parse(q: str | None, language: str | None = None) -> SearchQuery | None:
    """Words of ``q`` (letters and digits only, so no query syntax gets through; single
    letters and the stop words of English and of ``language``, the reader's by default,
    dropped), with synonyms; ``None`` if nothing is left."""
    groups: list[tuple[str, ...]] = []
    language = language or get_language()
    for word in words(q or "", language)[:MAX_WORDS]:
        group: tuple[str, ...] = (word,)
        for stems, alternatives in SYNONYM_GROUPS:
            if word.startswith(stems):
                group += tuple(a for a in alternatives if a != word)
        if group_keys(group):
            groups.append(group)
    # Readers type in their own language or in English, whatever the interface.
    labels_in = tuple(dict.fromkeys((language, DEFAULT_LANGUAGE)))
    return SearchQuery(tuple(groups), labels_in=labels_in) if groups else None


def words(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The searchable words of ``text``, lower-cased, in order, without repeats: without
    single letters and the stop words of English and of ``language``."""
    found = TOKEN.findall(text.lower())
    kept = (w for w in found if len(w) > 1 and not is_stop_word(w, DEFAULT_LANGUAGE))
    return list(dict.fromkeys(w for w in kept if not is_stop_word(w, language)))


def expansions(q: str | None) -> list[str]:
    """Words searched for besides those in ``q`` (shown to the reader)."""
    search = parse(q)
    return search.expansions if search else []


_WORDS = table(
    "practice_search_words", column("practice_id", Integer), column("words"), column("length")
)


StoredWords = tuple[int, str, int]  # practice id, words (as ``stored_words``), length


def stored(session: Session, ids: Sequence[int] | None = None) -> Iterator[list[StoredWords]]:
    """The stored words of the published practices (of those of ``ids`` when given), in
    ascending id order, in batches."""
    key = _WORDS.c.practice_id
    published = select(Practice.id).where(Practice.status == PracticeStatus.published)
    chunks: Iterable[Sequence[int] | None] = [None]
    if ids is not None:
        chosen = sorted(set(ids))
        chunks = [chosen[i : i + 1000] for i in range(0, len(chosen), 1000)]
    for chunk in chunks:
        where = key.in_(published) if chunk is None else key.in_(chunk)
        statement = sa_select(key, _WORDS.c.words, _WORDS.c.length).where(where).order_by(key)
        yield from plain_batches(session, statement, size=20_000)


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def with_names(*columns: Any) -> Any:
    """A statement for ``columns`` of practices with the names a document's context holds:
    its place's, the place's parent's and its lead organisation's."""
    parent = aliased(Place)
    return (
        sa_select(*columns, col(Place.name), col(parent.name), col(Organisation.name))
        .join(Place, col(Place.id) == Practice.place_id)
        .outerjoin(parent, col(parent.id) == Place.parent_id)
        .outerjoin(Organisation, col(Organisation.id) == Practice.lead_organisation_id)
    )


def _translations(session: Session, batch: list[int]) -> dict[int, list[Part]]:
    """The translations of the practices ``batch`` (every field they hold), as parts of
    their words."""
    found: dict[int, list[Part]] = defaultdict(list)
    for translation in session.exec(
        select(PracticeTranslation).where(col(PracticeTranslation.practice_id).in_(batch))
    ):
        found[translation.practice_id] += [
            ("context", text, translation.language)
            for text in (
                *(getattr(translation, name) for name in ("title", "summary", *BODY_FIELDS)),
                *(translation.outcome_texts or {}).values(),
            )
        ]
    return found


def index_practices(session: Session, ids: Iterable[int] | None = None) -> None:
    """Rewrite the documents and words of practices ``ids`` (every practice when ``None``)."""

    search = _table(session)
    key = search.c[_key(session)]
    if ids is None:
        session.execute(delete(search))
        session.execute(delete(_WORDS))
        chosen = [i for i in session.exec(select(Practice.id).order_by(col(Practice.id))) if i]
    else:
        chosen = sorted(set(ids))
        session.execute(delete(search).where(key.in_(chosen)))
        session.execute(delete(_WORDS).where(_WORDS.c.practice_id.in_(chosen)))
    if not chosen:
        return
    step = 1000
    batches = [chosen[i : i + step] for i in range(0, len(chosen), step)]
    for batch in batches:
        translations = _translations(session, batch)
        rows, words = [], []
        for p, place_name, parent_name, lead_name in session.execute(
            with_names(Practice).where(col(Practice.id).in_(batch))
        ):
            language = p.original_language
            own: list[Part] = [
                ("title", p.title, language),
                ("summary", p.summary, language),
                *(("body", getattr(p, name), language) for name in BODY_FIELDS),
                *(("context", name, language) for name in (place_name, parent_name, lead_name)),
                *translations[p.id or 0],
            ]
            document = {
                column: _join(*(text for part, text, _l in own if part == column))
                for column in COLUMNS
            }
            rows.append({key.name: p.id, **document})
            text, length = stored_words(own)
            words.append({"practice_id": p.id, "words": text, "length": length})
        if rows:
            session.connection().execute(insert(search), rows)
            session.connection().execute(insert(_WORDS), words)
