"""Who may show our responses in a frame."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.embed import is_embed


class FramingMiddleware:
    """Who may show our responses in a frame: any site the widget (``/embed/``), only our
    own pages everything else, so that no other site can overlay our forms (clickjacking).

    The policy is added to any ``Content-Security-Policy`` a response already has, unless
    that says ``frame-ancestors`` itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
