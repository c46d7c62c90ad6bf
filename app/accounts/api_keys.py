"""API keys for partner organisations: issuing, revoking, and whom a request's key is for.

A key is ``il_`` and 43 random URL-safe characters: enough entropy that a plain SHA-256 of
it can be stored and looked up (a slow password hash would cost every API request tens of
milliseconds and protect nothing more). The secret is shown once, when issued.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints
from sqlmodel import Session, col, func, select

from app.accounts.audit import record
from app.accounts.passwords import hash_password, token_digest
from app.accounts.users import account_organisation
from app.errors import AccountError
from app.i18n import gettext
from app.models.accounts import ApiKey, User
from app.models.base import utcnow
from app.models.places import Organisation
from app.permissions import Viewer, viewer_for
from app.validation import one_line, parse_form

SCOPES = ("read", "write")


TOKEN_PREFIX = "il_"


# A key's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def a_key_name(name: str) -> str:
    if not name or len(name) > 200:
        raise ValueError(gettext("Give the key a name of at most 200 characters."))
    return name


def known_scopes(scopes: list[str]) -> list[str]:
    if not scopes or set(scopes) - set(SCOPES):
        raise ValueError(gettext("Scopes are read, write or both."))
    return scopes


class ApiKeyIn(BaseModel):
    """A key as an administrator's form or ``interlocal create-api-key`` asks for it."""

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True),
        AfterValidator(a_key_name),
        AfterValidator(one_line),
    ]
    scopes: Annotated[list[str], AfterValidator(known_scopes)]


@dataclass(frozen=True)
class ApiClient:
    """Who a request with a valid key comes from, and what it may do."""

    key_id: int
    organisation_id: int
    user: User
    scopes: frozenset[str]
    viewer: Viewer


def create_api_key(
    session: Session,
    organisation_slug: str,
    name: str,
    scopes: list[str],
    *,
    actor: User | None = None,
    client: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key for an organisation, and its secret (shown to the issuer once)."""
    wanted = parse_form(ApiKeyIn, {"name": name, "scopes": scopes}, error=AccountError)
    name, scopes = wanted.name, wanted.scopes
    organisation = account_organisation(session, organisation_slug)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    prefix = token[: len(TOKEN_PREFIX) + 8]
    # The key acts through a user of its own, so that the forms' permission checks,
    # revisions and audit trail apply unchanged. Its address cannot receive mail and its
    # password is thrown away: nobody can sign in as it.
    local = re.sub(r"[^a-z0-9]+", "-", prefix.lower()).strip("-")
    user = User(
        email=f"api-key-{local}-{secrets.token_hex(4)}@{organisation.slug}.invalid",
        name=gettext("API key: %(name)s", name=name)[:200],
        password_hash=hash_password(secrets.token_urlsafe(32)),
        role="member",
        organisation_id=organisation.id,
    )
    session.add(user)
    session.flush()
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=token_digest(token),
        scopes=" ".join(s for s in SCOPES if s in scopes),
        organisation_id=organisation.id,  # type: ignore[arg-type]
        user_id=user.id,  # type: ignore[arg-type]
        created_by_id=actor.id if actor else None,
    )
    session.add(key)
    record(
        session,
        actor,
        "api_key.create",
        f"{organisation.slug}/{prefix}",
        client=client,
        scopes=key.scopes,
    )
    session.commit()
    session.refresh(key)
    return key, token


def revoke_api_key(
    session: Session, key: ApiKey, *, actor: User | None = None, client: str | None = None
) -> ApiKey:
    """Stop ``key`` working, at once and for good."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        user = session.get(User, key.user_id)
        if user is not None:
            user.is_active = False
            session.add(user)
        record(session, actor, "api_key.revoke", key.prefix, client=client)
        session.commit()
        session.refresh(key)
    return key


def client_for_token(session: Session, token: str) -> ApiClient | None:
    """The client a key's secret belongs to; None for an unknown or revoked key."""
    key = session.exec(
        select(ApiKey).where(ApiKey.secret_hash == token_digest(token), ApiKey.revoked_at == None)  # noqa: E711
    ).first()
    if key is None:
        return None
    user = session.get(User, key.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    last = key.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.add(key)
        session.commit()
        session.refresh(user)
    return ApiClient(
        key_id=int(key.id or 0),
        organisation_id=key.organisation_id,
        user=user,
        scopes=frozenset(key.scopes.split()),
        viewer=viewer_for(session, user),
    )


def set_trusted(
    session: Session,
    organisation_slug: str,
    trusted: bool,
    *,
    actor: User | None = None,
    client: str | None = None,
) -> None:
    """Publish an organisation's API writes at once (``trusted``) or send them to review."""
    organisation = account_organisation(session, organisation_slug)
    if organisation.trusted != trusted:
        organisation.trusted = trusted
        session.add(organisation)
        record(
            session, actor, "organisation.trust", organisation.slug, client=client, trusted=trusted
        )
        session.commit()


def list_api_keys(session: Session) -> list[tuple[ApiKey, Organisation]]:
    """Every key issued, with its organisation: the ones in use first, newest first."""
    rows = session.exec(
        select(ApiKey, Organisation)
        .join(Organisation, col(Organisation.id) == ApiKey.organisation_id)
        .order_by(col(ApiKey.revoked_at).is_not(None), col(ApiKey.id).desc())
    ).all()
    return [(key, organisation) for key, organisation in rows]


def trusted_organisations(session: Session) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .where(Organisation.trusted == True)  # noqa: E712
            .order_by(func.lower(Organisation.name))
        ).all()
    )
