"""Full-text search over practices: SQLite FTS5 on the embedded default, PostgreSQL
full-text search in production, behind one interface.

The index (table ``practice_search``) holds one document per practice in four weighted
columns: ``title``; ``summary``; ``body`` (description, the design answers, what did not
work, know-how); ``context`` (place and parent place names, lead organisation, and the
titles and summaries of translations). Both backends stem English words (Porter on
SQLite, the ``english`` configuration on PostgreSQL), so "campaigns" finds "campaign".

``index_practices`` rewrites the documents of the practices whose text changed; every
write path that changes a practice's text, place or translations calls it in the same
transaction. The index holds every practice; who may see a hit is decided, as everywhere,
by ``app.permissions.visible``.
"""

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from markupsafe import Markup
from sqlalchemy import Float, Integer, bindparam, column, delete, insert, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db import plain_batches
from app.models.places import Organisation, Place
from app.models.practices import Practice, PracticeTranslation
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


MAX_WORDS = 12


START, END = "\ue000", "\ue001"  # highlight markers: private-use characters, never in text


SNIPPET_WORDS = 24


# Relevance, higher is better: title counts most, then summary, body and context (on
# PostgreSQL through the tsvector's weights A to D).
SQLITE_SCORE = "-bm25(practice_search, 10.0, 4.0, 1.0, 2.0)"


POSTGRESQL_SCORE = "CAST(ts_rank(document, to_tsquery('english', :tsq)) AS double precision)"


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
    return table(
        "practice_search",
        column(_key(session), Integer),
        column("title"),
        column("summary"),
        column("body"),
        column("context"),
    )


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

    def fts5(self) -> str:
        return (" OR " if self.any_word else " AND ").join(
            "(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in self.groups
        )

    def tsquery(self) -> str:
        return (" | " if self.any_word else " & ").join(
            "(" + " | ".join(group) + ")" for group in self.groups
        )


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
    found = re.findall(r"\w+", text.lower())
    return list(dict.fromkeys(w for w in found if len(w) > 1 and w not in STOP_WORDS))


def expansions(q: str | None) -> list[str]:
    """Words searched for besides those in ``q`` (shown to the reader)."""
    search = parse(q)
    return search.expansions if search else []


def hits(session: Session, query: SearchQuery) -> Any:
    """Subquery of ``(id, score)`` for the matching practices; higher scores match better
    (title counts most, then summary, body and context)."""
    if _is_sqlite(session):
        statement = text(
            f"SELECT rowid AS id, {SQLITE_SCORE} AS score "
            "FROM practice_search WHERE practice_search MATCH :fts"
        ).bindparams(fts=query.fts5())
    else:
        statement = text(
            f"SELECT practice_id AS id, {POSTGRESQL_SCORE} AS score "
            "FROM practice_search WHERE document @@ to_tsquery('english', :tsq)"
        ).bindparams(tsq=query.tsquery())
    return statement.columns(column("id", Integer), column("score", Float)).subquery("hits")


def hit_scores(session: Session, query: SearchQuery) -> tuple[np.ndarray, np.ndarray]:
    """Ids and scores of every matching practice (``hits``), as arrays. A common word
    matches tens of thousands of practices: read as the driver gives them, they skip the
    per-row work of SQLAlchemy's results, which took a third of a search's time."""
    found = hits(session, query)
    ids, scores = [], []
    for rows in plain_batches(session, select(found.c.id, found.c.score)):
        ids.append(np.array([row[0] for row in rows], dtype=np.int32))
        scores.append(np.array([row[1] for row in rows], dtype=np.float64))
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(scores)


def _fold(word: str) -> str:
    """A word as far as stemming cannot change it: lower case, without diacritics (as the
    index's tokenizer folds them), a final y as i (Porter's one change before a suffix)."""
    bare = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in bare if not unicodedata.combining(c)).replace("y", "i")


