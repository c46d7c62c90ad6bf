"""The security headers of every response: who may frame it, what its pages may load
(Content-Security-Policy), and who may keep a copy of it."""

import base64
import hashlib
import re
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from app.accounts.sessions import SESSION_COOKIE
from app.asgi import HttpMiddleware
from app.config import get_settings
from app.web.embed import is_embed
from app.web.static_files import HTMX_FALLBACK

# Read off ``request.state`` (``scope["state"]``): set when a page found a signed-in user
# (``app.web.deps.current_user``) or embedded a CSRF token (``app.web.csrf.csrf_token``).
USER_STATE = "user"
CSRF_STATE = "csrf_used"


class FramingMiddleware(HttpMiddleware):
    """Who may show our responses in a frame: any site the widget (``/embed/``), only our
    own pages everything else, so that no other site can overlay our forms (clickjacking).

    The policy is added to any ``Content-Security-Policy`` a response already has, unless
    that says ``frame-ancestors`` itself.
    """

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        anyone = is_embed(scope["path"])
        ancestors = "frame-ancestors *" if anyone else "frame-ancestors 'self'"

        async def send_with_framing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = headers.get("Content-Security-Policy", "").strip().rstrip(";")
                if "frame-ancestors" not in policy:
                    policy = f"{policy}; {ancestors}" if policy else ancestors
                    headers["Content-Security-Policy"] = policy
                if not anyone:
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await self.app(scope, receive, send_with_framing)


def script_source(url: str) -> str:
    """A CSP source for the script at ``url``: the exact file when it is on another site
    (``'self'`` covers our own), never a whole CDN."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return "'self'"
    # ; and , would end the directive or the policy; spaces would split the source.
    return f"{parts.scheme}://{parts.netloc}{quote(parts.path, safe='/@:+-._~%!$&()*=')}"


def _script_hash(script: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"


def page_policy() -> str:
    """The policy of our pages: scripts from us, the configured htmx (by its address and
    its integrity hash) and the fallback to our copy of it (by its hash), forms that post
    only to us."""
    settings = get_settings()
    scripts = ["'self'", script_source(settings.htmx_url), _script_hash(HTMX_FALLBACK.encode())]
    if re.fullmatch(r"sha(256|384|512)-[A-Za-z0-9+/=]+", settings.htmx_integrity or ""):
        scripts.append(f"'{settings.htmx_integrity}'")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join(dict.fromkeys(scripts))}",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def docs_policy() -> str:
    """The policy of the API reference page: our pages' own, with the inline styles that
    Swagger UI's widgets set."""
    return page_policy().replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


HSTS = "max-age=31536000"


class SecurityHeadersMiddleware(HttpMiddleware):
    """Headers every response gets unless it set its own: ``page_policy`` as its
    Content-Security-Policy (``FramingMiddleware`` then adds ``frame-ancestors``), no MIME
    sniffing, only our origin as referrer elsewhere, HSTS over HTTPS, and no copy kept by
    shared caches of what depends on who asks: ``private, no-store`` for answers to a
    signed-in browser or that carry a CSRF token or set a cookie, ``private`` for answers
    to an API key, and ``Vary: Authorization`` on the whole API."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        request_headers = Headers(scope=scope)
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", page_policy())
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if path.startswith("/api/"):
                    vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
                    if "authorization" not in {v.lower() for v in vary}:
                        headers["Vary"] = ", ".join([*vary, "Authorization"])
                if not path.startswith("/static/") and "cache-control" not in headers:
                    cookie = f"{SESSION_COOKIE}=" in request_headers.get("cookie", "")
                    if (
                        cookie
                        or state.get(USER_STATE) is not None
                        or state.get(CSRF_STATE)
                        or "set-cookie" in headers
                    ):
                        headers["Cache-Control"] = "private, no-store"
                    elif "authorization" in request_headers:
                        headers["Cache-Control"] = "private"
            await send(message)

        await self.app(scope, receive, send_with_headers)
