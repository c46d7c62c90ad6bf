"""``/api/v1/practices.csv``, the bulk export: every practice the list filters match, as
CSV. A path of its own beside ``/practices``, tagged ``exports`` in the API document."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.api.deps import ApiViewer, SessionDep
from app.opendata.exports import CSV_COLUMNS, SEPARATOR, practices_csv
from app.practices.filters import PracticeQuery
from app.practices.listing import matching_ids
from app.requests import site_url

router = APIRouter(tags=["exports"])


DESCRIPTION = (
    "Every published practice (or those the same filters as `GET /practices` match), one "
    "row each, by title, as UTF-8 CSV with a header row. Columns: "
    + ", ".join(f"`{c}`" for c in CSV_COLUMNS)
    + f". Multi-valued fields (term codes, source slugs) are joined with `{SEPARATOR}`. "
    "Paging and facet parameters are ignored: the file holds every match. It is written "
    "as it is sent, so it can hold any number of rows."
)


@router.get(
    "/practices.csv",
    summary="Download practices as CSV",
    response_class=StreamingResponse,
    description=DESCRIPTION,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per practice."}},
)
def export_practices_csv(
    request: Request,
    session: SessionDep,
    viewer: ApiViewer,
    query: Annotated[PracticeQuery, Query()],
) -> StreamingResponse:
    query.facet_names()  # an unknown facet is still a 422, before the first byte is sent
    ids = matching_ids(session, query, viewer)
    lines = practices_csv(session.get_bind().engine, ids, site_url(request))
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="interlocal-practices.csv"'},
    )
