"""Creating accounts: an e-mail address, a role and, for members, an organisation.

Roles (from DESIGN.md): a ``member`` edits its own organisation's practices, a
``moderator`` curates everything including vocabularies and their translations, an
``admin`` also manages accounts. What each role may do is decided in ``app.permissions``;
passwords are hashed in ``app.accounts.passwords``.
"""

import re
import secrets

from sqlmodel import Session, select

from app.accounts.audit import record
from app.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from app.errors import AccountError
from app.i18n import N_, gettext
from app.models.accounts import User
from app.models.places import Organisation

ROLES = (N_("member"), N_("moderator"), N_("admin"))


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
