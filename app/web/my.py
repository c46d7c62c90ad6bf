"""The signed-in officer's own pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.permissions import is_moderator
from app.practices.worklists import organisation_practices
from app.web.deps import SessionDep, SignedIn
from app.web.templating import render

router = APIRouter()


@router.get("/my/practices", response_class=HTMLResponse)
def my_practices_page(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    return render(
        request,
        "practices/mine.html",
        {"items": organisation_practices(session, user), "moderator": is_moderator(user)},
    )
