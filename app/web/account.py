"""Signing in and out, and setting a password with a one-time link."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from app.accounts.audit import record
from app.accounts.passwords import (
    PASSWORD_LINK_LIFETIME,
    issue_password_link,
    password_link_is_valid,
    reset_password,
)
from app.accounts.sessions import SESSION_COOKIE, SESSION_LIFETIME, end_session, start_session
from app.accounts.sign_in import TooManyAttempts, sign_in
from app.errors import AccountError
from app.i18n import gettext
from app.mail import send
from app.models.accounts import User
from app.requests import client_address, site_url
from app.web.csrf import secure_cookies, verify_csrf
from app.web.deps import CurrentUser, SessionDep
from app.web.templating import href, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in form cannot send people elsewhere."""
    if not target:
        return href("/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return href("/")
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
    return response


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> HTMLResponse:
    return render(request, "account/forgot.html", {"errors": {}, "sent": False})


@router.post("/password/forgot", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def forgot(
    request: Request, session: SessionDep, email: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Always the same answer, so the form says nothing about who has an account."""
    email = email.strip().lower()
    if not email:
        return render(
            request,
            "account/forgot.html",
            {"errors": {"email": gettext("This field is required.")}, "sent": False},
            status_code=422,
        )
    user = session.exec(select(User).where(User.email == email)).first()
    record(session, user, "password.link-requested", email, client=client_address(request))
    if user is not None and user.is_active:
        token = issue_password_link(session, user, PASSWORD_LINK_LIFETIME)
        session.commit()
        send(
            user.email,
            gettext("Set a new Interlocal password"),
            gettext(
                "Someone asked for a new password for this address. To choose one, open "
                "this link within two hours:\n\n%(link)s\n\nIf it was not you, ignore this "
                "message.",
                link=f"{site_url(request)}/password/reset?token={token}",
            ),
        )
    else:
        session.commit()
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
