"""Creating accounts: an e-mail address, a role and, for members, an organisation.

Roles (from DESIGN.md): a ``member`` edits its own organisation's practices, a
``moderator`` curates everything including vocabularies and their translations, an
``admin`` also manages accounts. What each role may do is decided in ``app.permissions``;
passwords are hashed in ``app.accounts.passwords``.
"""

import re
import secrets
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints
from sqlmodel import Session, select

from app.accounts.audit import record
from app.accounts.passwords import hash_password, long_enough
from app.errors import AccountError
from app.i18n import N_, gettext
from app.models.accounts import User
from app.models.places import Organisation
from app.validation import one_line, parse_form

ROLES = (N_("member"), N_("moderator"), N_("admin"))


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def an_email_address(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL.fullmatch(value):
        raise ValueError(gettext("%(email)r is not an e-mail address", email=value))
    return value


def a_role(value: str) -> str:
    if value not in ROLES:
        raise ValueError(gettext("role must be one of %(roles)s", roles=", ".join(ROLES)))
    return value


class AccountIn(BaseModel):
    """An account as an administrator's form or ``interlocal create-user`` gives it."""

    email: Annotated[str, AfterValidator(an_email_address)]
    role: Annotated[str, AfterValidator(a_role)] = "member"
    # None: the account cannot sign in until its owner uses a password link.
    password: Annotated[str, AfterValidator(long_enough)] | None = None
    organisation: str | None = None
    name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(one_line)
        ]
        | None
    ) = None


def account_organisation(session: Session, slug: str) -> Organisation:
    """The organisation an account or API key is for; ``AccountError`` if there is none."""
    if not slug:
        raise AccountError.on("organisation", gettext("Choose an organisation."))
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise AccountError.on("organisation", gettext("No organisation %(slug)r.", slug=slug))
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
    account = parse_form(
        AccountIn,
        {
            "email": email,
            "role": role,
            "password": password,
            "organisation": organisation_slug or None,
            "name": (name or "")[:200],
        },
        error=AccountError,
    )
    email = account.email
    if session.exec(select(User).where(User.email == email)).first():
        raise AccountError.on(
            "email", gettext("An account for %(email)s exists already.", email=email)
        )
    organisation_id = None
    if account.organisation:
        organisation_id = account_organisation(session, account.organisation).id
    elif role == "member":
        raise AccountError.on(
            "organisation", gettext("A member belongs to an organisation: choose one.")
        )
    user = User(
        email=email,
        name=account.name or None,
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
