"""Full-text search over practices, on both databases alike.

Each practice has one stored document (table ``practice_search``) in four weighted
columns: ``title``; ``summary``; ``body`` (description, the design answers, what did not
work, know-how); ``context`` (place and parent place names, lead organisation, and the
titles and summaries of translations). ``index_practices`` rewrites the documents of the
practices whose text changed, and their words, stemmed and weighted, in
``practice_search_words``; every write path that changes a practice's text, place or
translations calls it in the same transaction.

Matching and ranking happen in memory (``app/catalogue/word_index.py``), not in SQL: a
word's matches are an array kept up to date with each publication, so a search costs
vector arithmetic instead of a full-text query per word and per page. This module holds
what both sides share: how text is cut into words and how words are stemmed (Snowball's
English, PostgreSQL's ``english`` configuration's stemmer, so "campaigns" finds
"campaign"), what a query means, and how a page of hits is highlighted.
"""

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer
from markupsafe import Markup
from sqlalchemy import Integer, column, delete, insert, table
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db import IDS, for_ids, plain_batches
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


# Dropped from queries on both backends alike: PostgreSQL's english configuration drops
# these (its tsearch_data/english.stop, Snowball's English list), so a query word among
# them would match nothing there and must match alike on SQLite, where FTS5 would require it.
_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""


STOP_WORDS = frozenset(_STOP_LIST.split())


# A word: a run of letters and digits (as SQLite's unicode61 tokenizer cuts text).
TOKEN = re.compile(r"[^\W_]+")


_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """What a lower-case word is matched as: without diacritics, stemmed; "" for a stop
    word or a single letter, which match nothing."""
    if len(word) < 2 or word in STOP_WORDS:
        return ""
    bare = unicodedata.normalize("NFKD", word)
    return str(_english.stemWord("".join(c for c in bare if not unicodedata.combining(c))))


COLUMNS = ("title", "summary", "body", "context")  # of a document
WEIGHTS = (10, 4, 1, 2)  # how much a word counts in each


def stored_words(document: Sequence[str | None]) -> tuple[str, int]:
    """A document's words as ``practice_search_words`` keeps them: its distinct stems, then
    the weighted count of each as four hexadecimal digits ("stem stem|000a0005", read in
    one step at start-up), and how many words it has, stop words included (as BM25 counts
    a document's length). ``document`` is its four columns."""
    counts: dict[str, int] = {}
    length = 0
    for text, weight in zip(document, WEIGHTS, strict=True):
        found = TOKEN.findall((text or "").lower())
        length += len(found)
        for word in found:
            if stemmed := stem(word):
                counts[stemmed] = counts.get(stemmed, 0) + weight
    weights = "".join(f"{min(count, 0xFFFF):04x}" for count in counts.values())
    return " ".join(counts) + "|" + weights, length


MAX_WORDS = 12


SNIPPET_WORDS = 24


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

    @property
    def expansions(self) -> list[str]:
        """Words searched for besides the ones typed (shown to the reader)."""
        typed = {group[0] for group in self.groups}
        return [w for group in self.groups for w in group[1:] if w not in typed]

    def stems(self) -> frozenset[str]:
        """Every word that matches, as matched (stemmed)."""
        return frozenset(stem(w) for group in self.groups for w in group) - {""}


def parse(q: str | None) -> SearchQuery | None:
    """Words of ``q`` (letters and digits only, so no query syntax gets through; single
    letters and stop words dropped), with synonyms; ``None`` if nothing is left."""
    groups: list[tuple[str, ...]] = []
    for word in words(q or "")[:MAX_WORDS]:
        group: tuple[str, ...] = (word,)
        for stems, alternatives in SYNONYM_GROUPS:
            if word.startswith(stems):
                group += tuple(a for a in alternatives if a != word)
        groups.append(group)
    return SearchQuery(tuple(groups)) if groups else None


def words(text: str) -> list[str]:
    """The searchable words of ``text``, lower-cased, in order, without repeats."""
    found = TOKEN.findall(text.lower())
    return list(dict.fromkeys(w for w in found if len(w) > 1 and w not in STOP_WORDS))


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


