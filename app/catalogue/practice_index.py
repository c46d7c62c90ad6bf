"""An in-memory index of the published practices, for filtering, counting and paging lists.

A list filters by country, a dozen vocabularies, networks, places and sources, counts facet
values over the result with each facet's own filter left out, and pages through it. In SQL
that is a statement per facet, each applying every filter again (60 ms on 50,000
practices). Here every filter value has the rows that carry it (its "postings"), a filter
is a boolean mask, a facet count is a sum over a mask, and a page is the next rows of a
sort order: vector operations of well under a millisecond.

Each worker loads the index once (``app/catalogue/cache.py``), in a session of its own so
that nobody's uncommitted changes get into it, and then applies the practices each commit
changed (``updated``): a changed practice's row is retired and a new row appended, so rows
never move and postings only grow at their end; the periodic full reload drops retired
rows. Who may see what follows ``app.permissions.visible`` (tested to agree with it).
Full-text matching and ranking use the words of each row (``word_index.py``), updated alike.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
from sqlmodel import Session

from app.catalogue.cache import loaded
from app.catalogue.counting import ValuesByRow
from app.catalogue.label_words import LabelWords, label_words
from app.catalogue.pagination import NamedValue, decode_cursor, encode_cursor, invalid_cursor
from app.catalogue.practice_rows import ID, KINDS, SORTS, PracticeRows, micros, read_rows
from app.catalogue.search import SearchQuery, stored
from app.catalogue.word_index import WordIndex
from app.catalogue.word_index import build as build_words
from app.i18n import LANGUAGES
from app.permissions import Viewer

# What a filter or facet can look up: a country code, a term (matching its sub-types too),
# a network, a place (exactly; callers add the places within it), a source, an activity
# type as recorded (without its broader terms), or practice ids computed elsewhere.
Kind = Literal["country", "term", "network", "place", "source", "activity", "practice"]

OrderName = Literal["title", "start", "updated", "published", "evidence"]


# Retired rows beyond which a full reload is cheaper than carrying them.
MAX_RETIRED = 0.25


@dataclass
class Page:
    rows: list[int]  # practice ids, in order
    next_cursor: str | None


@dataclass
class PracticeIndex:
    """One row per published practice (network-only ones too: ``visible`` narrows), plus
    retired rows of practices that changed or left since the index was loaded."""

    ids: np.ndarray  # practice id of each row
    live: np.ndarray  # bool: the row is its practice's current one
    public: np.ndarray  # bool: visible to everyone
    lead: np.ndarray  # lead organisation id, -1 for none
    place: np.ndarray  # place id
    by_id: np.ndarray  # the live rows' practice ids, ascending
    row_of: np.ndarray  # the live row of each of ``by_id``
    postings: dict[str, dict[Any, np.ndarray]]  # kind -> value -> rows, ascending
    keys: dict[str, np.ndarray]  # sort -> each row's sort key
    orders: dict[str, np.ndarray]  # sort -> rows ascending by (key, id)
    sorted_keys: dict[str, np.ndarray]  # sort -> the keys in that order
    sorted_ids: dict[str, np.ndarray]  # sort -> the ids in that order
    words: WordIndex  # full-text postings of the rows
    label_words: LabelWords  # the vocabulary's words: a row matches its terms' labels
    # By viewer and year: memberships start and end with a year (app.permissions).
    _visible: dict[tuple[Viewer, int], np.ndarray] = field(default_factory=dict)
    _word_stats: tuple[int, float] | None = None  # of the live rows, once asked for
    # language number -> rows with full text in it ("written"), as a mask, once asked for
    _written: dict[int, np.ndarray] = field(default_factory=dict)
    # kind and values -> each row's values (facet counts), once asked for
    _by_row: dict[tuple[str, tuple[Any, ...] | None], ValuesByRow] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def mask(self, rows: np.ndarray | None = None) -> np.ndarray:
        result = np.zeros(len(self), dtype=bool)
        if rows is not None:
            result[rows] = True
        return result

    def rows(self, practice_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Live rows of the practices ``practice_ids`` that are in the index, and which of
        the given ids they are (positions into ``practice_ids``)."""
        wanted = np.asarray(practice_ids, dtype=np.int64)
        if not len(self.by_id):
            return np.zeros(0, dtype=ID), np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.by_id, wanted).clip(0, len(self.by_id) - 1)
        found = self.by_id[at] == wanted
        return self.row_of[at[found]], np.flatnonzero(found)

    def visible(self, viewer: Viewer) -> np.ndarray:
        """Live rows ``viewer`` may see: ``app.permissions.visible``'s rule (published, and
        public, led by the viewer's organisation or linked to one of its networks)."""
        key = (viewer, date.today().year)
        mask = self._visible.get(key)
        if mask is None:
            mask = self.live.copy()
            if not viewer.moderator:
                allowed = self.public.copy()
                if viewer.organisation_id is not None:
                    allowed |= self.lead == viewer.organisation_id
                if viewer.networks:
                    allowed |= self.having("network", viewer.networks)
                mask &= allowed
            self._visible[key] = mask
        return mask

    def scores(
        self, search: SearchQuery, labelled: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Each row's full-text relevance to ``search`` (NaN: no match, or retired);
        ``labelled`` is ``self._labelled(search)``, when known."""
        if self._word_stats is None:
            self._word_stats = self.words.stats(self.live)
        if labelled is None:
            labelled = self._labelled(search)
        return self.words.scores(search, self.live, self._word_stats, labelled)

    def word_rows(self, word: str, labels_in: tuple[str, ...]) -> np.ndarray:
        """Rows holding ``word`` (in any language) in their text, or in the labels of their
        classification in ``labels_in`` (as ``SearchQuery`` has them)."""
        labelled = self._labelled(SearchQuery(((word,),), labels_in=labels_in)).values()
        return np.unique(np.concatenate([self.words.rows(word), *labelled]))

    def _labelled(self, search: SearchQuery) -> dict[str, np.ndarray]:
        """Stem -> the rows whose classification has a label in ``search.labels_in``
        holding it. A row with full text in the label's language (original, or translation
        with its body) matches by its text alone: labels bridge languages, and a word
        spelled alike in two ("integration") does not match a label in the other."""
        found = {}
        for key in search.stems():
            if key.partition(":")[0] not in search.labels_in:
                continue
            terms = self.label_words.get(key)
            if terms is None:
                continue
            having = [self.postings["term"].get(int(t)) for t in terms]
            rows = [r for r in having if r is not None]
            if rows:
                labelled = np.unique(np.concatenate(rows))
                written = self._written_in(LANGUAGES.index(key.partition(":")[0]))
                found[key] = labelled[~written[labelled]]
        return found

    def _written_in(self, language: int) -> np.ndarray:
        """Rows with full text in ``language``: a mask made once, not on every search."""
        mask = self._written.get(language)
        if mask is None:
            mask = self.mask(self.postings["written"].get(language))
            self._written[language] = mask
        return mask

    def most_words_scores(self, search: SearchQuery) -> np.ndarray:
        """Each row's relevance to any of ``search``'s words, ranked first by how many of
        them it holds: that number, plus its relevance scaled below 1 (NaN: none)."""
        labelled = self._labelled(search)  # the same for any-word: read once
        relevance = self.scores(replace(search, any_word=True), labelled)
        found = ~np.isnan(relevance)
        if not found.any():
            return relevance
        scaled = relevance / (float(np.nanmax(relevance)) + 1.0)
        matched = self.words.groups_matched(search, len(self), labelled)
        return np.where(found, matched + scaled, np.nan)

    def having(self, kind: Kind, values: Iterable[Any]) -> np.ndarray:
        """Rows carrying any of ``values``."""
        if kind == "practice":  # ids, not postings
            return self.mask(self.rows(list(values))[0])
        postings = self.postings[kind]
        result = self.mask()
        for value in values:
            if value in postings:
                result[postings[value]] = True
        return result

    def newest(self, rows: np.ndarray, limit: int) -> list[int]:
        """Ids of the ``limit`` most recently published practices among ``rows``."""
        order = np.lexsort((self.ids[rows], -self.keys["published"][rows]))
        return [int(i) for i in self.ids[rows[order[:limit]]]]

    def counts(
        self, kind: Kind, mask: np.ndarray, values: Iterable[Any] | None = None
    ) -> dict[Any, int]:
        """How many rows in ``mask`` carry each value of ``kind``, or each of ``values``
        (values with none left out)."""
        key = (kind, None if values is None else tuple(values))
        by_row = self._by_row.get(key)
        if by_row is None:
            by_row = self._by_row[key] = ValuesByRow.of(self.postings[kind], key[1], len(self))
        return by_row.count(mask)

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
        rows, keys, ids = self.orders[order], self.sorted_keys[order], self.sorted_ids[order]
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
        if order in ("start", "evidence", "relevance") and isinstance(key, int | float):
            return key
        if order in ("updated", "published") and isinstance(key, str):
            try:
                return micros(datetime.fromisoformat(key))
            except ValueError:
                pass
    raise invalid_cursor()


def _cursor_value(order: str, key: Any) -> list[Any]:
    if order in ("updated", "published"):
        key = datetime.fromtimestamp(int(key) / 1_000_000, UTC).isoformat()
    elif order in ("start", "evidence"):
        key = int(key)
    elif order == "relevance":
        key = float(key)
    return [order, key]


def practice_index(session: Session) -> PracticeIndex:
    """The index of the catalogue as last committed."""
    return loaded(session, "practice index", build, updated)


def _postings(rows: PracticeRows, first_row: int) -> dict[str, dict[Any, np.ndarray]]:
    """kind -> value -> rows, for ``rows`` numbered from ``first_row`` (grouped by sorting,
    not row by row: a full load has millions of pairs)."""
    result: dict[str, dict[Any, np.ndarray]] = {}
    for kind in KINDS:
        found = rows.values.get(kind)
        if found is None or not len(found[0]):
            result[kind] = {}
            continue
        at = (found[0] + first_row).astype(ID)
        values, which = np.unique(found[1], return_inverse=True)
        order = np.lexsort((at, which))
        bounds = np.flatnonzero(np.diff(which[order])) + 1
        result[kind] = {
            value.item() if hasattr(value, "item") else value: np.unique(group)
            for value, group in zip(values, np.split(at[order], bounds), strict=True)
        }
    return result


def _in_order(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of ``keys`` ascending by (key, id)."""
    if keys.dtype == object:  # titles: NumPy's lexsort does not sort Python strings
        return np.array(sorted(range(len(keys)), key=lambda i: (keys[i], ids[i])), dtype=ID)
    return np.lexsort((ids, keys)).astype(ID)


