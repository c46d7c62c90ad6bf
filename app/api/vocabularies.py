from fastapi import APIRouter

from app.db import SessionDep
from app.queries.vocabularies import get_scheme, list_schemes
from app.schemas import SchemeDetail, SchemeSummary

router = APIRouter(prefix="/vocabularies", tags=["vocabularies"])


@router.get("")
def list_vocabularies(session: SessionDep) -> list[SchemeSummary]:
    """Every typology scheme, with its source."""
    return list_schemes(session)


@router.get("/{scheme}")
def read_vocabulary(session: SessionDep, scheme: str) -> SchemeDetail:
    """The terms of one scheme, broader terms before their sub-types."""
    return get_scheme(session, scheme)
