from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.api.conditional import NOT_MODIFIED, etag, not_modified
from app.db import SessionDep
from app.queries.places import PagingQuery, get_network, list_members, list_networks
from app.schemas import MemberOut, NetworkSummary, Page

router = APIRouter(prefix="/networks", tags=["networks"])


@router.get("")
def list_networks_route(
    session: SessionDep, query: Annotated[PagingQuery, Query()]
) -> Page[NetworkSummary]:
    """Peer-learning networks, by name."""
    return list_networks(session, query)


@router.get("/{slug}", response_model=NetworkSummary, responses=NOT_MODIFIED)
def read_network(request: Request, response: Response, session: SessionDep, slug: str) -> Any:
    """One network."""
    network = get_network(session, slug)
    return not_modified(request, response, etag(session)) or network


@router.get("/{slug}/members")
def list_network_members(
    session: SessionDep, slug: str, query: Annotated[PagingQuery, Query()]
) -> Page[MemberOut]:
    """Members of a network (places or organisations) with their role and dates."""
    return list_members(session, slug, query)
