"""Full-text matching and ranking in memory: each stemmed word has the practice index rows
whose document holds it, with how often (its "postings").

A full-text query in SQL ranked every match of a word on every search (FTS5's bm25 read
each match's statistics; PostgreSQL's ts_rank read each match's document from the heap,
200 ms for a common word at 500,000 practices) and highlighted a page with a second
query. Here a search is arithmetic over the arrays of its few words, and a publication adds
its document's rows to the arrays of its words, so nothing has to be recomputed.

Ranking is Okapi BM25 as SQLite's FTS5 computes it (``bm25()``), with the columns weighted
(title 10, summary 4, body 1, context 2), on both databases alike. Document frequencies
count live rows only; a retired row's postings stay until the next full reload, masked.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from app.catalogue.search import WEIGHTS, SearchQuery, StoredWords, group_keys

K1, B = 1.2, 0.75  # FTS5's BM25 parameters


Postings = tuple[np.ndarray, np.ndarray]  # rows ascending (int32), weighted count (uint16)


@dataclass(frozen=True)
class WordIndex:
    postings: dict[str, Postings]  # stem -> rows holding it, and how often (weighted)
    lengths: np.ndarray  # words in each row's document

    def rows(self, word: str) -> np.ndarray:
        """Rows whose words hold ``word`` in any language (live or not)."""
        found = [self.postings[k][0] for k in group_keys((word,)) if k in self.postings]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)

    def stats(self, live: np.ndarray) -> tuple[int, float]:
        """The number of ``live`` documents and their average length, which every score
        uses (worth keeping: reading every length takes a millisecond at 500,000)."""
        documents = max(int(np.count_nonzero(live)), 1)
        return documents, float(self.lengths[live].mean()) if live.any() else 1.0

    def scores(
        self,
        search: SearchQuery,
        live: np.ndarray,
        stats: tuple[int, float] | None = None,
        labelled: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Each row's relevance to ``search`` (higher is better), NaN where it does not
        match: every group of words (any one of the group) or, with ``any_word``, any.
        ``stats`` are ``self.stats(live)``, when known; ``labelled`` has, by stem, the rows
        whose classification's labels hold it (each counts as a word in a label)."""
        count = len(live)
        total = np.zeros(count)
        matched: np.ndarray | None = None
        documents, average = stats or self.stats(live)
        scored: set[str] = set()
        for group in search.groups:
            in_group = np.zeros(count, dtype=bool)
            for word in group_keys(group):
                found = self._postings(word, count, labelled)
                if found is None:
                    continue
                rows, frequency = found
                in_group[rows] = True
                if word in scored:  # a word in two groups counts once
                    continue
                scored.add(word)
                having = int(np.count_nonzero(live[rows]))
                idf = max(np.log((documents - having + 0.5) / (having + 0.5)), 1e-6)
                norm = K1 * (1 - B + B * self.lengths[rows] / average)
                total[rows] += idf * frequency * (K1 + 1) / (frequency + norm)
            if matched is None:
                matched = in_group
            else:
                matched = (matched | in_group) if search.any_word else (matched & in_group)
        if matched is None:
            matched = np.zeros(count, dtype=bool)
        return np.where(matched & live, total, np.nan)

    def _postings(
        self, word: str, count: int, labelled: dict[str, np.ndarray] | None
    ) -> Postings | None:
        """The rows holding ``word`` and how often, counting its labelled rows too."""
        found = self.postings.get(word)
        extra = labelled.get(word) if labelled else None
        if extra is None:
            return found
        frequency = np.zeros(count, dtype=np.uint32)
        if found is not None:
            frequency[found[0]] = found[1]
        frequency[extra] += WEIGHTS["terms"]
        rows = np.flatnonzero(frequency).astype(np.int32)
        return rows, frequency[rows]

    def groups_matched(
        self, search: SearchQuery, count: int, labelled: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """How many of ``search``'s groups of words each of ``count`` rows holds."""
        matched = np.zeros(count, dtype=np.int16)
        for group in search.groups:
            in_group = np.zeros(count, dtype=bool)
            for word in group_keys(group):
                found = self._postings(word, count, labelled)
                if found is not None:
                    in_group[found[0]] = True
            matched += in_group
        return matched

    def extended(
        self, stored: Iterable[list[StoredWords]], ids: np.ndarray, first_row: int
    ) -> "WordIndex":
        """This index with new rows numbered from ``first_row``, the practices ``ids``,
        with their ``stored`` words (a new index: readers of this one are unaffected)."""
        added = build(stored, ids, first_row)
        postings = dict(self.postings)
        for word, (rows, frequency) in added.postings.items():
            old = postings.get(word)
            if old is not None:
                rows = np.concatenate([old[0], rows])
                frequency = np.concatenate([old[1], frequency])
            postings[word] = (rows, frequency)
        return WordIndex(postings, np.concatenate([self.lengths, added.lengths]))


def build(stored: Iterable[list[StoredWords]], ids: np.ndarray, first_row: int = 0) -> WordIndex:
    """The postings of the practices ``ids`` (ascending), at rows numbered from
    ``first_row``, from their stored words (``search.stored``: batches in ascending id
    order; words of a practice not among ``ids`` are left out, one missing leaves its row
    without words).

    The words were cut and stemmed when each document was written; here each batch's are
    numbered in one pass and the (word, row) pairs ordered by a sort, not by a loop over
    words: at half a million practices there are tens of millions of them."""
    terms: dict[str, int] = {}  # stem -> number
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lengths = np.zeros(len(ids), dtype=np.float32)
    for given in _small(stored):
        if not len(ids):
            break
        wanted = np.array([practice_id for practice_id, _w, _l in given], dtype=np.int64)
        at = np.searchsorted(ids, wanted).clip(0, len(ids) - 1)
        known = ids[at] == wanted
        batch = [row for row, k in zip(given, known, strict=True) if k]
        at = at[known]
        lengths[at] = [length for _id, _words, length in batch]
        halves = [words.partition("|") for _id, words, _length in batch]
        stems = " ".join(half[0] for half in halves).split()
        sizes = np.fromiter(
            (half[0].count(" ") + 1 if half[0] else 0 for half in halves),
            dtype=np.int64,
            count=len(halves),
        )
        for word in set(stems).difference(terms):
            terms[word] = len(terms)
        term = np.fromiter(map(terms.__getitem__, stems), dtype=np.int32, count=len(stems))
        weights = np.frombuffer(bytes.fromhex("".join(half[2] for half in halves)), dtype=">u2")
        parts.append((term, np.repeat(at, sizes).astype(np.int32), weights))
    if not parts:
        return WordIndex({}, lengths)
    term = np.concatenate([p[0] for p in parts])
    order = np.argsort(term, kind="stable")  # batches come in row order
    term = term[order]
    rows = np.concatenate([p[1] for p in parts])[order] + np.int32(first_row)
    frequency = np.concatenate([p[2] for p in parts])[order].astype(np.uint16)
    bounds = np.flatnonzero(np.diff(term)) + 1
    stems_by_number = list(terms)
    postings = {
        stems_by_number[int(t[0])]: (r, f)
        for t, r, f in zip(
            np.split(term, bounds),
            np.split(rows, bounds),
            np.split(frequency, bounds),
            strict=True,
        )
    }
    return WordIndex(postings, lengths)


def _small(stored: Iterable[list[StoredWords]], size: int = 2000) -> Iterator[list[StoredWords]]:
    """``stored`` in batches of at most ``size``: a batch's words are one string while it is
    counted, and a worker's memory keeps the peak it once reached."""
    for batch in stored:
        for start in range(0, len(batch), size):
            yield batch[start : start + size]
