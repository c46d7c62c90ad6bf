"""A moderator's decision on a request for an account (``app.accounts.requests``).

Moderators read the requests (``pending_requests``, ``find_request``), then approve one
(``approve_request``: the organisation is created if it is new, its place enters the
catalogue, and a member account is made and sent a link to choose its password, all in one
transaction) or decline it with a reason (``decline_request``). The requester is told either
way, in the language they asked in.
"""

import secrets
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from app.accounts.audit import record
from app.accounts.passwords import NEW_ACCOUNT_LINK_LIFETIME, hash_password, issue_password_link
from app.errors import AccountError, Conflict, NotFound
from app.i18n import LANGUAGES, get_language, gettext, speaking
from app.mail import send
from app.models.accounts import AccountRequest, AuditEvent, User
from app.models.base import utcnow
from app.models.places import Organisation, Place
from app.places.catalogue import enter_catalogue
from app.places.gazetteer.names import slugify
from app.validation import RequiredText, limit, parse_form
from app.vocabularies.queries import scheme_terms


class DeclineIn(BaseModel):
    """A moderator's reason for declining, which the requester is sent."""

    reason: Annotated[RequiredText, limit(2000)]


@dataclass
class RequestView:
    """A request as moderators see it."""

    request: AccountRequest
    place: Place
    organisation: Organisation | None  # the one chosen from the catalogue, if any
    organisation_type: str | None  # the label of a new organisation's type
    has_account: bool  # the address has an account (by now)

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else self.request.organisation_name or ""


def _views(session: Session, requests: list[AccountRequest]) -> list[RequestView]:
    types = {code: term.label for code, term in scheme_terms(session, "organisation-type").items()}
    emails = {r.email for r in requests}
    accounts = set(session.exec(select(User.email).where(col(User.email).in_(emails))).all())
    views = []
    for request in requests:
        place = session.get(Place, request.place_id)
        assert place is not None  # a foreign key
        organisation = (
            session.get(Organisation, request.organisation_id) if request.organisation_id else None
        )
        kind = types.get(request.organisation_type or "", request.organisation_type)
        views.append(RequestView(request, place, organisation, kind, request.email in accounts))
    return views


def pending_requests(session: Session) -> list[RequestView]:
    """The requests waiting for a decision, oldest first."""
    rows = session.exec(
        select(AccountRequest)
        .where(AccountRequest.status == "pending")
        .order_by(col(AccountRequest.created_at), col(AccountRequest.id))
    ).all()
    return _views(session, list(rows))


def decided_requests(session: Session, limit: int = 20) -> list[RequestView]:
    """The last requests decided, the latest first."""
    rows = session.exec(
        select(AccountRequest)
        .where(AccountRequest.status != "pending")
        .order_by(col(AccountRequest.decided_at).desc(), col(AccountRequest.id).desc())
        .limit(limit)
    ).all()
    return _views(session, list(rows))


def count_pending(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(AccountRequest).where(AccountRequest.status == "pending")
    ).one()


def find_request(session: Session, request_id: int) -> RequestView:
    request = session.get(AccountRequest, request_id)
    if request is None:
        raise NotFound(gettext("There is no account request %(id)s.", id=request_id))
    return _views(session, [request])[0]


def _pending(session: Session, request_id: int) -> RequestView:
    view = find_request(session, request_id)
    if view.request.status != "pending":
        raise Conflict(gettext("This request was decided already."))
    return view


