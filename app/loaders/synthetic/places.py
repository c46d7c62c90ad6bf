"""Synthetic places: invented names in real countries, with levels, sizes and parents."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.loaders.synthetic.words import (
    ARRIVAL_GROUPS,
    CODAS,
    COUNTRIES,
    LEVELS,
    NEIGHBOURHOOD_WORDS,
    ONSETS,
    SUFFIXES,
    VOWELS,
    Term,
)
from app.places.gazetteer.names import slugify


class SyntheticError(Exception):
    """The database cannot take synthetic data (not migrated, or not seeded)."""


PREFIX = "synthetic-"


def _syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def place_name(rng: random.Random) -> str:
    """A pronounceable made-up name: two or three syllables, sometimes a suffix."""
    name = "".join(_syllable(rng) for _ in range(rng.choice((2, 2, 2, 3))))
    if rng.random() < 0.35:
        name += rng.choice(SUFFIXES)
    return name.capitalize()


class Slugs:
    """Unique slugs with the synthetic prefix."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, text_: str, limit: int) -> str:
        base = (PREFIX + slugify(text_))[:limit].rstrip("-")
        slug, n = base, 1
        while slug in self.seen:
            n += 1
            slug = f"{base[: limit - len(str(n)) - 1]}-{n}"
        self.seen.add(slug)
        return slug


@dataclass
class PlaceRow:
    id: int
    name: str
    level: str
    row: dict[str, Any]
    facts: list[dict[str, Any]] = field(default_factory=list)


def _weighted(rng: random.Random, options: dict[str, float]) -> str:
    codes = list(options)
    return rng.choices(codes, weights=[options[c] for c in codes])[0]


def make_places(
    rng: random.Random,
    count: int,
    first_id: int,
    first_fact_id: int,
    vocab: dict[str, dict[str, Term]],
    country_places: dict[str, int],
    now: datetime,
) -> list[PlaceRow]:
    levels = {code: spec for code, spec in LEVELS.items() if code in vocab["place-level"]}
    if not levels:
        raise SyntheticError("the place-level vocabulary has none of " + ", ".join(LEVELS))
    histories = sorted(vocab["migration-history"])
    slugs = Slugs()
    places: list[PlaceRow] = []
    fact_id = first_fact_id
    country_codes = list(COUNTRIES)
    country_weights = [COUNTRIES[c][0] for c in country_codes]
    for i in range(count):
        country = rng.choices(country_codes, weights=country_weights)[0]
        _weight, history, lat, lon = COUNTRIES[country]
        if history not in histories or rng.random() < 0.1:
            history = rng.choice(histories)
        level = _weighted(rng, {code: spec[0] for code, spec in levels.items()})
        _share, median, spread, low, high, _authority = levels[level]
        population = int(min(high, max(low, math.exp(rng.gauss(math.log(median), spread)))))
        population = round(population, -2 if population < 100_000 else -3)
        name = place_name(rng)
        if level == "region":
            name = rng.choice((f"{name} Region", f"Province of {name}", name))
        elif level == "county":
            name = rng.choice((f"{name} County", f"{name} District", name))
        elif level == "city-region":
            name = f"Greater {name}"
        elif level == "neighbourhood":
            name = f"{name} {rng.choice(NEIGHBOURHOOD_WORDS)}"
        urban_chance = 0.95 if population >= 100_000 else 0.6 if population >= 20_000 else 0.2
        base_share = {"long-standing": 14.0, "new": 10.0, "low": 3.0}.get(history, 8.0)
        if population >= 200_000:
            base_share *= 1.5
        share = round(min(40.0, max(1.0, base_share * math.exp(rng.gauss(0, 0.5)))), 1)
        place_id = first_id + i
        row = {
            "id": place_id,
            "slug": slugs(name, 120),
            "name": name,
            "country": country,
            "level": level,
            "parent_id": country_places.get(country),
            "urban_rural": "urban" if rng.random() < urban_chance else "rural",
            "migration_history": history,
            "arrival_groups": rng.sample(ARRIVAL_GROUPS, rng.choice((0, 0, 1, 2))),
            "governance_notes": None,
            "latitude": round(lat + rng.uniform(-2.5, 2.5), 4),
            "longitude": round(lon + rng.uniform(-3.0, 3.0), 4),
            "created_at": now,
            "updated_at": now,
        }
        place = PlaceRow(place_id, name, level, row)
        # Real context data is incomplete: each fact is missing for about one place in five.
        for key, label, value, unit in (
            ("population", "Synthetic population figure", float(population), "people"),
            ("foreign-born-share", "Synthetic foreign-born share", share, "percent"),
        ):
            if rng.random() >= 0.2:
                place.facts.append(
                    {
                        "id": fact_id,
                        "place_id": place_id,
                        "key": key,
                        "label": label,
                        "value": value,
                        "unit": unit,
                        "text": "Made up for load testing; not a real statistic.",
                        "year": rng.randint(2011, 2023),
                        "source_id": None,
                        "cites": None,
                        "locator": None,
                    }
                )
                fact_id += 1
        places.append(place)
    return places
