"""The insights page: the catalogue as charts, for the practice list's filters."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.dilemmas.queries import cluster_chart
from app.practices.filters import PracticeQuery
from app.practices.insights import activity_by_country, evidence_by_start_year
from app.practices.listing import list_practices
from app.web.deps import SessionDep, ViewerDep
from app.web.practices.listing import filter_labels
from app.web.templating import query_url, render

router = APIRouter()


@router.get("/insights", response_class=HTMLResponse)
def insights_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: Annotated[PracticeQuery, Query()],
) -> HTMLResponse:
    params = list(request.query_params.multi_items())
    counted = query.model_copy(update={"limit": 1, "facets": "country,network"})
    page = list_practices(session, counted, viewer)
    return render(
        request,
        "insights.html",
        {
            "query": query,
            "total": page.total,
            "facets": page.facets,
            "charts": [
                activity_by_country(session, query, viewer),
                evidence_by_start_year(session, query, viewer),
                cluster_chart(session, viewer),
            ],
            "chosen": query.active_filters(),
            "facet_labels": filter_labels(session),
            "list_url": query_url("/practices", params),
            "clear_url": query_url("/insights", []),
        },
    )
