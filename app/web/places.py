"""Place pages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.places.gazetteer.picker import Picked
from app.places.gazetteer.search import find_places
from app.places.maps.points import peers_map, places_map
from app.places.peers.finding import find_peers
from app.places.queries import PlaceQuery, get_place, list_places
from app.practices.insights import place_profile
from app.vocabularies.queries import scheme_terms
from app.web.deps import SessionDep, ViewerDep
from app.web.templating import query_url, render

router = APIRouter()


@router.get("/places", response_class=HTMLResponse)
def places_page(
    request: Request, session: SessionDep, query: Annotated[PlaceQuery, Query()]
) -> HTMLResponse:
    page = list_places(session, query)
    params = list(request.query_params.multi_items())
    return render(
        request,
        "places/list.html",
        {
            "query": query,
            "page": page,
            "map": places_map(session, query),
            "next_url": query_url("/places", params, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            "json_url": query_url("/api/v1/places", params),
        },
    )


@router.get("/places/suggest", response_class=HTMLResponse)
def suggest_places(
    request: Request,
    session: SessionDep,
    field: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]+$")],
) -> HTMLResponse:
    """The place picker's suggestions for what was typed into ``{field}_q``: radio buttons
    for htmx to put under the box, or a page of links when opened on its own."""
    text = (request.query_params.get(f"{field}_q") or "").strip()[:200]
    picked = Picked(field, text=text, choices=find_places(session, text) if len(text) > 1 else [])
    context = {"field": field, "picked": picked}
    return render(request, "places/suggest.html", context, fragment="places/_suggestions.html")


@router.get("/places/{slug}", response_class=HTMLResponse)
def place_page(request: Request, session: SessionDep, viewer: ViewerDep, slug: str) -> HTMLResponse:
    place = get_place(session, slug, viewer)
    peers = find_peers(session, slug, limit=4, viewer=viewer)
    labels = {
        scheme: {code: term.label for code, term in scheme_terms(session, scheme).items()}
        for scheme in ("place-level", "migration-history")
    }
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "peers": peers,
            "map": peers_map(session, slug, [peer.place.slug for peer in peers.items], viewer),
            "profile": place_profile(session, slug, [p.place.slug for p in peers.items], viewer),
            "labels": labels,
            "json_url": f"/api/v1/places/{slug}",
        },
    )
