"""What one HTTP connection to ``interlocal serve`` may hold open.

uvicorn times out only idle keep-alive connections; a client that sends its request line and
headers a byte at a time ("slowloris") could hold a connection, and memory, for ever. Here a
request's head must arrive within ``INTERLOCAL_HEADER_TIMEOUT_SECONDS`` of the connection
opening (or of the request starting, on a kept-alive connection) and stay under
``MAX_HEAD_BYTES``; bodies are limited by ``app.web.incoming.BodyLimitMiddleware``.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import get_settings

MAX_HEAD_BYTES = 64 * 1024


class HeadTooLarge(Exception):
    """Raised from a parser callback: uvicorn answers 400 and closes the connection."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol with a deadline and a size limit on each request head."""

    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._stop_head()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head()
        super().connection_lost(exc)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            raise HeadTooLarge

    def _start_head(self) -> None:
        self._head_bytes = 0
        if self._head_timer is None:
            timeout = get_settings().header_timeout_seconds
            self._head_timer = self.loop.call_later(timeout, self._head_too_slow)

    def _stop_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def connection_options() -> dict[str, Any]:
    """uvicorn's options for connections: the guarded protocol, and idle keep-alive
    connections closed after 5 seconds."""
    return {"http": GuardedHttpToolsProtocol, "timeout_keep_alive": 5}
