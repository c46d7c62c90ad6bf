"""The workloads: thousands of different searches (ours and Datasette's equivalent), peers
of thousands of different places, drawn from the database with a fixed seed.

A search is a word × a country × an activity type, as a reader narrows a search: drawn from
a published public synthetic practice (a word of its title or summary that many practices
share, its place's country, one of its activity types), so that every search finds at
least one practice and common words come up as often as they are common. Our full-text
search and the Datasette export use the same tokenizer; the word goes to Datasette as the
same FTS5 expression our search builds (synonyms ORed), so both count the same rows.
"""

from __future__ import annotations

import random
import sys
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from typing import Any

from common import get, log
from sqlalchemy import create_engine, text

from app.catalogue.search import SearchQuery, parse, words

PUBLIC = "p.status = 'published' AND p.visibility = 'public' AND p.slug LIKE 'synthetic-%'"
# A word counts as vocabulary (not a made-up place name) when at least this share of the
# sampled practices use it; a word most of them use is the filler of the generator's
# sentences ("council", "runs"), not a word a reader searches to narrow a list.
COMMON, FILLER = 0.002, 0.3
# Rows the two totals may differ by: a seeded practice can match only in our index, which
# also holds its aim, participants, lessons, place and organisation names (the flat export
# carries title, summary and description only).
TOLERANCE = 5


@dataclass(frozen=True)
class Search:
    word: str
    country: str
    activity_type: str

    def ours(self) -> str:
        return "/api/v1/practices?" + urllib.parse.urlencode(
            {
                "q": self.word,
                "country": self.country,
                "activity_type": self.activity_type,
                "facets": "country,activity_type",
                "limit": 20,
            }
        )

    def datasette(self, database: str, table: str) -> str:
        query = parse(self.word)
        assert query is not None, self.word
        return f"/{database}/{table}.json?" + urllib.parse.urlencode(
            {
                "_search": fts5(query),
                "_searchmode": "raw",
                "country": self.country,
                "activity_type__arraycontains": self.activity_type,
                "_facet": "country",
                "_facet_array": "activity_type",
                "_size": 20,
            }
        )


def fts5(query: SearchQuery) -> str:
    """``query`` in FTS5's query syntax, for Datasette's raw search mode: each group of
    alternatives ORed, the groups ANDed, as our search matches them."""
    return " AND ".join(
        "(" + " OR ".join(f'"{word}"' for word in group) + ")" for group in query.groups
    )


