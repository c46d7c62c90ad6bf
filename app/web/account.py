"""Signing in and out, setting a password with a one-time link, and asking for an
account for one's authority."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from app.accounts.audit import record
from app.accounts.passwords import (
    password_link_is_valid,
    request_password_link,
    reset_password,
)
from app.accounts.requests import submit_request
from app.accounts.sessions import SESSION_COOKIE, SESSION_LIFETIME, end_session, start_session
from app.accounts.sign_in import TooManyAttempts, sign_in
from app.errors import AccountError, TooManyRequests
from app.i18n import gettext
from app.mail import send
from app.models.places import Organisation, Place
from app.places.gazetteer.picker import Picked, pick_place
from app.requests import client_address, site_url
from app.vocabularies.queries import scheme_terms
from app.web.csrf import rotate, secure_cookies, verify_csrf
from app.web.deps import CurrentUser, SessionDep
from app.web.templating import display_country, href, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Where signing in leads: the page the person was going to, only a path on this site
    (so the form cannot send people elsewhere); from the home page or from nowhere, Your
    practices, where their work is."""
    parts = urlsplit(target or "")
    if (
        not target
        or parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.path in ("/", "/login")
    ):
        return href("/my/practices")
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "account/login.html", {"next": _safe_next(next), "errors": {}})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    headers: dict[str, str] = {}
    status_code = 422
    if not email:
        errors = {"email": gettext("This field is required.")}
    elif not password:
        errors = {"password": gettext("This field is required.")}
    else:
        try:
            user = sign_in(session, email, password, client_address(request))
        except TooManyAttempts as exc:
            errors = {"email": exc.detail}
            headers = {"Retry-After": str(exc.retry_after)}
            status_code = exc.status_code
        else:
            if user is not None:
                redirect = RedirectResponse(_safe_next(next), status_code=303)
                redirect.set_cookie(
                    SESSION_COOKIE,
                    start_session(session, user),
                    max_age=int(SESSION_LIFETIME.total_seconds()),
                    httponly=True,
                    samesite="lax",
                    secure=secure_cookies(request),
                )
                rotate(request, redirect)
                return redirect
            errors = {"email": gettext("The e-mail address or the password is wrong.")}
    response = render(
        request,
        "account/login.html",
        {"next": _safe_next(next), "errors": errors, "email": email},
        status_code=status_code,
    )
    response.headers.update(headers)
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    if user is not None:
        record(session, user, "logout", user.email, client=client_address(request))
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(href("/"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    rotate(request, response)
    return response


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> HTMLResponse:
    return render(request, "account/forgot.html", {"errors": {}, "sent": False})


@router.post("/password/forgot", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def forgot(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Always the same answer, so the form says nothing about who has an account; the
    e-mail goes out after the answer, so neither does the time the answer takes."""
    email = email.strip().lower()
    if not email:
        return render(
            request,
            "account/forgot.html",
            {"errors": {"email": gettext("This field is required.")}, "sent": False},
            status_code=422,
        )
    try:
        token = request_password_link(session, email, client_address(request))
    except TooManyRequests as exc:
        response = render(
            request,
            "account/forgot.html",
            {"errors": {"email": exc.detail}, "sent": False, "email": email},
            status_code=exc.status_code,
        )
        response.headers.update(exc.headers or {})
        return response
    if token is not None:
        background.add_task(
            send,
            email,
            gettext("Set a new Interlocal password"),
            gettext(
                "Someone asked for a new password for this address. To choose one, open "
                "this link within two hours:\n\n%(link)s\n\nIf it was not you, ignore this "
                "message.",
                link=f"{site_url(request)}/password/reset?token={token}",
            ),
        )
    return render(request, "account/forgot.html", {"errors": {}, "sent": True, "email": email})


@router.get("/password/reset", response_class=HTMLResponse)
def reset_form(request: Request, session: SessionDep, token: str = "") -> HTMLResponse:
    valid = password_link_is_valid(session, token)
    return render(
        request,
        "account/reset.html",
        {"token": token, "valid": valid, "errors": {}},
        status_code=200 if valid else 400,
    )


@router.post("/password/reset", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def reset(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, str] = {}
    if password != confirm:
        errors["confirm"] = gettext("The two passwords are not the same.")
    else:
        try:
            reset_password(session, token, password, client_address(request))
        except AccountError as exc:
            errors["password"] = exc.message
    if errors:
        valid = password_link_is_valid(session, token)
        return render(
            request,
            "account/reset.html",
            {"token": token, "valid": valid, "errors": errors},
            status_code=422 if valid else 400,
        )
    response = RedirectResponse(href("/login", reset="1"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Asking for an account (app.accounts.requests). Nothing about requests is shown here: the
# answer is the same thank-you page whatever the address, and the e-mail says the rest.


def _organisation_groups(session: SessionDep) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue's organisations by country (in the reader's language), for a select."""
    rows = session.exec(
        select(Organisation.slug, Organisation.name, Place.country).outerjoin(
            Place, col(Place.id) == Organisation.place_id
        )
    ).all()
    groups: dict[str, list[tuple[str, str]]] = {}
    for slug, name, country in rows:
        label = display_country(country) if country else gettext("Other organisations")
        groups.setdefault(label, []).append((slug, name))
    other = gettext("Other organisations")
    order = sorted(groups, key=lambda label: (label == other, label.casefold()))
    return [(label, sorted(groups[label], key=lambda o: o[1].casefold())) for label in order]


def _request_page(
    request: Request,
    session: SessionDep,
    values: dict[str, str],
    picked: Picked,
    *,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "account/request.html",
        {
            "values": values,
            "picked": picked,
            "errors": errors or {},
            "refused": refused,
            "organisations": _organisation_groups(session),
            "types": scheme_terms(session, "organisation-type").values(),
        },
        status_code=status_code,
    )


@router.get("/account/request", response_class=HTMLResponse)
def request_form(request: Request, session: SessionDep) -> HTMLResponse:
    values = {"organisation_type": "lra"}  # a local or regional authority, most often
    return _request_page(request, session, values, Picked("place"))


@router.post("/account/request", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def ask_for_account(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    job_title: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    place_q: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    organisation_name: Annotated[str, Form()] = "",
    organisation_type: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """Send the request; or, without JavaScript (the picker's "Find the place" button,
    ``action=find-place``), bring the form back with the places that match."""
    values = {
        "name": name,
        "job_title": job_title,
        "email": email,
        "organisation": organisation,
        "organisation_name": organisation_name,
        "organisation_type": organisation_type,
        "message": message,
    }
    picked = pick_place(session, "place", place, place_q[:200])
    if action == "find-place":
        return _request_page(request, session, values, picked)
    try:
        submit_request(
            session, values, picked, client=client_address(request), site=site_url(request)
        )
    except AccountError as exc:
        return _request_page(request, session, values, picked, errors=exc.fields, status_code=422)
    except TooManyRequests as exc:
        response = _request_page(
            request, session, values, picked, refused=exc.detail, status_code=exc.status_code
        )
        response.headers.update(exc.headers or {})
        return response
    return RedirectResponse(href("/account/request/sent"), status_code=303)


@router.get("/account/request/sent", response_class=HTMLResponse)
def request_sent(request: Request) -> HTMLResponse:
    return render(request, "account/request_sent.html", {})
