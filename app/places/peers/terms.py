"""What places work on and what they face, as term matrices over their published practices.

Two matrices, one row per place, each counting a term also for its broader terms (through
``VocabularyTermAncestor``):

- the **practice profile** (activity types and goals: how a place works), weighted by how
  rare each term is among places (inverse document frequency) and L2-normalised, compared
  by cosine;
- the **challenges** (catalysts, policy areas and target groups: what a place faces, where
  it works on it and whom it must reach), a 0/1 matrix compared as the share of the first
  place's challenges that the other also has, each weighted by its rarity.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sqlmodel import Session, col, select

from app.catalogue.practice_index import PracticeIndex
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermAncestor

PROFILE_SCHEMES = ("activity-type", "goal")
CHALLENGE_SCHEMES = ("catalyst", "policy-area", "target-group")
# What a described place can say about itself (the form's "What you face" and "Where you
# work on it"; target groups are read from catalogued places' practices only).
DESCRIBED_SCHEMES = ("catalyst", "policy-area")


@dataclass
class TermMatrices:
    rows: np.ndarray  # the places (feature rows) that have terms, in order
    position: dict[int, int]  # feature row -> row of the matrices below
    counts: np.ndarray  # float32: how many practices record each profile term
    profile: np.ndarray  # float32, rows L2-normalised; all zeros without such terms
    has_profile: np.ndarray  # bool
    idf: np.ndarray  # per profile column
    profile_ids: list[int]  # term id of each profile column
    profile_column: dict[int, int]  # term id -> profile column
    challenges: np.ndarray  # float32 0/1: the place's practices record the term
    has_challenges: np.ndarray  # bool per place and challenge scheme (len(CHALLENGE_SCHEMES))
    challenge_ids: list[int]  # term id of each challenge column
    challenge_column: dict[int, int]  # term id -> challenge column
    challenge_weight: np.ndarray  # per challenge column: how rare the term is among places
    challenge_scheme: np.ndarray  # per challenge column: index into CHALLENGE_SCHEMES
    broader: list[list[int]]  # per challenge column: the columns of its broader terms
    places: int = 0  # how many places there are in all

    def profile_of(self, row: int) -> np.ndarray:
        """The practice profile of the place at feature row ``row`` (zeros if none)."""
        k = self.position.get(row)
        if k is None:
            return np.zeros(len(self.profile_ids), dtype=np.float32)
        vector: np.ndarray = self.profile[k]
        return vector

    def challenges_of(self, row: int) -> np.ndarray:
        """The 0/1 challenge vector of the place at feature row ``row`` (zeros if none)."""
        k = self.position.get(row)
        if k is None:
            return np.zeros(len(self.challenge_ids), dtype=np.float32)
        vector: np.ndarray = self.challenges[k]
        return vector

    def scatter(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per row of the matrices) over every place, NaN elsewhere."""
        result = np.full(self.places, np.nan)
        result[self.rows] = values
        return result


def normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    result: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return result


def _idf(present: np.ndarray) -> np.ndarray:
    places = int(present.any(axis=1).sum())
    frequency = present.sum(axis=0)
    idf: np.ndarray = (np.log((1 + places) / (1 + frequency)) + 1).astype(np.float32)
    return idf


# How many public practices at each place record each term (or a narrower one): three
# arrays of the same length, the place's feature row, the term id and the count.
PlaceTerms = tuple[np.ndarray, np.ndarray, np.ndarray]


def _none() -> PlaceTerms:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty


def indexed_place_terms(
    index: PracticeIndex, public: np.ndarray, row_of_place: np.ndarray, term_ids: list[int]
) -> PlaceTerms:
    """The counts of every place, from the practice index (``public``: its rows the public
    sees; ``row_of_place``: place id -> feature row, -1 for none)."""
    rows, terms, counts = [], [], []
    for term_id in term_ids:
        found = index.postings["term"].get(term_id)
        if found is None:
            continue
        places = index.place[found[public[found]]]
        places = row_of_place[places[places < len(row_of_place)]]
        at, n = np.unique(places[places >= 0], return_counts=True)
        rows.append(at)
        terms.append(np.full(len(at), term_id, dtype=np.int64))
        counts.append(n)
    if not rows:
        return _none()
    return np.concatenate(rows), np.concatenate(terms), np.concatenate(counts)


def _lookup(columns: dict[int, int]) -> np.ndarray:
    """term id -> column, -1 for none, as an array."""
    table = np.full(max(columns, default=0) + 1, -1, dtype=np.int64)
    table[list(columns)] = list(columns.values())
    return table


def _fill(terms: TermMatrices, found: PlaceTerms) -> None:
    rows, term_ids, counts = found
    position = np.full(terms.places, -1, dtype=np.int64)
    position[terms.rows] = np.arange(len(terms.rows))
    k = position[rows]
    for columns, matrix, values in (
        (terms.profile_column, terms.counts, counts),
        (terms.challenge_column, terms.challenges, np.ones(len(counts))),
    ):
        table = _lookup(columns)
        j = np.where(term_ids < len(table), table[term_ids.clip(0, len(table) - 1)], -1)
        ok = j >= 0
        matrix[k[ok], j[ok]] = values[ok]


def _derive(terms: TermMatrices) -> TermMatrices:
    """The weights and normalised profiles, from the counts and challenges."""
    for k in range(len(CHALLENGE_SCHEMES)):
        terms.has_challenges[:, k] = terms.challenges[:, terms.challenge_scheme == k].any(axis=1)
    terms.idf = _idf(terms.counts > 0)
    terms.profile = normalised(terms.counts * terms.idf)
    terms.has_profile = terms.counts.sum(axis=1) > 0
    terms.challenge_weight = _idf(terms.challenges > 0)
    return terms


