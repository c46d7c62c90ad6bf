from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.queries.places import PlaceQuery, get_place, list_places
from app.schemas import Page, PlaceDetail, PlaceSummary

router = APIRouter(prefix="/places", tags=["places"])


@router.get("")
def list_places_route(
    session: SessionDep, query: Annotated[PlaceQuery, Query()]
) -> Page[PlaceSummary]:
    """Places (local and regional authorities, areas and countries), by name."""
    return list_places(session, query)


@router.get("/{slug}")
def read_place(session: SessionDep, slug: str) -> PlaceDetail:
    """One place with its context facts (each with source and year), networks and practices."""
    return get_place(session, slug)
