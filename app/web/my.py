"""The signed-in officer's own pages: its organisation's practices, and its networks with
the invitations and requests to join waiting for its answer."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app.permissions import is_moderator
from app.places.member_lists import own_memberships
from app.places.memberships import answer_on_site
from app.practices.follow_ups import follow_up_settings, needing_update
from app.practices.worklists import organisation_practices
from app.requests import client_address
from app.validation import RecordId
from app.web.csrf import verify_csrf
from app.web.deps import SessionDep, SignedIn
from app.web.templating import href, render

router = APIRouter()


@router.get("/my/practices", response_class=HTMLResponse)
def my_practices_page(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    follow_ups = (
        needing_update(session, organisation_id=user.organisation_id)
        if user.organisation_id
        else []
    )
    return render(
        request,
        "practices/mine.html",
        {
            "items": organisation_practices(session, user),
            "moderator": is_moderator(user),
            "follow_ups": follow_ups,
            **follow_up_settings(),
        },
    )


@router.get("/my/networks", response_class=HTMLResponse)
def my_networks_page(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    items = own_memberships(session, user.organisation_id) if user.organisation_id else []
    return render(request, "networks/mine.html", {"items": items})


@router.post("/my/networks/{membership_id}", dependencies=[Depends(verify_csrf)])
def answer_membership(
    request: Request,
    session: SessionDep,
    user: SignedIn,
    membership_id: RecordId,
    action: Annotated[Literal["accept", "decline"], Form()],
    tag: Annotated[str, Form(max_length=100)] = "",
) -> RedirectResponse:
    answer_on_site(
        session,
        user,
        membership_id,
        accept=action == "accept",
        tag=tag,
        client=client_address(request),
    )
    return RedirectResponse(href("/my/networks", answered=action), status_code=303)
