"""Rate limits on the API: per API key, and per client address for requests without one.

Counted with a sliding window (the ``limits`` library) in the storage ``app.limiting``
chooses: each worker's memory by default (N workers let a client send up to N times the
limit), or a shared Redis.
Refused requests get 429 with ``Retry-After``. A request with a key that is not valid
counts against its address, so guessing keys is slowed like any anonymous traffic.

Every answer to a counted request says where its client stands, in the headers of the
IETF draft "RateLimit header fields for HTTP" (its version 05, which clients and
gateways widely read): ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds), for the limit with the fewest requests left.
"""

from fastapi import Request
from starlette.types import Message, Receive, Scope, Send

from app import limiting
from app.asgi import HttpMiddleware
from app.config import get_settings
from app.errors import TooManyRequests
from app.i18n import gettext
from app.requests import client_address


def _hit(request: Request, spec: str, bucket: str) -> None:
    item = limiting.hit(spec, bucket)
    if (quota := limiting.quota(spec, bucket)) is not None:
        request.state.quota = quota  # told in the answer's headers (RateLimitHeaders)
    if item is not None:
        retry_after = limiting.seconds_until_reset(item, bucket)
        raise TooManyRequests(
            gettext(
                "Too many requests: the limit is %(limit)s. Try again in %(seconds)s s.",
                limit=str(item),
                seconds=retry_after,
            ),
            retry_after,
        )


def limit_key(request: Request, key_id: int) -> None:
    _hit(request, get_settings().rate_limit_key, f"key:{key_id}")


def limit_client(request: Request) -> None:
    _hit(request, get_settings().rate_limit_anonymous, f"client:{client_address(request)}")


def quota_headers(quota: limiting.Quota) -> list[tuple[bytes, bytes]]:
    return [
        (b"ratelimit-limit", str(quota.limit).encode()),
        (b"ratelimit-remaining", str(quota.remaining).encode()),
        (b"ratelimit-reset", str(quota.reset).encode()),
    ]


class RateLimitHeaders(HttpMiddleware):
    """Adds the RateLimit headers to the answer of a request that was counted, whatever
    the answer (a page of results, a 304, an error, the 429 itself)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def with_quota(message: Message) -> None:
            quota = scope.get("state", {}).get("quota")
            if message["type"] == "http.response.start" and quota is not None:
                message = {**message, "headers": [*message["headers"], *quota_headers(quota)]}
            await send(message)

        await self.app(scope, receive, with_quota)


reset = limiting.reset
