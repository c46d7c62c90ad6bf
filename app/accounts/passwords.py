"""Password hashing and the one-time links that set a password."""

import hashlib
import secrets
from datetime import UTC, timedelta
from functools import cache
from typing import Annotated

from argon2 import PasswordHasher, profiles
from pydantic import AfterValidator, BaseModel
from sqlmodel import Session, col, delete, select, update

from app import limiting
from app.accounts.audit import record
from app.config import get_settings
from app.errors import AccountError, TooManyRequests
from app.i18n import gettext
from app.models.accounts import PasswordToken, User, UserSession
from app.models.base import utcnow
from app.validation import parse_form

MIN_PASSWORD_LENGTH = 10


_PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}


@cache
def _hasher(profile: str) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher.from_parameters(_PROFILES[profile])
    # Verified against when the e-mail is unknown, so both failures take the same time.
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def hasher() -> PasswordHasher:
    """The hasher of the ``password_hashing`` setting."""
    return _hasher(get_settings().password_hashing)[0]


def dummy_hash() -> str:
    """A hash nobody knows the password of, made as ``hasher()`` makes them."""
    return _hasher(get_settings().password_hashing)[1]


def long_enough(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            gettext(
                "The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH
            )
        )
    return password


class NewPassword(BaseModel):
    """A password being set."""

    password: Annotated[str, AfterValidator(long_enough)]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PASSWORD_LINK_LIFETIME = timedelta(hours=2)


NEW_ACCOUNT_LINK_LIFETIME = timedelta(days=7)


def issue_password_link(session: Session, user: User, lifetime: timedelta) -> str:
    """A one-time token for ``/password/reset``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordToken(
            token_hash=token_digest(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=utcnow() + lifetime,
        )
    )
    return token


def _password_token(session: Session, token: str) -> PasswordToken | None:
    row = session.exec(
        select(PasswordToken).where(PasswordToken.token_hash == token_digest(token))
    ).first()
    if row is None or row.used_at is not None:
        return None
    expires_at = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row if expires_at > utcnow() else None


def request_password_link(session: Session, email: str, client: str | None) -> str | None:
    """Someone asks for a link to set the password of ``email``: a new token if it is an
    active account's address and that address had fewer links than
    ``INTERLOCAL_PASSWORD_RESET_RATE_LIMIT`` allows, else None. Every address is counted
    and recorded alike, so nothing the caller shows tells who has an account. Raises
    ``TooManyRequests`` when the client asked too often (for any addresses)."""
    settings = get_settings()
    if client and (
        item := limiting.hit(
            settings.password_reset_rate_limit_per_client, f"password-link/client/{client}"
        )
    ):
        wait = limiting.seconds_until_reset(item, f"password-link/client/{client}")
        raise TooManyRequests(
            gettext(
                "Too many requests from your address. Try again in %(minutes)s minutes.",
                minutes=max(1, -(-wait // 60)),
            ),
            wait,
        )
    within = limiting.hit(settings.password_reset_rate_limit, f"password-link/{email}") is None
    user = session.exec(select(User).where(User.email == email)).first()
    record(
        session,
        user,
        "password.link-requested",
        email[:320],
        client=client,
        **({} if within else {"limited": True}),
    )
    token = None
    if within and user is not None and user.is_active:
        token = issue_password_link(session, user, PASSWORD_LINK_LIFETIME)
    session.commit()
    return token


def password_link_is_valid(session: Session, token: str) -> bool:
    return bool(token) and _password_token(session, token) is not None


def reset_password(session: Session, token: str, password: str, client: str | None) -> User:
    """Set a new password with a link; that link and every other link of the account are
    used up, and every session ends."""
    row = _password_token(session, token)
    user = session.get(User, row.user_id) if row else None
    expired = AccountError.on("password", gettext("This link has expired or was already used."))
    if row is None or user is None or not user.is_active:
        raise expired
    password = parse_form(NewPassword, {"password": password}, error=AccountError).password
    now = utcnow()
    # Claimed with a conditional update, so two requests with one link cannot both win.
    claimed = session.exec(
        update(PasswordToken)
        .where(col(PasswordToken.id) == row.id, col(PasswordToken.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise expired
    session.exec(
        update(PasswordToken)
        .where(col(PasswordToken.user_id) == user.id, col(PasswordToken.used_at).is_(None))
        .values(used_at=now)
    )
    user.password_hash = hash_password(password)
    session.add(user)
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    record(session, user, "password.reset", user.email, client=client)
    session.commit()
    return user
