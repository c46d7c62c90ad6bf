"""``GET /metrics``: the Prometheus metrics, for allowed addresses or a bearer token.

An address counts only for a request that reached us directly: one that carries
``X-Forwarded-For`` (or ``Forwarded``) came through a proxy, and a proxy on the same host
would otherwise make every visitor look local. Scrape each instance directly, not through
the load balancer.
"""

import hmac
from ipaddress import ip_address, ip_network

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.config import get_settings
from app.errors import Forbidden
from app.i18n import gettext
from app.operations.metrics import exposition

router = APIRouter()


def _has_token(request: Request, token: str | None) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), str(token).encode())
    )


def _from_allowed_address(request: Request, allowed: list[str]) -> bool:
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    if request.client is None:
        return False
    try:
        address = ip_address(request.client.host)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:  # a dual-stack socket's IPv4 peer
        address = address.ipv4_mapped
    return any(address in ip_network(network, strict=False) for network in allowed)


def may_read_metrics(request: Request) -> bool:
    settings = get_settings()
    return _has_token(request, settings.metrics_token) or _from_allowed_address(
        request, settings.metrics_allow
    )


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    if not may_read_metrics(request):
        raise Forbidden(
            gettext("The metrics are for the site's hosts: an allowed address or a token.")
        )
    body, content_type = exposition()
    return Response(body, media_type=content_type)