def load_terms(session: Session, row: dict[int, int]) -> TermMatrices:
    """The matrices' columns (the vocabulary) for the places ``row`` numbers, not yet
    counted: ``recounted`` counts them."""
    schemes = (*PROFILE_SCHEMES, *CHALLENGE_SCHEMES)
    terms = list(
        session.exec(
            select(VocabularyTerm.id, VocabularyScheme.code)
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .where(col(VocabularyScheme.code).in_(schemes))
            .order_by(col(VocabularyTerm.id))
        )
    )
    profile_ids = [int(t or 0) for t, scheme in terms if scheme in PROFILE_SCHEMES]
    challenge_ids = [int(t or 0) for t, scheme in terms if scheme in CHALLENGE_SCHEMES]
    challenge_column = {t: j for j, t in enumerate(challenge_ids)}
    scheme_of = {
        int(t or 0): CHALLENGE_SCHEMES.index(s) for t, s in terms if s in CHALLENGE_SCHEMES
    }
    broader: list[list[int]] = [[] for _ in challenge_ids]
    for term_id, ancestor_id in session.exec(
        select(VocabularyTermAncestor.term_id, VocabularyTermAncestor.ancestor_id).where(
            col(VocabularyTermAncestor.term_id).in_(challenge_ids),
            col(VocabularyTermAncestor.term_id) != col(VocabularyTermAncestor.ancestor_id),
        )
    ):
        if ancestor_id in challenge_column:
            broader[challenge_column[term_id]].append(challenge_column[ancestor_id])

    empty = np.zeros(0)
    return TermMatrices(
        rows=np.zeros(0, dtype=np.int64),
        position={},
        counts=empty,
        profile=empty,
        has_profile=empty,
        idf=empty,
        profile_ids=profile_ids,
        profile_column={t: j for j, t in enumerate(profile_ids)},
        challenges=empty,
        has_challenges=empty,
        challenge_ids=challenge_ids,
        challenge_column=challenge_column,
        challenge_weight=empty,
        challenge_scheme=np.array([scheme_of[t] for t in challenge_ids], dtype=np.int8),
        broader=broader,
        places=len(row),
    )


def recounted(terms: TermMatrices, count: Callable[[list[int]], PlaceTerms]) -> TermMatrices:
    """Matrices with the columns of ``terms`` (its vocabulary), counted afresh by
    ``count`` (a new copy: readers of the old one are unaffected)."""
    found = count([*terms.profile_ids, *terms.challenge_ids])
    rows = np.unique(found[0])
    matrices = replace(
        terms,
        rows=rows,
        position={int(i): k for k, i in enumerate(rows)},
        counts=np.zeros((len(rows), len(terms.profile_ids)), dtype=np.float32),
        challenges=np.zeros((len(rows), len(terms.challenge_ids)), dtype=np.float32),
        has_challenges=np.zeros((len(rows), len(CHALLENGE_SCHEMES)), dtype=bool),
    )
    _fill(matrices, found)
    return _derive(matrices)


def expand(terms: TermMatrices, term_ids: list[int]) -> np.ndarray:
    """The 0/1 challenge vector of ``term_ids`` with their broader terms."""
    vector = np.zeros(len(terms.challenge_ids), dtype=np.float32)
    for term_id in term_ids:
        j = terms.challenge_column.get(term_id)
        if j is not None:
            vector[j] = 1.0
            vector[terms.broader[j]] = 1.0
    return vector


def profile_similarity(terms: TermMatrices, own: np.ndarray) -> np.ndarray:
    """For every place, the cosine of its practice profile and ``own``; NaN where either
    has none."""
    if not own.any():
        return np.full(terms.places, np.nan)
    return terms.scatter(np.where(terms.has_profile, terms.profile @ own, np.nan))


def challenge_similarity(terms: TermMatrices, own: np.ndarray) -> np.ndarray:
    """For every place, the share of ``own`` challenges (weighted by rarity) it also has;
    NaN where either side records none of the kinds of challenge compared."""
    weights = terms.challenge_weight * own
    total = float(weights.sum())
    if total <= 0:
        return np.full(terms.places, np.nan)
    kinds = sorted({int(k) for k in terms.challenge_scheme[own > 0]})
    comparable = terms.has_challenges[:, kinds].any(axis=1)
    shared: np.ndarray = terms.challenges @ weights
    return terms.scatter(np.where(comparable, np.minimum(shared / total, 1.0), np.nan))


def shared_challenges(terms: TermMatrices, own: np.ndarray, i: int) -> dict[int, list[int]]:
    """The challenge terms both ``own`` and place row ``i`` have, by scheme (an index into
    ``CHALLENGE_SCHEMES``), most telling (rarest) first, leaving out a broader term when a
    narrower one is shared too."""
    both = np.flatnonzero((own > 0) & (terms.challenges_of(i) > 0))
    covered = {b for j in both for b in terms.broader[int(j)]}
    kept = sorted(
        (int(j) for j in both if int(j) not in covered),
        key=lambda j: (-float(terms.challenge_weight[j]), j),
    )
    grouped: dict[int, list[int]] = {}
    for j in kept:
        grouped.setdefault(int(terms.challenge_scheme[j]), []).append(terms.challenge_ids[j])
    return grouped
