"""The error handler of last resort: any exception a route lets through is logged with its
traceback and the request id, and the client gets the usual error (the API's JSON shape,
or the site's error page) naming the request id and nothing of the exception.

A pure ASGI middleware, installed inside the others so that its answer still gets the
reader's language and the security headers. Starlette's own last resort would answer
outside every middleware and then raise again, which makes uvicorn close the connection
and log the traceback a second time, without the id.
"""

import logging
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import gettext
from app.operations.request_ids import current_request_id

logger = logging.getLogger("interlocal.errors")

# How the app answers an error: (request, status, detail) -> the JSON error or the page.
Respond = Callable[[Request, int, str], Response]


def unexpected_error_detail() -> str:
    request_id = current_request_id.get()
    if request_id is None:
        return gettext("Something went wrong on our side. Please try again later.")
    return gettext(
        "Something went wrong on our side. Please try again later; if it goes on, tell the "
        "site's hosts this reference: %(request_id)s.",
        request_id=request_id,
    )


class LastResortMiddleware:
    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except HTTPException as exc:  # an expected refusal that missed the app's handlers
            if started:
                raise
            await self._answer(scope, receive, send, exc.status_code, str(exc.detail))
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise  # half a response is out: the server must close the connection
            await self._answer(scope, receive, send, 500, unexpected_error_detail())

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, status: int, detail: str
    ) -> None:
        request = Request(scope, receive)
        try:
            response = self.respond(request, status, detail)
        except Exception:  # the error page itself failed (say, the database is down)
            logger.exception("the error page failed too")
            response = PlainTextResponse(detail, status_code=status)
        await response(scope, receive, send)