@dataclass(frozen=True)
class Highlight:
    """A hit's title with its matches marked, and its best-matching passage."""

    title: Markup
    passage: Markup


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    """``text[start:end]`` HTML-escaped, with ``<mark>`` around each of ``spans``."""
    parts: list[str] = []
    at = start
    for low, high in spans:
        if start <= low and high <= end:
            parts += [html.escape(text[at:low], quote=False), "<mark>"]
            parts += [html.escape(text[low:high], quote=False), "</mark>"]
            at = high
    parts.append(html.escape(text[at:end], quote=False))
    return Markup("".join(parts))


def _passage(text: str, stems: frozenset[str]) -> Markup | None:
    """The run of ``SNIPPET_WORDS`` words of ``text`` holding the most different matches
    (the earliest of equals), marked; None when nothing in ``text`` matches."""
    found = list(TOKEN.finditer(text))
    words = [stem(m.group().lower()) for m in found]
    matched = [i for i, word in enumerate(words) if word in stems]
    if not matched:
        return None
    best, first = -1, 0
    for i in matched:
        first_word = max(0, i - 2)  # a little of what comes before the match
        different = len(stems.intersection(words[first_word : first_word + SNIPPET_WORDS]))
        if different > best:
            best, first = different, first_word
    last = min(first + SNIPPET_WORDS, len(found)) - 1
    start = 0 if first == 0 else found[first].start()
    end = len(text) if last == len(found) - 1 else found[last].end()
    spans = [found[i].span() for i in matched]
    passage = _marked(text, spans, start, end)
    return Markup("…" if start else "") + passage + Markup("…" if end < len(text) else "")


def highlights(session: Session, query: SearchQuery, ids: Sequence[int]) -> dict[int, Highlight]:
    """Marked-up titles and passages for the practices ``ids`` (one page of hits): the
    title with every match marked, and the best passage of the summary, else the body, else
    the context (none when only the title matched)."""
    stems = query.stems()
    result = {}
    for practice_id, title, *rest in for_ids(session, _page_documents(_key(session)), ids):
        spans = [m.span() for m in TOKEN.finditer(title) if stem(m.group().lower()) in stems]
        passage = next(
            (p for text in rest if (p := _passage(text or "", stems)) is not None), Markup()
        )
        result[int(practice_id)] = Highlight(_marked(title, spans, 0, len(title)), passage)
    return result


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def index_practices(session: Session, ids: Iterable[int] | None = None) -> None:
    """Rewrite the documents of practices ``ids`` (of every practice when ``None``)."""

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
    parent = aliased(Place)
    step = 1000
    batches = [chosen[i : i + step] for i in range(0, len(chosen), step)]
    for batch in batches:
        translations: dict[int, list[str]] = defaultdict(list)
        for practice_id, title, summary in session.exec(
            select(
                PracticeTranslation.practice_id,
                PracticeTranslation.title,
                PracticeTranslation.summary,
            ).where(col(PracticeTranslation.practice_id).in_(batch))
        ):
            translations[practice_id] += [title, summary]
        rows, words = [], []
        for p, place_name, parent_name, lead_name in session.exec(
            select(Practice, Place.name, parent.name, Organisation.name)
            .join(Place, col(Place.id) == Practice.place_id)
            .outerjoin(parent, col(parent.id) == Place.parent_id)
            .outerjoin(Organisation, col(Organisation.id) == Practice.lead_organisation_id)
            .where(col(Practice.id).in_(batch))
        ):
            document = (
                _join(p.title),
                _join(p.summary),
                _join(*(getattr(p, name) for name in BODY_FIELDS)),
                _join(place_name, parent_name, lead_name, *translations[p.id or 0]),
            )
            rows.append({key.name: p.id, **dict(zip(COLUMNS, document, strict=True))})
            text, length = stored_words(document)
            words.append({"practice_id": p.id, "words": text, "length": length})
        if rows:
            session.connection().execute(insert(search), rows)
            session.connection().execute(insert(_WORDS), words)
