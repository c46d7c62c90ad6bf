"""The places a map shows, with the practices the reader may see counted at each: the
places with practices (for ``/places``), and a place with its peers (for a place's page
and ``/peers``)."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.catalogue.cache import cached
from app.models.places import Place
from app.models.practices import Practice
from app.permissions import PUBLIC, Viewer, visible
from app.places.maps.render import EuropeMap, MapPoint, europe_map
from app.places.queries import PlaceQuery, narrowing, practice_counts

# More points than this make the page heavy and the map unreadable; the largest are shown.
MAX_POINTS = 300


def practice_places(
    session: Session, query: PlaceQuery | None = None, viewer: Viewer = PUBLIC
) -> list[MapPoint]:
    """Places with coordinates and practices ``viewer`` may see, most practices first,
    narrowed as ``query`` narrows the list of places (by name, country and level)."""
    query = query or PlaceQuery()
    # A place with practices is always in the catalogue, so the list's scope changes nothing.
    counts = (
        select(col(Practice.place_id).label("place_id"), func.count().label("n"))
        .where(*visible(viewer))
        .group_by(col(Practice.place_id))
        .subquery()
    )
    rows = session.exec(
        select(Place, counts.c.n)
        .join(counts, counts.c.place_id == Place.id)
        .where(
            col(Place.latitude).is_not(None), col(Place.longitude).is_not(None), *narrowing(query)
        )
        .order_by(counts.c.n.desc(), func.lower(Place.name), col(Place.id))
    ).all()
    return [
        MapPoint(p.slug, p.name, p.country, p.latitude, p.longitude, int(n), "place")
        for p, n in rows
    ]


def places_map(
    session: Session,
    query: PlaceQuery | None = None,
    viewer: Viewer = PUBLIC,
    *,
    limit: int = MAX_POINTS,
) -> EuropeMap:
    """The map of ``/places``: ``practice_places``, the ``limit`` with most practices."""
    query = query or PlaceQuery()

    def compute() -> EuropeMap:
        points = practice_places(session, query, viewer)
        return europe_map(points[:limit], left_out=max(len(points) - limit, 0))

    key = (query.q, tuple(query.country), tuple(query.level), viewer, limit)
    return cached(session, "places-map", key, compute)


def peers_map(
    session: Session,
    subject: str | None,
    peer_slugs: Sequence[str],
    viewer: Viewer = PUBLIC,
) -> EuropeMap:
    """A place (``subject``, a slug; None for a place described rather than catalogued)
    and its peers, best first, each with the practices ``viewer`` may see. Places without
    coordinates stay in the list, marked as not on the map."""
    slugs = list(dict.fromkeys([*([subject] if subject else []), *peer_slugs]))
    places = {p.slug: p for p in session.exec(select(Place).where(col(Place.slug).in_(slugs)))}
    counts = practice_counts(session, [p.id for p in places.values() if p.id], viewer)
    return europe_map(
        [
            MapPoint(
                slug=p.slug,
                name=p.name,
                country=p.country,
                latitude=p.latitude,
                longitude=p.longitude,
                count=counts.get(p.id or 0, 0),
                role="subject" if slug == subject else "peer",
            )
            for slug in slugs
            if (p := places.get(slug)) is not None
        ],
        fit=True,
    )
