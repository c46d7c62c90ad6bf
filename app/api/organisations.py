"""``/api/v1/organisations``: the organisations behind practices and memberships."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import SessionDep
from app.places.queries import OrganisationQuery, list_organisations
from app.places.schemas import OrganisationOut
from app.schemas import Page

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", summary="List organisations")
def list_organisations_route(
    session: SessionDep, query: Annotated[OrganisationQuery, Query()]
) -> Page[OrganisationOut]:
    """Organisations: administrations, NGOs, research centres, funders and others."""
    return list_organisations(session, query)
