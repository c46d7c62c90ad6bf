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
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlmodel import Session, col, delete, select

from app.db import SessionDep
from app.errors import AppError
from app.i18n import gettext
from app.models import Organisation, Practice, PracticePartner, User, UserSession, utcnow

ROLES = ("member", "moderator", "admin")
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
    """An account cannot be created as asked; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, email: str, password: str, role: str, organisation_slug: str | None
) -> User:
    email = email.strip().lower()
    if not EMAIL.fullmatch(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(User).where(User.email == email)).first():
        raise AccountError(f"an account for {email} exists already")
    organisation_id = None
    if organisation_slug:
        organisation = session.exec(
            select(Organisation).where(Organisation.slug == organisation_slug)
        ).first()
        if organisation is None:
            raise AccountError(f"no organisation {organisation_slug!r}")
        organisation_id = organisation.id
    elif role == "member":
        raise AccountError("a member belongs to an organisation: give --organisation")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
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
