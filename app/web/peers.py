"""Finding peers: /peers (for a catalogued place or one described) and /compare."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import or_
from sqlmodel import col, func, select

from app.catalogue.text import contains
from app.countries import country_name
from app.errors import InvalidInput, InvalidParameter
from app.i18n import N_, _
from app.models.places import Place
from app.places.peers.compare import compare_places
from app.places.peers.features import CHALLENGE_SCHEMES
from app.places.peers.finding import find_peers
from app.places.peers.schemas import ContextIn
from app.places.peers.scoring import FACTORS, weights
from app.validation import parse_form
from app.vocabularies.queries import list_schemes, scheme_terms
from app.web.deps import SessionDep, ViewerDep
from app.web.templating import render

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


def _choices(session: SessionDep) -> dict[str, object]:
    """What the description form offers, in the reader's language."""
    countries = session.exec(select(Place.country).distinct()).all()
    return {
        "countries": sorted(
            ((c, country_name(c) or c) for c in countries), key=lambda pair: pair[1]
        ),
        "levels": {c: t.label for c, t in scheme_terms(session, "place-level").items()},
        "histories": {c: t.label for c, t in scheme_terms(session, "migration-history").items()},
        "challenges": [
            (scheme, [(c, t.label) for c, t in scheme_terms(session, scheme).items()])
            for scheme in CHALLENGE_SCHEMES
        ],
    }


def _find_place(session: SessionDep, text: str) -> tuple[str | None, list[Place]]:
    """The slug of the place named ``text``, or the places whose names contain it."""
    exact = session.exec(
        select(Place).where(or_(col(Place.slug) == text, func.lower(Place.name) == text.lower()))
    ).all()
    if len(exact) == 1:
        return exact[0].slug, []
    if exact:
        return None, list(exact)
    return None, list(
        session.exec(
            select(Place).where(contains(Place.name, text)).order_by(col(Place.name)).limit(20)
        )
    )


@router.get("/peers", response_class=HTMLResponse)
def peers_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    place: Annotated[str | None, Query(max_length=200)] = None,
    scope: Annotated[str | None, Query(max_length=10)] = None,
    level: Annotated[str | None, Query(max_length=40)] = None,
    challenges: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """A place's peers; ``scope=all`` includes its own country."""
    across_borders = scope != "all"
    form = {name: (request.query_params.get(name) or "").strip() for name in DESCRIBED}
    form |= {"place": (place or "").strip(), "level": level or "municipality"}
    chosen = list(challenges or [])
    errors: dict[str, str] = {}
    results, status = None, 200
    matches: list[Place] = []
    if form["place"]:
        slug, matches = _find_place(session, form["place"])
        if slug:
            results = find_peers(session, slug, across_borders=across_borders, viewer=viewer)
        elif not matches:
            errors["place"] = _(
                "No place has that name. Check the spelling, or describe your place below."
            )
            status = 422
    elif any(form[name] for name in DESCRIBED) or chosen or level:
        try:
            context = parse_form(
                ContextIn,
                {name: form[name] or None for name in DESCRIBED}
                | {"level": form["level"], "challenges": chosen},
                hints=FIELD_HINTS,
            )
            results = find_peers(session, context, across_borders=across_borders, viewer=viewer)
        except (InvalidInput, InvalidParameter) as exc:
            errors = {str(e["param"]): e["message"] for e in exc.errors}
            status = 422
    return render(
        request,
        "peers/index.html",
        {
            "form": form,
            "chosen": chosen,
            "across_borders": across_borders,
            "results": results,
            "matches": matches,
            "errors": errors,
            "json_url": f"/api/v1/places/{results.subject.place.slug}/peers"
            if results and results.subject.place
            else None,
            "weights": weights(),
            "factor_labels": {name: _(label) for name, label in FACTORS.items()},
            **_choices(session),
        },
        status_code=status,
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    a: Annotated[str, Query(max_length=120)],
    b: Annotated[str, Query(max_length=120)],
) -> HTMLResponse:
    comparison = compare_places(session, a, b, viewer)
    scheme_labels = {s.scheme: s.label for s in list_schemes(session)}
    return render(
        request,
        "peers/compare.html",
        {
            "c": comparison,
            "scheme_labels": scheme_labels,
            "json_url": f"/api/v1/places/{a}/compare/{b}",
        },
    )
