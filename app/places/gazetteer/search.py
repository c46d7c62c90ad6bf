"""Finding places by any of their names, as they are typed."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_
from sqlmodel import Session, col, select

from app.countries import country_name
from app.i18n import get_language
from app.models.places import Place, PlaceFact
from app.places.gazetteer.names import fold
from app.vocabularies.queries import scheme_terms

SUGGESTIONS = 8


@dataclass(frozen=True)
class PlaceChoice:
    """A place as a picker offers it: enough to tell namesakes apart."""

    slug: str
    name: str
    country: str
    country_name: str
    level: str
    population: int | None
    catalogued: bool
    exact: bool  # one of its names is the text searched for, not only starts with it
    own_name: bool  # and that name is the one it goes by
    level_label: str | None  # the level, when it is not a municipality


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_matches(text: str, *, words: bool = False) -> ColumnElement[bool]:
    """Places one of whose names starts with ``text`` (case and diacritics ignored; with
    ``words``, any word of a name); text that folds to nothing matches no place."""
    folded = _like(fold(text))
    if not folded:
        return false()
    starts = [col(Place.search_names).like(f"%|{folded}%", escape="\\")]
    if words:
        starts.append(col(Place.search_names).like(f"% {folded}%", escape="\\"))
    # Places not yet given their search names (before the first gazetteer load) by name.
    unnamed = and_(col(Place.search_names).is_(None), func.lower(Place.name).like(f"{folded}%"))
    return or_(*starts, unnamed)


def population_of() -> ColumnElement[float]:
    """The place's largest recorded population (a correlated subquery), for ordering."""
    return (
        select(func.max(PlaceFact.value))
        .where(PlaceFact.place_id == Place.id, PlaceFact.key == "population")
        .correlate(Place)
        .scalar_subquery()
    )


def exactness(text: str) -> ColumnElement[int]:
    """0 when one of the place's names is ``text`` (its own or another), 1 when its own name
    starts with it, 2 otherwise: whole names come first."""
    folded = _like(fold(text.replace("\x00", "")))
    return case(
        (func.lower(Place.name) == text.replace("\x00", "").lower(), 0),
        (col(Place.search_names).like(f"%|{folded}|%", escape="\\"), 0),
        (func.lower(Place.name).like(f"{folded}%", escape="\\"), 1),
        else_=2,
    )


def relevance(text: str) -> ColumnElement[Any]:
    """One number to sort a search for ``text`` by, smallest first: whole names first, the
    largest place first within each (so "Paris" lists Paris before La Défense)."""
    return exactness(text) * 1e9 - func.coalesce(population_of(), 0)


def find_places(
    session: Session, text: str, *, limit: int = SUGGESTIONS, country: str | None = None
) -> list[PlaceChoice]:
    """Places named ``text`` first, then those with a name starting with it; the largest
    first within each, so "Frankfurt" offers Frankfurt am Main before Frankfurt (Oder)."""
    folded = fold(text)  # without NUL, which PostgreSQL refuses; exactness drops it too
    if not folded:
        return []
    population = population_of().label("population")
    exact = exactness(text).label("exact")
    statement = (
        select(Place, population, exact)
        .where(name_matches(text, words=True))
        .order_by(relevance(text), col(Place.name), col(Place.id))
        .limit(limit)
    )
    if country:
        statement = statement.where(Place.country == country.upper())
    language = get_language()
    levels = {code: term.label for code, term in scheme_terms(session, "place-level").items()}
    return [
        PlaceChoice(
            slug=place.slug,
            name=place.name,
            country=place.country,
            country_name=country_name(place.country, language) or place.country,
            level=place.level,
            population=int(value) if value else None,
            catalogued=place.catalogued,
            exact=rank == 0,
            own_name=fold(place.name) == folded,
            level_label=None if place.level == "municipality" else levels.get(place.level),
        )
        for place, value, rank in session.exec(statement)
    ]
