from typing import Annotated

from fastapi import APIRouter, Query

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


@router.get("/{slug}")
def read_network(session: SessionDep, slug: str) -> NetworkSummary:
    """One network."""
    return get_network(session, slug)


@router.get("/{slug}/members")
def list_network_members(
    session: SessionDep, slug: str, query: Annotated[PagingQuery, Query()]
) -> Page[MemberOut]:
    """Members of a network (places or organisations) with their role and dates."""
    return list_members(session, slug, query)