def hits_staleness(session: Session, changed: set[int]) -> Callable[[Any, Any], bool]:
    """Which cached matches (a ``SearchQuery`` and its ids and scores) the practices
    ``changed`` may have altered: those listing one of them, and those with a word sharing
    its first three letters with a word of their text now. Stemming changes only a word's
    ending, so a word matching the new text always shares them; the rest keep their
    scores, which drift a little as the catalogue grows until the next full reload."""
    search = _table(session)
    key = search.c[_key(session)]
    prefixes: set[str] = set()
    for row in session.execute(
        select(search.c.title, search.c.summary, search.c.body, search.c.context).where(
            key.in_(sorted(changed))
        )
    ):
        prefixes |= {_fold(w)[:3] for w in re.findall(r"\w+", " ".join(row))}
    listed = np.array(sorted(changed), dtype=np.int32)

    def stale(query: Any, value: Any) -> bool:
        if np.isin(value[0], listed).any():
            return True
        return any(_fold(w)[:3] in prefixes for group in query.groups for w in group)

    return stale


@dataclass(frozen=True)
class Highlight:
    """A hit's relevance, its title with matches marked, and its best-matching passage."""

    score: float
    title: Markup
    snippet: Markup


def _marked(raw: str) -> Markup:
    """HTML-escape ``raw`` and turn the match markers into ``<mark>`` elements."""
    escaped = html.escape(raw, quote=False)
    return Markup(escaped.replace(START, "<mark>").replace(END, "</mark>"))


def highlights(session: Session, query: SearchQuery, ids: Sequence[int]) -> dict[int, Highlight]:
    """Scores, marked-up titles and passages for the practices ``ids`` (one page of hits),
    in one query."""
    if not ids:
        return {}
    params: dict[str, Any] = {"start": START, "end": END}
    if _is_sqlite(session):
        statement = text(
            f"SELECT rowid, {SQLITE_SCORE}, highlight(practice_search, 0, :start, :end), "
            + ", ".join(
                f"snippet(practice_search, {column}, :start, :end, '…', {SNIPPET_WORDS})"
                for column in (1, 2, 3)  # the best of summary, body or context
            )
            + " "
            "FROM practice_search WHERE practice_search MATCH :fts AND rowid IN :ids"
        )
        params["fts"] = query.fts5()
    else:
        options = f"StartSel={START}, StopSel={END}"
        statement = text(
            f"SELECT practice_id, {POSTGRESQL_SCORE}, "
            "ts_headline('english', title, q, :all), "
            "ts_headline('english', summary || ' ' || body || ' ' || context, q, :part) "
            "FROM practice_search, to_tsquery('english', :tsq) AS q WHERE practice_id IN :ids"
        )
        params |= {
            "tsq": query.tsquery(),
            "all": options + ", HighlightAll=true",
            "part": options + f", MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=1, "
            "FragmentDelimiter=…",
        }
    statement = statement.bindparams(bindparam("ids", expanding=True))
    params["ids"] = list(ids)
    rows = session.connection().execute(statement, params).all()
    result = {}
    for practice_id, score, title, *snippets in rows:
        # A passage with nothing marked (only the title matched) adds nothing.
        passage = next((s for s in snippets if START in (s or "")), "")
        result[practice_id] = Highlight(float(score), _marked(title or ""), _marked(passage))
    return result


def _join(*parts: str | None) -> str:
    return "\n".join(p.replace(START, "").replace(END, "") for p in parts if p)


def index_practices(session: Session, ids: Iterable[int] | None = None) -> None:
    """Rewrite the documents of practices ``ids`` (of every practice when ``None``)."""

    search = _table(session)
    key = search.c[_key(session)]
    if ids is None:
        session.execute(delete(search))
        chosen = [i for i in session.exec(select(Practice.id).order_by(col(Practice.id))) if i]
    else:
        chosen = sorted(set(ids))
        session.execute(delete(search).where(key.in_(chosen)))
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
        rows = []
        for p, place_name, parent_name, lead_name in session.exec(
            select(Practice, Place.name, parent.name, Organisation.name)
            .join(Place, col(Place.id) == Practice.place_id)
            .outerjoin(parent, col(parent.id) == Place.parent_id)
            .outerjoin(Organisation, col(Organisation.id) == Practice.lead_organisation_id)
            .where(col(Practice.id).in_(batch))
        ):
            rows.append(
                {
                    key.name: p.id,
                    "title": _join(p.title),
                    "summary": _join(p.summary),
                    "body": _join(*(getattr(p, name) for name in BODY_FIELDS)),
                    "context": _join(place_name, parent_name, lead_name, *translations[p.id or 0]),
                }
            )
        if rows:
            session.connection().execute(insert(search), rows)
