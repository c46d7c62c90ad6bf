"""Rate limits on the API: per API key, and per client address for requests without one.

Counted with a sliding window (the ``limits`` library) in the storage ``app.limiting``
chooses: each worker's memory by default (N workers let a client send up to N times the
limit), or a shared Redis.
Refused requests get 429 with ``Retry-After``. A request with a key that is not valid
counts against its address, so guessing keys is slowed like any anonymous traffic.
"""

from fastapi import Request

from app import limiting
from app.config import get_settings
from app.errors import TooManyRequests
from app.i18n import gettext
from app.requests import client_address


def _hit(spec: str, bucket: str) -> None:
    item = limiting.hit(spec, bucket)
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


def limit_key(key_id: int) -> None:
    _hit(get_settings().rate_limit_key, f"key:{key_id}")


def limit_client(request: Request) -> None:
    _hit(get_settings().rate_limit_anonymous, f"client:{client_address(request)}")


reset = limiting.reset
