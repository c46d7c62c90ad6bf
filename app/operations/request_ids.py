"""Each request's id, and what is recorded of each request: its access-log line and its
metrics.

The id comes from the proxy's ``X-Request-ID`` when that is well formed, so one id follows
a request through the proxy's log and ours; otherwise it is new. It goes back to the client
as ``X-Request-ID`` and into every log record written while the request is served (see
``app.operations.logs``).
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from app.asgi import HttpMiddleware
from app.operations import metrics

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}")

current_request_id: ContextVar[str | None] = ContextVar("interlocal_request_id", default=None)

access_log = logging.getLogger("interlocal.access")


def request_id_from(value: str | None) -> str:
    """The proxy's id if it is one we can log and send back safely, else a new one."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The route that answered (``/api/v1/practices/{slug}``), never the raw path, so that
    metrics keep one series per route however many addresses are asked for."""
    # FastAPI includes routers lazily: the route's own path lacks the router's prefix,
    # which the "effective route" it records beside it has.
    effective = scope.get("fastapi", {}).get("effective_route_context")
    for path in (getattr(effective, "path", None), getattr(scope.get("route"), "path", None)):
        if isinstance(path, str) and path:
            return path
    if scope.get("root_path"):  # a mounted app: the static files
        return f"{scope['root_path']}/{{path}}"
    return "unmatched"


class RequestContextMiddleware(HttpMiddleware):
    """Gives each HTTP request its id, sends it back, and records the request once it is
    answered: one access-log line and the request metrics (by route template)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_from(Headers(scope=scope).get(HEADER))
        # Left set when the request ends: each request runs in a task of its own, so the
        # server's own records of this request (an error it logs) carry the id too.
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started, request_id)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float, request_id: str) -> None:
        method, route = scope["method"], route_template(scope)
        metrics.REQUESTS.labels(method, route, str(status)).inc()
        metrics.LATENCY.labels(method, route).observe(seconds)
        client = scope.get("client")
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "client": client[0] if client else None,
        }
        access_log.info(
            "%s %s %s %s ms",
            method,
            scope["path"],
            status,
            fields["duration_ms"],
            extra={"request_id": request_id, "fields": fields},
        )
