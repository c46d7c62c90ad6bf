"""Cross-site request forgery protection for the HTML forms (double-submit cookie).

Every form carries a random token that must equal the one in the ``interlocal_csrf``
cookie. Another site can make a browser post a form, but it can read neither the cookie
nor the page, so it cannot send the matching token. The cookie is also ``SameSite=Lax``.
"""

import secrets

from fastapi import Request
from fastapi.responses import Response

from app.config import get_settings
from app.errors import Forbidden
from app.i18n import gettext

COOKIE = "interlocal_csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The token to embed in a form; a new one is set as a cookie by ``set_cookie``. The
    page then must not be kept by shared caches (``app.web.framing``), which would hand
    one reader's token to another."""
    request.state.csrf_used = True
    token = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_token", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_token = token
    return str(token)


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the Secure flag: as configured, else when served over HTTPS."""
    configured = get_settings().secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def set_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf_token", None)
    if token:
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request)
        )


def rotate(request: Request, response: Response) -> None:
    """A new token at sign-in and sign-out, so a token someone learnt before (a shared
    computer, a planted cookie) is worth nothing to the next session."""
    request.state.new_csrf_token = secrets.token_urlsafe(32)
    set_cookie(request, response)


async def verify_csrf(request: Request) -> None:
    """A dependency of every HTML form handler that changes something."""
    form = await request.form()
    submitted = form.get(FIELD)
    expected = request.cookies.get(COOKIE)
    # Compared as bytes: compare_digest refuses str with other than ASCII (a 500).
    if not (
        isinstance(submitted, str)
        and expected
        and secrets.compare_digest(submitted.encode(), expected.encode())
    ):
        raise Forbidden(
            gettext(
                "This form has expired or came from another site. Reload the page and try again."
            )
        )
