"""Synthetic catalogue data for load tests and benchmarks (``interlocal synthetic``).

Adds made-up places (with population and foreign-born-share facts, some missing, as in
real data) and practices (classified with the real vocabularies, with readable English
text composed from word banks and the labels of their terms) to a migrated and seeded
database. Everything it writes has a slug starting with ``synthetic-``; a new run first
deletes the previous run's rows, so the seeded catalogue is never touched. The same seed
gives the same data. Rows are written with bulk ``INSERT``s and committed once, after the
full-text index is rebuilt: all or nothing.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Table, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col

from app.models import (
    Membership,
    Organisation,
    Outcome,
    Place,
    PlaceFact,
    Practice,
    PracticeLineage,
    PracticePartner,
    PracticeRevision,
    PracticeSource,
    PracticeTerm,
    PracticeTranslation,
    VocabularyScheme,
    VocabularyTerm,
)
from app.queries.cache import mark_changed
from app.queries.changes import note_changes
from app.queries.search import index_practices

PREFIX = "synthetic-"
BATCH = 5000
T = TypeVar("T")

# Schemes the generator draws from; all must be in the database.
REQUIRED_SCHEMES = (
    "place-level",
    "migration-history",
    "activity-type",
    "goal",
    "target-group",
    "lra-role",
    "channel",
    "lifecycle",
    "evidence-level",
    "framing",
    "policy-area",
)


class SyntheticError(Exception):
    """The database cannot take synthetic data (not migrated, or not seeded)."""


@dataclass
class SyntheticReport:
    places: int = 0
    practices: int = 0
    facts: int = 0
    terms: int = 0
    deleted_places: int = 0
    deleted_practices: int = 0


@dataclass(frozen=True)
class _Term:
    id: int
    code: str
    label: str


# --- Places --------------------------------------------------------------------------------

# ISO code: (relative number of places, migration history, approximate latitude, longitude)
COUNTRIES: dict[str, tuple[float, str, float, float]] = {
    "DE": (12, "long-standing", 51.2, 10.4),
    "FR": (10, "long-standing", 46.6, 2.4),
    "GB": (10, "long-standing", 53.0, -1.8),
    "IT": (9, "new", 42.8, 12.6),
    "ES": (8, "new", 40.3, -3.7),
    "PL": (6, "low", 52.0, 19.4),
    "NL": (5, "long-standing", 52.2, 5.5),
    "RO": (4, "low", 45.9, 24.9),
    "BE": (4, "long-standing", 50.6, 4.6),
    "SE": (4, "long-standing", 60.1, 15.6),
    "PT": (3, "new", 39.6, -8.0),
    "GR": (3, "new", 39.1, 22.0),
    "CZ": (3, "low", 49.8, 15.5),
    "HU": (3, "low", 47.2, 19.5),
    "AT": (3, "long-standing", 47.6, 14.1),
    "DK": (2, "long-standing", 56.0, 9.5),
    "FI": (2, "new", 62.5, 25.7),
    "NO": (2, "long-standing", 61.0, 9.0),
    "IE": (2, "new", 53.2, -8.0),
    "SK": (2, "low", 48.7, 19.7),
    "BG": (2, "low", 42.7, 25.3),
    "HR": (2, "low", 45.2, 15.7),
    "SI": (1, "low", 46.1, 14.8),
    "LT": (1, "low", 55.3, 23.9),
    "EE": (1, "low", 58.7, 25.5),
}

# place-level code: (share of places, median population, spread, minimum, maximum, authority)
LEVELS: dict[str, tuple[float, float, float, int, int, str]] = {
    "municipality": (0.78, 45_000, 1.1, 5_000, 3_000_000, "council"),
    "county": (0.07, 250_000, 0.6, 40_000, 2_000_000, "county council"),
    "region": (0.06, 1_800_000, 0.7, 250_000, 13_000_000, "regional government"),
    "city-region": (0.03, 1_500_000, 0.5, 400_000, 6_000_000, "combined authority"),
    "neighbourhood": (0.06, 14_000, 0.6, 2_000, 90_000, "neighbourhood council"),
}

# Syllables of made-up names; the common consonants appear twice, to be drawn more often.
ONSETS = (
    *("b", "br", "d", "dr", "f", "fl", "g", "gr", "h", "k", "kl", "l", "m", "n", "p", "pr"),
    *("r", "s", "st", "t", "tr", "v", "w", "z", "ch", "sh"),
    *("l", "m", "n", "r", "s", "t", "v", "b", "d"),
)
VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "ou")
CODAS = ("", "", "", "", "n", "r", "l", "s", "m", "nd", "rk", "lt")
SUFFIXES = ("burg", "ton", "ville", "dorf", "stad", "ova", "ia", "ano", "heim", "by", "ford")
NEIGHBOURHOOD_WORDS = ("Quarter", "Park", "Heights", "Green", "North", "South", "East")
ARRIVAL_GROUPS = (
    "refugees from Syria",
    "refugees from Ukraine",
    "migrant workers from Eastern Europe",
    "students from abroad",
    "families from North Africa",
    "seasonal agricultural workers",
    "asylum seekers from Afghanistan",
    "Roma families",
    "returning emigrants",
    "people from West Africa",
)


def _syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def place_name(rng: random.Random) -> str:
    """A pronounceable made-up name: two or three syllables, sometimes a suffix."""
    name = "".join(_syllable(rng) for _ in range(rng.choice((2, 2, 2, 3))))
    if rng.random() < 0.35:
        name += rng.choice(SUFFIXES)
    return name.capitalize()


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


class _Slugs:
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
class _PlaceRow:
    id: int
    name: str
    level: str
    row: dict[str, Any]
    facts: list[dict[str, Any]] = field(default_factory=list)


def _weighted(rng: random.Random, options: dict[str, float]) -> str:
    codes = list(options)
    return rng.choices(codes, weights=[options[c] for c in codes])[0]


def _places(
    rng: random.Random,
    count: int,
    first_id: int,
    first_fact_id: int,
    vocab: dict[str, dict[str, _Term]],
    country_places: dict[str, int],
    now: datetime,
) -> list[_PlaceRow]:
    levels = {code: spec for code, spec in LEVELS.items() if code in vocab["place-level"]}
    if not levels:
        raise SyntheticError("the place-level vocabulary has none of " + ", ".join(LEVELS))
    histories = sorted(vocab["migration-history"])
    slugs = _Slugs()
    places: list[_PlaceRow] = []
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
        place = _PlaceRow(place_id, name, level, row)
        # Real context data is incomplete: each fact is missing for about one place in five.
        if rng.random() >= 0.2:
            place.facts.append(
                {
                    "id": fact_id,
                    "place_id": place_id,
                    "key": "population",
                    "label": "Synthetic population figure",
                    "value": float(population),
                    "unit": "people",
                    "text": "Made up for load testing; not a real statistic.",
                    "year": rng.randint(2011, 2023),
                    "source_id": None,
                    "cites": None,
                    "locator": None,
                }
            )
            fact_id += 1
        if rng.random() >= 0.2:
            place.facts.append(
                {
                    "id": fact_id,
                    "place_id": place_id,
                    "key": "foreign-born-share",
                    "label": "Synthetic foreign-born share",
                    "value": share,
                    "unit": "percent",
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


# --- Practices: word banks -------------------------------------------------------------------

# Noun phrases per activity type, with their article; unknown codes fall back to the label.
ACTIVITIES: dict[str, tuple[str, ...]] = {
    "press-releases": ("a series of press briefings", "a media briefing programme"),
    "information-campaigns": ("an information campaign", "a poster campaign"),
    "information-about-migrants": ("a myth-busting campaign", "a facts-about-migration campaign"),
    "information-for-migrants": ("a newcomer information campaign", "know-your-rights leaflets"),
    "web-presence": ("a community website", "an online directory of groups"),
    "multimedia-strategies": ("a multimedia strategy", "a cross-media campaign"),
    "media-engagement": ("a media partnership", "a local media charter"),
    "sensitising-journalists": ("workshops for journalists", "a newsroom exchange"),
    "promoting-positive-coverage": ("a good-news stories service", "a human library"),
    "diversity-training": ("diversity training", "an unconscious bias course"),
    "intercultural-festivals": ("a street festival", "an intercultural festival", "a food fair"),
    "intercultural-spaces": ("a community house", "an open meeting space", "a shared garden"),
    "dialogue-processes": ("dialogue circles", "a residents' dialogue", "kitchen-table talks"),
    "mediation": ("a neighbourhood mediation service", "community mediators"),
    "network-development": ("a partnership network", "a forum of local groups"),
    "networks-lra-migrant-organisations": ("a migrant organisations forum",),
    "networks-between-communities": ("a twinning of community groups", "a neighbours network"),
    "neighbourhood-regeneration": ("a neighbourhood renewal programme", "an estate makeover"),
    "city-branding": ("a city brand", "a city slogan campaign"),
    "branding-integration-focus": ("an open-city brand",),
    "branding-general": ("a city image campaign",),
    "awards": ("community awards", "a photo contest", "a prize for local initiatives"),
    "sport": ("a football league", "a sports programme", "a running club"),
    "interfaith": ("an interfaith forum", "open days at places of worship"),
    "direct-mail": ("a letter to every household", "a mail-out to new residents"),
    "municipal-plan": ("a local action plan", "a city pact"),
    "welcome-information": ("a welcome pack", "a welcome desk", "an orientation course"),
    "language-learning": ("conversation cafés", "language classes", "a language buddy scheme"),
    "front-line-training": ("training for front-line staff", "a counter-staff course"),
    "capacity-building": ("a capacity-building programme", "small grants for migrant groups"),
    "education": ("a school resource pack", "classroom materials", "a teachers' toolkit"),
    "strategy-coordination": ("a coordination strategy", "a cross-department task force"),
    "advisory-secondment": ("seconded community advisers", "a community liaison post"),
    "lived-experience-voice": ("a migrant advisory panel", "a residents' voice panel"),
    "specialist-services": ("an advice service", "a drop-in support service"),
    "peer-learning": ("a peer-learning exchange", "study visits"),
    "research": ("an action research project", "a residents' survey"),
}

TARGETS: dict[str, str] = {
    "migrants": "migrant residents",
    "newcomers": "newcomers",
    "refugees": "refugees",
    "asylum-seekers": "people seeking asylum",
    "migrant-women": "migrant women",
    "migrant-children": "migrant children",
    "young-people": "young people",
    "second-generation": "second-generation residents",
    "roma": "Roma families",
    "eu-migrants": "EU migrant workers",
    "nrpf": "people with no recourse to public funds",
    "third-country-nationals": "third-country nationals",
    "non-migrants": "long-standing residents",
    "hostile-residents": "sceptical residents",
    "officials": "council officers",
    "front-line-staff": "front-line staff",
    "elected-members": "councillors",
    "police": "police officers",
    "journalists": "local journalists",
    "whole-community": "all residents",
}

ISSUES = (
    "housing allocation",
    "a new reception centre",
    "parking and noise",
    "school places",
    "a local election campaign",
    "a planned place of worship",
    "a viral social-media post",
    "the use of a local park",
)

GOALS: dict[str, tuple[str, ...]] = {
    "informing-communities": (
        "to give residents accurate information about migration in {place}",
        "to answer residents' questions about new arrivals",
        "to counter rumours with facts",
        "to explain how local services work",
    ),
    "improving-interaction": (
        "to bring {target} and their neighbours together",
        "to create everyday contact between {target} and other residents",
        "to get people who rarely meet talking to each other",
    ),
    "defusing-conflict": (
        "to calm tensions after a dispute over {issue}",
        "to defuse conflict between residents over {issue}",
        "to respond quickly when tensions rise",
    ),
    "building-networks": (
        "to build lasting links between community groups",
        "to strengthen migrant-led organisations",
        "to connect volunteers, schools and services",
    ),
}

PARTNERS = (
    "a local NGO",
    "the residents' association",
    "a migrant-led organisation",
    "the public library",
    "a youth charity",
    "the local football club",
    "a university research team",
    "the regional newspaper",
    "faith groups",
    "the chamber of commerce",
)

ROLES: dict[str, tuple[str, ...]] = {
    "public-leadership": (
        "The mayor fronted the work in public.",
        "Council leaders spoke for it at every opportunity.",
    ),
    "involve-third-parties": ("The council worked with {partner} to deliver it.",),
    "delegate": ("Delivery was handed entirely to {partner}.",),
    "mediator": ("Council staff acted as mediators between the groups involved.",),
    "facilitator": ("The council's role was to help residents talk to each other.",),
    "standard-setter": ("The council set standards that its contractors and partners follow.",),
    "own-resources": ("It was paid for from the council's own budget.",),
    "channelling-resources": (
        "The council brought in European funding to pay for it.",
        "A national grant, secured by the council, paid for it.",
    ),
}

CHANNELS: dict[str, str] = {
    "print": "printed material",
    "posters": "posters",
    "leaflets": "leaflets",
    "guides": "a handbook",
    "comic-strips": "a comic strip",
    "letters": "personal letters",
    "newspaper": "the council newspaper",
    "broadcast": "broadcast slots",
    "tv": "local television",
    "radio": "community radio",
    "digital": "online channels",
    "website": "a website",
    "social-media": "social media",
    "media-relations": "the local press",
    "face-to-face-channel": "door-to-door conversations",
    "events": "public events",
    "physical-space": "a drop-in space",
    "branding": "the city's branding",
}

LIFECYCLES: dict[str, str] = {
    "planned": "It is due to start in {start}.",
    "pilot": "It started as a pilot in {start}.",
    "running": "It has been running since {start}.",
    "mainstreamed": "Started in {start}, it is now part of the council's regular services.",
    "ended": "It ran from {start} to {end}.",
    "funding-ended": "It ran from {start} until its funding ended in {end}.",
}

EVIDENCE: dict[str, tuple[str, ...]] = {
    "none": ("No evaluation has been recorded.", ""),
    "described": (
        "Organisers describe a warm response from participants.",
        "Staff report that the sessions were well attended.",
    ),
    "outputs": ("Organisers counted {n} participants at {m} events.",),
    "before-after": (
        "A survey before and after found {k} per cent more residents agreeing that people "
        "from different backgrounds get on well.",
    ),
    "independent-evaluation": (
        "An independent evaluation by a university team found lasting effects on trust.",
        "External evaluators found that participants kept in touch after it ended.",
    ),
    "comparison": (
        "Compared with a similar area, trust between residents grew more where it ran.",
    ),
}

FILLERS = (
    "Volunteers from the area helped to plan each step.",
    "Neighbours were invited to shape the programme from the start.",
    "Sessions were held in the evening so that working parents could attend.",
    "Materials were translated into the main community languages.",
    "A small team of officers coordinated the work across departments.",
    "Local shops and cafés displayed the campaign material.",
    "The project celebrates the diversity of the neighbourhood.",
    "Participants said they felt a stronger sense of belonging.",
    "Trained volunteers answered rumours and stereotypes in everyday conversations.",
    "New arrivals receive a personal welcome from a resident volunteer.",
    "Schools and youth clubs took part in the activities.",
    "The approach was later copied by two neighbouring towns.",
    "Feedback after each round led to changes in the format.",
    "Social workers referred families who had recently arrived.",
    "Costs were kept low by using existing council buildings.",
    "Elected members took part in several of the meetings.",
    "Childcare was provided so that parents could take part.",
    "Local media covered the launch.",
    "A steering group of residents meets every month.",
    "Interpreters were available at every session.",
    "Older residents and newcomers shared stories over a meal.",
    "Most of the work happens on Saturday mornings in the market square.",
    "A part-time coordinator keeps the partners in touch.",
    "The budget covers venues, refreshments and a small fee for facilitators.",
    "Sign-up is through the library, the job centre and local GPs.",
    "A short film about the project was shown at the town hall.",
    "Residents can join at any point; no registration is needed.",
    "Each session ends with a meal cooked by participants.",
    "Participants are asked what they want to do next.",
    "The format was adapted during the pandemic and moved partly online.",
    "A handful of regulars now run sessions themselves.",
    "Local employers offered work placements to participants.",
    "The council's communications team produced the materials.",
    "Organisers keep a simple log of who comes and why.",
    "Several participants went on to volunteer elsewhere in the city.",
    "The project shares an office with the youth service.",
    "A review after the first year changed the opening hours.",
    "Transport costs are refunded for those who need it.",
    "Workshops were run in small groups of eight to twelve people.",
)

BRANDS = (
    "Open Doors",
    "Hello Neighbour",
    "Side by Side",
    "Common Ground",
    "One City",
    "Many Voices",
    "Shared Table",
    "Bridges",
    "New Roots",
    "Meet Your Neighbours",
    "Stop the Rumours",
    "Living Together",
    "Our Street",
    "Welcome Here",
    "Talking Together",
    "Every Voice",
    "Good Neighbours",
    "First Steps",
    "Open Kitchen",
    "We Are Here",
)
ADJECTIVES = (
    "Neighbourhood",
    "Citywide",
    "Weekly",
    "Seasonal",
    "Mobile",
    "Volunteer-led",
    "Youth-led",
    "Pop-up",
    "Door-to-door",
    "Online",
)

# The framing words a search for "integration" finds (with its synonyms cohesion and
# inclusion), each in a few per cent of practices: most practices never use them.
FRAMED: tuple[tuple[float, tuple[str, ...]], ...] = (
    (
        0.016,
        (
            "The work is part of the council's integration strategy.",
            "Officers see it as everyday integration work rather than a campaign.",
            "It was funded from the national integration programme.",
        ),
    ),
    (
        0.008,
        (
            "Partners see it as a contribution to community cohesion.",
            "It is one strand of the local cohesion plan.",
        ),
    ),
    (
        0.008,
        (
            "Accessibility and inclusion were considered at every stage.",
            "The council describes it as part of its social inclusion agenda.",
        ),
    ),
)


def _article_less(phrase: str) -> str:
    for article in ("a ", "an "):
        if phrase.startswith(article):
            return phrase[len(article) :]
    return phrase


def _capital(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _with_article(label: str) -> str:
    phrase = label[:1].lower() + label[1:]
    if phrase.endswith("s"):
        return phrase
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _pick(
    rng: random.Random, terms: Sequence[_Term], weights: Sequence[float], k: int
) -> list[_Term]:
    """``k`` different terms, more popular ones more often."""
    k = min(k, len(terms))
    chosen: dict[str, _Term] = {}
    while len(chosen) < k:
        term = rng.choices(terms, weights=weights)[0]
        chosen.setdefault(term.code, term)
    return list(chosen.values())


@dataclass
class _Scheme:
    terms: list[_Term]
    weights: list[float]

    def pick(self, rng: random.Random, low: int, high: int) -> list[_Term]:
        return _pick(rng, self.terms, self.weights, rng.randint(low, high))


LIFECYCLE_WEIGHTS = {
    "running": 40,
    "ended": 20,
    "pilot": 12,
    "mainstreamed": 12,
    "funding-ended": 10,
    "planned": 6,
}
EVIDENCE_WEIGHTS = {
    "described": 45,
    "outputs": 25,
    "none": 12,
    "before-after": 10,
    "independent-evaluation": 6,
    "comparison": 2,
}


def _schemes(rng: random.Random, vocab: dict[str, dict[str, _Term]]) -> dict[str, _Scheme]:
    """Each scheme's terms with popularity weights: some terms are used far more than
    others (a Zipf-like curve over a seeded order), lifecycle and evidence as in the
    reports (most evidence is impressionistic)."""
    schemes = {}
    for code, terms_by_code in sorted(vocab.items()):
        terms = [terms_by_code[c] for c in sorted(terms_by_code)]
        fixed = {"lifecycle": LIFECYCLE_WEIGHTS, "evidence-level": EVIDENCE_WEIGHTS}.get(code)
        if fixed:
            weights = [float(fixed.get(t.code, 3)) for t in terms]
        else:
            ranks = list(range(1, len(terms) + 1))
            rng.shuffle(ranks)
            weights = [1 / rank**0.8 for rank in ranks]
        schemes[code] = _Scheme(terms, weights)
    return schemes


@dataclass
class _Generated:
    row: dict[str, Any]
    term_ids: list[int]


def _practice(
    rng: random.Random,
    practice_id: int,
    place: _PlaceRow,
    schemes: dict[str, _Scheme],
    slugs: _Slugs,
    now: datetime,
) -> _Generated:
    activities = schemes["activity-type"].pick(rng, 1, 3)
    goals = schemes["goal"].pick(rng, 1, 2)
    targets = schemes["target-group"].pick(rng, 1, 3)
    roles = schemes["lra-role"].pick(rng, 0, 2)
    channels = schemes["channel"].pick(rng, 0, 2)
    lifecycle = schemes["lifecycle"].pick(rng, 1, 1)[0]
    evidence = schemes["evidence-level"].pick(rng, 1, 1)[0]
    framings = schemes["framing"].pick(rng, 0, 2)
    policies = schemes["policy-area"].pick(rng, 0, 1)

    def activity(term: _Term) -> str:
        options = ACTIVITIES.get(term.code)
        return rng.choice(options) if options else _with_article(term.label)

    def target_of(term: _Term) -> str:
        return TARGETS.get(term.code) or term.label[:1].lower() + term.label[1:]

    what = [activity(t) for t in activities]
    who = [target_of(t) for t in targets]
    where = place.name

    form = rng.random()
    if form < 0.25:
        title = f"{_capital(_article_less(what[0]))} for {who[0]}"
    elif form < 0.45:
        title = f"{where}: {_article_less(what[0])}"
    elif form < 0.65:
        title = f"{rng.choice(BRANDS)}: {_article_less(what[0])} in {where}"
    elif form < 0.8 and len(what) > 1:
        title = f"{_capital(_article_less(what[0]))} and {_article_less(what[1])}"
    else:
        title = f"{rng.choice(ADJECTIVES)} {_article_less(what[0])} with {who[0]}"

    start = min(2025, 1995 + int(30 * rng.random() ** 0.6))
    end = None
    if lifecycle.code in ("ended", "funding-ended"):
        end = min(2025, start + rng.randint(1, 6))
    if lifecycle.code == "planned":
        start = rng.choice((2024, 2025))

    authority = LEVELS.get(place.level, LEVELS["municipality"])[5]
    verb = {
        "planned": "plans",
        "pilot": "is piloting",
        "ended": "ran",
        "funding-ended": "ran",
    }.get(lifecycle.code, "runs")
    goal_options = GOALS.get(goals[0].code) or (f"to work on {goals[0].label.lower()}",)
    purpose = rng.choice(goal_options).format(place=where, target=who[0], issue=rng.choice(ISSUES))
    summary = f"{where}'s {authority} {verb} {what[0]} {purpose}."
    if len(who) > 1 or rng.random() < 0.5:
        summary += f" It is aimed at {_listing(who)}."

    sentences: list[str] = []
    if len(what) > 1:
        sentences.append(f"Alongside {what[0]}, it includes {_listing(what[1:])}.")
    if channels:
        names = [CHANNELS.get(c.code) or c.label.lower() for c in channels]
        sentences.append(f"It reaches people through {_listing(names)}.")
    for role in roles:
        options = ROLES.get(role.code) or (f"The council's role: {role.label.lower()}.",)
        sentences.append(rng.choice(options).format(partner=rng.choice(PARTNERS)))
    sentences += rng.sample(FILLERS, rng.randint(1, 3))
    for policy in policies:
        sentences.append(f"It is linked to the council's work on {policy.label.lower()}.")
    for chance, options in FRAMED:
        if rng.random() < chance:
            sentences.insert(rng.randint(0, len(sentences)), rng.choice(options))
    if framings and rng.random() < 0.08:
        sentences.append(f"The council speaks of {framings[0].label.lower()} in this work.")
    sentences.insert(
        0, LIFECYCLES.get(lifecycle.code, "Started in {start}.").format(start=start, end=end)
    )
    outcome = rng.choice(EVIDENCE.get(evidence.code) or ("",)).format(
        n=rng.randint(3, 60) * 10, m=rng.randint(2, 40), k=rng.randint(3, 25)
    )
    if outcome:
        sentences.append(outcome)

    when = now - timedelta(days=rng.randint(0, 2000), seconds=rng.randint(0, 86_399))
    visibility = "network" if rng.random() < 0.03 else "public"
    term_ids = [
        t.id
        for t in (
            *activities,
            *goals,
            *targets,
            *roles,
            *channels,
            lifecycle,
            evidence,
            *framings,
            *policies,
        )
    ]
    row = {
        "id": practice_id,
        "slug": slugs(title, 160),
        "title": title[:300],
        "summary": summary[:1000],
        "description": " ".join(sentences),
        "place_id": place.id,
        "lead_organisation_id": None,
        "start_year": start,
        "end_year": end,
        "aim": None,
        "participants": None,
        "audience": None,
        "what_did_not_work": None,
        "know_how": None,
        "languages": [],
        "links": [],
        "original_language": "en",
        "status": "published",
        "visibility": visibility,
        "version": 1,
        "created_by_id": None,
        "published_at": when,
        "created_at": when,
        "updated_at": when,
    }
    return _Generated(row, list(dict.fromkeys(term_ids)))


# --- Writing -----------------------------------------------------------------------------------


def _vocabularies(session: Session) -> dict[str, dict[str, _Term]]:
    rows = session.execute(
        select(
            col(VocabularyScheme.code),
            col(VocabularyTerm.id),
            col(VocabularyTerm.code),
            col(VocabularyTerm.label),
        )
        .join(VocabularyTerm, col(VocabularyTerm.scheme_id) == VocabularyScheme.id)
        .where(col(VocabularyScheme.code).in_(REQUIRED_SCHEMES))
    ).all()
    vocab: dict[str, dict[str, _Term]] = {}
    for scheme, term_id, code, label in rows:
        vocab.setdefault(scheme, {})[code] = _Term(int(term_id), code, label)
    missing = [s for s in REQUIRED_SCHEMES if not vocab.get(s)]
    if missing:
        raise SyntheticError(
            "the vocabularies are not in the database (missing: "
            + ", ".join(missing)
            + "); run `interlocal migrate` and `interlocal seed` first"
        )
    return vocab


def _batches(rows: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    for batch in _batches(rows):
        connection.execute(insert(table), list(batch))


def _next_id(session: Session, column: Any) -> int:
    return int(session.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1


def _advance_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """Ids were given explicitly: move PostgreSQL's sequences past them."""
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
            )
        )


