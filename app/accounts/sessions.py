"""Browser sessions: a random token in a cookie, only its hash in the database."""

import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select

from app.accounts.passwords import token_digest
from app.models.accounts import User, UserSession
from app.models.base import utcnow

SESSION_COOKIE = "interlocal_session"


SESSION_LIFETIME = timedelta(days=14)


def start_session(session: Session, user: User) -> str:
    """Record a new browser session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < utcnow()))
    session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.commit()
    return token


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(UserSession).where(col(UserSession.token_hash) == token_digest(token)))
        session.commit()


def user_for_token(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    row = session.exec(
        select(User, UserSession.expires_at)
        .join(UserSession, col(UserSession.user_id) == User.id)
        .where(UserSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at.tzinfo is None:  # SQLite returns naive datetimes
        expires_at = expires_at.replace(tzinfo=UTC)
    return user if user.is_active and expires_at > datetime.now(UTC) else None
