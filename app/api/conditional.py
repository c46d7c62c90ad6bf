"""Conditional requests: ETags on single resources, ``If-None-Match`` and ``If-Match``.

A resource's ETag changes whenever its representation can: with the catalogue version
(any change public readers can see, ``app/catalogue/tracking.py``) and the language of the answer. A
practice's ETag also names its own version, the number ``If-Match`` is checked against
when it is changed: a write that started from an older version gets 412 and changes
nothing, however much else in the catalogue changed meanwhile.
"""

import hashlib
import re

from fastapi import Request, Response
from sqlmodel import Session

from app.catalogue.tracking import catalogue_version
from app.errors import PreconditionFailed, PreconditionRequired
from app.i18n import get_language, gettext
from app.permissions import PUBLIC, Viewer

# A version as the ETag writes it; longer numbers are no version of ours (and int() of
# thousands of digits is an error), so they match nothing and get 412 like any stale one.
_VERSION = re.compile(r'^"v([0-9]{1,18})\.')
NOT_MODIFIED: dict[int | str, dict[str, str]] = {
    304: {"description": "Not modified since the ETag sent in If-None-Match."}
}


def etag(session: Session, version: int | None = None, viewer: Viewer = PUBLIC) -> str:
    """The ETag of a representation; ``viewer`` for those that show members-only
    practices to members (a key's answer must not validate the public's copy)."""
    own = f"v{version}." if version is not None else ""
    whose = "" if viewer == PUBLIC else "." + hashlib.sha256(repr(viewer).encode()).hexdigest()[:12]
    return f'"{own}c{catalogue_version(session)}.{get_language()}{whose}"'


def not_modified(request: Request, response: Response, tag: str) -> Response | None:
    """Set ``tag`` on the answer; a bare 304 if the client already has it."""
    response.headers["ETag"] = tag
    response.headers["Vary"] = "Accept-Language, Authorization"
    wanted = request.headers.get("if-none-match", "")
    candidates = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if tag in candidates:
        return Response(status_code=304, headers=dict(response.headers))
    return None


def expected_version(request: Request, current: int) -> int:
    """The version ``If-Match`` says the client read; 428 without it, 412 if it is not
    ``current``."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired(gettext("Send If-Match with the ETag of the version you read."))
    if header.strip() == "*":
        return current
    versions = {int(m.group(1)) for t in header.split(",") if (m := _VERSION.match(t.strip()))}
    if current not in versions:
        raise PreconditionFailed(
            gettext(
                "This practice changed since the version you read (it is now at version "
                "%(version)s). Nothing was changed: read it again, then retry.",
                version=current,
            )
        )
    return current


def require_match(request: Request, current: str) -> None:
    """Check ``If-Match`` against a resource's exact ETag ``current``: 428 without it, 412
    if the resource changed since (for resources without a version number)."""
    header = request.headers.get("if-match")
    if header is None:
        raise PreconditionRequired(gettext("Send If-Match with the ETag of the version you read."))
    sent = {t.strip().removeprefix("W/") for t in header.split(",")}
    if "*" not in sent and current not in sent:
        raise PreconditionFailed(
            gettext(
                "This changed since you read it. Nothing was changed: read it again, then retry."
            )
        )