def delete_synthetic(session: Session) -> tuple[int, int]:
    """Delete the rows of an earlier run (and what hangs off them); returns the numbers of
    practices and places deleted."""
    practices = select(col(Practice.id)).where(col(Practice.slug).startswith(PREFIX))
    places = select(col(Place.id)).where(col(Place.slug).startswith(PREFIX))
    n_practices = session.execute(select(func.count()).select_from(practices.subquery())).scalar()
    n_places = session.execute(select(func.count()).select_from(places.subquery())).scalar()
    for model in (
        PracticeTerm,
        PracticePartner,
        PracticeSource,
        Outcome,
        PracticeRevision,
        PracticeTranslation,
    ):
        session.execute(delete(model).where(col(model.practice_id).in_(practices)))
    session.execute(
        delete(PracticeLineage).where(
            or_(
                col(PracticeLineage.practice_id).in_(practices),
                col(PracticeLineage.origin_id).in_(practices),
            )
        )
    )
    session.execute(delete(Practice).where(col(Practice.slug).startswith(PREFIX)))
    session.execute(delete(PlaceFact).where(col(PlaceFact.place_id).in_(places)))
    session.execute(delete(Membership).where(col(Membership.place_id).in_(places)))
    session.execute(
        update(Organisation).where(col(Organisation.place_id).in_(places)).values(place_id=None)
    )
    session.execute(delete(Place).where(col(Place.slug).startswith(PREFIX)))
    return int(n_practices or 0), int(n_places or 0)