def _unique_slug(session: Session, name: str) -> str:
    base = slugify(name)[:110].strip("-") or "organisation"
    taken = set(
        session.exec(select(Organisation.slug).where(col(Organisation.slug).startswith(base)))
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _decided(request: AccountRequest, moderator: User, status: str) -> None:
    request.status = status
    request.decided_at = utcnow()
    request.decided_by_id = moderator.id


def approve_request(
    session: Session, moderator: User, request_id: int, *, client: str | None, site: str
) -> User:
    """Make the account asked for, with its organisation (created if new) and its place
    (in the catalogue from now on), and send its owner a link to choose a password."""
    view = _pending(session, request_id)
    request = view.request
    if view.has_account:
        raise AccountError.on(
            "email", gettext("An account for %(email)s exists already.", email=request.email)
        )
    organisation = view.organisation
    if organisation is None and request.organisation_name and not request.organisation_id:
        # A colleague's request, approved first, may have made it already.
        organisation = session.exec(
            select(Organisation).where(
                func.lower(Organisation.name) == request.organisation_name.lower()
            )
        ).first()
    if organisation is None:
        if request.organisation_id or not request.organisation_name:
            raise AccountError.on("organisation", gettext("This organisation no longer exists."))
        organisation = Organisation(
            slug=_unique_slug(session, request.organisation_name),
            name=request.organisation_name,
            type=request.organisation_type or "lra",
            place_id=view.place.id,
        )
        session.add(organisation)
    elif organisation.place_id is None:
        organisation.place_id = view.place.id
        session.add(organisation)
    session.flush()
    place = session.get(Place, organisation.place_id) if organisation.place_id else view.place
    assert place is not None
    enter_catalogue(session, place.id)
    user = User(
        email=request.email,
        name=request.name,
        password_hash=hash_password(secrets.token_urlsafe(32)),  # unusable until the link
        role="member",
        organisation_id=organisation.id,
    )
    session.add(user)
    session.flush()
    token = issue_password_link(session, user, NEW_ACCOUNT_LINK_LIFETIME)
    _decided(request, moderator, "approved")
    request.user_id, request.organisation_id = user.id, organisation.id
    session.add(request)
    record(session, moderator, "user.create", user.email, role="member", client=client)
    record(
        session,
        moderator,
        "account-request.approve",
        request.email,
        client=client,
        request=request.id,
        organisation=organisation.slug,
        new_organisation=view.organisation is None,
        place=place.slug,
    )
    session.commit()
    with speaking(_language_of(session, request)):
        _mail_approved(request, organisation.name, token, site)
    return user


def decline_request(
    session: Session,
    moderator: User,
    request_id: int,
    reason: str,
    *,
    client: str | None,
    site: str,
) -> AccountRequest:
    """Decline the request with ``reason``, which the requester is sent; nothing else is
    made."""
    view = _pending(session, request_id)
    request = view.request
    reason = parse_form(DeclineIn, {"reason": reason}, error=AccountError).reason
    _decided(request, moderator, "declined")
    request.reason = reason
    session.add(request)
    record(
        session,
        moderator,
        "account-request.decline",
        request.email,
        client=client,
        request=request.id,
    )
    session.commit()
    with speaking(_language_of(session, request)):
        _mail_declined(request, view.organisation_name, site)
    return request


def _language_of(session: Session, request: AccountRequest) -> str:
    """The language the request was made in (kept with its audit event)."""
    events = session.exec(
        select(AuditEvent.detail).where(
            AuditEvent.action == "account-request.create", AuditEvent.target == request.email
        )
    ).all()
    for detail in events:
        if detail.get("request") == request.id and detail.get("language") in LANGUAGES:
            return str(detail["language"])
    return "en"


# --- E-mails to the requester ---------------------------------------------------------


def _mail_approved(request: AccountRequest, organisation: str, token: str, site: str) -> None:
    send(
        request.email,
        gettext("Your Interlocal account is ready"),
        gettext(
            "Hello %(name)s,\n\nA moderator has approved your request: you now have an "
            "Interlocal account for %(organisation)s. To choose your password, open this "
            "link within seven days:\n\n%(link)s\n\nThen sign in with this e-mail address "
            "at %(login)s",
            name=request.name,
            organisation=organisation,
            link=f"{site}/password/reset?token={token}&lang={get_language()}",
            login=f"{site}/login?lang={get_language()}",
        ),
    )


def _mail_declined(request: AccountRequest, organisation: str, site: str) -> None:
    send(
        request.email,
        gettext("Your request for an Interlocal account"),
        gettext(
            "Hello %(name)s,\n\nA moderator has read your request for an Interlocal account "
            "for %(organisation)s and declined it, for this reason:\n\n%(reason)s\n\nIf "
            "something has changed, you can ask again at %(link)s",
            name=request.name,
            organisation=organisation,
            reason=request.reason or "",
            link=f"{site}/account/request?lang={get_language()}",
        ),
    )
