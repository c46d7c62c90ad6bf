"""The one place rate-limit counts are kept, shared by every limit in the app (API requests,
sign-in failures, password e-mails, account requests).

By default the counts live in each worker's memory. When ``INTERLOCAL_RATE_LIMIT_STORAGE``
names a shared store (a ``limits`` storage URI such as ``redis://redis:6379/0``), they hold
across workers and containers. ``hit`` counts and checks in one step, so concurrent
requests cannot all slip under a limit.
"""

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from app.config import get_settings
from app.errors import ServiceUnavailable
from app.i18n import gettext

logger = logging.getLogger(__name__)
RETRY_WHEN_UNAVAILABLE = 30  # seconds


@lru_cache(maxsize=4)
def _limiter(uri: str) -> SlidingWindowCounterRateLimiter:
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):  # an async storage (async+redis://) cannot serve here
        raise ValueError("an asynchronous storage (async+…) cannot serve here")
    return SlidingWindowCounterRateLimiter(storage)


def limiter() -> SlidingWindowCounterRateLimiter:
    """The limiter over the configured storage."""
    return _limiter(get_settings().rate_limit_storage)


class StorageUnusable(RuntimeError):
    """The configured rate-limit storage cannot be used: the server refuses to start."""


def _without_password(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def check_storage() -> None:
    """Make sure the configured storage can be used, at start-up rather than on the first
    limited request: a storage URI that names no storage, or a Redis that does not answer,
    stops the server with a message that says so."""
    uri = get_settings().rate_limit_storage
    shown = _without_password(uri)
    try:
        storage = limiter().storage
    except Exception as exc:  # limits' ConfigurationError, or our own ValueError
        raise StorageUnusable(
            f"INTERLOCAL_RATE_LIMIT_STORAGE={shown} is not a storage the limits library "
            f"knows ({exc}); use memory:// or redis://host:6379/0"
        ) from exc
    if not storage.check():
        raise StorageUnusable(
            f"INTERLOCAL_RATE_LIMIT_STORAGE={shown} does not answer: is it running, and "
            "reachable from here?"
        )


@lru_cache(maxsize=32)
def items(spec: str) -> tuple[RateLimitItem, ...]:
    """The limits of a spec such as ``"5/hour;20/day"``; none for an empty spec."""
    return tuple(parse_many(spec)) if spec else ()


def hit(spec: str, bucket: str) -> RateLimitItem | None:
    """Count one event in ``bucket`` against every limit of ``spec``; the first limit it
    exceeds, or None when all still hold. A shared storage that stops answering refuses
    the request (503) rather than let it through uncounted."""
    current = limiter()
    for item in items(spec):
        try:
            allowed = current.hit(item, bucket)
        except Exception as exc:  # the Redis client's errors, whichever client it is
            logger.error("the rate-limit storage does not answer: %s", exc)
            raise ServiceUnavailable(
                gettext("This service is briefly unavailable. Try again in a minute."),
                RETRY_WHEN_UNAVAILABLE,
            ) from exc
        if not allowed:
            return item
    return None


@dataclass(frozen=True)
class Quota:
    """Where a bucket stands against the tightest limit of a spec, as the RateLimit
    headers say it."""

    limit: int  # requests the window allows
    remaining: int
    reset: int  # seconds until the window frees requests again


def quota(spec: str, bucket: str) -> Quota | None:
    """The quota left in ``bucket`` under the limit of ``spec`` with the fewest requests
    remaining; None when ``spec`` sets no limit."""
    current, found = limiter(), []
    for item in items(spec):
        try:
            reset, remaining = current.get_window_stats(item, bucket)
        except Exception as exc:  # as in hit(): the storage stopped answering just now
            logger.error("the rate-limit storage does not answer: %s", exc)
            return None  # the answer goes out without the headers rather than fail
        seconds = max(0, math.ceil(reset - time.time()))
        found.append(Quota(item.amount, max(0, remaining), seconds))
    return min(found, key=lambda q: (q.remaining, -q.reset)) if found else None


def seconds_until_reset(item: RateLimitItem, bucket: str) -> int:
    reset, _remaining = limiter().get_window_stats(item, bucket)
    return max(1, math.ceil(reset - time.time()))


def reset() -> None:
    """Forget every count (for tests that change the limits)."""
    limiter().storage.reset()
