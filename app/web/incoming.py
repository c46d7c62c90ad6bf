"""Checks on every request before a route reads it: the host it names, and the size of its
body."""

import json
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import HttpMiddleware
from app.config import get_settings
from app.i18n import gettext

# Probes from load balancers and container health checks often name an address, not the
# site; these answers build no links, so any host may ask for them.
HEALTH_PATHS = ("/healthz", "/readyz")


def host_name(header: str) -> str:
    """The name in a Host header, without its port (``[::1]:8000`` is ``::1``)."""
    try:
        return (urlsplit(f"//{header.strip()}").hostname or "").rstrip(".")
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return ""


def host_allowed(name: str, allowed: list[str]) -> bool:
    """Whether ``name`` is one of ``allowed``: exact, ``*.domain`` for its subdomains, or
    ``*`` for any."""
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class AllowedHostsMiddleware:
    """Answers 400 to a request whose Host header is not an allowed host
    (``Settings.trusted_hosts``), as Starlette's ``TrustedHostMiddleware`` does, with a
    message that says which host was refused and what to set. Links built from the request's
    host (when ``INTERLOCAL_PUBLIC_URL`` is unset) can then only point at this site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        name = host_name(header)
        if host_allowed(name.lower(), get_settings().trusted_hosts()):
            await self.app(scope, receive, send)
            return
        detail = gettext(
            "This site does not answer to the host name %(host)s. Its host should add it "
            "to INTERLOCAL_ALLOWED_HOSTS if it is really its own.",
            host=json.dumps(name or header[:100]),
        )
        await _plain_error(send, scope, 400, detail)


async def _plain_error(send: Send, scope: Scope, status: int, detail: str) -> None:
    """A short error answered before any route runs: JSON for the API, text otherwise (no
    page: a page would link to a host we do not trust)."""
    if scope["path"].startswith("/api/"):
        body = json.dumps({"status": status, "detail": detail, "errors": []}).encode()
        kind = b"application/json"
    else:
        body = detail.encode()
        kind = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """A request body over ``INTERLOCAL_MAX_BODY_BYTES``. Raised while the route reads the
    body, so the app's error handler answers it in the usual shape (JSON or a page)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            gettext(
                "The request is too large: at most %(size)s bytes are accepted.",
                size=f"{limit:,}",
            ),
        )


class BodyLimitMiddleware(HttpMiddleware):
    """Refuses request bodies over ``INTERLOCAL_MAX_BODY_BYTES`` (413): at once when the
    declared ``Content-Length`` is over, or as soon as a streamed (chunked) body grows past
    it, so no more of it is read or parsed."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_settings().max_body_bytes
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"0")
        too_large = not declared.isdigit() or int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
