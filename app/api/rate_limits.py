"""Rate limits on the API: per API key, and per client address for requests without one.

Counted in each worker's memory with a sliding window (the ``limits`` library), so with N
workers a client can send up to N times the limit; that keeps the check free of I/O.
Refused requests get 429 with ``Retry-After``. A request with a key that is not valid
counts against its address, so guessing keys is slowed like any anonymous traffic.
"""

import math
import time
from functools import lru_cache

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from app.config import get_settings
from app.errors import TooManyRequests
from app.i18n import gettext
from app.requests import client_address

_limiter = SlidingWindowCounterRateLimiter(MemoryStorage())


@lru_cache(maxsize=16)
def _items(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec)) if spec else ()


def _hit(spec: str, bucket: str) -> None:
    for item in _items(spec):
        if not _limiter.hit(item, bucket):
            reset, _remaining = _limiter.get_window_stats(item, bucket)
            retry_after = max(1, math.ceil(reset - time.time()))
            raise TooManyRequests(
                gettext(
                    "Too many requests: the limit is %(limit)s. Try again in %(seconds)s s.",
                    limit=str(item),
                    seconds=retry_after,
                ),
                retry_after,
            )


def limit_key(key_id: int) -> None:
    _hit(get_settings().rate_limit_key, f"key:{key_id}")


def limit_client(request: Request) -> None:
    _hit(get_settings().rate_limit_anonymous, f"client:{client_address(request)}")


def reset() -> None:
    """Forget every count (for tests that change the limits)."""
    _limiter.storage.reset()
