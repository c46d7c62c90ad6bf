"""The change feed, ``/api/v1/changes``: what entered, changed in or left the public
catalogue since a cursor, for partners who keep a copy in sync."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import SessionDep
from app.opendata.changes import list_changes
from app.opendata.schemas import ChangesPage

router = APIRouter(prefix="/changes", tags=["changes"])


@router.get("", summary="List changes to the public catalogue")
def list_changes_route(
    session: SessionDep,
    since: Annotated[
        str | None,
        Query(max_length=500, description="`next_cursor` of your last call; omit to start."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per call (1–1000).")] = 100,
) -> ChangesPage:
    """Every practice that entered, changed in or left the public catalogue since `since`,
    in commit order. Start without `since`, apply each change (fetch what was created or
    updated, delete what was removed), keep `next_cursor`, and call again: a copy kept
    this way equals the public catalogue."""
    return list_changes(session, since, limit)
