"""Accounts, passwords and browser sessions, and who may do what.

Passwords are hashed with argon2. A signed-in browser holds a random token in an
HttpOnly cookie; the database keeps only the token's SHA-256, so a copy of the database
cannot be used to sign in. Roles (from DESIGN.md): a ``member`` edits its own
organisation's practices, a ``moderator`` curates everything including vocabularies and
their translations, an ``admin`` also manages accounts.
"""

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlmodel import Session, col, delete, select

from app.audit import record
from app.config import get_settings
from app.db import SessionDep
from app.errors import AppError
from app.i18n import N_, gettext
from app.models import (
    AuditEvent,
    Organisation,
    PasswordToken,
    Practice,
    PracticePartner,
    User,
    UserSession,
    utcnow,
)
from app.queries.visibility import Viewer, viewer_for

ROLES = (N_("member"), N_("moderator"), N_("admin"))
SESSION_COOKIE = "interlocal_session"
SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 10
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRequired(AppError):
    """The page needs a signed-in user; pages answer by sending the browser to sign in."""

    status_code = 401


class Forbidden(AppError):
    status_code = 403


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why and
    ``field`` which input was at fault."""

    def __init__(self, message: str, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def account_organisation(session: Session, slug: str) -> Organisation:
    """The organisation an account or API key is for; ``AccountError`` if there is none."""
    if not slug:
        raise AccountError(gettext("Choose an organisation."), "organisation")
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise AccountError(gettext("No organisation %(slug)r.", slug=slug), "organisation")
    return organisation


def create_user(
    session: Session,
    email: str,
    password: str | None,
    role: str,
    organisation_slug: str | None,
    *,
    name: str | None = None,
    actor: User | None = None,
) -> User:
    """A new account. Without a password it cannot sign in until a password link is used."""
    email = email.strip().lower()
    if not EMAIL.fullmatch(email):
        raise AccountError(gettext("%(email)r is not an e-mail address", email=email))
    if role not in ROLES:
        raise AccountError(gettext("role must be one of %(roles)s", roles=", ".join(ROLES)), "role")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            gettext(
                "The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH
            ),
            "password",
        )
    if session.exec(select(User).where(User.email == email)).first():
        raise AccountError(gettext("An account for %(email)s exists already.", email=email))
    organisation_id = None
    if organisation_slug:
        organisation_id = account_organisation(session, organisation_slug).id
    elif role == "member":
        raise AccountError(
            gettext("A member belongs to an organisation: choose one."), "organisation"
        )
    user = User(
        email=email,
        name=(name or "").strip() or None,
        password_hash=hash_password(password or secrets.token_urlsafe(32)),
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", email, role=role, organisation=organisation_slug)
    session.commit()
    session.refresh(user)
    return user


class TooManyAttempts(AppError):
    """Too many failed sign-ins for this account or client; ``retry_after`` in seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            gettext("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes)
        )
        self.retry_after = retry_after


def _retry_after(session: Session, condition: Any, limit: int) -> int:
    """Seconds until fewer than ``limit`` failures matching ``condition`` are in the window."""
    window = timedelta(minutes=get_settings().login_window_minutes)
    since = utcnow() - window
    times = session.exec(
        select(AuditEvent.at)
        .where(AuditEvent.action == "login.failed", col(AuditEvent.at) > since, condition)
        .order_by(col(AuditEvent.at).desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    oldest = times[-1] if times[-1].tzinfo else times[-1].replace(tzinfo=UTC)
    return max(1, int((oldest + window - utcnow()).total_seconds()))


def sign_in(session: Session, email: str, password: str, client: str | None) -> User | None:
    """Check the credentials, refusing (``TooManyAttempts``) after repeated failures for
    the account or the client address. Unknown and known e-mail addresses are treated
    alike, so the answers say nothing about who has an account."""
    email = email.strip().lower()
    settings = get_settings()
    wait = _retry_after(session, AuditEvent.target == email, settings.login_max_failures)
    if client:
        wait = max(
            wait,
            _retry_after(
                session, AuditEvent.client == client, settings.login_max_failures_per_client
            ),
        )
    if wait:
        raise TooManyAttempts(wait)
    user = authenticate(session, email, password)
    record(session, user, "login" if user else "login.failed", email, client=client)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and user.is_active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PASSWORD_LINK_LIFETIME = timedelta(hours=2)
NEW_ACCOUNT_LINK_LIFETIME = timedelta(days=7)


def issue_password_link(session: Session, user: User, lifetime: timedelta) -> str:
    """A one-time token for ``/password/reset``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            token_hash=_digest(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def _password_token(session: Session, token: str) -> PasswordToken | None:
    row = session.exec(
        select(PasswordToken).where(PasswordToken.token_hash == _digest(token))
    ).first()
    if row is None or row.used_at is not None:
        return None
    expires_at = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row if expires_at > utcnow() else None


def password_link_is_valid(session: Session, token: str) -> bool:
    return bool(token) and _password_token(session, token) is not None


def reset_password(session: Session, token: str, password: str, client: str | None) -> User:
    """Set a new password with a link; the link is used up and every session ends."""
    row = _password_token(session, token)
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None or not user.is_active:
        raise AccountError(gettext("This link has expired or was already used."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            gettext(
                "The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH
            )
        )
    user.password_hash = hash_password(password)
    row.used_at = utcnow()
    session.add_all([user, row])
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    record(session, user, "password.reset", user.email, client=client)
    session.commit()
    return user


def start_session(session: Session, user: User) -> str:
    """Record a new browser session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < utcnow()))
    session.add(
        UserSession(
            token_hash=_digest(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.commit()
    return token


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(UserSession).where(col(UserSession.token_hash) == _digest(token)))
        session.commit()


def user_for_token(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    row = session.exec(
        select(User, UserSession.expires_at)
        .join(UserSession, col(UserSession.user_id) == User.id)
        .where(UserSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at.tzinfo is None:  # SQLite returns naive datetimes
        expires_at = expires_at.replace(tzinfo=UTC)
    return user if user.is_active and expires_at > datetime.now(UTC) else None


def current_user(request: Request, session: SessionDep) -> User | None:
    user = user_for_token(session, request.cookies.get(SESSION_COOKIE))
    request.state.user = user
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]


def require_user(user: CurrentUser) -> User:
    if user is None:
        raise LoginRequired(gettext("Please sign in to continue."))
    return user


SignedIn = Annotated[User, Depends(require_user)]


def is_moderator(user: User | None) -> bool:
    return user is not None and user.role in ("moderator", "admin")


def require_moderator(user: SignedIn) -> User:
    if not is_moderator(user):
        raise Forbidden(gettext("Only moderators can do this."))
    return user


Moderator = Annotated[User, Depends(require_moderator)]


def require_admin(user: SignedIn) -> User:
    if user.role != "admin":
        raise Forbidden(gettext("Only administrators can do this."))
    return user


Admin = Annotated[User, Depends(require_admin)]


def current_viewer(session: SessionDep, user: CurrentUser) -> Viewer:
    return viewer_for(session, user)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


def may_edit_practice(session: Session, user: User | None, practice: Practice) -> bool:
    """Moderators edit any practice; a member edits those its organisation leads or partners."""
    if user is None:
        return False
    if is_moderator(user):
        return True
    if user.organisation_id is None:
        return False
    if practice.lead_organisation_id == user.organisation_id:
        return True
    partner = session.exec(
        select(PracticePartner.id).where(
            PracticePartner.practice_id == practice.id,
            PracticePartner.organisation_id == user.organisation_id,
        )
    ).first()
    return partner is not None