def _in(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def _rows(connection: Any, sql: str, ids: list[int]) -> list[Any]:
    found: list[Any] = []
    for i in range(0, len(ids), 1000):
        found += connection.execute(text(sql.format(ids=_in(ids[i : i + 1000])))).all()
    return found


def searches(database_url: str, count: int, seed: int = 17) -> list[Search]:
    """``count`` different searches (fewer only if the catalogue has too few), in a random
    order."""
    rng = random.Random(seed)
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            ids = sorted(
                i for (i,) in db.execute(text(f"SELECT p.id FROM practice p WHERE {PUBLIC}"))
            )
            if not ids:
                sys.exit("no public synthetic practices: did the synthetic load run?")
            sample = rng.sample(ids, min(len(ids), max(count * 3, 20_000)))
            texts = _rows(
                db,
                "SELECT p.id, p.title, p.summary, pl.country, pl.name FROM practice p "
                "JOIN place pl ON pl.id = p.place_id WHERE p.id IN ({ids})",
                sample,
            )
            activities: dict[int, list[str]] = {}
            for practice_id, code in _rows(
                db,
                "SELECT pt.practice_id, t.code FROM practice_term pt "
                "JOIN vocabulary_term t ON t.id = pt.term_id "
                "JOIN vocabulary_scheme s ON s.id = t.scheme_id "
                "WHERE s.code = 'activity-type' AND pt.practice_id IN ({ids})",
                sample,
            ):
                activities.setdefault(practice_id, []).append(code)
    finally:
        engine.dispose()
    # Without its place's name: a made-up name is no word of the vocabulary.
    by_id = {
        i: ([w for w in words(f"{title} {summary}") if w not in words(name)], country)
        for i, title, summary, country, name in texts
    }
    frequency = Counter(w for found, _country in by_id.values() for w in found)
    common = {w for w, n in frequency.items() if COMMON <= n / len(by_id) <= FILLER and parse(w)}
    if database_url.startswith("postgresql"):
        common -= _dropped_by_postgresql(database_url, common)
    chosen: dict[Search, None] = {}
    for _round in range(5):  # a practice may give a second search with another word
        for practice_id in sample:
            own = [w for w in by_id[practice_id][0] if w in common]
            kinds = sorted(activities.get(practice_id, []))
            if own and kinds:
                chosen.setdefault(
                    Search(rng.choice(own), by_id[practice_id][1], rng.choice(kinds)), None
                )
            if len(chosen) >= count:
                break
        if len(chosen) >= count:
            break
    log(
        f"{len(chosen):,} different searches from {len(common)} words, "
        f"{len({s.country for s in chosen})} countries, "
        f"{len({s.activity_type for s in chosen})} activity types"
    )
    result = list(chosen)
    rng.shuffle(result)
    return result


def _dropped_by_postgresql(database_url: str, candidates: set[str]) -> set[str]:
    """Words PostgreSQL's english configuration drops as stop words ("between", "over"):
    searched alone they match nothing there (our STOP_WORDS list is shorter, so SQLite finds
    them), so the run would measure empty answers."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            count = text("SELECT numnode(to_tsquery('english', :w))")
            return {w for w in candidates if db.execute(count, {"w": w}).scalar() == 0}
    finally:
        engine.dispose()


def peer_places(database_url: str, count: int, seed: int = 17) -> list[str]:
    """Slugs of up to ``count`` different places with published public practices."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            slugs = sorted(
                s
                for (s,) in db.execute(
                    text(
                        "SELECT DISTINCT pl.slug FROM place pl JOIN practice p "
                        f"ON p.place_id = pl.id WHERE {PUBLIC}"
                    )
                )
            )
    finally:
        engine.dispose()
    chosen = random.Random(seed).sample(slugs, min(count, len(slugs)))
    log(f"peers of {len(chosen):,} different places (of {len(slugs):,} with practices)")
    return chosen


def compare_totals(
    base: str, ds_base: str, ds_database: str, table: str, sample: list[Search]
) -> str:
    """Ask both servers the same searches; exit if any total differs by more than TOLERANCE
    (they would not be doing the same work). A line saying how they compared."""
    same = differ = 0
    worst = (0, sample[0])
    for search in sample:
        status, ours = get(base + search.ours())
        ds_status, theirs = get(ds_base + search.datasette(ds_database, table))
        if status != 200 or ds_status != 200:
            sys.exit(f"{search}: ours answered {status}, Datasette {ds_status}")
        gap = abs(int(ours["total"]) - int(theirs["filtered_table_rows_count"]))
        same, differ = same + (gap == 0), differ + (gap != 0)
        worst = max(worst, (gap, search), key=lambda w: w[0])
        if gap > TOLERANCE:
            sys.exit(
                f"FAIL: {search} counts {ours['total']} rows here, "
                f"{theirs['filtered_table_rows_count']} in Datasette, so they are not doing "
                "the same work; fix the export before comparing"
            )
    line = (
        f"totals of {len(sample)} searches asked of both: {same} equal, {differ} within {TOLERANCE}"
    )
    log(line)
    return line


def check_all_answer(base: str, paths: list[str], sample: int = 10) -> None:
    for path in paths[:sample]:
        status, _body = get(base + path)
        if status != 200:
            sys.exit(f"{path} answered {status}")
