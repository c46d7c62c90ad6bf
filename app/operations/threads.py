"""How many requests a worker handles at once in its thread pool, where FastAPI runs plain
route functions.

Python runs one thread at a time, so where a request's work is all in the worker (SQLite)
more threads only contend for its lock: a worker handles one request at a time there, and
two on PostgreSQL, where a thread waiting on the database leaves room for another
(``INTERLOCAL_THREADS``; anyio's default of forty suits waiting on the network). Its event
loop reads and answers other connections meanwhile.

A write waits on the disk, or on another writer's lock: each one in flight lends the
worker one more thread, so that readers are not held up behind it.
"""

from anyio import to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def handler_threads(settings: Settings) -> int:
    if settings.threads is not None:
        return settings.threads
    # Measured with PostgreSQL on the same two cores, one thread and two answered alike
    # and four fewer; the second covers a database further away.
    return 1 if settings.database_url.startswith("sqlite") else 2


def use_handler_threads(settings: Settings) -> None:
    """Size this worker's thread pool (in its event loop, at start-up)."""
    to_thread.current_default_thread_limiter().total_tokens = handler_threads(settings)


class WritesLendAThread:
    """Raises the thread pool's size by one for each write in flight."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limiter = to_thread.current_default_thread_limiter()
        limiter.total_tokens += 1
        try:
            await self.app(scope, receive, send)
        finally:
            limiter.total_tokens -= 1
