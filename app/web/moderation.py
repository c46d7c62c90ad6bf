"""The moderators' queue and review page: publish, return with a comment, or archive."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.i18n import gettext
from app.models.practices import Practice
from app.practices.checks import InvalidPractice
from app.practices.revisions import changes, describe, names_for, open_revision, published_data
from app.practices.workflow import archive, publish, return_to_authors
from app.practices.worklists import find_any_practice, review_queue
from app.practices.writing import EditConflict
from app.requests import client_address
from app.web.csrf import verify_csrf
from app.web.deps import Moderator, SessionDep, ViewerDep
from app.web.templating import href, render

router = APIRouter()


@router.get("/moderation", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep, _moderator: Moderator) -> HTMLResponse:
    return render(request, "moderation/queue.html", {"items": review_queue(session)})


def _review(
    request: Request,
    session: SessionDep,
    practice: Practice,
    *,
    errors: dict[str, str] | None = None,
    comment: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    current = open_revision(session, practice)
    before = published_data(session, practice)
    names = names_for(session, [before, current.data if current else None])
    return render(
        request,
        "moderation/review.html",
        {
            "practice": practice,
            "revision": current,
            "changes": changes(names, before, current.data) if current else [],
            "fields": describe(names, current.data) if current else [],
            "is_new": before is None,
            "errors": errors or {},
            "comment": comment,
        },
        status_code=status_code,
    )


@router.get("/moderation/{slug}", response_class=HTMLResponse)
def review_page(
    request: Request, session: SessionDep, _moderator: Moderator, slug: str
) -> HTMLResponse:
    return _review(request, session, find_any_practice(session, slug))


@router.post("/moderation/{slug}", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def decide(
    request: Request,
    session: SessionDep,
    moderator: Moderator,
    viewer: ViewerDep,
    slug: str,
    action: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = -1,
    comment: Annotated[str, Form()] = "",
) -> Response:
    practice = find_any_practice(session, slug)
    client = client_address(request)
    try:
        if action == "publish":
            publish(session, moderator, viewer, practice, expected_version=version, client=client)
        elif action == "return":
            return_to_authors(
                session,
                moderator,
                practice,
                expected_version=version,
                comment=comment,
                client=client,
            )
        elif action == "archive":
            archive(
                session,
                moderator,
                practice,
                expected_version=version,
                comment=comment,
                client=client,
            )
        else:
            raise InvalidPractice({"action": gettext("Choose publish, return or archive.")})
    except InvalidPractice as exc:
        return _review(
            request, session, practice, errors=exc.fields, comment=comment, status_code=422
        )
    except EditConflict as exc:
        session.refresh(practice)
        return _review(
            request,
            session,
            practice,
            errors={"version": exc.detail},
            comment=comment,
            status_code=409,
        )
    return RedirectResponse(href("/moderation", done=slug, action=action), status_code=303)
