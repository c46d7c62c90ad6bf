"""Administration: accounts, partners' API keys and trust, and the audit log."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, delete, func, select

from app.accounts.api_keys import (
    SCOPES,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    set_trusted,
    trusted_organisations,
)
from app.accounts.audit import record
from app.accounts.passwords import NEW_ACCOUNT_LINK_LIFETIME, issue_password_link
from app.accounts.users import ROLES, create_user
from app.errors import AccountError, NotFound
from app.i18n import _
from app.models.accounts import ApiKey, AuditEvent, User, UserSession
from app.models.places import Organisation
from app.requests import client_address, site_url
from app.validation import RecordId
from app.web.csrf import verify_csrf
from app.web.deps import Admin, SessionDep
from app.web.templating import href, render

router = APIRouter()


def _organisation_choices(session: SessionDep) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Organisation.slug, Organisation.name).order_by(func.lower(Organisation.name))
    ).all()
    return [(slug, name) for slug, name in rows]


def _users_page(
    request: Request,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    link: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    # An API key's own user is listed with its key, not here.
    users = session.exec(
        select(User, Organisation.name)
        .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
        .where(col(User.id).not_in(select(ApiKey.user_id)))
        .order_by(col(User.email))
    ).all()
    return render(
        request,
        "admin/users.html",
        {
            "users": users,
            "organisations": _organisation_choices(session),
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
        return _users_page(request, session, errors=exc.fields, values=values, status_code=422)
    token = issue_password_link(session, user, NEW_ACCOUNT_LINK_LIFETIME)
    session.commit()
    return _users_page(request, session, link=f"{site_url(request)}/password/reset?token={token}")


@router.post("/admin/users/{user_id}/active", dependencies=[Depends(verify_csrf)])
def set_active(
    request: Request,
    session: SessionDep,
    admin: Admin,
    user_id: RecordId,
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


def _keys_page(
    request: Request,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    issued: tuple[ApiKey, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "admin/api_keys.html",
        {
            "keys": list_api_keys(session),
            "trusted": trusted_organisations(session),
            "organisations": _organisation_choices(session),
            "scopes": SCOPES,
            "errors": errors or {},
            "values": values or {"scopes": ["read"]},
            "issued": issued,
        },
        status_code=status_code,
    )


@router.get("/admin/api-keys", response_class=HTMLResponse)
def api_keys_page(request: Request, session: SessionDep, _admin: Admin) -> HTMLResponse:
    return _keys_page(request, session)


@router.post("/admin/api-keys", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
def add_api_key(
    request: Request,
    session: SessionDep,
    admin: Admin,
    name: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> HTMLResponse:
    """Issue a key and show its secret this once."""
    values = {"name": name, "organisation": organisation, "scopes": scopes}
    try:
        issued = create_api_key(
            session, organisation, name, scopes, actor=admin, client=client_address(request)
        )
    except AccountError as exc:
        return _keys_page(request, session, errors=exc.fields, values=values, status_code=422)
    return _keys_page(request, session, issued=issued)


@router.post("/admin/api-keys/{key_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_key(request: Request, session: SessionDep, admin: Admin, key_id: RecordId) -> Response:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(_("no API key %(id)s", id=key_id))
    revoke_api_key(session, key, actor=admin, client=client_address(request))
    return RedirectResponse(href("/admin/api-keys", saved="1"), status_code=303)


@router.post("/admin/trusted-organisations", dependencies=[Depends(verify_csrf)])
def trust_organisation(
    request: Request,
    session: SessionDep,
    admin: Admin,
    organisation: Annotated[str, Form()] = "",
    trusted: Annotated[bool, Form()] = True,
) -> Response:
    """Publish an organisation's API writes at once, or send them to review again."""
    try:
        set_trusted(session, organisation, trusted, actor=admin, client=client_address(request))
    except AccountError as exc:
        return _keys_page(
            request, session, errors={"trust_organisation": exc.message}, status_code=422
        )
    return RedirectResponse(href("/admin/api-keys", saved="1"), status_code=303)
