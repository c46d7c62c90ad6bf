"""The page that explains the evidence ladder."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.practices.evidence import ladder
from app.web.deps import SessionDep, ViewerDep
from app.web.templating import render

router = APIRouter()


@router.get("/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    return render(
        request,
        "evidence.html",
        {"rungs": ladder(session, viewer), "json_url": "/api/v1/vocabularies/evidence-level"},
    )
