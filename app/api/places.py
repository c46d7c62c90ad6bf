"""``/api/v1/places``: places, one place, its peer places and a side-by-side comparison."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.api.conditional import NOT_MODIFIED, etag, not_modified
from app.api.deps import ApiViewer, SessionDep
from app.api.paths import OtherPlaceSlug, PlaceSlug
from app.places.peers.compare import compare_places
from app.places.peers.finding import find_peers
from app.places.peers.schemas import Comparison, PeerResults
from app.places.queries import PlaceQuery, get_place, list_places
from app.places.schemas import PlaceDetail, PlaceSummary
from app.schemas import Page

router = APIRouter(prefix="/places", tags=["places"])

AcrossBorders = Annotated[
    bool,
    Query(description="Only places in other countries (the default); false for all countries."),
]
PeerLimit = Annotated[int, Query(ge=1, le=50, description="How many peers (1–50).")]
IncludeEmpty = Annotated[
    bool,
    Query(
        description="Also suggest places with no published practices yet (places of the "
        "gazetteer known by their size only, for example); by default peers have at least "
        "one practice to learn from."
    ),
]


@router.get("", summary="List places")
def list_places_route(
    session: SessionDep, query: Annotated[PlaceQuery, Query()]
) -> Page[PlaceSummary]:
    """Places (local and regional authorities, areas and countries), by name."""
    return list_places(session, query)


@router.get("/{slug}", summary="Read a place", response_model=PlaceDetail, responses=NOT_MODIFIED)
def read_place(
    request: Request, response: Response, session: SessionDep, viewer: ApiViewer, slug: PlaceSlug
) -> Any:
    """One place with its context facts (each with source and year), networks and practices."""
    # A tag can only match a place that existed at this catalogue version: no lookup first.
    unchanged = not_modified(request, response, etag(session, viewer=viewer))
    return unchanged or get_place(session, slug, viewer)


@router.get("/{slug}/peers", summary="Find a place's peers")
def read_place_peers(
    session: SessionDep,
    slug: PlaceSlug,
    across_borders: AcrossBorders = True,
    limit: PeerLimit = 10,
    include_empty: IncludeEmpty = False,
) -> PeerResults:
    """Places most like this one in context, challenges and practice, best first, each with
    why: every factor's similarity, weight and contribution, what both face and work on,
    and practices of the peer's that this place has nothing like. Any place can be asked
    about, including places of the gazetteer with no practices. See the README for the
    matching model."""
    return find_peers(
        session, slug, across_borders=across_borders, limit=limit, include_empty=include_empty
    )


@router.get("/{slug}/compare/{other}", summary="Compare two places")
def compare_two_places(session: SessionDep, slug: PlaceSlug, other: OtherPlaceSlug) -> Comparison:
    """Two places side by side (any two, with practices or not): context facts, practice
    profile by typology, evidence levels, and how alike the matching model finds them."""
    return compare_places(session, slug, other)
