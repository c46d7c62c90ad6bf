"""An in-memory index of the published practices, for filtering, counting and paging lists.

A list filters by country, a dozen vocabularies, networks, places and sources, counts facet
values over the result with each facet's own filter left out, and pages through it. In SQL
that is a statement per facet, each applying every filter again (60 ms on 50,000
practices). Here every filter value has the rows that carry it (its "postings"), a filter
is a boolean mask, a facet count is a sum over a mask, and a page is the next rows of a
sort order computed once: vector operations of well under a millisecond.

Each worker loads the index once per catalogue version (``app/catalogue/cache.py``), in a
session of its own so that nobody's uncommitted changes get into it. Who may see what stays
in SQL (``app.permissions.visible``, one rule for every query), as does full-text matching.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import func
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.catalogue.cache import loaded
from app.catalogue.pagination import NamedValue, decode_cursor, encode_cursor, invalid_cursor
from app.models.places import Place
from app.models.practices import Practice, PracticeSource, PracticeStatus, PracticeTerm
from app.models.vocabularies import VocabularyTermAncestor
from app.permissions import Viewer, practice_networks, visible

# What a filter or facet can look up: a country code, a term (matching its sub-types too),
# a network, a place (exactly; callers add the places within it) or a source.
Kind = Literal["country", "term", "network", "place", "source"]


OrderName = Literal["title", "start", "updated", "published"]


@dataclass
class Page:
    rows: list[int]  # practice ids, in order
    next_cursor: str | None


@dataclass
class PracticeIndex:
    """One row per published practice (network-only ones too: ``visible`` narrows)."""

    ids: np.ndarray  # practice id of each row, ascending
    postings: dict[str, dict[Any, np.ndarray]]  # kind -> value -> rows
    keys: dict[str, np.ndarray]  # sort -> each row's sort key
    orders: dict[str, np.ndarray]  # sort -> rows ascending by (key, id)
    sorted_keys: dict[str, np.ndarray]  # sort -> the keys in that order
    # By viewer and year: memberships start and end with a year (app.permissions).
    _visible: dict[tuple[Viewer, int], np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, rows: np.ndarray | None = None) -> np.ndarray:
        result = np.zeros(len(self), dtype=bool)
        if rows is not None:
            result[rows] = True
        return result

    def rows(self, practice_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the practices ``practice_ids`` that are in the index, and which of the
        given ids they are (positions into ``practice_ids``)."""
        wanted = np.asarray(practice_ids, dtype=np.int64)
        at = np.searchsorted(self.ids, wanted).clip(0, max(len(self) - 1, 0))
        found = self.ids[at] == wanted if len(self) else np.zeros(len(wanted), dtype=bool)
        return at[found], np.flatnonzero(found)

    def visible(self, session: Session, viewer: Viewer) -> np.ndarray:
        """Rows ``viewer`` may see, worked out in SQL once per viewer and version."""
        key = (viewer, date.today().year)
        mask = self._visible.get(key)
        if mask is None:
            with Session(session.get_bind()) as own:  # committed rows only, like the index
                ids = own.exec(select(Practice.id).where(*visible(viewer))).all()
            mask = self.mask(self.rows([int(i or 0) for i in ids])[0])
            self._visible[key] = mask
        return mask

    def having(self, kind: Kind, values: Iterable[Any]) -> np.ndarray:
        """Rows carrying any of ``values``."""
        postings = self.postings[kind]
        result = self.mask()
        for value in values:
            if value in postings:
                result[postings[value]] = True
        return result

    def counts(self, kind: Kind, mask: np.ndarray) -> dict[Any, int]:
        """How many rows in ``mask`` carry each value of ``kind`` (values with none left
        out)."""
        found = {}
        for value, rows in self.postings[kind].items():
            n = int(np.count_nonzero(mask[rows]))
            if n:
                found[value] = n
        return found

    def page(
        self,
        mask: np.ndarray,
        *,
        order: OrderName,
        descending: bool,
        limit: int,
        cursor: str | None,
    ) -> Page:
        """Up to ``limit`` rows of ``mask`` in ``order`` after ``cursor`` (keyset paging:
        the cursor holds the last row's sort key and id, so pages never overlap)."""
        rows, keys, ids = self.orders[order], self.sorted_keys[order], self.ids[self.orders[order]]
        if cursor:
            value, ident = decode_cursor(cursor, NamedValue)
            key = _cursor_key(order, value)
            low = int(np.searchsorted(keys, key, side="left"))
            high = int(np.searchsorted(keys, key, side="right"))
            tied = ids[low:high]
            if descending:
                rows = rows[: low + int(np.searchsorted(tied, ident, side="left"))]
            else:
                rows = rows[low + int(np.searchsorted(tied, ident, side="right")) :]
        if descending:
            rows = rows[::-1]
        chosen = rows[mask[rows]][: limit + 1]
        return self._page(chosen, limit, lambda row: _cursor_value(order, self.keys[order][row]))

    def page_by_score(
        self, mask: np.ndarray, scores: np.ndarray, *, limit: int, cursor: str | None
    ) -> Page:
        """Like ``page``, best score first (``scores`` per row), ties by id descending."""
        if cursor:
            value, ident = decode_cursor(cursor, NamedValue)
            value = _cursor_key("relevance", value)
            mask = mask & ((scores < value) | ((scores == value) & (self.ids < ident)))
        rows = np.flatnonzero(mask)
        rows = rows[np.lexsort((-self.ids[rows], -scores[rows]))][: limit + 1]
        return self._page(rows, limit, lambda row: _cursor_value("relevance", scores[row]))

    def _page(self, rows: np.ndarray, limit: int, cursor_value: Any) -> Page:
        next_cursor = None
        if len(rows) > limit:
            last = int(rows[limit - 1])
            next_cursor = encode_cursor(cursor_value(last), int(self.ids[last]))
        return Page([int(self.ids[row]) for row in rows[:limit]], next_cursor)


