"""Signing in with an e-mail address and a password, throttled after failures."""

from datetime import UTC, timedelta
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from app.accounts.audit import record
from app.accounts.passwords import DUMMY_HASH, hasher
from app.config import get_settings
from app.errors import AppError
from app.i18n import gettext
from app.models.accounts import AuditEvent, User
from app.models.base import utcnow


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
        hasher.verify(user.password_hash if user else DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and user.is_active else None
