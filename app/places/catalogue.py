"""Which places are in the catalogue: those the reports name, and gazetteer places once a
practice there is published or an organisation there joins."""

from sqlmodel import Session

from app.models.base import utcnow
from app.models.places import Place


def enter_catalogue(session: Session, place_id: int | None) -> None:
    """Put the place into the catalogue (lists, browse pages, the map), if not already."""
    place = session.get(Place, place_id) if place_id else None
    if place is not None and not place.catalogued:
        place.catalogued, place.updated_at = True, utcnow()
        session.add(place)
