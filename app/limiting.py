"""The one place rate-limit counts are kept, shared by every limit in the app (API requests,
sign-in failures, password e-mails, account requests).

By default the counts live in each worker's memory. When ``INTERLOCAL_RATE_LIMIT_STORAGE``
names a shared store (a ``limits`` storage URI such as ``redis://redis:6379/0``), they hold
across workers and containers. ``hit`` counts and checks in one step, so concurrent
requests cannot all slip under a limit.
"""

import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from app.config import get_settings


@lru_cache(maxsize=4)
def _limiter(uri: str) -> SlidingWindowCounterRateLimiter:
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):  # an async storage (async+redis://) cannot serve here
        raise ValueError(f"INTERLOCAL_RATE_LIMIT_STORAGE needs a synchronous storage: {uri}")
    return SlidingWindowCounterRateLimiter(storage)


def limiter() -> SlidingWindowCounterRateLimiter:
    """The limiter over the configured storage."""
    return _limiter(get_settings().rate_limit_storage)


@lru_cache(maxsize=32)
def items(spec: str) -> tuple[RateLimitItem, ...]:
    """The limits of a spec such as ``"5/hour;20/day"``; none for an empty spec."""
    return tuple(parse_many(spec)) if spec else ()


def hit(spec: str, bucket: str) -> RateLimitItem | None:
    """Count one event in ``bucket`` against every limit of ``spec``; the first limit it
    exceeds, or None when all still hold."""
    current = limiter()
    for item in items(spec):
        if not current.hit(item, bucket):
            return item
    return None


def seconds_until_reset(item: RateLimitItem, bucket: str) -> int:
    reset, _remaining = limiter().get_window_stats(item, bucket)
    return max(1, math.ceil(reset - time.time()))


def reset() -> None:
    """Forget every count (for tests that change the limits)."""
    limiter().storage.reset()
