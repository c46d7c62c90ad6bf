"""HTML pages: home, practices, places, networks, vocabularies."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import func, select

from app.auth import CurrentUser, ViewerDep, is_moderator, may_edit_practice
from app.db import SessionDep
from app.i18n import N_, _
from app.models import Network, Place, Practice
from app.queries.linked_data import practice_jsonld, script_json
from app.queries.peers import find_peers
from app.queries.places import (
    PagingQuery,
    PlaceQuery,
    get_network,
    get_place,
    list_members,
    list_networks,
    list_places,
)
from app.queries.practices import (
    FACETS,
    TERM_FILTERS,
    PracticeQuery,
    find_practice,
    list_practices,
    practice_detail,
)
from app.queries.publishing import open_revision
from app.queries.search import expansions
from app.queries.similar import similar_to
from app.queries.visibility import visible
from app.queries.vocabularies import list_schemes, scheme_details, scheme_terms
from app.requests import site_url
from app.web.embed import embed_snippet
from app.web.templating import query_url, render

router = APIRouter()

OTHER_FACET_LABELS = {
    "country": N_("Country"),
    "network": N_("Network"),
    "source": N_("Source report"),
    "place": N_("Place"),
}
# Filters shown open on the list page; the others start folded.
OPEN_FACETS = ("country", "activity_type", "target_group", "evidence_level")


def _facet_labels(session: SessionDep) -> dict[str, str]:
    schemes = {s.scheme: s.label for s in list_schemes(session)}
    labels = {name: schemes.get(scheme, name) for name, scheme in TERM_FILTERS.items()}
    return {name: _(label) for name, label in OTHER_FACET_LABELS.items()} | labels


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    counts = {
        "practices": session.exec(
            select(func.count()).select_from(Practice).where(*visible(viewer))
        ).one(),
        "places": session.exec(
            select(func.count(func.distinct(Practice.place_id))).where(*visible(viewer))
        ).one(),
        "countries": session.exec(select(func.count(func.distinct(Place.country)))).one(),
        "networks": session.exec(select(func.count()).select_from(Network)).one(),
    }
    page = list_practices(
        session, PracticeQuery(sort="-updated", limit=6, facets="activity_type,country"), viewer
    )
    return render(
        request,
        "home.html",
        {"counts": counts, "recent": page.items, "facets": page.facets},
    )


@router.get("/practices", response_class=HTMLResponse)
def practices_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: Annotated[PracticeQuery, Query()],
) -> HTMLResponse:
    query = query.model_copy(update={"facets": ",".join(FACETS)})
    page = list_practices(session, query, viewer)
    params = list(request.query_params.multi_items())
    chosen = query.active_filters()
    facet_labels = _facet_labels(session)
    value_labels = {
        (name, v.value): v.label for name, values in page.facets.items() for v in values
    }
    # One removable chip per chosen value, linking to the same search without it.
    chips = [
        (
            f"{facet_labels[name]}: {value_labels.get((name, value), value)}",
            query_url(
                "/practices", [(k, v) for k, v in params if (k, v) != (name, value)], cursor=None
            ),
        )
        for name, values in chosen.items()
        for value in values
    ]
    return render(
        request,
        "practices/list.html",
        {
            "query": query,
            "page": page,
            "also": expansions(query.q),
            "chosen": chosen,
            "chips": chips,
            "facet_labels": facet_labels,
            "open_facets": OPEN_FACETS,
            "next_url": query_url("/practices", params, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            "first_url": query_url("/practices", params, cursor=None) if query.cursor else None,
            "json_url": query_url("/api/v1/practices", params),
            "feed_url": query_url("/practices.atom", params, cursor=None),
            "clear_url": query_url("/practices", []),
        },
        fragment="practices/_catalogue.html",
    )


@router.get("/practices/{slug}", response_class=HTMLResponse)
def practice_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: ViewerDep,
    slug: str,
    show: Annotated[Literal["original"] | None, Query()] = None,
) -> HTMLResponse:
    """``show=original`` shows the text as written, keeping the interface language."""
    found = find_practice(session, slug, viewer)
    scheme_labels = {s.scheme: s.label for s in list_schemes(session)}
    may_edit = may_edit_practice(session, user, found)
    detail = practice_detail(session, found, viewer, original=show == "original")
    return render(
        request,
        "practices/detail.html",
        {
            "practice": detail,
            "jsonld": script_json(practice_jsonld(detail, site_url(request))),
            "scheme_labels": scheme_labels,
            "may_translate": may_edit,
            "may_edit": may_edit,
            "pending": open_revision(session, found) if may_edit else None,
            "similar": similar_to(session, found, viewer),
            "json_url": f"/api/v1/practices/{slug}",
        },
    )


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
            "next_url": query_url("/places", params, cursor=page.next_cursor)
            if page.next_cursor
            else None,
            "json_url": query_url("/api/v1/places", params),
        },
    )


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
        {"place": place, "peers": peers, "labels": labels, "json_url": f"/api/v1/places/{slug}"},
    )


@router.get("/networks", response_class=HTMLResponse)
def networks_page(request: Request, session: SessionDep) -> HTMLResponse:
    page = list_networks(session, PagingQuery(limit=200))
    return render(request, "networks/list.html", {"page": page, "json_url": "/api/v1/networks"})


@router.get("/networks/{slug}", response_class=HTMLResponse)
def network_page(
    request: Request, session: SessionDep, viewer: ViewerDep, slug: str
) -> HTMLResponse:
    network = get_network(session, slug)
    members = list_members(session, slug, PagingQuery(limit=200))
    practices = list_practices(session, PracticeQuery(network=[slug], limit=10), viewer)
    return render(
        request,
        "networks/detail.html",
        {
            "network": network,
            "members": members,
            "practices": practices,
            "embed_snippet": embed_snippet(site_url(request), network.slug, network.name),
            "json_url": f"/api/v1/networks/{slug}/members",
        },
    )


@router.get("/vocabularies", response_class=HTMLResponse)
def vocabularies_page(request: Request, session: SessionDep, user: CurrentUser) -> HTMLResponse:
    schemes = scheme_details(session)
    filters = {scheme: name for name, scheme in TERM_FILTERS.items()}
    return render(
        request,
        "vocabularies.html",
        {
            "schemes": schemes,
            "filters": filters,
            "may_translate": is_moderator(user),
            "json_url": "/api/v1/vocabularies",
        },
    )
