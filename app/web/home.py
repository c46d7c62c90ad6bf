"""The home page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, func, select

from app.models.places import Network, Place
from app.models.practices import Practice
from app.permissions import visible
from app.practices.filters import PracticeQuery
from app.practices.listing import list_practices
from app.web.deps import SessionDep, ViewerDep
from app.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    counts = {
        "practices": session.exec(
            select(func.count()).select_from(Practice).where(*visible(viewer))
        ).one(),
        "places": session.exec(
            select(func.count(func.distinct(Practice.place_id))).where(*visible(viewer))
        ).one(),
        # Countries of the catalogue, not of the gazetteer's 22,000 towns.
        "countries": session.exec(
            select(func.count(func.distinct(Place.country))).where(col(Place.catalogued).is_(True))
        ).one(),
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
