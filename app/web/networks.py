"""Network pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.places.member_lists import MemberQuery, list_members
from app.places.queries import PagingQuery, get_network, list_networks
from app.practices.filters import PracticeQuery
from app.practices.insights import network_coverage
from app.practices.listing import list_practices
from app.requests import site_url
from app.web.deps import SessionDep, ViewerDep
from app.web.embed import embed_snippet
from app.web.templating import render

router = APIRouter()


@router.get("/networks", response_class=HTMLResponse)
def networks_page(request: Request, session: SessionDep) -> HTMLResponse:
    page = list_networks(session, PagingQuery(limit=200))
    return render(request, "networks/list.html", {"page": page, "json_url": "/api/v1/networks"})


@router.get("/networks/{slug}", response_class=HTMLResponse)
def network_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    network = get_network(session, slug)
    members = list_members(session, slug, MemberQuery(limit=200, status=["active"]))
    practices = list_practices(session, PracticeQuery(network=[slug], limit=10), viewer)
    return render(
        request,
        "networks/detail.html",
        {
            "network": network,
            "members": members,
            "practices": practices,
            "coverage": network_coverage(session, slug, viewer),
            "embed_snippet": embed_snippet(site_url(request), network.slug, network.name),
            "json_url": f"/api/v1/networks/{slug}/members",
        },
    )
