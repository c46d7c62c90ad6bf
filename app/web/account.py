"""Signing in and out."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.auth import SESSION_COOKIE, SESSION_LIFETIME, authenticate, end_session, start_session
from app.db import SessionDep
from app.i18n import gettext
from app.web.csrf import verify_csrf
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
    user = authenticate(session, email, password) if email and password else None
    if user is None:
        errors = {"email": gettext("The e-mail address or the password is wrong.")}
        if not email:
            errors = {"email": gettext("This field is required.")}
        elif not password:
            errors = {"password": gettext("This field is required.")}
        return render(
            request,
            "account/login.html",
            {"next": _safe_next(next), "errors": errors, "email": email},
            status_code=422,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        start_session(session, user),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: SessionDep) -> Response:
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(href("/"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
