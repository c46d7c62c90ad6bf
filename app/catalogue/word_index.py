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
from itertools import chain

import numpy as np

from app.catalogue.search import TOKEN, Document, SearchQuery, stem

WEIGHTS = (10, 4, 1, 2)  # title, summary, body, context


K1, B = 1.2, 0.75  # FTS5's BM25 parameters


Postings = tuple[np.ndarray, np.ndarray]  # rows ascending (int32), weighted frequency


@dataclass(frozen=True)
class WordIndex:
    postings: dict[str, Postings]  # stem -> rows holding it, and how often (weighted)
    lengths: np.ndarray  # words in each row's document

    def rows(self, word: str) -> np.ndarray:
        """Rows whose document holds ``word`` (live or not)."""
        found = self.postings.get(stem(word))
        return found[0] if found else np.zeros(0, dtype=np.int32)

    def stats(self, live: np.ndarray) -> tuple[int, float]:
        """The number of ``live`` documents and their average length, which every score
        uses (worth keeping: reading every length takes a millisecond at 500,000)."""
        documents = max(int(np.count_nonzero(live)), 1)
        return documents, float(self.lengths[live].mean()) if live.any() else 1.0

    def scores(
        self, search: SearchQuery, live: np.ndarray, stats: tuple[int, float] | None = None
    ) -> np.ndarray:
        """Each row's relevance to ``search`` (higher is better), NaN where it does not
        match: every group of words (any one of the group) or, with ``any_word``, any.
        ``stats`` are ``self.stats(live)``, when known."""
        count = len(live)
        total = np.zeros(count)
        matched: np.ndarray | None = None
        documents, average = stats or self.stats(live)
        scored: set[str] = set()
        for group in search.groups:
            in_group = np.zeros(count, dtype=bool)
            for word in map(stem, group):
                found = self.postings.get(word)
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

    def extended(
        self, documents: Iterable[list[Document]], ids: np.ndarray, first_row: int
    ) -> "WordIndex":
        """This index with new rows numbered from ``first_row``, the practices ``ids``,
        holding ``documents`` (a new index: readers of this one are unaffected)."""
        added = build(documents, ids, first_row)
        postings = dict(self.postings)
        for word, (rows, frequency) in added.postings.items():
            old = postings.get(word)
            if old is not None:
                rows = np.concatenate([old[0], rows])
                frequency = np.concatenate([old[1], frequency])
            postings[word] = (rows, frequency)
        return WordIndex(postings, np.concatenate([self.lengths, added.lengths]))


def build(documents: Iterable[list[Document]], ids: np.ndarray, first_row: int = 0) -> WordIndex:
    """The postings of the practices ``ids`` (ascending), at rows numbered from
    ``first_row``, from their ``documents`` (batches in ascending id order; a document of
    a practice not among ``ids`` is left out, one missing leaves its row without words).

    Documents are cut into words a column at a time and the (row, word) pairs counted by
    sorting, not by a loop over words: at half a million practices there are tens of
    millions of them. Each different spelling is stemmed once."""
    terms: dict[str, int] = {}  # stem -> number
    numbered: dict[str, int] = {}  # word as written (lower case) -> stem number, -1 for none
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    lengths = np.zeros(len(ids), dtype=np.float32)
    for given in _small(documents):
        if not len(ids):
            break
        wanted = np.array([document[0] for document in given], dtype=np.int64)
        at = np.searchsorted(ids, wanted).clip(0, len(ids) - 1)
        known = ids[at] == wanted
        batch = [document for document, k in zip(given, known, strict=True) if k]
        at = at[known]
        keys, weights = [], []
        for column, weight in enumerate(WEIGHTS, start=1):
            found = [TOKEN.findall(str(document[column] or "").lower()) for document in batch]
            sizes = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
            lengths[at] += sizes
            words = list(chain.from_iterable(found))
            for word in set(words).difference(numbered):
                stemmed = stem(word)
                numbered[word] = terms.setdefault(stemmed, len(terms)) if stemmed else -1
            term = np.fromiter(map(numbered.__getitem__, words), dtype=np.int64, count=len(words))
            row = np.repeat(at, sizes)
            kept = term >= 0
            keys.append(term[kept] * len(ids) + row[kept])
            weights.append(np.full(int(np.count_nonzero(kept)), weight, dtype=np.int64))
        if keys:
            unique, which = np.unique(np.concatenate(keys), return_inverse=True)
            parts.append((unique, np.bincount(which, weights=np.concatenate(weights))))
    if not parts:
        return WordIndex({}, lengths)
    key = np.concatenate([p[0] for p in parts])
    order = np.argsort(key // len(ids), kind="stable")  # batches come in row order
    key = key[order]
    frequency = np.concatenate([p[1] for p in parts])[order].astype(np.float32)
    term, rows = key // len(ids), (key % len(ids) + first_row).astype(np.int32)
    bounds = np.flatnonzero(np.diff(term)) + 1
    stems = list(terms)
    postings = {
        stems[int(t[0])]: (r, f)
        for t, r, f in zip(
            np.split(term, bounds),
            np.split(rows, bounds),
            np.split(frequency, bounds),
            strict=True,
        )
    }
    return WordIndex(postings, lengths)


def _small(documents: Iterable[list[Document]], size: int = 2000) -> Iterator[list[Document]]:
    """``documents`` in batches of at most ``size``: the words of a batch are a string
    each while it is counted, and a worker's memory keeps the peak it once reached."""
    for batch in documents:
        for start in range(0, len(batch), size):
            yield batch[start : start + size]
