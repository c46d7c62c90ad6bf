from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.queries.practices import PracticeQuery, get_practice, list_practices
from app.queries.similar import similar_practices
from app.schemas import Page, PracticeDetail, PracticeSummary, SimilarOut

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


@router.get("/{slug}/similar")
def read_similar_practices(
    session: SessionDep,
    slug: str,
    limit: Annotated[int, Query(ge=1, le=20, description="How many (1–20).")] = 5,
) -> list[SimilarOut]:
    """Practices at other places most like this one, best first, each with why: shared
    activity types, goals and target groups, shared distinctive words, and how alike the
    two places are."""
    return similar_practices(session, slug, limit=limit)
