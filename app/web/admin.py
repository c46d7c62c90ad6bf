"""Administration: accounts, and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, delete, func, select

from app.audit import record
from app.auth import (
    NEW_ACCOUNT_LINK_LIFETIME,
    ROLES,
    AccountError,
    Admin,
    create_user,
    issue_password_link,
)
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.models import AuditEvent, Organisation, User, UserSession
from app.requests import client_address, site_url
from app.web.csrf import verify_csrf
from app.web.templating import href, render

router = APIRouter()


def _users_page(
    request: Request,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    link: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users = session.exec(
        select(User, Organisation.name)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .order_by(col(User.email))
    ).all()
    organisations = session.exec(
        select(Organisation.slug, Organisation.name).order_by(func.lower(Organisation.name))
    ).all()
    return render(
        request,
        "admin/users.html",
        {
            "users": users,
            "organisations": organisations,
            "roles": ROLES,
            "errors": errors or {},
            "values": values or {"role": "member"},
            "link": link,
        },
        status_code=status_code,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, _admin: Admin) -> HTMLResponse:
    return _users_page(request, session)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def add_user(
    request: Request,
    session: SessionDep,
    admin: Admin,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "member",
    organisation: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Create an account and show, once, the link its owner uses to choose a password."""
    values = {"email": email, "name": name, "role": role, "organisation": organisation}
    try:
        user = create_user(
            session, email, None, role, organisation or None, name=name[:200], actor=admin
        )
    except AccountError as exc:
        return _users_page(
            request, session, errors={exc.field: str(exc)}, values=values, status_code=422
        )
    token = issue_password_link(session, user, NEW_ACCOUNT_LINK_LIFETIME)
    session.commit()
    return _users_page(request, session, link=f"{site_url(request)}/password/reset?token={token}")


@router.post("/admin/users/{user_id}/active", dependencies=[Depends(verify_csrf)])
def set_active(
    request: Request,
    session: SessionDep,
    admin: Admin,
    user_id: int,
    active: Annotated[bool, Form()] = False,
) -> Response:
    """Switch an account off (its sessions end) or on again."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("no account %(id)s", id=user_id))
    user.is_active = active
    session.add(user)
    if not active:
        session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    record(
        session,
        admin,
        "user.activate" if active else "user.deactivate",
        user.email,
        client=client_address(request),
    )
    session.commit()
    return RedirectResponse(href("/admin/users", saved="1"), status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    _admin: Admin,
    action: Annotated[str | None, Query(max_length=60)] = None,
) -> HTMLResponse:
    statement = (
        select(AuditEvent, User.email)
        .outerjoin(User, col(User.id) == AuditEvent.user_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(500)
    )
    if action:
        statement = statement.where(AuditEvent.action == action)
    actions = session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render(
        request,
        "admin/audit.html",
        {"events": session.exec(statement).all(), "actions": actions, "action": action},
    )
