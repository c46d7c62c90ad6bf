"""``Idempotency-Key``: a retried write happens once.

The first request with a key reserves it (a unique row), does the write, then stores the
answer on the row; the same request again gets the stored answer back
(``Idempotent-Replayed: true``). A failed write frees the key, so the client can correct
the request and send it again with the same key. Keys belong to one API key each.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.api_keys import ApiClient
from app.errors import Conflict, InvalidParameter
from app.i18n import gettext
from app.models.accounts import IdempotentRequest

PARAM = "Idempotency-Key"
IN_PROGRESS = 0  # status of a reserved key whose write has not finished


class RequestInProgress(Conflict):
    """A request with the same Idempotency-Key has not finished yet."""


def fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _reserve(session: Session, client: ApiClient, key: str, digest: str) -> JSONResponse | None:
    """The stored answer for a repeated request; None once the key is reserved for this
    one."""
    if not key or len(key) > 200:
        raise InvalidParameter(PARAM, gettext("Send a key of 1 to 200 characters."))
    found = _entry(session, client, key)
    if found is None:
        session.add(
            IdempotentRequest(
                api_key_id=client.key_id, key=key, request_hash=digest, status_code=IN_PROGRESS
            )
        )
        try:
            session.commit()
            return None
        except IntegrityError:  # the same key, sent twice at once
            session.rollback()
            raise RequestInProgress(
                gettext("A request with this Idempotency-Key is still being processed.")
            ) from None
    if found.request_hash != digest:
        raise InvalidParameter(
            PARAM, gettext("This key was used for a different request; use a new key.")
        )
    if found.status_code == IN_PROGRESS:
        raise RequestInProgress(
            gettext("A request with this Idempotency-Key is still being processed.")
        )
    headers = {**found.headers, "Idempotent-Replayed": "true"}
    return JSONResponse(found.response, status_code=found.status_code, headers=headers)


def _entry(session: Session, client: ApiClient, key: str) -> IdempotentRequest | None:
    return session.exec(
        select(IdempotentRequest).where(
            IdempotentRequest.api_key_id == client.key_id, IdempotentRequest.key == key
        )
    ).first()


def once(
    session: Session,
    client: ApiClient,
    key: str | None,
    digest: str,
    write: Callable[[], tuple[int, BaseModel, dict[str, str]]],
) -> JSONResponse:
    """Run ``write`` (returning status, body and headers) once per ``key``."""
    if key is not None:
        replay = _reserve(session, client, key, digest)
        if replay is not None:
            return replay
    try:
        status, body, headers = write()
    except Exception:
        session.rollback()
        entry = _entry(session, client, key) if key is not None else None
        if entry is not None:
            session.delete(entry)
            session.commit()
        raise
    content = body.model_dump(mode="json")
    if key is not None:
        entry = _entry(session, client, key)
        if entry is not None:
            entry.status_code, entry.response, entry.headers = status, content, headers
            session.add(entry)
            session.commit()
    return JSONResponse(content, status_code=status, headers=headers)
