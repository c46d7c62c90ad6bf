"""``/api/v1/vocabularies``: the schemes and terms that classify practices and places."""

from typing import Any

from fastapi import APIRouter, Request, Response

from app.api.conditional import NOT_MODIFIED, etag, not_modified
from app.api.deps import SessionDep
from app.api.paths import SchemeCode
from app.vocabularies.queries import get_scheme, list_schemes
from app.vocabularies.schemas import SchemeDetail, SchemeSummary

router = APIRouter(prefix="/vocabularies", tags=["vocabularies"])


@router.get("", summary="List typologies")
def list_vocabularies(session: SessionDep) -> list[SchemeSummary]:
    """Every typology scheme, with its source."""
    return list_schemes(session)


@router.get(
    "/{scheme}", summary="Read a typology", response_model=SchemeDetail, responses=NOT_MODIFIED
)
def read_vocabulary(
    request: Request, response: Response, session: SessionDep, scheme: SchemeCode
) -> Any:
    """The terms of one scheme, broader terms before their sub-types."""
    detail = get_scheme(session, scheme)
    return not_modified(request, response, etag(session)) or detail
