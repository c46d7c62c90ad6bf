"""Which GeoNames entry a place named by the reports is, where that is certain.

A place is linked only when it is a populated place (a municipality: boroughs, counties,
regions and city-regions are authorities over many places, never the town that shares
their name), GeoNames has a place of the same name or alternate name in the same country,
and that place is the only one or clearly the largest. Anything less certain is left to a
moderator, never guessed."""

from collections import defaultdict
from dataclasses import dataclass, field

from app.loaders.gazetteer.reading import Entry
from app.models.places import Place
from app.places.gazetteer.names import fold, search_names

POPULATED_LEVELS = frozenset({"municipality"})
CLEARLY_LARGEST = 5.0  # times the population of the next place of the same name

Index = dict[tuple[str, str], list[Entry]]


@dataclass
class Match:
    """What the gazetteer made of one place."""

    place: Place
    outcome: str  # linked | to confirm | none
    reason: str
    entry: Entry | None = None
    candidates: list[Entry] = field(default_factory=list)
    slug: str = ""  # the place's, kept for the report after the session has closed
    level: str = ""

    def __post_init__(self) -> None:
        self.slug, self.level = self.place.slug, self.place.level


def name_index(entries: list[Entry]) -> Index:
    """Entries by (country, any of their folded names)."""
    index: Index = defaultdict(list)
    for entry in entries:
        for name in search_names(entry.name, entry.alternate_names).strip("|").split("|"):
            index[(entry.country, name)].append(entry)
    return index


def match_place(place: Place, index: Index, taken: set[int]) -> Match:
    """The GeoNames entry of ``place``, if certain (``taken``: ids linked to other places)."""
    if place.level not in POPULATED_LEVELS:
        return Match(place, "none", f"a {place.level}, not a single populated place")
    candidates = sorted(
        (e for e in index.get((place.country, fold(place.name)), []) if e.geonames_id not in taken),
        key=lambda e: -e.population,
    )
    if not candidates:
        return Match(place, "none", "no populated place of this name in the country")
    if len(candidates) == 1:
        return Match(place, "linked", "the only place of this name in the country", candidates[0])
    first, second = candidates[0], candidates[1]
    if first.population >= CLEARLY_LARGEST * max(second.population, 1):
        reason = (
            f"the largest of {len(candidates)} places of this name, {first.population:,} people"
        )
        return Match(place, "linked", reason, first)
    reason = f"{len(candidates)} places of this name of similar size"
    return Match(place, "to confirm", reason, candidates=candidates)
