"""Finding peers: /peers (for a place of the catalogue or the gazetteer, or one described)
and /compare (two places side by side, or the form that asks for them)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from app.countries import country_name
from app.errors import InvalidInput, InvalidParameter
from app.i18n import N_, _, get_language
from app.models.places import Place
from app.permissions import Viewer
from app.places.gazetteer.picker import Picked, pick_place
from app.places.maps.points import peers_map
from app.places.peers.compare import compare_places
from app.places.peers.finding import find_peers
from app.places.peers.numbers import NotAWholeNumber, parse_whole_number
from app.places.peers.schemas import ContextIn, PeerResults
from app.places.peers.scoring import FACTORS, weights
from app.places.peers.terms import DESCRIBED_SCHEMES
from app.validation import parse_form
from app.vocabularies.queries import list_schemes, scheme_terms
from app.web.deps import SessionDep, ViewerDep
from app.web.templating import is_partial, query_url, render

router = APIRouter()

DESCRIBED = ("country", "population", "foreign_born_share", "migration_history", "urban_rural")
OTHER_VALUE = N_("Choose one of the listed values.")
# What each field of the description asks for, said instead of the general message.
FIELD_HINTS = {
    "population": N_("Enter a whole number of residents, such as 250000."),
    "foreign_born_share": N_("Enter a percentage between 0 and 100."),
    "country": OTHER_VALUE,
    "level": OTHER_VALUE,
    "challenges": OTHER_VALUE,
}
YES = ("true", "1", "on", "yes")


def _choices(session: SessionDep) -> dict[str, object]:
    """What the description form offers, in the reader's language."""
    countries = session.exec(
        select(Place.country).where(col(Place.catalogued).is_(True)).distinct()
    ).all()
    return {
        "countries": sorted(
            ((c, country_name(c) or c) for c in countries), key=lambda pair: pair[1]
        ),
        "levels": {c: t.label for c, t in scheme_terms(session, "place-level").items()},
        "histories": {c: t.label for c, t in scheme_terms(session, "migration-history").items()},
        "challenges": [
            (scheme, [(c, t.label) for c, t in scheme_terms(session, scheme).items()])
            for scheme in DESCRIBED_SCHEMES
        ],
    }


def _peers_map(session: Session, results: PeerResults | None, viewer: Viewer) -> Any:
    if not results or not results.items:
        return None
    subject = results.subject.place.slug if results.subject.place else None
    return peers_map(session, subject, [peer.place.slug for peer in results.items], viewer)


def _describe(
    session: Session, form: dict[str, str], chosen: list[str], **options: Any
) -> PeerResults:
    """Peers of the place the form describes; raises with a message per field."""
    data: dict[str, Any] = {name: form[name] or None for name in DESCRIBED}
    errors: dict[str, str] = {}
    if form["population"]:
        try:
            data["population"] = parse_whole_number(form["population"], get_language())
        except NotAWholeNumber as exc:
            errors["population"], data["population"] = exc.message, None
    try:
        context = parse_form(
            ContextIn, data | {"level": form["level"], "challenges": chosen}, hints=FIELD_HINTS
        )
    except InvalidInput as exc:
        raise InvalidInput(exc.fields | errors) from None
    if errors:
        raise InvalidInput(errors)
    return find_peers(session, context, **options)


@router.get("/peers", response_class=HTMLResponse)
def peers_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    place: Annotated[str | None, Query(max_length=200)] = None,
    place_q: Annotated[str | None, Query(max_length=200)] = None,
    scope: Annotated[str | None, Query(max_length=10)] = None,
    level: Annotated[str | None, Query(max_length=40)] = None,
    challenges: Annotated[list[str] | None, Query()] = None,
    include_empty: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    """A place's peers; ``scope=all`` includes its own country, ``include_empty=true``
    places with no published practices yet. The results come first, the form folded
    under them."""
    across_borders = scope != "all"
    empty = (include_empty or "").lower() in YES
    form = {name: (request.query_params.get(name) or "").strip() for name in DESCRIBED}
    form |= {"place": (place or "").strip(), "level": level or "municipality"}
    chosen = list(challenges or [])
    errors: dict[str, str] = {}
    results, status = None, 200
    options: dict[str, Any] = {
        "across_borders": across_borders,
        "include_empty": empty,
        "viewer": viewer,
    }
    picked = Picked("place")
    if form["place"] or (place_q or "").strip():
        picked = pick_place(session, "place", place, place_q)
        if picked.place:
            results = find_peers(session, picked.place.slug, **options)
        else:
            errors["place"] = picked.error or ""
            status = 422
    elif any(form[name] for name in DESCRIBED) or chosen or level:
        try:
            results = _describe(session, form, chosen, **options)
        except (InvalidInput, InvalidParameter) as exc:
            errors = {str(e["param"]): e["message"] for e in exc.errors}
            status = 422
    params = list(request.query_params.multi_items())
    return render(
        request,
        "peers/index.html",
        {
            # The results' links that widen or narrow what was asked.
            "scope_url": query_url("/peers", params, scope="all" if across_borders else None),
            "empty_url": query_url("/peers", params, include_empty=None if empty else "true"),
            "form": form,
            "chosen": chosen,
            "across_borders": across_borders,
            "include_empty": empty,
            "results": results,
            "picked": picked,
            "errors": errors,
            "partial": is_partial(request),
            "map": _peers_map(session, results, viewer),
            "json_url": f"/api/v1/places/{results.subject.place.slug}/peers"
            if results and results.subject.place
            else None,
            "weights": weights(),
            "factor_labels": {name: _(label) for name, label in FACTORS.items()},
            **_choices(session),
        },
        fragment="peers/_page.html",
        status_code=status,
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    a: Annotated[str | None, Query(max_length=200)] = None,
    a_q: Annotated[str | None, Query(max_length=200)] = None,
    b: Annotated[str | None, Query(max_length=200)] = None,
    b_q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Two places side by side; without both (or with a name that is not one place's), a
    form that asks for them with two place pickers."""
    typed = {"a": (a, a_q), "b": (b, b_q)}
    asked = any((value or "").strip() for pair in typed.values() for value in pair)
    picks = {
        field: pick_place(session, field, slug, text) if asked else Picked(field)
        for field, (slug, text) in typed.items()
    }
    slugs = {field: p.place.slug for field, p in picks.items() if p.place}
    errors = {field: p.error for field, p in picks.items() if p.error}
    if len(slugs) == 2:
        comparison = compare_places(session, slugs["a"], slugs["b"], viewer)
        return render(
            request,
            "peers/compare.html",
            {
                "c": comparison,
                "scheme_labels": {s.scheme: s.label for s in list_schemes(session)},
                "json_url": f"/api/v1/places/{slugs['a']}/compare/{slugs['b']}",
            },
        )
    return render(
        request,
        "peers/compare_form.html",
        {"picks": picks, "errors": errors},
        status_code=422 if errors else 200,
    )
