"""HEAD answered on every route that answers GET, as RFC 9110 asks: the same status and
headers as GET, without the body.

FastAPI's routes answer only the methods they declare (405 for HEAD), and declaring HEAD
on each would put HEAD operations into the API document. So the request is run as a GET
and its body dropped here, outside the compression, so that even ``Content-Length`` and
``Content-Encoding`` are GET's.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server reads the method off its own scope to know that no body
        # follows (uvicorn checks for HEAD when the response starts).
        as_get = {**scope, "method": "GET"}
        ended = False

        async def send_without_body(message: Message) -> None:
            nonlocal ended
            kind = message["type"]
            if kind in ("http.response.body", "http.response.pathsend"):
                # The client has all it asked for at the first part of the body. The rest
                # of a streamed answer (an export) is still produced, and dropped: rare
                # enough not to need a way to stop the route.
                if not ended:
                    ended = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        try:
            await self.app(as_get, receive, send_without_body)
        finally:
            # Keep what routing recorded (the route that answered) for the access log and
            # the metrics, which are written from the server's scope.
            scope.update({key: value for key, value in as_get.items() if key != "method"})
