"""The moderators' queue and review page: publish, return with a comment, or archive; and
the requests for an account: approve, or decline with a reason; and the GeoNames entries
that may be places the reports name: confirm or reject."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.accounts.request_decisions import (
    approve_request,
    count_pending,
    decided_requests,
    decline_request,
    find_request,
    pending_requests,
)
from app.dilemmas.queries import waiting
from app.errors import AccountError, NotFound
from app.i18n import get_language, gettext
from app.models.accounts import User
from app.models.practices import Practice, RevisionState
from app.permissions import Viewer
from app.places.gazetteer.matches import confirm_match, pending_matches, reject_match
from app.practices.checks import InvalidPractice
from app.practices.fields import FIELD_LABELS
from app.practices.follow_ups import follow_up_settings, needing_update
from app.practices.revisions import changes, describe, names_for, open_revision, published_data
from app.practices.translations import is_stale, practice_translation, translated_fields
from app.practices.workflow import archive, publish, return_to_authors
from app.practices.worklists import find_any_practice, review_queue
from app.practices.writing import EditConflict
from app.requests import client_address, site_url
from app.validation import RecordId
from app.web.csrf import verify_csrf
from app.web.deps import Moderator, SessionDep, ViewerDep
from app.web.templating import href, render

router = APIRouter()

DECISIONS = ("publish", "return", "archive")


@router.get("/moderation", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: SessionDep,
    _moderator: Moderator,
    done: Annotated[str | None, Query(max_length=160)] = None,
    action: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return render(
        request,
        "moderation/queue.html",
        {
            "items": review_queue(session),
            "dilemmas": waiting(session),
            "account_requests": count_pending(session),
            "place_matches": len(pending_matches(session)),
            "decided": _decided(session, done, action),
        },
    )


def _decided(session: Session, slug: str | None, action: str | None) -> dict[str, str] | None:
    """The practice a decision was just taken on, for the confirmation to name it."""
    if not slug or action not in DECISIONS:
        return None
    try:
        practice = find_any_practice(session, slug)
    except NotFound:
        return None
    return {"title": practice.title, "url": f"/practices/{practice.slug}", "action": action}


@router.get("/moderation/follow-ups", response_class=HTMLResponse)
def follow_ups_page(request: Request, session: SessionDep, _moderator: Moderator) -> HTMLResponse:
    """The moderators' report of published practices that need an update."""
    context = {"follow_ups": needing_update(session), **follow_up_settings()}
    return render(request, "moderation/follow_ups.html", context)


# Requests for an account (app.accounts.request_decisions), before /moderation/{slug}.


@router.get("/moderation/requests", response_class=HTMLResponse)
def account_requests_page(
    request: Request, session: SessionDep, _moderator: Moderator
) -> HTMLResponse:
    return render(
        request,
        "moderation/account_requests.html",
        {"pending": pending_requests(session), "decided": decided_requests(session)},
    )


def _request_page(
    request: Request,
    session: SessionDep,
    request_id: RecordId,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    view = find_request(session, request_id)
    decided_by = (
        session.get(User, view.request.decided_by_id) if view.request.decided_by_id else None
    )
    return render(
        request,
        "moderation/account_request.html",
        {
            "item": view,
            "decided_by": decided_by,
            "errors": errors or {},
            "reason": reason,
        },
        status_code=status_code,
    )


@router.get("/moderation/requests/{request_id}", response_class=HTMLResponse)
def account_request_page(
    request: Request, session: SessionDep, _moderator: Moderator, request_id: RecordId
) -> HTMLResponse:
    return _request_page(request, session, request_id)


@router.post(
    "/moderation/requests/{request_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
def decide_account_request(
    request: Request,
    session: SessionDep,
    moderator: Moderator,
    request_id: RecordId,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve (the account is made and its owner sent a password link) or decline with
    a reason; the requester is told either way."""
    client, site = client_address(request), site_url(request)
    find_request(session, request_id)  # 404 before anything else
    try:
        if action == "approve":
            approve_request(session, moderator, request_id, client=client, site=site)
        elif action == "decline":
            decline_request(session, moderator, request_id, reason, client=client, site=site)
        else:
            raise AccountError.on("action", gettext("Choose approve or decline."))
    except AccountError as exc:
        session.rollback()
        return _request_page(
            request, session, request_id, errors=exc.fields, reason=reason, status_code=422
        )
    target = href("/moderation/requests", done=str(request_id), action=action)
    return RedirectResponse(target, status_code=303)


# GeoNames entries that may be places the reports name (app.places.gazetteer.matches).


@router.get("/moderation/places", response_class=HTMLResponse)
def place_matches_page(
    request: Request, session: SessionDep, _moderator: Moderator
) -> HTMLResponse:
    return render(request, "moderation/place_matches.html", {"matches": pending_matches(session)})


@router.post(
    "/moderation/places/{match_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(verify_csrf)],
)
def decide_place_match(
    request: Request,
    session: SessionDep,
    moderator: Moderator,
    match_id: RecordId,
    action: Annotated[Literal["confirm", "reject"], Form()],
) -> Response:
    """Confirm that a GeoNames entry is the place (the two become one) or say it is not."""
    if action == "confirm":
        place = confirm_match(session, moderator, match_id)
        target = href("/moderation/places", linked=place.slug)
    else:
        reject_match(session, moderator, match_id)
        target = href("/moderation/places", rejected="1")
    return RedirectResponse(target, status_code=303)


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
    # A resubmission after a return: what the authors changed since, and the comment.
    resubmitted = current is not None and current.state == RevisionState.submitted
    returned = current.returned_data if current is not None and resubmitted else None
    # Only moderators review, and they read every published practice.
    names = names_for(
        session, Viewer(moderator=True), [before, current.data if current else None, returned]
    )
    # A moderator who does not read the original's language reviews it in translation.
    foreign = practice.original_language != get_language()
    translation = practice_translation(session, practice, get_language()) if foreign else None
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
            "returned": returned,
            "since_returned": changes(names, returned, current.data)
            if current and returned
            else [],
            "foreign": foreign,
            "translation": translation,
            "translation_stale": translation is not None
            and is_stale(session, practice, translation),
            "translated": translated_fields(session, practice, translation) if translation else [],
            "field_labels": FIELD_LABELS,
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
