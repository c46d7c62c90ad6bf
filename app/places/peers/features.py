"""The facts and terms of every place, loaded once per catalogue version into arrays."""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.catalogue.cache import loaded
from app.models.places import Place, PlaceFact
from app.models.practices import Practice, PracticeTerm
from app.models.vocabularies import VocabularyScheme, VocabularyTerm, VocabularyTermAncestor
from app.permissions import visible

PROFILE_SCHEMES = ("activity-type", "goal", "target-group", "catalyst", "policy-area")


CHALLENGE_SCHEMES = ("catalyst", "policy-area")  # what a described place says it faces


HISTORY_SCALE = {"low": 0.0, "new": 0.5, "long-standing": 1.0}


URBAN_SCALE = {"rural": 0.0, "mixed": 0.5, "urban": 1.0}


# Levels that govern comparable things; peers are looked for within the same tier.
TIERS = {
    "neighbourhood": 0,
    "municipality": 0,
    "city-region": 0,
    "county": 1,
    "region": 1,
    "country": 2,
    "national-association": 3,
}

SHARE_SPAN = 15.0  # percentage points at which foreign-born shares count as unlike


@dataclass
class Features:
    """One row per place; NaN where a fact is unknown."""

    ids: list[int]
    row: dict[int, int]
    places: list[Place]
    country: np.ndarray
    tier: np.ndarray
    level: np.ndarray  # index into LEVEL_CODES
    urban: np.ndarray
    history: np.ndarray
    history_from: list[int | None]  # place whose migration history was used, if inherited
    log_population: np.ndarray
    population: np.ndarray
    foreign_born: np.ndarray
    profile: np.ndarray  # rows L2-normalised; all zeros for places without practices
    has_profile: np.ndarray
    idf: np.ndarray
    term_ids: list[int]
    column: dict[int, int]  # term id -> profile column
    lineage: dict[int, set[int]] = field(default_factory=dict)  # place -> itself and ancestors
    within: dict[int, set[int]] = field(default_factory=dict)  # place -> places inside it


def place_features(session: Session) -> Features:
    """Every place's features, as of the catalogue version last committed."""
    return loaded(session, "place features", _load)


def _latest_facts(session: Session, key: str) -> dict[int, float]:
    """The most recent value of fact ``key`` per place (the last recorded if years tie)."""
    values: dict[int, tuple[int, int, float]] = {}
    for place_id, year, fact_id, value in session.exec(
        select(PlaceFact.place_id, PlaceFact.year, PlaceFact.id, PlaceFact.value).where(
            PlaceFact.key == key, col(PlaceFact.value).is_not(None)
        )
    ):
        rank = (year or 0, fact_id or 0, float(value or 0))
        if place_id not in values or rank[:2] > values[place_id][:2]:
            values[place_id] = rank
    return {place_id: v[2] for place_id, v in values.items()}


def _load(session: Session) -> Features:
    places = list(session.exec(select(Place).order_by(col(Place.id))))
    ids = [int(p.id or 0) for p in places]
    row = {place_id: i for i, place_id in enumerate(ids)}
    by_id = {p.id: p for p in places}
    n = len(places)

    def ancestry(place: Place) -> list[Place]:
        chain, seen = [place], {place.id}
        while chain[-1].parent_id in by_id and chain[-1].parent_id not in seen:
            parent = by_id[chain[-1].parent_id]
            seen.add(parent.id)
            chain.append(parent)
        return chain

    history = np.full(n, np.nan)
    history_from: list[int | None] = [None] * n
    lineage: dict[int, set[int]] = {}
    within: dict[int, set[int]] = defaultdict(set)
    for i, place in enumerate(places):
        chain = ancestry(place)
        lineage[ids[i]] = {int(p.id or 0) for p in chain}
        for holder in chain[1:]:
            within[int(holder.id or 0)].add(ids[i])
        for holder in chain:
            if holder.migration_history in HISTORY_SCALE:
                history[i] = HISTORY_SCALE[holder.migration_history]
                history_from[i] = None if holder is place else holder.id
                break
    population = np.full(n, np.nan)
    for place_id, value in _latest_facts(session, "population").items():
        if place_id in row and value > 0:
            population[row[place_id]] = value
    foreign_born = np.full(n, np.nan)
    for place_id, value in _latest_facts(session, "foreign-born-share").items():
        if place_id in row:
            foreign_born[row[place_id]] = value

    # Practice profiles: how often each term (or a sub-type of it) occurs among a place's
    # public practices.
    term_ids = list(
        session.exec(
            select(VocabularyTerm.id)
            .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
            .where(col(VocabularyScheme.code).in_(PROFILE_SCHEMES))
            .order_by(col(VocabularyTerm.id))
        )
    )
    column = {int(t or 0): j for j, t in enumerate(term_ids)}
    counts = np.zeros((n, len(term_ids)), dtype=np.float32)
    for place_id, term_id, count in session.exec(
        select(
            Practice.place_id,
            VocabularyTermAncestor.ancestor_id,
            func.count(),
        )
        .join(PracticeTerm, col(PracticeTerm.practice_id) == Practice.id)
        .join(VocabularyTermAncestor, col(VocabularyTermAncestor.term_id) == PracticeTerm.term_id)
        .where(col(VocabularyTermAncestor.ancestor_id).in_(list(column)), *visible())
        .group_by(col(Practice.place_id), col(VocabularyTermAncestor.ancestor_id))
    ):
        if place_id in row:
            counts[row[place_id], column[term_id]] = count
    has_profile = counts.sum(axis=1) > 0
    document_frequency = (counts > 0).sum(axis=0)
    idf = (np.log((1 + has_profile.sum()) / (1 + document_frequency)) + 1).astype(np.float32)
    return Features(
        ids=ids,
        row=row,
        places=places,
        country=np.array([p.country for p in places]),
        tier=np.array([TIERS.get(p.level, 4) for p in places]),
        level=np.array([p.level for p in places]),
        urban=np.array([URBAN_SCALE.get(p.urban_rural or "", np.nan) for p in places]),
        history=history,
        history_from=history_from,
        log_population=np.log10(population),
        population=population,
        foreign_born=foreign_born,
        profile=normalised(counts * idf),
        has_profile=has_profile,
        idf=idf,
        term_ids=[int(t or 0) for t in term_ids],
        column=column,
        lineage=lineage,
        within=dict(within),
    )


def normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    result: np.ndarray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return result
