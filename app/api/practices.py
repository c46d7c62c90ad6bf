from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.queries.practices import PracticeQuery, get_practice, list_practices
from app.schemas import Page, PracticeDetail, PracticeSummary

router = APIRouter(prefix="/practices", tags=["practices"])


@router.get("")
def list_practices_route(
    session: SessionDep, query: Annotated[PracticeQuery, Query()]
) -> Page[PracticeSummary]:
    """Published practices, filtered, sorted and paginated, with optional facet counts."""
    return list_practices(session, query)


@router.get("/{slug}")
def read_practice(session: SessionDep, slug: str) -> PracticeDetail:
    """One practice with its partners, networks, outcomes and sources."""
    return get_practice(session, slug)
