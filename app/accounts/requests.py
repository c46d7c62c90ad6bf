"""Asking for an account for one's authority.

Anyone may ask (``submit_request``): a name, a job, a work e-mail address, the authority's
place from the gazetteer, and an organisation of the catalogue or a new one. Input that does
not validate writes nothing. The answer is the same whether or not the address already has
an account or a request waiting; the e-mail sent to the address says which. Submissions are
counted per client address in the audit trail, and refused beyond the setting
``account_request_rate_limit``. Moderators decide in ``app.accounts.request_decisions``.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated

from limits import parse_many
from pydantic import AfterValidator, BaseModel
from sqlmodel import Session, col, func, select

from app.accounts.audit import record, seconds_until_below
from app.accounts.users import an_email_address
from app.config import get_settings
from app.errors import AccountError, InvalidInput, TooManyRequests
from app.i18n import get_language, gettext
from app.mail import send
from app.models.accounts import AccountRequest, AuditEvent, User
from app.models.places import Organisation
from app.places.gazetteer.picker import Picked
from app.validation import Filled, RequiredText, Stripped, Text, limit, parse_form
from app.vocabularies.queries import scheme_terms

# What a submission records in the audit trail; the rate limit counts these.
SUBMITTED = ("account-request.create", "account-request.repeat", "account-request.has-account")


class RequestIn(BaseModel):
    """The request form as sent. ``organisation`` is the slug of an organisation of the
    catalogue; empty, the request is for a new one, ``organisation_name``."""

    name: Annotated[RequiredText, limit(200)]
    job_title: Annotated[RequiredText, limit(200)]
    email: Annotated[Filled, AfterValidator(an_email_address), limit(320)]
    organisation: Stripped = ""
    organisation_name: Annotated[Text, limit(300)] = None
    organisation_type: Stripped = ""
    message: Annotated[Text, limit(2000)] = None


def _retry_after(session: Session, client: str | None) -> int:
    """Seconds until ``client`` may submit again (0: now), as ``account_request_rate_limit``
    allows: counted from the submissions the audit trail holds, so in every worker alike."""
    spec = get_settings().account_request_rate_limit
    if not client or not spec:
        return 0
    conditions = [col(AuditEvent.action).in_(SUBMITTED), col(AuditEvent.client) == client]
    return max(
        seconds_until_below(session, conditions, item.amount, timedelta(seconds=item.get_expiry()))
        for item in parse_many(spec)
    )


def _organisation_errors(
    session: Session, slug: str, name: str | None, kind: str
) -> tuple[dict[str, str], int | None]:
    """Problems with the organisation fields (the ``slug`` of one from the list, or the
    ``name`` and ``kind`` of a new one), and the id of the one chosen from the list."""
    if slug:
        chosen = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
        if chosen is None:
            return {"organisation": gettext("Choose one of the listed values.")}, None
        if name:
            message = gettext(
                "Leave this empty when you choose your organisation from the list above."
            )
            return {"organisation_name": message}, chosen.id
        return {}, chosen.id
    errors = {}
    if not name:
        errors["organisation_name"] = gettext(
            "Give the name of your organisation, or choose it from the list above."
        )
    elif session.exec(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    ).first():
        errors["organisation_name"] = gettext(
            "%(name)s is already in Interlocal: choose it from the list above.", name=name
        )
    if kind not in scheme_terms(session, "organisation-type"):
        errors["organisation_type"] = gettext("Choose one of the listed values.")
    return errors, None


def _checked(session: Session, data: Mapping[str, str], place: Picked) -> tuple[RequestIn, int]:
    """The form validated, and the id of the organisation chosen from the list (0 for a new
    one); ``AccountError`` with every field's problem at once."""
    errors: dict[str, str] = {}
    form: RequestIn | None = None
    try:
        form = parse_form(RequestIn, data, error=AccountError)
    except InvalidInput as exc:
        errors = dict(exc.fields)
    organisation_errors, organisation_id = _organisation_errors(
        session,
        form.organisation if form else str(data.get("organisation") or "").strip(),
        form.organisation_name if form else str(data.get("organisation_name") or "").strip(),
        form.organisation_type if form else str(data.get("organisation_type") or ""),
    )
    errors.update((k, v) for k, v in organisation_errors.items() if k not in errors)
    if place.place is None:
        errors["place"] = place.error or gettext("This field is required.")
    if errors or form is None:
        raise AccountError(errors)
    return form, organisation_id or 0


def submit_request(
    session: Session, data: Mapping[str, str], place: Picked, *, client: str | None, site: str
) -> None:
    """Take a request for an account. Raises ``AccountError`` (per field) for input that
    does not validate and ``TooManyRequests`` beyond the client's allowance, writing
    nothing; otherwise stores it (unless the address has an account or a request waiting)
    and writes to the address."""
    wait = _retry_after(session, client)
    if wait:
        minutes = max(1, -(-wait // 60))
        message = gettext(
            "Too many requests from your address. Try again in %(minutes)s minutes.",
            minutes=minutes,
        )
        raise TooManyRequests(message, wait)
    form, organisation_id = _checked(session, data, place)
    assert place.place is not None
    language = get_language()
    if session.exec(select(User.id).where(User.email == form.email)).first():
        record(session, None, "account-request.has-account", form.email, client=client)
        session.commit()
        _mail_has_account(form.email, site, language)
        return
    waiting = session.exec(
        select(AccountRequest).where(
            AccountRequest.email == form.email, AccountRequest.status == "pending"
        )
    ).first()
    if waiting is not None:
        record(session, None, "account-request.repeat", form.email, client=client)
        session.commit()
        _mail_waiting(form.email)
        return
    request = AccountRequest(
        name=form.name,
        job_title=form.job_title,
        email=form.email,
        place_id=place.place.id,  # type: ignore[arg-type]
        organisation_id=organisation_id or None,
        organisation_name=None if organisation_id else form.organisation_name,
        organisation_type=None if organisation_id else form.organisation_type,
        message=form.message,
    )
    session.add(request)
    session.flush()
    record(
        session,
        None,
        "account-request.create",
        form.email,
        client=client,
        request=request.id,
        language=language,
    )
    session.commit()
    _mail_received(form.email, form.name)


# --- E-mails to the requester, in the language of the request ----------------------


def _mail_received(email: str, name: str) -> None:
    send(
        email,
        gettext("We have your request for an Interlocal account"),
        gettext(
            "Hello %(name)s,\n\nThank you for asking for an Interlocal account. A moderator "
            "will read your request and write to you at this address once they have "
            "decided.\n\nIf you did not ask for an account, you can ignore this message.",
            name=name,
        ),
    )


def _mail_waiting(email: str) -> None:
    send(
        email,
        gettext("Your request for an Interlocal account is waiting"),
        gettext(
            "Someone asked for an Interlocal account for this address. A request from it is "
            "already waiting for a moderator, so nothing was added; we will write to you "
            "once a moderator has decided.\n\nIf it was not you, you can ignore this message."
        ),
    )


def _mail_has_account(email: str, site: str, language: str) -> None:
    send(
        email,
        gettext("You already have an Interlocal account"),
        gettext(
            "Someone asked for an Interlocal account for this address, but it has one "
            "already. Sign in at %(login)s\n\nIf you have forgotten your password, choose "
            "a new one at %(forgot)s\n\nIf it was not you, you can ignore this message.",
            login=f"{site}/login?lang={language}",
            forgot=f"{site}/password/forgot?lang={language}",
        ),
    )
