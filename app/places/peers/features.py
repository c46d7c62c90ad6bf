"""The facts and terms of every place, loaded once per catalogue version into arrays.

With the gazetteer there are some 20,000 places, most without practices, so places are
read as plain rows (not ORM objects) and every fact is one NumPy array indexed by row.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
from sqlmodel import Session, col, select

from app.catalogue.cache import loaded
from app.catalogue.practice_index import practice_index
from app.models.places import Place, PlaceFact
from app.permissions import PUBLIC
from app.places.peers.dilemmas import DilemmaMatrix, load_dilemmas
from app.places.peers.terms import (
    TermMatrices,
    indexed_place_terms,
    load_terms,
    recounted,
)

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


@dataclass(frozen=True)
class PlaceRow:
    """What the matcher needs of a place (and what ``PlaceRef`` reads)."""

    id: int
    slug: str
    name: str
    country: str
    level: str
    parent_id: int | None
    urban_rural: str | None
    migration_history: str | None


@dataclass
class Features:
    """One row per place; NaN where a fact is unknown."""

    ids: list[int]
    row: dict[int, int]
    places: list[PlaceRow]
    slugs: dict[str, int]  # slug -> row
    country: np.ndarray
    tier: np.ndarray
    level: np.ndarray  # the level's code
    urban: np.ndarray
    history: np.ndarray
    history_from: list[int | None]  # place whose migration history was used, if inherited
    log_population: np.ndarray
    population: np.ndarray
    foreign_born: np.ndarray
    practices: np.ndarray  # public published practices led at each place
    terms: TermMatrices  # practice profile and challenges, of the places with practices
    dilemmas: DilemmaMatrix  # the clusters of each place's public dilemmas
    row_of_place: np.ndarray  # place id -> row, -1 for none
    lineage: dict[int, set[int]] = field(default_factory=dict)  # place -> itself and ancestors
    within: dict[int, set[int]] = field(default_factory=dict)  # place -> places inside it


def place_features(session: Session) -> Features:
    """Every place's features, as of the catalogue version last committed."""
    return loaded(session, "place features", _load, _updated)


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


def _places(session: Session) -> list[PlaceRow]:
    columns = (
        Place.id,
        Place.slug,
        Place.name,
        Place.country,
        Place.level,
        Place.parent_id,
        Place.urban_rural,
        Place.migration_history,
    )
    query = select(*columns).order_by(col(Place.id))  # type: ignore[call-overload]
    return [PlaceRow(*values) for values in session.exec(query)]


def _history(
    places: list[PlaceRow], by_id: dict[int, PlaceRow]
) -> tuple[np.ndarray, list[int | None], dict[int, set[int]], dict[int, set[int]]]:
    """Each place's migration history (its own or the nearest enclosing place's), the
    place it came from, and the enclosing and enclosed places of each place."""
    n = len(places)
    history = np.full(n, np.nan)
    history_from: list[int | None] = [None] * n
    lineage: dict[int, set[int]] = {}
    within: dict[int, set[int]] = defaultdict(set)
    for i, place in enumerate(places):
        chain, seen = [place], {place.id}
        while chain[-1].parent_id in by_id and chain[-1].parent_id not in seen:
            parent = by_id[chain[-1].parent_id or 0]
            seen.add(parent.id)
            chain.append(parent)
        lineage[place.id] = seen
        for holder in chain[1:]:
            within[holder.id].add(place.id)
        for holder in chain:
            if holder.migration_history in HISTORY_SCALE:
                history[i] = HISTORY_SCALE[holder.migration_history]
                history_from[i] = None if holder is place else holder.id
                break
    return history, history_from, lineage, dict(within)


def _fact_array(session: Session, key: str, row: dict[int, int], *, positive: bool) -> np.ndarray:
    values = np.full(len(row), np.nan)
    for place_id, value in _latest_facts(session, key).items():
        if place_id in row and (value > 0 or not positive):
            values[row[place_id]] = value
    return values


def _counted(
    session: Session, row_of_place: np.ndarray, terms: TermMatrices
) -> tuple[np.ndarray, TermMatrices]:
    """Each place's public practices and their term matrices (with the columns of
    ``terms``), counted from the practice index, which is already in memory and up to
    date."""
    index = practice_index(session)
    public = index.visible(PUBLIC)
    places = index.place[public]
    rows = row_of_place[places[places < len(row_of_place)]]
    practices = np.bincount(rows[rows >= 0], minlength=len(row_of_place)).astype(np.int32)
    matrices = recounted(
        terms, lambda term_ids: indexed_place_terms(index, public, row_of_place, term_ids)
    )
    return practices[: terms.places], matrices


def _updated(features: Features, session: Session, _changed: set[int]) -> Features:
    """``features`` with the practices counted again: places, facts, vocabulary and public
    dilemmas stand (changing them reloads everything), what practices say of each place is recounted
    from the practice index, which has just taken in the changes."""
    practices, terms = _counted(session, features.row_of_place, features.terms)
    return replace(features, practices=practices, terms=terms)


def _load(session: Session) -> Features:
    places = _places(session)
    ids = [p.id for p in places]
    row = {place_id: i for i, place_id in enumerate(ids)}
    history, history_from, lineage, within = _history(places, {p.id: p for p in places})
    population = _fact_array(session, "population", row, positive=True)
    row_of_place = np.full(max(ids, default=0) + 1, -1, dtype=np.int64)
    row_of_place[ids] = np.arange(len(ids))
    practices, terms = _counted(session, row_of_place, load_terms(session, row))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_population = np.log10(population)
    return Features(
        ids=ids,
        row=row,
        places=places,
        slugs={p.slug: i for i, p in enumerate(places)},
        country=np.array([p.country for p in places]),
        tier=np.array([TIERS.get(p.level, 4) for p in places]),
        level=np.array([p.level for p in places]),
        urban=np.array([URBAN_SCALE.get(p.urban_rural or "", np.nan) for p in places]),
        history=history,
        history_from=history_from,
        log_population=log_population,
        population=population,
        foreign_born=_fact_array(session, "foreign-born-share", row, positive=False),
        practices=practices,
        terms=terms,
        dilemmas=load_dilemmas(session, row),
        row_of_place=row_of_place,
        lineage=lineage,
        within=within,
    )
