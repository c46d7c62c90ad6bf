"""The place peers are sought for: a catalogued place or one described by a visitor."""

import math
from dataclasses import dataclass, replace

import numpy as np
from sqlmodel import Session

from app.catalogue.practice_index import practice_index
from app.countries import country_name
from app.errors import InvalidParameter, NotFound
from app.i18n import gettext
from app.permissions import PUBLIC
from app.places.peers.features import HISTORY_SCALE, TIERS, URBAN_SCALE, Features, PlaceRow
from app.places.peers.schemas import ContextIn
from app.places.peers.terms import DESCRIBED_SCHEMES, expand
from app.schemas import TermRef
from app.vocabularies.queries import scheme_terms


@dataclass
class Subject:
    place: PlaceRow | None
    country: str | None
    level: str | None
    urban: float
    history: float
    history_from: int | None
    population: float
    foreign_born: float
    profile: np.ndarray  # practice profile (zeros for a described place)
    challenges_vector: np.ndarray  # 0/1 per challenge column, broader terms included
    challenges: list[TermRef]  # as described (empty for a catalogued place)
    dilemmas: np.ndarray  # bool per dilemma cluster (none for a described place)
    activity_types: set[int]  # for "what they do that you don't"
    exclude: set[int]  # place ids never suggested (itself, what encloses it)


def place_subject(session: Session, features: Features, slug: str) -> Subject:
    if slug not in features.slugs:
        raise NotFound(gettext("no place %(slug)r", slug=slug))
    place = features.places[features.slugs[slug]]
    return replace(
        catalogued(features, place),
        activity_types=_activity_types(session, place.id),
        exclude=features.lineage[place.id] | features.within.get(place.id, set()),
    )


def catalogued(features: Features, place: PlaceRow) -> Subject:
    """A place of the catalogue or the gazetteer as a subject, from its cached features."""
    i = features.row[place.id]
    return Subject(
        place=place,
        country=place.country,
        level=place.level,
        urban=float(features.urban[i]),
        history=float(features.history[i]),
        history_from=features.history_from[i],
        population=float(features.population[i]),
        foreign_born=float(features.foreign_born[i]),
        profile=features.terms.profile_of(i),
        challenges_vector=features.terms.challenges_of(i),
        challenges=[],
        dilemmas=features.dilemmas.of(i),
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
        rows = np.flatnonzero((features.country == country) & (features.level == "country"))
        if len(rows):
            i = int(rows[0])
            history, history_from = float(features.history[i]), features.ids[i]
    challenges: list[TermRef] = []
    term_ids: list[int] = []
    chosen = set(context.challenges)
    for scheme in DESCRIBED_SCHEMES:
        for code, term in scheme_terms(session, scheme).items():
            if code in chosen:
                chosen.discard(code)
                challenges.append(TermRef(code=code, label=term.label))
                term_ids.append(term.id)
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
        # A described place has no practices: its challenges are compared as such.
        profile=np.zeros(len(features.terms.profile_ids), dtype=np.float32),
        challenges_vector=expand(features.terms, term_ids),
        challenges=challenges,
        dilemmas=np.zeros(len(features.dilemmas.codes), dtype=bool),
        activity_types=set(),
        exclude=set(),
    )


def _activity_types(session: Session, place_id: int) -> set[int]:
    """Activity-type terms (as recorded) of the place's public practices, from the
    practice index."""
    index = practice_index(session)
    rows = index.postings["place"].get(place_id)
    if rows is None:
        return set()
    return {
        int(term) for term in index.counts("activity", index.mask(rows) & index.visible(PUBLIC))
    }