def _cursor_key(order: str, value: Any) -> Any:
    """The sort key a cursor stands for; the cursor names its sort order, so one from
    another order is refused rather than read as something it is not."""
    if isinstance(value, list) and len(value) == 2 and value[0] == order:
        key = value[1]
        if order == "title" and isinstance(key, str):
            return key
        if order in ("start", "relevance") and isinstance(key, int | float):
            return key
        if order in ("updated", "published") and isinstance(key, str):
            try:
                return _micros(datetime.fromisoformat(key))
            except ValueError:
                pass
    raise invalid_cursor()


def _cursor_value(order: str, key: Any) -> list[Any]:
    if order in ("updated", "published"):
        key = datetime.fromtimestamp(int(key) / 1_000_000, UTC).isoformat()
    elif order == "start":
        key = int(key)
    elif order == "relevance":
        key = float(key)
    return [order, key]


def _datetime(value: Any) -> datetime:
    """A datetime from a database expression (SQLite returns coalesce() as text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _micros(moment: datetime) -> int:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def practice_index(session: Session) -> PracticeIndex:
    """The index of the catalogue as last committed."""
    return loaded(session, "practice index", _load)


def _postings(pairs: Iterable[tuple[Any, Any]], row: dict[int, int]) -> dict[Any, np.ndarray]:
    """value -> rows, from (practice id, value) pairs."""
    grouped: dict[Any, list[int]] = defaultdict(list)
    for practice_id, value in pairs:
        if practice_id in row:
            grouped[value].append(row[practice_id])
    return {value: np.unique(np.array(rows, dtype=np.int64)) for value, rows in grouped.items()}


def _load(session: Session) -> PracticeIndex:
    published = col(Practice.status) == PracticeStatus.published
    practices = session.execute(
        sa_select(
            col(Practice.id),
            col(Practice.title),
            col(Practice.start_year),
            col(Practice.updated_at),
            col(Practice.place_id),
            col(Place.country),
            # Practices loaded from the reports have no publication date: their loading is it.
            func.coalesce(col(Practice.published_at), col(Practice.created_at)),
        )
        .join(Place, col(Place.id) == Practice.place_id)
        .where(published)
        .order_by(col(Practice.id))
    ).all()
    ids = np.array([int(p[0] or 0) for p in practices], dtype=np.int64)
    row = {int(practice_id): i for i, practice_id in enumerate(ids)}
    keys: dict[str, list[Any]] = {
        "title": [title.lower() for _id, title, *_rest in practices],
        "start": [start or 0 for _id, _title, start, *_rest in practices],
        "updated": [_micros(updated) for _id, _title, _start, updated, *_rest in practices],
        "published": [_micros(_datetime(p[6])) for p in practices],
    }
    row_keys, orders, sorted_keys = {}, {}, {}
    for name, values in keys.items():
        order = np.array(sorted(range(len(values)), key=lambda i: (values[i], ids[i])), dtype=int)
        row_keys[name] = np.array(values, dtype=object if name == "title" else np.int64)
        orders[name] = order
        sorted_keys[name] = row_keys[name][order]

    links = practice_networks()
    postings = {
        "country": _postings(((p[0], p[5]) for p in practices), row),
        "place": _postings(((p[0], p[4]) for p in practices), row),
        "term": _postings(
            session.exec(
                select(PracticeTerm.practice_id, VocabularyTermAncestor.ancestor_id)
                .join(
                    VocabularyTermAncestor,
                    col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id,
                )
                .distinct()
            ),
            row,
        ),
        "network": _postings(session.execute(select(links.c.practice_id, links.c.network_id)), row),
        "source": _postings(
            session.exec(
                select(PracticeSource.practice_id, PracticeSource.source_id).where(
                    col(PracticeSource.practice_id).in_(select(Practice.id).where(published))
                )
            ),
            row,
        ),
    }
    return PracticeIndex(
        ids=ids,
        postings=postings,
        keys=row_keys,
        orders=orders,
        sorted_keys=sorted_keys,
    )