def load_synthetic(
    session: Session, *, practices: int, places: int, seed: int = 1
) -> SyntheticReport:
    """Replace the synthetic rows with ``places`` places and ``practices`` practices made
    from ``seed``; commit once at the end (nothing is written on failure)."""
    if practices < 0 or places < 0:
        raise SyntheticError("--practices and --places must not be negative")
    if practices and not places:
        raise SyntheticError("practices need places: give --places of at least 1")
    rng = random.Random(seed)
    report = SyntheticReport()
    try:
        vocab = _vocabularies(session)
        gone = session.execute(
            select(col(Practice.id), col(Practice.slug)).where(
                col(Practice.slug).startswith(PREFIX),
                col(Practice.status) == "published",
                col(Practice.visibility) == "public",
            )
        ).all()
        report.deleted_practices, report.deleted_places = delete_synthetic(session)
        note_changes(session, ((int(i), slug, True, False) for i, slug in gone))
        now = datetime(2026, 1, 1, tzinfo=UTC)
        country_places = {
            country: int(place_id)
            for country, place_id in session.execute(
                select(col(Place.country), col(Place.id)).where(col(Place.level) == "country")
            )
        }
        place_rows = _places(
            rng,
            places,
            _next_id(session, Place.id),
            _next_id(session, PlaceFact.id),
            vocab,
            country_places,
            now,
        )
        schemes = _schemes(rng, vocab)
        # A few places have many practices, most have a few (a heavy-tailed weight each).
        weights = [rng.paretovariate(1.3) for _ in place_rows]
        hosts = rng.choices(place_rows, weights=weights, k=practices) if practices else []
        first_practice = _next_id(session, Practice.id)
        slugs = _Slugs()
        generated = [
            _practice(rng, first_practice + i, host, schemes, slugs, now)
            for i, host in enumerate(hosts)
        ]
        facts = [fact for place in place_rows for fact in place.facts]
        links = [
            {"practice_id": g.row["id"], "term_id": term_id}
            for g in generated
            for term_id in g.term_ids
        ]
        connection = session.connection()
        _insert(connection, _table("place"), [p.row for p in place_rows])
        _insert(connection, _table("place_fact"), facts)
        _insert(connection, _table("practice"), [g.row for g in generated])
        _insert(connection, _table("practice_term"), links)
        _advance_sequences(connection, ("place", "place_fact", "practice"))
        index_practices(session)
        note_changes(
            session,
            (
                (g.row["id"], g.row["slug"], False, g.row["visibility"] == "public")
                for g in generated
            ),
        )
        mark_changed(session)  # the rows went in through the connection, not the session
        session.commit()
    except Exception:
        session.rollback()
        raise
    report.places, report.practices = len(place_rows), len(generated)
    report.facts, report.terms = len(facts), len(links)
    return report