def build(session: Session) -> PracticeIndex:
    """The index of every published practice, loaded whole."""
    rows = read_rows(session)
    orders = {name: _in_order(rows.keys[name], rows.ids) for name in SORTS}
    return PracticeIndex(
        ids=rows.ids,
        live=np.ones(len(rows), dtype=bool),
        public=rows.public,
        lead=rows.lead,
        place=rows.place,
        by_id=rows.ids,
        row_of=np.arange(len(rows), dtype=ID),
        postings=_postings(rows, 0),
        keys=rows.keys,
        orders=orders,
        sorted_keys={name: rows.keys[name][order] for name, order in orders.items()},
        sorted_ids={name: rows.ids[order] for name, order in orders.items()},
        words=build_words(stored(session), rows.ids),
        label_words=label_words(session),
    )


def _insert_sorted(
    index: PracticeIndex, name: str, keys: np.ndarray, ids: np.ndarray, first_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order ``name`` with the new rows (``keys``, ``ids``, numbered from
    ``first_row``) inserted where (key, id) puts them."""
    order, sorted_keys, sorted_ids = (
        index.orders[name],
        index.sorted_keys[name],
        index.sorted_ids[name],
    )
    new = _in_order(keys, ids)
    positions = []
    for i in new:
        low = int(np.searchsorted(sorted_keys, keys[i], side="left"))
        high = int(np.searchsorted(sorted_keys, keys[i], side="right"))
        positions.append(low + int(np.searchsorted(sorted_ids[low:high], ids[i])))
    return (
        np.insert(order, positions, first_row + new),
        np.insert(sorted_keys, positions, keys[new]),
        np.insert(sorted_ids, positions, ids[new]),
    )


def updated(index: PracticeIndex, session: Session, changed: set[int]) -> PracticeIndex | None:
    """``index`` with the practices ``changed`` as they are now (a new index: readers of
    the old one are unaffected); None when so many rows are retired that a full load is
    better."""
    if not changed:
        return replace(index, _visible={}, _written={})
    rows = read_rows(session, changed)
    retired = np.count_nonzero(~index.live) + len(changed)
    if retired > MAX_RETIRED * max(len(index.by_id), 1000):
        return None
    first = len(index)
    live = index.live.copy()
    live[index.rows(sorted(changed))[0]] = False
    kept = ~np.isin(index.by_id, list(changed))
    by_id = np.concatenate([index.by_id[kept], rows.ids])
    row_of = np.concatenate([index.row_of[kept], np.arange(first, first + len(rows), dtype=ID)])
    at = np.argsort(by_id, kind="stable")
    postings = {kind: dict(values) for kind, values in index.postings.items()}
    new = _postings(rows, first)
    for kind, values in new.items():
        for value, added in values.items():
            old = postings[kind].get(value)
            postings[kind][value] = added if old is None else np.concatenate([old, added])
    orders, sorted_keys, sorted_ids = {}, {}, {}
    for name in SORTS:
        orders[name], sorted_keys[name], sorted_ids[name] = _insert_sorted(
            index, name, rows.keys[name], rows.ids, first
        )
    return PracticeIndex(
        ids=np.concatenate([index.ids, rows.ids]),
        live=np.concatenate([live, np.ones(len(rows), dtype=bool)]),
        public=np.concatenate([index.public, rows.public]),
        lead=np.concatenate([index.lead, rows.lead]),
        place=np.concatenate([index.place, rows.place]),
        by_id=by_id[at],
        row_of=row_of[at],
        postings=postings,
        keys={name: np.concatenate([index.keys[name], rows.keys[name]]) for name in SORTS},
        orders=orders,
        sorted_keys=sorted_keys,
        sorted_ids=sorted_ids,
        words=index.words.extended(stored(session, rows.ids.tolist()), rows.ids, first),
        label_words=index.label_words,  # a change of vocabulary reloads the index whole
        _by_row={
            key: by_row.extended(new[key[0]], key[1], first + len(rows))
            for key, by_row in index._by_row.items()
        },
    )
