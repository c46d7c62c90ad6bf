"""Matches a moderator confirms: a place the reports name that may be a GeoNames entry.

Confirming links the place to the entry. The gazetteer has already loaded that entry as a
place of its own, so the two become one: whatever refers to the gazetteer's copy (a
practice filed there, an organisation, a request) moves to the named place, which gains
the entry's coordinates, names and population, and the copy is removed."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.errors import NotFound
from app.i18n import gettext
from app.models.accounts import AccountRequest, User
from app.models.base import utcnow
from app.models.places import Membership, Organisation, Place, PlaceFact, PlaceMatch
from app.models.practices import Practice, PracticeRevision, RevisionState

OPEN_STATES = (RevisionState.draft, RevisionState.submitted, RevisionState.returned)
# Every column that refers to a place, as (table, column name).
REFERRERS: tuple[tuple[Any, str], ...] = (
    (Practice, "place_id"),
    (Organisation, "place_id"),
    (Membership, "place_id"),
    (AccountRequest, "place_id"),
    (Place, "parent_id"),
)


def pending_matches(session: Session) -> list[tuple[PlaceMatch, Place]]:
    """Undecided matches with their place, by place name then largest candidate first."""
    rows = session.exec(
        select(PlaceMatch, Place)
        .join(Place, col(Place.id) == PlaceMatch.place_id)
        .where(PlaceMatch.status == "pending")
        .order_by(col(Place.name), col(PlaceMatch.population).desc())
    )
    return list(rows.all())


def _find(session: Session, match_id: int) -> PlaceMatch:
    match = session.get(PlaceMatch, match_id)
    if match is None or match.status != "pending":
        raise NotFound(gettext("There is no such match waiting for a decision."))
    return match


def merge_copy(session: Session, place: Place, copy: Place) -> None:
    """Make ``copy`` (the gazetteer's place) one with ``place``."""
    # Drafts and submissions name their place by slug; the copy's slug is going away.
    for revision in session.exec(
        select(PracticeRevision).where(col(PracticeRevision.state).in_(OPEN_STATES))
    ):
        if revision.data.get("place") == copy.slug:
            revision.data = {**revision.data, "place": place.slug}
            session.add(revision)
    for model, column in REFERRERS:
        refers = getattr(model, column) == copy.id
        session.execute(update(model).where(refers).values({column: place.id}))
    has_population = session.exec(
        select(PlaceFact.id).where(PlaceFact.place_id == place.id, PlaceFact.key == "population")
    ).first()
    if has_population is None:
        session.execute(
            update(PlaceFact).where(col(PlaceFact.place_id) == copy.id).values(place_id=place.id)
        )
    names = {n for n in f"{place.search_names or ''}{copy.search_names or ''}".split("|") if n}
    place.search_names = "|" + "|".join(sorted(names)) + "|"
    place.latitude = place.latitude if place.latitude is not None else copy.latitude
    place.longitude = place.longitude if place.longitude is not None else copy.longitude
    session.delete(copy)
    session.flush()


def confirm_match(session: Session, moderator: User, match_id: int) -> Place:
    """Link the place to the match's GeoNames entry; its other candidates are rejected."""
    match = _find(session, match_id)
    place = session.get(Place, match.place_id)
    assert place is not None  # the match is deleted with its place
    copy = session.exec(select(Place).where(Place.geonames_id == match.geonames_id)).first()
    if copy is not None and copy.id != place.id:
        merge_copy(session, place, copy)
    place.geonames_id = match.geonames_id
    session.add(place)
    now = utcnow()
    for other in session.exec(
        select(PlaceMatch).where(PlaceMatch.place_id == place.id, PlaceMatch.status == "pending")
    ):
        other.status = "confirmed" if other.id == match.id else "rejected"
        other.decided_by_id, other.decided_at = moderator.id, now
        session.add(other)
    record(session, moderator, "place.match", place.slug, geonames_id=match.geonames_id)
    session.commit()
    return place


def reject_match(session: Session, moderator: User, match_id: int) -> None:
    """This GeoNames entry is not the place."""
    match = _find(session, match_id)
    match.status, match.decided_by_id, match.decided_at = "rejected", moderator.id, utcnow()
    session.add(match)
    record(
        session, moderator, "place.match.reject", str(match.place_id), geonames_id=match.geonames_id
    )
    session.commit()
