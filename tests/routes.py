"""The application's routes, flattened (FastAPI keeps included routers nested)."""

from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.routing import compile_path

from app.api.openapi import flatten


def paths(routes: Iterable[Any], method: str) -> set[str]:
    return {path for path, route in flatten(routes) if method in route.methods}


@cache
def _page_templates() -> list[tuple[Any, str]]:
    from app.web import web_router

    return [(compile_path(path)[0], path) for path, _route in flatten(web_router.routes)]


def page_kind(address: str) -> str:
    """What kind of page ``address`` (path and query) shows: its route's template, the
    names of its query parameters (not their values) and its language. Two addresses of
    one kind show one template with other data: ``/practices/a`` and ``/practices/b``."""
    parts = urlsplit(address)
    template = next((t for regex, t in _page_templates() if regex.match(parts.path)), parts.path)
    query = parse_qs(parts.query)
    names = "&".join(sorted(name for name in query if name != "lang"))
    return f"{template}?{names} lang={query.get('lang', [''])[0]}"
