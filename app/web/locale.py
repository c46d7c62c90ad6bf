"""The middleware that gives each page and API request its language (``app.i18n`` says
how it is chosen) and remembers a page reader's choice in a cookie."""

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import LANGUAGES, choose_language, speaking

COOKIE = "interlocal_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


class LocaleMiddleware:
    """Sets the request's language, says which in ``Content-Language``, remembers a choice.

    A page opened with a valid ``?lang=`` stores it in a cookie, so the next visit without
    the parameter keeps the language. The API never sets cookies: its clients say what
    they want on each request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query_lang = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")
        cookies = SimpleCookie(headers.get("cookie", ""))
        cookie_lang = cookies[COOKIE].value if COOKIE in cookies else None
        language = choose_language(query_lang, cookie_lang, headers.get("accept-language"))
        remember = (
            query_lang in LANGUAGES
            and query_lang != cookie_lang
            and not scope["path"].startswith("/api/")
        )

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers["Content-Language"] = language
                response_headers.add_vary_header("Accept-Language")
                response_headers.add_vary_header("Cookie")
                if remember:
                    response_headers.append(
                        "Set-Cookie",
                        f"{COOKIE}={language}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax",
                    )
            await send(message)

        with speaking(language):
            await self.app(scope, receive, send_with_language)
