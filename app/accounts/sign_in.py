"""Signing in with an e-mail address and a password, throttled after failures."""

from datetime import timedelta
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from app.accounts.audit import seconds_until_below
from app.accounts.passwords import dummy_hash, hasher
from app.config import get_settings
from app.errors import AppError
from app.i18n import gettext
from app.models.accounts import AuditEvent, User


class TooManyAttempts(AppError):
    """Too many failed sign-ins for this account or client; ``retry_after`` in seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            gettext("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes)
        )
        self.retry_after = retry_after


FAILED = "login.failed"


def _retry_after(session: Session, attempt: AuditEvent, condition: Any, limit: int) -> int:
    """Seconds until fewer than ``limit`` failures matching ``condition``, besides
    ``attempt`` itself, are in the window."""
    window = timedelta(minutes=get_settings().login_window_minutes)
    conditions = [AuditEvent.action == FAILED, col(AuditEvent.id) != attempt.id, condition]
    return seconds_until_below(session, conditions, limit, window)


def sign_in(session: Session, email: str, password: str, client: str | None) -> User | None:
    """Check the credentials, refusing (``TooManyAttempts``) after repeated failures for
    the account or the client address. Unknown and known e-mail addresses are treated
    alike, so the answers say nothing about who has an account.

    Each attempt is written down as a failure *before* the failures are counted and the
    password checked (and becomes a sign-in if the password is right), so concurrent
    attempts count each other: the n-th to be written sees at least n - 1 others, and no
    more than the limit can ever be checked, however many arrive at once."""
    email = email.strip().lower()[:320]  # the audit log's width; no address is longer
    settings = get_settings()
    attempt = AuditEvent(action=FAILED, target=email, client=client)
    session.add(attempt)
    session.commit()
    wait = _retry_after(session, attempt, AuditEvent.target == email, settings.login_max_failures)
    if client:
        wait = max(
            wait,
            _retry_after(
                session,
                attempt,
                AuditEvent.client == client,
                settings.login_max_failures_per_client,
            ),
        )
    if wait:
        session.delete(attempt)  # a refused attempt checked nothing and does not count
        session.commit()
        raise TooManyAttempts(wait)
    user = authenticate(session, email, password)
    if user is not None:
        attempt.action, attempt.user_id = "login", user.id
        session.add(attempt)
        session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    try:
        hasher().verify(user.password_hash if user else dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if hasher().check_needs_rehash(user.password_hash):
        # Made with other parameters (an older setting): saved with the caller's commit.
        user.password_hash = hasher().hash(password)
        session.add(user)
    return user
