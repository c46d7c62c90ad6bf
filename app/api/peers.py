"""``/api/v1/peers``: peer places for a place described in the request, not catalogued."""

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.places import AcrossBorders, IncludeEmpty, PeerLimit
from app.places.peers.finding import find_peers
from app.places.peers.schemas import ContextIn, PeerResults

router = APIRouter(prefix="/peers", tags=["places"])


@router.post("", summary="Find peers of a described place")
def find_peers_of_described_place(
    session: SessionDep,
    context: ContextIn,
    across_borders: AcrossBorders = True,
    limit: PeerLimit = 10,
    include_empty: IncludeEmpty = False,
) -> PeerResults:
    """Peers of a place described by its context (country, level, population, foreign-born
    share, migration history, urban or rural, challenges), ranked and explained as for
    `GET /places/{slug}/peers`. Nothing is stored."""
    return find_peers(
        session, context, across_borders=across_borders, limit=limit, include_empty=include_empty
    )
