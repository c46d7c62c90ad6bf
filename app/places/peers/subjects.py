"""The place peers are sought for: a catalogued place or one described by a visitor."""

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from app.countries import country_name
from app.errors import InvalidParameter, NotFound
from app.i18n import gettext
from app.models.places import Place
from app.models.practices import Practice, PracticeTerm
from app.models.vocabularies import VocabularyScheme, VocabularyTerm
from app.permissions import visible
from app.places.peers.features import (
    CHALLENGE_SCHEMES,
    HISTORY_SCALE,
    TIERS,
    URBAN_SCALE,
    Features,
    normalised,
)
from app.places.peers.schemas import (
    ContextIn,
)
from app.schemas import TermRef
from app.vocabularies.queries import scheme_terms


@dataclass
class Subject:
    place: Place | None
    country: str | None
    level: str | None
    urban: float
    history: float
    history_from: int | None
    population: float
    foreign_born: float
    profile: np.ndarray
    challenges: list[TermRef]
    activity_types: set[int]  # for "what they do that you don't"
    exclude: set[int]  # place ids never suggested (itself, what encloses it)


def place_subject(session: Session, features: Features, slug: str) -> Subject:
    place = session.exec(select(Place).where(Place.slug == slug)).first()
    if place is None or place.id not in features.row:
        raise NotFound(gettext("no place %(slug)r", slug=slug))
    return replace(
        catalogued(features, place),
        activity_types=_activity_types(session, place.id),
        exclude=features.lineage[place.id] | features.within.get(place.id, set()),
    )


def catalogued(features: Features, place: Place) -> Subject:
    """A catalogued place as a subject, from its cached features."""
    i = features.row[int(place.id or 0)]
    return Subject(
        place=place,
        country=place.country,
        level=place.level,
        urban=float(features.urban[i]),
        history=float(features.history[i]),
        history_from=features.history_from[i],
        population=float(features.population[i]),
        foreign_born=float(features.foreign_born[i]),
        profile=features.profile[i],
        challenges=[],
        activity_types=set(),
        exclude=set(),
    )


def described_subject(session: Session, features: Features, context: ContextIn) -> Subject:
    country = context.country.upper() if context.country else None
    if country and country_name(country) is None:
        raise InvalidParameter(
            "country", gettext("unknown country %(code)r; use ISO 3166-1 alpha-2", code=country)
        )
    if context.level not in TIERS:
        raise InvalidParameter("level", gettext("unknown level %(code)r", code=context.level))
    history, history_from = math.nan, None
    if context.migration_history:
        history = HISTORY_SCALE[context.migration_history]
    elif country:
        # Like a catalogued place, a described one takes its country's migration history.
        for i, place in enumerate(features.places):
            if place.country == country and place.level == "country":
                history, history_from = float(features.history[i]), place.id
                break
    vector = np.zeros(len(features.term_ids), dtype=np.float32)
    challenges: list[TermRef] = []
    chosen = set(context.challenges)
    for scheme in CHALLENGE_SCHEMES:
        for code, term in scheme_terms(session, scheme).items():
            if code in chosen:
                chosen.discard(code)
                challenges.append(TermRef(code=code, label=term.label))
                if term.id in features.column:
                    j = features.column[term.id]
                    vector[j] = features.idf[j]
    if chosen:
        raise InvalidParameter(
            "challenges",
            gettext("unknown challenge %(codes)s", codes=", ".join(sorted(map(repr, chosen)))),
        )
    return Subject(
        place=None,
        country=country,
        level=context.level,
        urban=URBAN_SCALE.get(context.urban_rural or "", math.nan),
        history=history,
        history_from=history_from,
        population=float(context.population) if context.population else math.nan,
        foreign_born=math.nan if context.foreign_born_share is None else context.foreign_born_share,
        profile=normalised(vector),
        challenges=challenges,
        activity_types=set(),
        exclude=set(),
    )


def activity_type_ids() -> Any:
    return (
        select(VocabularyTerm.id)
        .join(VocabularyScheme, col(VocabularyScheme.id) == VocabularyTerm.scheme_id)
        .where(VocabularyScheme.code == "activity-type")
    )


def _activity_types(session: Session, place_id: int) -> set[int]:
    """Activity-type terms of the place's public practices."""
    return set(
        session.exec(
            select(PracticeTerm.term_id)
            .join(Practice, col(Practice.id) == PracticeTerm.practice_id)
            .where(Practice.place_id == place_id, *visible())
            .where(col(PracticeTerm.term_id).in_(activity_type_ids()))
            .distinct()
        )
    )
