"""What API routes depend on: the database session, who is calling (nobody in particular,
or a partner with a key and its scopes), rate limits and the write scope."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.accounts.api_keys import ApiClient, client_for_token
from app.api.rate_limits import limit_client, limit_key
from app.db import get_session
from app.errors import Forbidden, Unauthorized
from app.i18n import gettext
from app.permissions import PUBLIC, Viewer

SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key issued to your organisation by an Interlocal administrator, "
    "sent as `Authorization: Bearer il_…`. Reading needs no key; a key shows your "
    "networks' members-only practices too. Writing needs a key with the `write` scope.",
)


# The dependencies below are async because most do no I/O: FastAPI runs a plain function
# in the thread pool, and each hand-off costs more than the work (a key's lookup still
# goes there).


async def api_client(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiClient | None:
    if credentials is None:
        if "authorization" in request.headers:
            raise Unauthorized(gettext("Send the key as: Authorization: Bearer <key>."))
        return None
    client = await run_in_threadpool(client_for_token, session, credentials.credentials)
    if client is None:
        limit_client(request)  # guessing keys counts like anonymous traffic
        raise Unauthorized(gettext("This API key is not valid, or it was revoked."))
    return client


OptionalClient = Annotated[ApiClient | None, Depends(api_client)]


async def rate_limited(request: Request, client: OptionalClient) -> None:
    """Count the request against its key's limit, or its address's without one."""
    if client is not None:
        limit_key(request, client.key_id)
    else:
        limit_client(request)


async def api_viewer(client: OptionalClient) -> Viewer:
    return client.viewer if client else PUBLIC


ApiViewer = Annotated[Viewer, Depends(api_viewer)]


async def require_writer(client: OptionalClient) -> ApiClient:
    if client is None:
        raise Unauthorized(gettext("Writing needs an API key with the write scope."))
    if "write" not in client.scopes:
        raise Forbidden(gettext("This API key may only read; writing needs the write scope."))
    return client


Writer = Annotated[ApiClient, Depends(require_writer)]
