"""Unsubscribing from the monthly reminders, from the link in one of them.

A mail client's one-click unsubscribe (RFC 8058) POSTs to the link itself, without cookies,
so the POST needs no CSRF token: the link's random token is the proof, and it unsubscribes
only the member it was sent to. Opening the link (GET) only asks, since mail scanners open
links on their own.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.errors import NotFound
from app.i18n import _
from app.practices.reminders import subscriber, unsubscribe
from app.web.deps import SessionDep
from app.web.templating import render

router = APIRouter(prefix="/reminders")

Token = Annotated[str, Query(max_length=100)]


def _not_found() -> NotFound:
    return NotFound(_("this link is not valid: it may have been copied incompletely"))


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, session: SessionDep, token: Token = "") -> HTMLResponse:
    user = subscriber(session, token) if token else None
    if user is None:
        raise _not_found()
    context = {"email": user.email, "token": token, "done": not user.reminders}
    return render(request, "account/unsubscribe.html", context)


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_now(request: Request, session: SessionDep, token: Token = "") -> HTMLResponse:
    user = unsubscribe(session, token) if token else None
    if user is None:
        raise _not_found()
    return render(request, "account/unsubscribe.html", {"email": user.email, "done": True})
