"""What the pages and the API read off a request about where it comes from and goes to."""

from starlette.requests import Request

from app.config import get_settings


def site_url(request: Request) -> str:
    """The site's address for links that leave it (e-mails, linked data, feeds)."""
    return (get_settings().public_url or str(request.base_url)).rstrip("/")


def client_address(request: Request) -> str | None:
    """The client's address (behind a proxy, as forwarded: uvicorn runs with proxy headers)."""
    return request.client.host if request.client else None
